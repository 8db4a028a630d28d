"""Signing through a real ssh-agent started by the test."""

from __future__ import annotations

import base64
import os
import socket
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from smartdc.auth import load_agent_signer, load_signer
from smartdc.auth.agent import AgentClient, ssh_ecdsa_to_der
from smartdc.auth.fingerprint import md5_fingerprint, parse_openssh_public_key, sha256_fingerprint
from smartdc.errors import AgentError, KeyNotFoundError, UnsupportedKeyError

from .conftest import Agent
from .keys import (
    EXPECTED_ALGORITHM,
    PrivateKey,
    have_ssh_keygen,
    md5_of,
    parse_authorization,
    ssh_keygen,
    verify,
    write_key,
)

DATE = "Thu, 26 Nov 2026 21:00:00 GMT"
AGENT_KINDS = ("rsa2048", "p256", "p521", "ed25519")


def _add(agent: Agent, tmp_path: Path, key: PrivateKey, name: str) -> None:
    path = write_key(tmp_path, name, key, "openssh", comment=f"{name}@laptop")
    agent.add(path)


@pytest.mark.parametrize("kind", AGENT_KINDS)
@pytest.mark.parametrize("headers", [("(request-target)", "date"), ("date",)])
def test_agent_signatures_verify(
    kind: str,
    headers: tuple[str, ...],
    ssh_agent: Agent,
    generated_keys: dict[str, PrivateKey],
    tmp_path: Path,
) -> None:
    key = generated_keys[kind]
    _add(ssh_agent, tmp_path, key, kind)
    signer = load_agent_signer(
        account="acct", key_id=md5_of(key), agent_socket=ssh_agent.socket_path, sign_headers=headers
    )
    assert signer.algorithm == EXPECTED_ALGORITHM[kind]
    assert signer.key_id == f"/acct/keys/{md5_of(key)}"
    params = parse_authorization(signer.authorization("PUT", "/acct/machines/x?y=1", DATE))
    text = (
        f"(request-target): put /acct/machines/x?y=1\ndate: {DATE}"
        if headers[0] == "(request-target)"
        else f"date: {DATE}"
    )
    verify(key.public_key(), signer.algorithm, text.encode(), base64.b64decode(params["signature"]))


def test_agent_key_chosen_by_sha256_or_comment(
    ssh_agent: Agent, generated_keys: dict[str, PrivateKey], tmp_path: Path
) -> None:
    if not have_ssh_keygen():
        pytest.skip("ssh-keygen not installed")
    _add(ssh_agent, tmp_path, generated_keys["rsa2048"], "rsa")
    # ssh-keygen stores the comment in the private key, so the agent knows it.
    path = ssh_keygen(tmp_path, "ed", "ed25519")
    ssh_agent.add(path)
    _, blob = parse_openssh_public_key(path.with_name("ed.pub").read_text())
    by_sha = load_agent_signer(
        account="a", key_id=sha256_fingerprint(blob), agent_socket=ssh_agent.socket_path
    )
    by_name = load_agent_signer(account="a", key_id="ed@test", agent_socket=ssh_agent.socket_path)
    assert by_sha.key_id == by_name.key_id == f"/a/keys/{md5_fingerprint(blob)}"
    assert by_sha.algorithm == "ed25519-sha512"


def test_agent_lacks_key(
    ssh_agent: Agent, generated_keys: dict[str, PrivateKey], tmp_path: Path
) -> None:
    _add(ssh_agent, tmp_path, generated_keys["rsa2048"], "rsa")
    wanted = md5_of(generated_keys["p256"])
    with pytest.raises(AgentError, match=f"does not hold a key matching key id {wanted}"):
        load_agent_signer(account="a", key_id=wanted, agent_socket=ssh_agent.socket_path)
    with pytest.raises(KeyNotFoundError, match="no matching key"):
        load_signer(account="a", key_id=wanted, agent_socket=ssh_agent.socket_path)


def test_agent_removed_key_fails_at_signing(
    ssh_agent: Agent, generated_keys: dict[str, PrivateKey], tmp_path: Path
) -> None:
    key = generated_keys["p256"]
    _add(ssh_agent, tmp_path, key, "p256")
    signer = load_agent_signer(account="a", key_id=md5_of(key), agent_socket=ssh_agent.socket_path)
    ssh_agent.remove_all()
    with pytest.raises(AgentError, match="refused to sign"):
        signer.authorization("GET", "/a", DATE)


