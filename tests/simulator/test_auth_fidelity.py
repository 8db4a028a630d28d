"""The simulator accepts exactly what http-signature 1.4.0 as CloudAPI 9.20 runs it (the harness in
tests/httpsig) accepts, for each key type and algorithm."""

from __future__ import annotations

from email.utils import formatdate
from pathlib import Path

import pytest

from smartdc.testing.simulator import Simulator
from smartdc.testing.state import Settings
from tests import httpsig

from .sigclient import PrivateKey, SigClient, openssh_public

# (label, key kind of the session's generated_keys, signing algorithm)
CASES: list[tuple[str, str, str]] = [
    ("rsa-sha1", "rsa2048", "rsa-sha1"),
    ("rsa-sha256", "rsa2048", "rsa-sha256"),
    ("rsa-sha384", "rsa2048", "rsa-sha384"),
    ("rsa-sha512", "rsa2048", "rsa-sha512"),
    ("p256-sha256", "p256", "ecdsa-sha256"),
    ("p384-sha256", "p384", "ecdsa-sha256"),
    ("p384-sha384", "p384", "ecdsa-sha384"),
    ("p384-sha512", "p384", "ecdsa-sha512"),
    ("p521-sha512", "p521", "ecdsa-sha512"),
    ("ed25519", "ed25519", "ed25519-sha512"),
]


def _verifier_accepts(
    tmp_path: Path, key: PrivateKey, request: dict[str, object], before_9_18: bool
) -> bool:
    pub = tmp_path / "key.pub"
    pub.write_text(openssh_public(key) + "\n")
    return httpsig.verify(pub, request, before_9_18=before_9_18) == "ok"


@pytest.mark.parametrize("before_9_18", [False, True])
@pytest.mark.parametrize(("label", "kind", "algorithm"), CASES, ids=[c[0] for c in CASES])
def test_same_verdict_as_the_server_library(
    tmp_path: Path,
    generated_keys: dict[str, PrivateKey],
    label: str,
    kind: str,
    algorithm: str,
    before_9_18: bool,
) -> None:
    reason = httpsig.unavailable()
    if reason is not None:
        pytest.skip(reason)
    key = generated_keys[kind]
    with Simulator(settings=Settings(before_9_18=before_9_18), datacenters=("dc1",)) as sim:
        # register the key directly: CreateKey itself refuses ed25519 before 9.18
        with sim.state.lock:
            from smartdc.testing.sshkeys import md5_fingerprint

            fingerprint = md5_fingerprint(openssh_public(key))
            sim.state.key_table(sim.account)[fingerprint] = {
                "name": label,
                "fingerprint": fingerprint,
                "key": openssh_public(key),
            }
        client = SigClient(sim.url, sim.account, key, algorithm=algorithm)
        date = formatdate(usegmt=True)
        authorization = client.authorization("GET", "/my/keys", date)
        reply = client.get(
            "/my/keys", signed=False, date=date, headers={"Authorization": authorization}
        )
    request: dict[str, object] = {
        "method": "GET",
        "path": "/my/keys",
        "headers": {"date": date, "authorization": authorization},
    }
    expected = _verifier_accepts(tmp_path, key, request, before_9_18)
    assert (reply.status == 200) == expected, (reply.status, reply.body)
