"""A TLS server that sends its handshake one byte at a time does not stretch a call: Python's ssl
module bounds the whole handshake by the connect timeout (this pins that down)."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from smartdc.config import Config
from smartdc.errors import RequestTimeout
from smartdc.transport import Transport

from ..core.server import self_signed_cert
from .probes import run_bounded
from .rawserver import trickle


@pytest.fixture
def trickling_tls(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    cert, key = self_signed_cert(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(0.05)
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # one byte per segment
                incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
                tls = context.wrap_bio(incoming, outgoing, server_side=True)
                while not stop.is_set():
                    try:
                        data = conn.recv(65536)
                    except TimeoutError:
                        data = None
                    except OSError:
                        break
                    if data == b"":
                        break
                    if data:
                        incoming.write(data)
                    try:
                        tls.do_handshake()
                    except ssl.SSLWantReadError:
                        pass
                    except ssl.SSLError:
                        break
                    trickle(conn, outgoing.read(), stop)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{listener.getsockname()[1]}", cert
    stop.set()
    thread.join(5)
    listener.close()


def test_a_trickled_tls_handshake_ends_at_the_deadline(
    trickling_tls: tuple[str, Path], key_path: Path
) -> None:
    url, cert = trickling_tls
    config = Config(
        url=url,
        account="alice",
        secret=key_path,
        ca_certs=str(cert),
        timeout=(0.2, 0.3),
        max_retries=0,
        profile="env",
        environ={},
    )
    with Transport(config) as transport:
        outcome = run_bounded(lambda: transport.request("GET", "/alice/machines"))
    assert outcome.ended
    assert isinstance(outcome.error, RequestTimeout), outcome
