"""The simulator accepts exactly what Joyent's http-signature verifier (as CloudAPI 9.20 runs it)
accepts, for each key type and algorithm."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from email.utils import formatdate
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from smartdc.testing.simulator import Simulator
from smartdc.testing.state import Settings

from .sigclient import PrivateKey, SigClient, openssh_public

VERIFIER = Path(__file__).resolve().parents[2] / ".cache" / "httpsig" / "verify-httpsig.js"

CASES: list[tuple[str, Callable[[], PrivateKey], str]] = [
    ("rsa-sha1", lambda: rsa.generate_private_key(65537, 2048), "rsa-sha1"),
    ("rsa-sha256", lambda: rsa.generate_private_key(65537, 2048), "rsa-sha256"),
    ("rsa-sha384", lambda: rsa.generate_private_key(65537, 2048), "rsa-sha384"),
    ("rsa-sha512", lambda: rsa.generate_private_key(65537, 2048), "rsa-sha512"),
    ("p256-sha256", lambda: ec.generate_private_key(ec.SECP256R1()), "ecdsa-sha256"),
    ("p384-sha256", lambda: ec.generate_private_key(ec.SECP384R1()), "ecdsa-sha256"),
    ("p384-sha384", lambda: ec.generate_private_key(ec.SECP384R1()), "ecdsa-sha384"),
    ("p384-sha512", lambda: ec.generate_private_key(ec.SECP384R1()), "ecdsa-sha512"),
    ("p521-sha512", lambda: ec.generate_private_key(ec.SECP521R1()), "ecdsa-sha512"),
    ("ed25519", ed25519.Ed25519PrivateKey.generate, "ed25519-sha512"),
]


def _verifier_accepts(
    tmp_path: Path, key: PrivateKey, request: dict[str, object], before_9_18: bool
) -> bool:
    pub = tmp_path / "key.pub"
    pub.write_text(openssh_public(key) + "\n")
    env = dict(os.environ)
    if before_9_18:
        env["CLOUDAPI_BEFORE_9_18"] = "1"
    result = subprocess.run(
        ["node", str(VERIFIER), str(pub)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.stdout.startswith(("ok", "bad:")), result.stderr
    return result.returncode == 0


@pytest.mark.parametrize("before_9_18", [False, True])
@pytest.mark.parametrize(("label", "make_key", "algorithm"), CASES, ids=[c[0] for c in CASES])
def test_same_verdict_as_joyent_verifier(
    tmp_path: Path,
    label: str,
    make_key: Callable[[], PrivateKey],
    algorithm: str,
    before_9_18: bool,
) -> None:
    if shutil.which("node") is None or not VERIFIER.exists():
        pytest.skip("node or the http-signature verifier (make node-tools) is not installed")
    key = make_key()
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
