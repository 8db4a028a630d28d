"""Key files for simulators, tests and benchmarks: generate a key, write it (and its ``.pub``).

The one writer of private key files in the project: the simulator's own key, the test suites' keys
and the benchmarks' keys all come from here.
"""

from __future__ import annotations

import functools
import os
import stat
from pathlib import Path
from typing import Literal

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
Format = Literal["traditional", "pkcs8", "openssh"]

KEY_KINDS = ("rsa2048", "rsa4096", "p256", "p384", "p521", "ed25519")
_CURVES: dict[str, ec.EllipticCurve] = {
    "p256": ec.SECP256R1(),
    "p384": ec.SECP384R1(),
    "p521": ec.SECP521R1(),
}
_FORMATS = {
    "traditional": serialization.PrivateFormat.TraditionalOpenSSL,
    "pkcs8": serialization.PrivateFormat.PKCS8,
    "openssh": serialization.PrivateFormat.OpenSSH,
}


def generate_key(kind: str) -> PrivateKey:
    """A new key of ``kind``: ``rsa2048``, ``rsa4096``, ``p256``, ``p384``, ``p521``, ``ed25519``
    (``RSA-2048`` and ``P-256`` spellings too)."""
    name = kind.lower().replace("-", "")
    if name.startswith("rsa") and name[3:].isdigit():
        return rsa.generate_private_key(public_exponent=65537, key_size=int(name[3:]))
    if name == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    if name in _CURVES:
        return ec.generate_private_key(_CURVES[name])
    raise ValueError(f"unknown key kind {kind!r} (known: {', '.join(KEY_KINDS)})")


@functools.cache
def shared_rsa_key() -> rsa.RSAPrivateKey:
    """One RSA-2048 key per process, for simulators started without a key of their own."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_line(key: PrivateKey, comment: str = "") -> str:
    """The OpenSSH public line of ``key`` (``ssh-rsa AAAA... comment``), newline-terminated."""
    line = (
        key.public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        .decode("ascii")
    )
    return f"{line} {comment}".strip() + "\n"


def write_key(
    directory: Path,
    name: str,
    key: PrivateKey,
    fmt: Format = "traditional",
    passphrase: str | None = None,
    *,
    comment: str = "",
    with_pub: bool = True,
) -> Path:
    """Write ``key`` as ``directory/name`` (PEM or OpenSSH, mode 0600) and, unless ``with_pub`` is
    false, its public line as ``name.pub``. Returns the private key's path."""
    directory.mkdir(parents=True, exist_ok=True)
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase.encode())
        if passphrase
        else serialization.NoEncryption()
    )
    path = directory / name
    data = key.private_bytes(serialization.Encoding.PEM, _FORMATS[fmt], encryption)
    _write_new(path, data, 0o600)
    if with_pub:
        _write_new(directory / f"{name}.pub", public_line(key, comment).encode("ascii"), 0o644)
    return path


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """Write ``path`` as a new file created with ``mode`` (never briefly wider, never through a
    link); an existing regular file is replaced, a link or anything else refused."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, mode)
    except FileExistsError:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode):
            kind = "a symbolic link" if stat.S_ISLNK(info.st_mode) else "not a regular file"
            raise FileExistsError(f"{path} is {kind}; refusing to write a key through it") from None
        os.unlink(path)
        fd = os.open(path, flags, mode)
    with os.fdopen(fd, "wb") as handle:
        os.fchmod(handle.fileno(), mode)  # whatever the umask
        handle.write(data)


def public_key_of(private_path: Path) -> str:
    """The OpenSSH public line for an unencrypted private key file: ``KEY.pub`` if present, else
    derived from the key."""
    pub = Path(f"{private_path}.pub")
    if pub.exists():
        return pub.read_text(encoding="utf-8").strip()
    data = private_path.read_bytes()
    key = (
        serialization.load_ssh_private_key(data, password=None)
        if b"OPENSSH PRIVATE KEY" in data
        else serialization.load_pem_private_key(data, password=None)
    )
    if not isinstance(
        key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey, ed25519.Ed25519PrivateKey)
    ):
        raise ValueError(f"{private_path}: not an RSA, ECDSA or Ed25519 key")
    return public_line(key).strip()
