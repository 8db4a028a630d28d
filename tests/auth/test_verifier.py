"""Our signatures checked by http-signature 1.4.0 as CloudAPI 9.20 runs it (tests/httpsig)."""

from __future__ import annotations

from email.utils import formatdate
from pathlib import Path

import pytest

from smartdc.auth import HttpSignatureSigner, load_agent_signer, load_signer
from tests import httpsig

from .conftest import Agent
from .keys import KEY_KINDS, PrivateKey, md5_of, write_key

HEADER_SETS = [("(request-target)", "date"), ("date",)]
PATH = "/acct/machines?limit=2&name=a%20b"


def run_verifier(
    pub: Path,
    signer: HttpSignatureSigner,
    *,
    before_9_18: bool = False,
    method: str = "GET",
    path: str = PATH,
) -> str:
    date = formatdate(usegmt=True)  # the verifier allows 300 s of clock skew
    request = {
        "method": method,
        "path": path,
        "headers": {"date": date, "authorization": signer.authorization(method, path, date)},
    }
    return httpsig.verify(pub, request, before_9_18=before_9_18)


@pytest.mark.parametrize("kind", KEY_KINDS)
@pytest.mark.parametrize("headers", HEADER_SETS)
def test_key_file_signatures_verify(
    kind: str,
    headers: tuple[str, ...],
    httpsig_harness: None,
    generated_keys: dict[str, PrivateKey],
    tmp_path: Path,
) -> None:
    key = generated_keys[kind]
    path = write_key(tmp_path, "key", key, "openssh")
    signer = load_signer(account="acct", key_id=md5_of(key), key_path=path, sign_headers=headers)
    assert run_verifier(tmp_path / "key.pub", signer) == "ok"
    assert run_verifier(tmp_path / "key.pub", signer, method="DELETE") == "ok"


def test_rbac_user_signature_verifies(
    httpsig_harness: None, generated_keys: dict[str, PrivateKey], tmp_path: Path
) -> None:
    key = generated_keys["rsa2048"]
    path = write_key(tmp_path, "key", key, "pkcs8")
    signer = load_signer(account="acct", user="bob", key_id=md5_of(key), key_path=path)
    assert run_verifier(tmp_path / "key.pub", signer) == "ok"


@pytest.mark.parametrize("kind", ["rsa2048", "p256", "p521", "ed25519"])
@pytest.mark.parametrize("headers", HEADER_SETS)
def test_agent_signatures_verify(
    kind: str,
    headers: tuple[str, ...],
    httpsig_harness: None,
    ssh_agent: Agent,
    generated_keys: dict[str, PrivateKey],
    tmp_path: Path,
) -> None:
    key = generated_keys[kind]
    ssh_agent.add(write_key(tmp_path, "key", key, "openssh"))
    signer = load_agent_signer(
        account="acct", key_id=md5_of(key), agent_socket=ssh_agent.socket_path, sign_headers=headers
    )
    assert run_verifier(tmp_path / "key.pub", signer) == "ok"


def test_a_wrong_key_does_not_verify(
    httpsig_harness: None, generated_keys: dict[str, PrivateKey], tmp_path: Path
) -> None:
    # Proves the verifier can say no: sign with P-256, check against another P-256 key's .pub.
    write_key(tmp_path, "other", generated_keys["p256"], "openssh")
    signer = HttpSignatureSigner(
        key_id=f"/acct/keys/{md5_of(generated_keys['p256'])}",
        algorithm="ecdsa-sha256",
        sign=lambda data: b"\x30\x06\x02\x01\x01\x02\x01\x01",
        fingerprint=md5_of(generated_keys["p256"]),
        source="test",
    )
    assert run_verifier(tmp_path / "other.pub", signer).startswith("bad:")


def test_servers_before_9_18_reject_ed25519(
    httpsig_harness: None, generated_keys: dict[str, PrivateKey], tmp_path: Path
) -> None:
    ed = write_key(tmp_path, "ed", generated_keys["ed25519"], "openssh")
    rsa = write_key(tmp_path, "rsa", generated_keys["rsa2048"], "openssh")
    ed_signer = load_signer(account="acct", key_id=None, key_path=ed)
    rsa_signer = load_signer(account="acct", key_id=None, key_path=rsa)
    old = run_verifier(tmp_path / "ed.pub", ed_signer, before_9_18=True)
    assert old.startswith("bad:") and "ed25519" in old
    assert run_verifier(tmp_path / "rsa.pub", rsa_signer, before_9_18=True) == "ok"
