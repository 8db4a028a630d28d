"""OpenSSH public keys as the simulator stores them: validation and MD5 fingerprints."""

from __future__ import annotations

import base64
import binascii
import hashlib

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from smartdc.auth.dsa import DSAPublicKey, is_dsa, quietly

KEY_TYPES = (
    "ssh-rsa",
    "ssh-dss",
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
)


class BadPublicKey(ValueError):
    """The text is not an OpenSSH public key the simulator accepts."""


def parse_public_key(text: str, *, allow_ed25519: bool = True) -> tuple[str, bytes]:
    """``(type, blob)`` of an OpenSSH public key line; raises :class:`BadPublicKey`."""
    fields = text.strip().split()
    if len(fields) < 2 or fields[0] not in KEY_TYPES:
        raise BadPublicKey("key is not a valid OpenSSH public key")
    if fields[0] == "ssh-ed25519" and not allow_ed25519:
        raise BadPublicKey("ed25519 keys are not supported by this server")
    try:
        blob = base64.b64decode(fields[1], validate=True)
        line = f"{fields[0]} {fields[1]}".encode("ascii")
        key = quietly(lambda: serialization.load_ssh_public_key(line), when=is_dsa(line))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise BadPublicKey("key is not a valid OpenSSH public key") from None
    if not isinstance(
        key,
        rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey | DSAPublicKey,
    ):
        raise BadPublicKey("unsupported key type")
    return fields[0], blob


def md5_fingerprint(text: str) -> str:
    """``aa:bb:...`` MD5 fingerprint of an OpenSSH public key line."""
    _, blob = parse_public_key(text)
    digest = hashlib.md5(blob).hexdigest()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))