def test_agent_p384_is_refused_but_its_file_is_used(
    ssh_agent: Agent,
    generated_keys: dict[str, PrivateKey],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = generated_keys["p384"]
    _add(ssh_agent, tmp_path, key, "p384")
    with pytest.raises(UnsupportedKeyError, match="SHA-384"):
        load_agent_signer(account="a", key_id=md5_of(key), agent_socket=ssh_agent.socket_path)
    ssh_dir = Path(os.environ["HOME"]) / ".ssh"
    ssh_dir.mkdir()
    write_key(ssh_dir, "id_ecdsa", key, "openssh")
    monkeypatch.setenv("SSH_AUTH_SOCK", ssh_agent.socket_path)
    signer = load_signer(account="a", key_id=md5_of(key))
    assert signer.source.startswith("key file")
    assert signer.algorithm == "ecdsa-sha512"


def test_agent_is_preferred_over_files(
    ssh_agent: Agent,
    generated_keys: dict[str, PrivateKey],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = generated_keys["ed25519"]
    _add(ssh_agent, tmp_path, key, "ed")
    ssh_dir = Path(os.environ["HOME"]) / ".ssh"
    ssh_dir.mkdir()
    write_key(ssh_dir, "id_ed25519", key, "openssh")
    monkeypatch.setenv("SSH_AUTH_SOCK", ssh_agent.socket_path)
    assert load_signer(account="a", key_id=md5_of(key)).source.startswith("ssh-agent")


def test_no_agent_socket() -> None:
    with pytest.raises(AgentError, match="SSH_AUTH_SOCK is not set"):
        load_agent_signer(account="a", key_id="aa" * 16)
    with pytest.raises(AgentError, match="SSH_AUTH_SOCK is not set"):
        AgentClient()


def test_agent_socket_nobody_listens(tmp_path: Path) -> None:
    missing = str(tmp_path / "gone.sock")
    with pytest.raises(AgentError, match="no ssh-agent listening"):
        load_agent_signer(account="a", key_id="aa" * 16, agent_socket=missing)
    # An explicitly named agent must work; load_signer does not silently fall back.
    with pytest.raises(AgentError):
        load_signer(account="a", key_id="aa" * 16, agent_socket=missing)


@pytest.fixture
def silent_agent() -> Iterator[str]:
    """A Unix socket that accepts connections and never answers (a hung agent)."""
    directory = tempfile.mkdtemp(prefix="sa-")
    path = os.path.join(directory, "hung.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(4)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.05)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield path
    finally:
        stop.set()
        thread.join(timeout=5)
        for conn in accepted:
            conn.close()
        server.close()
        os.unlink(path)
        os.rmdir(directory)


def test_agent_timeout(silent_agent: str) -> None:
    with pytest.raises(AgentError, match=r"did not answer within 0\.2 s"):
        AgentClient(silent_agent, timeout=0.2).identities()


@pytest.mark.parametrize(
    ("r", "s"), [(1, 2), (2**255 + 7, 2**200), (2**520 - 1, 127), (128, 2**384 - 3)]
)
def test_ssh_ecdsa_signature_to_der(r: int, s: int) -> None:
    def mpint(value: int) -> bytes:
        data = value.to_bytes(value.bit_length() // 8 + 1, "big")
        return len(data).to_bytes(4, "big") + data

    assert ssh_ecdsa_to_der(mpint(r) + mpint(s)) == encode_dss_signature(r, s)


@pytest.mark.parametrize("kind", ["rsa2048", "ed25519"])
def test_agent_and_file_give_identical_deterministic_signatures(
    kind: str, ssh_agent: Agent, generated_keys: dict[str, PrivateKey], tmp_path: Path
) -> None:
    # PKCS#1 v1.5 and Ed25519 signatures are deterministic: both sources must agree bit for bit.
    key = generated_keys[kind]
    path = write_key(tmp_path, "key", key, "openssh")
    ssh_agent.add(path)
    from_agent = load_agent_signer(
        account="a", key_id=md5_of(key), agent_socket=ssh_agent.socket_path
    )
    from_file = load_signer(account="a", key_id=md5_of(key), key_path=path)
    assert from_agent.source.startswith("ssh-agent")
    assert from_agent.authorization("GET", "/a/keys", DATE) == from_file.authorization(
        "GET", "/a/keys", DATE
    )
