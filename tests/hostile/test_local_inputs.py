"""Local hostile inputs: an ssh-agent that trickles, and ~/.ssh entries that are not key files."""

from __future__ import annotations

import os
import socket
import struct
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from smartdc.auth import load_signer
from smartdc.auth.agent import AgentClient
from smartdc.errors import AgentError, KeyNotFoundError

from .probes import run_bounded
from .rawserver import trickle


@pytest.fixture
def trickling_agent() -> Iterator[str]:
    """A Unix-socket agent that answers a list request with one identity, one byte at a time,
    each byte well within the client's per-read timeout."""
    directory = tempfile.mkdtemp(prefix="agent-")
    path = os.path.join(directory, "agent.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    stop = threading.Event()
    blob = struct.pack(">I", 11) + b"ssh-ed25519" + struct.pack(">I", 32) + b"\x01" * 32
    comment = b"trickle"
    payload = (
        bytes([12])
        + struct.pack(">I", 1)
        + struct.pack(">I", len(blob))
        + blob
        + struct.pack(">I", len(comment))
        + comment
    )
    answer = struct.pack(">I", len(payload)) + payload

    def serve() -> None:
        server.settimeout(0.05)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.recv(1024)
                trickle(conn, answer, stop)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield path
    stop.set()
    thread.join(5)
    server.close()


def test_an_agent_answering_one_byte_at_a_time_ends_at_the_agent_timeout(
    trickling_agent: str,
) -> None:
    client = AgentClient(trickling_agent, timeout=0.3)  # the answer takes ~1.5 s in all
    outcome = run_bounded(client.identities)
    assert outcome.ended
    assert isinstance(outcome.error, AgentError), outcome
    assert "0.3" in str(outcome.error)


def _ssh_dir(tmp_path: Path) -> Path:
    directory = tmp_path / ".ssh"
    directory.mkdir()
    return directory


def test_a_fifo_among_the_public_keys_is_skipped(tmp_path: Path) -> None:
    directory = _ssh_dir(tmp_path)
    os.mkfifo(directory / "id_rsa.pub")
    (directory / "id_rsa").write_text("not a key\n")
    outcome = run_bounded(
        lambda: load_signer(account="a", key_id="aa" * 16, agent_socket="", ssh_dir=directory)
    )
    assert outcome.ended
    assert isinstance(outcome.error, KeyNotFoundError), outcome


def test_a_link_to_an_endless_device_is_not_read(tmp_path: Path) -> None:
    directory = _ssh_dir(tmp_path)
    (directory / "big.pub").symlink_to("/dev/zero")
    (directory / "big").write_text("not a key\n")
    outcome = run_bounded(
        lambda: load_signer(account="a", key_id="aa" * 16, agent_socket="", ssh_dir=directory)
    )
    assert outcome.ended
    assert isinstance(outcome.error, KeyNotFoundError), outcome


def test_a_huge_private_key_candidate_is_not_read_whole(tmp_path: Path) -> None:
    directory = _ssh_dir(tmp_path)
    with open(directory / "id_ed25519", "wb") as handle:  # sparse: 8 GiB of nothing
        handle.truncate(8 << 30)
    outcome = run_bounded(
        lambda: load_signer(account="a", key_id="aa" * 16, agent_socket="", ssh_dir=directory)
    )
    assert outcome.ended
    assert isinstance(outcome.error, KeyNotFoundError), outcome
