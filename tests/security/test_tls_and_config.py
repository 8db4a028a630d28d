"""TLS is verified unless turned off explicitly, also for datacenters found via ListDatacenters;
plain HTTP is refused off loopback; configuration mistakes are named."""

from __future__ import annotations

import json
import socket
import ssl
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from smartdc.config import Config
from smartdc.errors import ConfigError, ConnectError
from smartdc.testing import Simulator
from smartdc.testing.router import SimRequest, SimResponse
from smartdc.transport import InsecureTransportWarning

from ..core.server import self_signed_cert
from .conftest import PASSPHRASE


class TLSListener:
    """Accepts TLS handshakes with a self-signed certificate; counts the ones that completed."""

    def __init__(self, directory: Path) -> None:
        cert, key = self_signed_cert(directory)
        self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._context.load_cert_chain(cert, key)
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        self.completed = 0
        self.attempts = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                continue
            self.attempts += 1
            conn.settimeout(2)
            try:
                with self._context.wrap_socket(conn, server_side=True):
                    self.completed += 1
            except (OSError, ssl.SSLError):
                conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._sock.close()


@pytest.fixture
def tls(tmp_path: Path) -> Iterator[TLSListener]:
    listener = TLSListener(tmp_path)
    yield listener
    listener.close()


def _list_datacenters_as(sim: Simulator, answer: dict[str, str]) -> None:
    def handler(request: SimRequest) -> SimResponse:
        return SimResponse(200, body=json.dumps(answer).encode(), content_type="application/json")

    route = next(r for r in sim.router.routes if r.name == "ListDatacenters")
    route.handler = handler


def test_tls_verification_applies_to_a_listed_datacenter(sim: Simulator, tls: TLSListener) -> None:
    _list_datacenters_as(sim, {"far-1": f"https://127.0.0.1:{tls.port}"})
    dc = sim.datacenter(passphrase=PASSPHRASE, max_retries=0)
    far = dc.datacenter("far-1")
    assert far.config.insecure is False
    with pytest.raises(ConnectError) as caught:
        far.account()
    assert "TLS" in str(caught.value) and "insecure=True" in str(caught.value)
    assert tls.completed == 0 and tls.attempts == 1  # refused in the handshake, not retried
    far.close()
    dc.close()


def test_insecure_is_explicit_and_warns_once(sim: Simulator, tls: TLSListener) -> None:
    url = f"https://127.0.0.1:{tls.port}"
    config = Config(url=url, account=sim.account, key_id=sim.key_id, insecure=True)
    from smartdc.transport import Transport

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        transport = Transport(config)
        transport.close()
    insecure = [w for w in seen if issubclass(w.category, InsecureTransportWarning)]
    assert len(insecure) == 1 and url in str(insecure[0].message)
    assert Config(url=url, account=sim.account, key_id=sim.key_id).insecure is False


def test_plain_http_datacenter_off_loopback_is_refused(sim: Simulator) -> None:
    _list_datacenters_as(sim, {"far-1": "http://cloudapi.far.example.com"})
    dc = sim.datacenter(passphrase=PASSPHRASE)
    before = sim.request_count()
    with pytest.raises(ConfigError) as caught:
        dc.datacenter("far-1")
    assert "plain http to cloudapi.far.example.com" in str(caught.value)
    assert "allow_plaintext" in str(caught.value)
    assert sim.request_count() == before + 1  # only the ListDatacenters
    dc.close()


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("http://cloudapi.example.com", "allow_plaintext"),
        ("cloudapi.example.com", "must start with https://"),
        ("ftp://cloudapi.example.com", "must start with https://"),
        ("https://", "name a host"),
    ],
)
def test_bad_urls_are_named(url: str, named: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Config(url=url, account="acct", key_id="aa:bb")
    assert named in str(caught.value)


def test_plain_http_allowed_only_when_asked() -> None:
    config = Config(url="http://10.0.0.1:8080", account="a", key_id="k", allow_plaintext=True)
    assert config.url == "http://10.0.0.1:8080"


def test_malformed_triton_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    profiles = tmp_path / ".triton" / "profiles.d"
    profiles.mkdir(parents=True)
    (profiles / "broken.json").write_text('{"url": "https://x.example.com", "account": ')
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("TRITON_URL", "SDC_URL", "TRITON_ACCOUNT", "SDC_ACCOUNT", "TRITON_KEY_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("SDC_KEY_ID", raising=False)
    with pytest.raises(ConfigError) as caught:
        Config(profile="broken")
    assert "broken" in str(caught.value)


def test_conflicting_environment_warns_and_names_both(monkeypatch: pytest.MonkeyPatch) -> None:
    # As node-triton: TRITON_* wins over SDC_*; the disagreement is not silent.
    monkeypatch.setenv("TRITON_URL", "https://one.example.com")
    monkeypatch.setenv("SDC_URL", "https://two.example.com")
    monkeypatch.setenv("TRITON_PROFILE", "env")
    with pytest.warns(UserWarning, match="TRITON_URL.*SDC_URL"):
        config = Config(account="a", key_id="k")
    assert config.url == "https://one.example.com"
