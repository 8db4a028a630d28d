"""Test key material: generated in temporary directories with cryptography or ssh-keygen."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from smartdc.testing.keyfiles import (
    KEY_KINDS,
    Format,
    PrivateKey,
    generate_key,
    public_line,
    write_key,
)

__all__ = ["KEY_KINDS", "Format", "PrivateKey", "write_key"]

PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey

PASSPHRASE = "correct horse battery staple"

EXPECTED_ALGORITHM = {
    "rsa2048": "rsa-sha256",
    "rsa3072": "rsa-sha256",
    "rsa4096": "rsa-sha256",
    "p256": "ecdsa-sha256",
    "p384": "ecdsa-sha512",
    "p521": "ecdsa-sha512",
    "ed25519": "ed25519-sha512",
}
SSH_KEYGEN_ARGS = {
    "rsa2048": ["-t", "rsa", "-b", "2048"],
    "rsa4096": ["-t", "rsa", "-b", "4096"],
    "p256": ["-t", "ecdsa", "-b", "256"],
    "p384": ["-t", "ecdsa", "-b", "384"],
    "p521": ["-t", "ecdsa", "-b", "521"],
    "ed25519": ["-t", "ed25519"],
}


generate = generate_key
openssh_public = public_line


def public_blob(key: PrivateKey) -> bytes:
    return base64.b64decode(openssh_public(key).split()[1])


def md5_of(key: PrivateKey) -> str:
    digest = hashlib.md5(public_blob(key)).hexdigest()
    return ":".join(digest[i : i + 2] for i in range(0, 32, 2))


def write_private(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    path.chmod(0o600)


def ssh_keygen(
    directory: Path, name: str, kind: str, passphrase: str = "", *, pem: bool = False
) -> Path:
    """A key made by ``ssh-keygen`` (OpenSSH format unless ``pem``)."""
    path = directory / name
    args = ["ssh-keygen", "-q", *SSH_KEYGEN_ARGS[kind], "-N", passphrase, "-C", f"{name}@test"]
    if pem:
        args += ["-m", "PEM"]
    subprocess.run([*args, "-f", str(path)], check=True, capture_output=True, timeout=120)
    return path


def have_ssh_keygen() -> bool:
    return shutil.which("ssh-keygen") is not None


def ssh_keygen_fingerprint(pub_path: Path, hash_name: str) -> str:
    out = subprocess.run(
        ["ssh-keygen", "-l", "-E", hash_name, "-f", str(pub_path)],
        check=True,
        capture_output=True,
        text=True,
        timeout=30,
    ).stdout
    return out.split()[1]


def parse_authorization(value: str) -> dict[str, str]:
    scheme, _, rest = value.partition(" ")
    assert scheme == "Signature"
    params = {}
    for part in rest.split(","):
        name, _, quoted = part.partition("=")
        assert quoted.startswith('"') and quoted.endswith('"'), part
        params[name] = quoted[1:-1]
    return params


def verify(public: PublicKey, algorithm: str, data: bytes, signature: bytes) -> None:
    """Raise ``InvalidSignature`` unless ``signature`` is ``algorithm`` over ``data``."""
    hash_type = {"sha256": hashes.SHA256, "sha512": hashes.SHA512}[algorithm.split("-")[1]]
    if isinstance(public, rsa.RSAPublicKey):
        public.verify(signature, data, padding.PKCS1v15(), hash_type())
    elif isinstance(public, ec.EllipticCurvePublicKey):
        public.verify(signature, data, ec.ECDSA(hash_type()))
    else:
        public.verify(signature, data)


def env_without_agent() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("SSH_AUTH_SOCK", None)
    return env
