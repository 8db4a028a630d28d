"""Fixtures for core tests: a generated RSA key on disk and the scripted loopback server."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from smartdc.auth.fingerprint import md5_fingerprint
from smartdc.config import Config
from smartdc.testing.keyfiles import generate_key, write_key

from .server import LoopbackServer

ACCOUNT = "alice"


@attrs.frozen
class KeyFiles:
    path: Path  # PEM private key
    public_path: Path  # OpenSSH public key
    public_key: Any
    fingerprint: str  # MD5 colon form

    @property
    def key_id(self) -> str:
        return f"/{ACCOUNT}/keys/{self.fingerprint}"


@pytest.fixture(scope="session")
def test_key(tmp_path_factory: pytest.TempPathFactory) -> KeyFiles:
    private = generate_key("rsa2048")
    path = write_key(tmp_path_factory.mktemp("key"), "id_rsa", private, comment="test@smartdc")
    public_path = path.with_name("id_rsa.pub")
    blob = base64.b64decode(public_path.read_text().split()[1])
    return KeyFiles(path, public_path, private.public_key(), md5_fingerprint(blob))


@pytest.fixture(autouse=True)
def _no_ambient_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never see the developer's agent, passphrase, profiles or Triton variables."""
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    monkeypatch.delenv("SMARTDC_KEY_PASSPHRASE", raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))


@pytest.fixture(scope="module")
def server(test_key: KeyFiles) -> Iterator[LoopbackServer]:
    with LoopbackServer(test_key.public_key, test_key.key_id) as srv:
        yield srv


MakeConfig = Callable[..., Config]


@pytest.fixture
def make_config(test_key: KeyFiles, server: LoopbackServer) -> MakeConfig:
    """A Config for the loopback server with tiny backoffs; keyword arguments override."""

    def make(**changes: Any) -> Config:
        settings: dict[str, Any] = {
            "url": server.url,
            "account": ACCOUNT,
            "key_id": test_key.fingerprint,
            "secret": test_key.path,
            "timeout": (2.0, 2.0),
            "max_retries": 2,
            "retry_backoff": 0.001,
            "environ": {},
        }
        settings.update(changes)
        return Config(**settings)

    return make
