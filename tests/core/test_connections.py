"""TLS verification, refused and silent servers, and one transport shared by many threads."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from smartdc.errors import ConnectError, RequestTimeout
from smartdc.transport import InsecureTransportWarning, Transport

from .conftest import KeyFiles, MakeConfig
from .server import LoopbackServer, Reply, self_signed_cert


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed_cert(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def tls_server(test_key: KeyFiles, cert: tuple[Path, Path]) -> Iterator[LoopbackServer]:
    with LoopbackServer(
        test_key.public_key, test_key.key_id, tls_cert=cert[0], tls_key=cert[1]
    ) as srv:
        yield srv


def test_tls_is_verified_by_default(tls_server: LoopbackServer, make_config: MakeConfig) -> None:
    transport = Transport(make_config(url=tls_server.url))
    with pytest.raises(ConnectError, match=r"TLS .* failed.*ca_certs"):
        transport.request("POST", "/alice/machines", body={"name": "x"})
    assert tls_server.count == 0  # the handshake failed: nothing was sent, nothing retried


def test_private_ca_bundle_is_trusted(
    tls_server: LoopbackServer, make_config: MakeConfig, cert: tuple[Path, Path]
) -> None:
    for url in (tls_server.url, tls_server.url.replace("127.0.0.1", "localhost")):
        with Transport(make_config(url=url, ca_certs=str(cert[0]))) as transport:
            assert transport.request("GET", "/alice").data == {"ok": True}
    assert tls_server.count == 2 and all(r.signature_ok for r in tls_server.requests)


def test_insecure_turns_verification_off_with_one_warning(
    tls_server: LoopbackServer, make_config: MakeConfig
) -> None:
    with pytest.warns(InsecureTransportWarning, match="verification is OFF") as caught:
        transport = Transport(make_config(url=tls_server.url, insecure=True))
        for _ in range(3):
            assert transport.request("GET", "/alice").status == 200
    assert len(caught) == 1
    transport.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_connection_refused_is_retried_then_a_connect_error(
    make_config: MakeConfig, caplog: pytest.LogCaptureFixture, method: str
) -> None:
    # Refused means nothing was sent, so even a POST may be retried.
    caplog.set_level(logging.INFO, logger="smartdc")
    transport = Transport(make_config(url=f"http://127.0.0.1:{_free_port()}", max_retries=2))
    with pytest.raises(ConnectError, match="cannot connect"):
        transport.request(method, "/alice/machines", body={} if method == "POST" else None)
    retries = [r for r in caplog.records if r.getMessage().startswith(f"retrying {method}")]
    assert len(retries) == 2


def test_server_that_accepts_and_never_answers(make_config: MakeConfig) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)  # the kernel accepts; nobody ever reads or answers
        port = listener.getsockname()[1]
        transport = Transport(
            make_config(url=f"http://127.0.0.1:{port}", timeout=(1.0, 0.3), max_retries=1)
        )
        with pytest.raises(RequestTimeout, match="no answer within"):
            transport.request("GET", "/alice")


def test_one_transport_shared_by_threads(server: LoopbackServer, make_config: MakeConfig) -> None:
    server.script(Reply(body={"i": i}) for i in range(80))
    transport = Transport(make_config(pool_maxsize=4))
    results: list[object] = []
    failures: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(10):
                results.append(transport.request("GET", "/alice").data)
        except BaseException as exc:  # collected for the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert sorted(r["i"] for r in results if isinstance(r, dict)) == list(range(80))
    assert all(r.signature_ok for r in server.requests)
