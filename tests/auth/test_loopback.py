"""Our signer against the embedded CloudAPI simulator, over real loopback HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from email.utils import formatdate
from pathlib import Path

import pytest
import urllib3

from smartdc._generated.service import SERVICE
from smartdc.auth import HttpSignatureSigner, ed25519_unsupported_hint, load_signer
from smartdc.testing import Simulator
from smartdc.testing.state import Settings

from .keys import KEY_KINDS, PrivateKey, md5_of, openssh_public, write_key

ED25519_SINCE = SERVICE.changes["ed25519_keys"]


def get(url: str, signer: HttpSignatureSigner, path: str) -> urllib3.BaseHTTPResponse:
    date = formatdate(usegmt=True)
    headers = {
        "Date": date,
        "Authorization": signer.authorization("GET", path, date),
        "Accept": "application/json",
        "Accept-Version": "~9",
    }
    with urllib3.PoolManager(timeout=urllib3.Timeout(connect=5, read=30), retries=False) as http:
        return http.request("GET", url + path, headers=headers)


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator(account="acct") as simulator:
        yield simulator


@pytest.mark.parametrize("kind", KEY_KINDS)
@pytest.mark.parametrize("headers", [("(request-target)", "date"), ("date",)])
def test_simulator_accepts_our_signatures(
    kind: str,
    headers: tuple[str, ...],
    sim: Simulator,
    generated_keys: dict[str, PrivateKey],
    tmp_path: Path,
) -> None:
    key = generated_keys[kind]
    sim.add_key("acct", openssh_public(key), kind)
    path = write_key(tmp_path, "key", key, "openssh")
    signer = load_signer(account="acct", key_id=md5_of(key), key_path=path, sign_headers=headers)
    reply = get(sim.url, signer, "/acct/keys?name=x")
    assert reply.status == 200, reply.data
    # The same signature is reused within the second and still accepted.
    assert get(sim.url, signer, "/acct/keys?name=x").status == 200


def test_sub_user_key(
    sim: Simulator, generated_keys: dict[str, PrivateKey], tmp_path: Path
) -> None:
    key = generated_keys["p256"]
    sim.add_user("acct", "bob")
    sim.add_key("acct", openssh_public(key), "bobkey", user="bob")
    path = write_key(tmp_path, "key", key, "pkcs8")
    as_bob = load_signer(account="acct", user="bob", key_id=md5_of(key), key_path=path)
    as_account = load_signer(account="acct", key_id=md5_of(key), key_path=path)
    assert get(sim.url, as_bob, "/acct/users/bob/keys").status != 401
    assert get(sim.url, as_account, "/acct/keys").status == 401  # not the account's key


def test_unknown_key_is_refused(
    sim: Simulator, generated_keys: dict[str, PrivateKey], tmp_path: Path
) -> None:
    path = write_key(tmp_path, "key", generated_keys["rsa2048"], "pkcs8")
    signer = load_signer(account="acct", key_id=None, key_path=path)
    assert get(sim.url, signer, "/acct/keys").status == 401


def test_old_server_refuses_ed25519_and_the_hint_explains(
    generated_keys: dict[str, PrivateKey], tmp_path: Path
) -> None:
    settings = Settings(before_9_18=True, server_version="9.17.0")
    with Simulator(account="acct", settings=settings) as sim:
        rsa = generated_keys["rsa2048"]
        sim.add_key("acct", openssh_public(rsa), "rsa")
        ed_signer = load_signer(
            account="acct",
            key_id=None,
            key_path=write_key(tmp_path, "ed", generated_keys["ed25519"], "openssh"),
        )
        rsa_signer = load_signer(
            account="acct", key_id=None, key_path=write_key(tmp_path, "rsa", rsa, "pkcs8")
        )
        refused = get(sim.url, ed_signer, "/acct/keys")
        assert refused.status in (400, 401)
        hint = ed25519_unsupported_hint(
            refused.headers.get("Server"), ed_signer.algorithm, since=ED25519_SINCE
        )
        assert hint is not None and "predates Ed25519 support (9.18)" in hint
        accepted = get(sim.url, rsa_signer, "/acct/keys")
        assert accepted.status == 200
        assert (
            ed25519_unsupported_hint(
                accepted.headers.get("Server"), rsa_signer.algorithm, since=ED25519_SINCE
            )
            is None
        )
