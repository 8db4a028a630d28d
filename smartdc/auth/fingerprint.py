"""Pure helpers for SSH public keys: fingerprints, OpenSSH public key lines and key id parsing.

Nothing here imports cryptography, so the simulator and ``import smartdc`` can use it cheaply.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
from typing import Literal, NamedTuple

__all__ = [
    "KeyIdSpec",
    "md5_fingerprint",
    "normalize_key_id",
    "parse_openssh_public_key",
    "sha256_fingerprint",
    "ssh_key_type",
]

_MD5_COLON = re.compile(r"^[0-9a-f]{2}(?::[0-9a-f]{2}){15}$")
_MD5_PLAIN = re.compile(r"^[0-9a-f]{32}$")
_SHA256_B64 = re.compile(r"^[A-Za-z0-9+/]{43}=?$")


def md5_fingerprint(public_key_blob: bytes) -> str:
    """The MD5 fingerprint CloudAPI uses as key id: lower-case colon-separated hex."""
    digest = hashlib.md5(public_key_blob).hexdigest()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def sha256_fingerprint(public_key_blob: bytes) -> str:
    """The OpenSSH SHA256 fingerprint: ``SHA256:`` + unpadded base64 (as ``ssh-keygen -l``)."""
    digest = hashlib.sha256(public_key_blob).digest()
    return "SHA256:" + base64.b64encode(digest).decode("ascii").rstrip("=")


def ssh_key_type(public_key_blob: bytes) -> str:
    """The key type name at the start of an SSH wire-format public key (e.g. ``ssh-rsa``)."""
    if len(public_key_blob) < 4:
        raise ValueError("public key blob is too short")
    (length,) = struct.unpack(">I", public_key_blob[:4])
    name = public_key_blob[4 : 4 + length]
    if length == 0 or len(name) != length:
        raise ValueError("public key blob has a truncated type name")
    try:
        return name.decode("ascii")
    except UnicodeDecodeError:
        raise ValueError("public key blob has a non-ASCII type name") from None


def parse_openssh_public_key(text: str) -> tuple[str, bytes]:
    """``(type, blob)`` of an OpenSSH public key line (``ssh-ed25519 AAAA... comment``).

    Raises ``ValueError`` when the text is not such a line or the type in the blob disagrees.
    """
    fields = text.strip().split()
    if len(fields) < 2:
        raise ValueError("not an OpenSSH public key line (expected 'TYPE BASE64 [COMMENT]')")
    key_type, encoded = fields[0], fields[1]
    try:
        blob = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("OpenSSH public key has invalid base64 data") from None
    if ssh_key_type(blob) != key_type:
        raise ValueError(f"OpenSSH public key says {key_type!r} but its data is another type")
    return key_type, blob


def openssh_public_key_comment(text: str) -> str:
    """The comment of an OpenSSH public key line ('' when there is none)."""
    fields = text.strip().split(None, 2)
    return fields[2].strip() if len(fields) == 3 else ""


class KeyIdSpec(NamedTuple):
    """A user's key id, classified: an MD5 fingerprint, a SHA256 fingerprint or a key name."""

    kind: Literal["md5", "sha256", "name"]
    value: str  # md5: "aa:bb:..", sha256: "SHA256:base64" (unpadded), name: as given

    def matches(self, blob: bytes, *, names: tuple[str, ...] = ()) -> bool:
        """Whether a key (its public blob, and for names its comment/file names) is this one."""
        if self.kind == "md5":
            return md5_fingerprint(blob) == self.value
        if self.kind == "sha256":
            return sha256_fingerprint(blob) == self.value
        return self.value in names

    def __str__(self) -> str:
        return self.value


def normalize_key_id(text: str) -> KeyIdSpec:
    """Classify a key id given by a user.

    Accepted: ``MD5:aa:bb:..`` or ``aa:bb:..`` (any case, colons optional), ``SHA256:base64``, a
    full keyId ``/login/keys/<id>`` (its last part is used) or anything else as a key name.
    """
    value = text.strip()
    if not value:
        raise ValueError("key id is empty")
    if value.startswith("/") and "/keys/" in value:
        value = value.rsplit("/keys/", 1)[1]
    if value[:4].upper() == "MD5:":
        candidate = value[4:].lower()
        if _MD5_COLON.match(candidate) or _MD5_PLAIN.match(candidate):
            return KeyIdSpec("md5", _colon_hex(candidate))
        raise ValueError("MD5 key id must be 16 colon-separated hex bytes")
    lowered = value.lower()
    if _MD5_COLON.match(lowered) or _MD5_PLAIN.match(lowered):
        return KeyIdSpec("md5", _colon_hex(lowered))
    if value[:7].upper() == "SHA256:":
        digest = value[7:]
        if not _SHA256_B64.match(digest):
            raise ValueError("SHA256 key id must be 43 base64 characters after 'SHA256:'")
        return KeyIdSpec("sha256", "SHA256:" + digest.rstrip("="))
    return KeyIdSpec("name", value)


def _colon_hex(hex_text: str) -> str:
    plain = hex_text.replace(":", "")
    return ":".join(plain[i : i + 2] for i in range(0, len(plain), 2))
