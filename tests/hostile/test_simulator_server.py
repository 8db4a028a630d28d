"""The simulator as a server anything on the machine can reach: bounded reads before
authentication, 400 (not 500) for odd input, secret files 0600 and never written through a link."""

from __future__ import annotations

import os
import socket
import stat
from collections.abc import Iterator
from email.utils import formatdate
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from smartdc.config import Config
from smartdc.testing import Simulator
from smartdc.testing.keyfiles import shared_rsa_key, write_key


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator() as simulator:
        yield simulator


def _connect(sim: Simulator) -> socket.socket:
    parts = urlsplit(sim.url)
    assert parts.port is not None
    sock = socket.create_connection((parts.hostname, parts.port), timeout=10)
    return sock


def _answer(sock: socket.socket) -> bytes:
    """What the server sent until it closed or paused for 10 s (a hang fails the read)."""
    received = b""
    while b"\r\n\r\n" not in received:
        data = sock.recv(65536)
        if not data:
            break
        received += data
    return received


def _signed_head(sim: Simulator, method: str, path: str, *extra: str) -> bytes:
    date = formatdate(usegmt=True)
    config = Config(
        url=sim.url,
        account=sim.account,
        key_id=sim.key_id,
        secret=sim.key_path,
        profile="env",
        environ={},
    )
    auth = config.signer().authorization(method, path, date)
    lines = [f"{method} {path} HTTP/1.1", "Host: x", f"Date: {date}", f"Authorization: {auth}"]
    return ("\r\n".join([*lines, *extra]) + "\r\n\r\n").encode()


def test_a_negative_chunk_size_is_refused_without_reading_on(sim: Simulator) -> None:
    with _connect(sim) as sock:
        head = b"POST /x/machines HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        sock.sendall(head + b"-1\r\n" + b"a" * 200_000)  # and the connection stays open
        answer = _answer(sock)
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]


def test_a_chunk_not_followed_by_its_line_end_is_refused(sim: Simulator) -> None:
    with _connect(sim) as sock:
        head = b"POST /x/machines HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        sock.sendall(head + b"2\r\nab" + b"c" * 300_000)  # no CRLF after the chunk, ever
        answer = _answer(sock)
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]


def test_a_huge_accept_version_is_a_400(sim: Simulator) -> None:
    with _connect(sim) as sock:
        path = f"/{sim.account}/machines"
        sock.sendall(_signed_head(sim, "GET", path, "Accept-Version: " + "9" * 5000))
        answer = _answer(sock)
    assert answer.startswith(b"HTTP/1.1 400"), answer[:300]
    assert b"InvalidVersion" in answer


def test_a_deeply_nested_json_body_is_a_400(sim: Simulator) -> None:
    body = b"[" * 100_00 + b"]" * 100_00
    with _connect(sim) as sock:
        path = f"/{sim.account}/machines"
        head = _signed_head(
            sim, "POST", path, "Content-Type: application/json", f"Content-Length: {len(body)}"
        )
        sock.sendall(head + body)
        answer = _answer(sock)
    assert answer.startswith(b"HTTP/1.1 400"), answer[:300]


def test_the_state_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "sim.db"
    with Simulator(state_file=path) as sim, sim.datacenter() as dc:
        dc.create_machine(name="web-1", metadata={"note": "private"})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_state_file_is_never_written_through_a_link(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.db"
    link = tmp_path / "sim.db"
    link.symlink_to(target)
    with pytest.raises(OSError, match="link"):
        Simulator(state_file=link).start()
    assert not target.exists()


def test_a_key_is_never_written_through_a_dangling_link(tmp_path: Path) -> None:
    target = tmp_path / "stolen"
    (tmp_path / "id_rsa").symlink_to(target)
    with pytest.raises(OSError, match="link"):
        write_key(tmp_path, "id_rsa", shared_rsa_key())
    assert not target.exists()


def test_a_key_file_is_created_private(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        path = write_key(tmp_path, "id_rsa", shared_rsa_key())
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
