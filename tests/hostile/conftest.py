"""Fixtures for the hostile-server tests: an Ed25519 key on disk and Configs aimed at a server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from smartdc.config import Config
from smartdc.testing.keyfiles import write_key

from .rawserver import HostileServer

MakeConfig = Callable[..., Config]


@pytest.fixture(scope="session")
def key_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    key = ed25519.Ed25519PrivateKey.generate()
    return write_key(tmp_path_factory.mktemp("hostile-key"), "id_ed25519", key, "openssh")


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


@pytest.fixture
def make_config(key_path: Path) -> MakeConfig:
    """A Config for a server URL with small timeouts and backoffs; keywords override."""

    def make(url: str, **changes: Any) -> Config:
        settings: dict[str, Any] = {
            "url": url,
            "account": "alice",
            "secret": key_path,
            "timeout": (0.2, 0.3),
            "max_retries": 2,
            "retry_backoff": 0.001,
            "retry_deadline": 1.5,
            "profile": "env",
            "environ": {},
        }
        settings.update(changes)
        return Config(**settings)

    return make
