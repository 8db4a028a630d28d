"""Private key files: reading, format and encryption detection, and loading with cryptography.

This module imports cryptography at module level; ``smartdc.auth`` imports it only when a key file is
actually loaded, which keeps ``import smartdc`` cheap.
"""

from __future__ import annotations

import base64
import binascii
import os
import stat
import warnings

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from smartdc.auth.dsa import DSAPrivateKey, quietly
from smartdc.auth.files import (
    MAX_KEY_FILE_BYTES,
    FileTooLargeError,
    NotRegularFileError,
    read_small_file,
)
from smartdc.auth.fingerprint import (
    md5_fingerprint,
    openssh_public_key_comment,
    parse_openssh_public_key,
    ssh_key_type,
)
from smartdc.auth.keytypes import KeyPermissionWarning, Passphrase, SignFunction
from smartdc.auth.wire import SSHReader
from smartdc.errors import KeyLoadError, KeyNotFoundError, KeyPassphraseError, UnsupportedKeyError

PASSPHRASE_ENV = "SMARTDC_KEY_PASSPHRASE"

_OPENSSH_BEGIN = b"-----BEGIN OPENSSH PRIVATE KEY-----"
_OPENSSH_END = b"-----END OPENSSH PRIVATE KEY-----"
_OPENSSH_MAGIC = b"openssh-key-v1\x00"
_PUBLIC_MARKERS = (
    b"ssh-rsa ",
    b"ssh-dss ",
    b"ssh-ed25519 ",
    b"ecdsa-sha2-",
    b"sk-",
    b"-----BEGIN PUBLIC KEY-----",
    b"-----BEGIN RSA PUBLIC KEY-----",
    b"---- BEGIN SSH2 PUBLIC KEY ----",
)
_PRIVATE_PEM_LABELS = (
    b"-----BEGIN RSA PRIVATE KEY-----",
    b"-----BEGIN EC PRIVATE KEY-----",
    b"-----BEGIN PRIVATE KEY-----",
    b"-----BEGIN ENCRYPTED PRIVATE KEY-----",
)
# Curve -> (hash, algorithm name). P-384 signs with SHA-512: the server's http-signature verifier
# knows no sha384, and ECDSA lets any hash go with any curve.
_EC_CURVES: dict[str, tuple[type[hashes.HashAlgorithm], str]] = {
    "secp256r1": (hashes.SHA256, "ecdsa-sha256"),
    "secp384r1": (hashes.SHA512, "ecdsa-sha512"),
    "secp521r1": (hashes.SHA512, "ecdsa-sha512"),
}
MIN_RSA_BITS = 1024
_OPENSSH_TYPES = (
    "ssh-rsa",
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
)

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey


class LoadedKey:
    """A usable private key: its public blob, comment, algorithm and signing function."""

    def __init__(
        self, *, path: str, blob: bytes, comment: str, algorithm: str, sign: SignFunction
    ) -> None:
        self.path = path
        self.blob = blob
        self.comment = comment
        self.algorithm = algorithm
        self.sign = sign

    @property
    def fingerprint(self) -> str:
        return md5_fingerprint(self.blob)

    def __repr__(self) -> str:
        return f"LoadedKey(path={self.path!r}, algorithm={self.algorithm!r})"


def read_key_file(path: str | os.PathLike[str]) -> tuple[bytes, int]:
    """The bytes and mode of a key file, with a clear error for each way it can be unusable."""
    shown = str(path)
    try:
        data, mode = read_small_file(path, MAX_KEY_FILE_BYTES)
    except FileNotFoundError:
        raise KeyNotFoundError(f"private key file {shown} does not exist") from None
    except NotRegularFileError as exc:
        if exc.is_directory:
            raise KeyNotFoundError(
                f"private key path {shown} is a directory, not a key file"
            ) from None
        raise KeyNotFoundError(f"private key path {shown} is not a regular file") from None
    except FileTooLargeError as exc:
        raise KeyLoadError(f"{shown} is too large to be a private key ({exc.size} bytes)") from None
    except PermissionError:
        raise KeyLoadError(
            f"private key file {shown} is not readable (permission denied)"
        ) from None
    except OSError as exc:
        raise KeyLoadError(f"cannot read private key file {shown}: {exc.strerror}") from None
    if not data.strip():
        raise KeyLoadError(f"private key file {shown} is empty")
    return data, mode


def _warn_if_exposed(shown: str, mode: int) -> None:
    # ssh refuses such keys; we only warn, as other clients (node-triton) accept them.
    if os.name == "posix" and mode & 0o077:
        warnings.warn(
            f"private key file {shown} is accessible by other users (mode {stat.S_IMODE(mode):04o});"
            f" restrict it with: chmod 600 {shown}",
            KeyPermissionWarning,
            stacklevel=3,
        )


def looks_like_public_key(data: bytes) -> bool:
    return data.lstrip().startswith(_PUBLIC_MARKERS)


def is_encrypted(data: bytes) -> bool:
    """Whether a PEM or OpenSSH private key needs a passphrase (decided without one)."""
    if _OPENSSH_BEGIN in data:
        return openssh_header(data)[0] != "none"
    return b"BEGIN ENCRYPTED PRIVATE KEY" in data or b"Proc-Type: 4,ENCRYPTED" in data


def openssh_header(data: bytes) -> tuple[str, bytes]:
    """``(cipher name, public key blob)`` of an OpenSSH private key; both are stored in the clear."""
    raw = _openssh_payload(data)
    reader = SSHReader(raw[len(_OPENSSH_MAGIC) :])
    cipher = reader.string().decode("ascii", "replace")
    reader.string()  # kdf name
    reader.string()  # kdf options
    if reader.uint32() != 1:
        raise ValueError("OpenSSH key files with several keys are not supported")
    return cipher, reader.string()


def openssh_comment(data: bytes) -> str:
    """The comment stored in an unencrypted OpenSSH private key ('' if encrypted or unknown)."""
    raw = _openssh_payload(data)
    reader = SSHReader(raw[len(_OPENSSH_MAGIC) :])
    if reader.string() != b"none":
        return ""
    reader.string()
    reader.string()
    reader.uint32()
    reader.string()
    private = SSHReader(reader.string())
    private.uint32()
    private.uint32()
    key_type = private.string().decode("ascii", "replace")
    fields = {"ssh-rsa": 6, "ssh-dss": 5, "ssh-ed25519": 2}.get(key_type, 3)
    for _ in range(fields):
        private.string()
    return private.string().decode("utf-8", "replace")


def _openssh_payload(data: bytes) -> bytes:
    start = data.index(_OPENSSH_BEGIN) + len(_OPENSSH_BEGIN)
    end = data.find(_OPENSSH_END, start)
    if end < 0:
        raise ValueError("OpenSSH private key has no END line")
    try:
        raw = base64.b64decode(b"".join(data[start:end].split()), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("OpenSSH private key has invalid base64 data") from None
    if not raw.startswith(_OPENSSH_MAGIC):
        raise ValueError("OpenSSH private key has an unknown format version")
    return raw


def resolve_passphrase(passphrase: Passphrase, shown: str) -> bytes:
    """The passphrase bytes for an encrypted key: argument, callback, then the environment."""
    value: str | bytes | None
    value = passphrase(shown) if callable(passphrase) else passphrase
    if value is None:
        value = os.environ.get(PASSPHRASE_ENV)
    if value is None or value in ("", b""):
        raise KeyPassphraseError(
            f"private key file {shown} is encrypted and no passphrase was given "
            f"(pass passphrase=..., a passphrase callback, or set {PASSPHRASE_ENV})"
        )
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


def _parse_private_key(data: bytes, password: bytes | None, is_openssh: bool) -> object:
    loader = (
        serialization.load_ssh_private_key if is_openssh else serialization.load_pem_private_key
    )
    try:
        # The RSA consistency check costs 35 ms (2048-bit) to 280 ms (4096-bit) per load, i.e. per
        # CLI run; it guards against crafted keys, and this is the user's own file (OpenSSL still
        # verifies CRT signatures against fault attacks).
        # (an OpenSSH file may hold a DSA key: loaded without cryptography's warning, refused after)
        return quietly(lambda: loader(data, password, unsafe_skip_rsa_key_validation=True))
    except TypeError as exc:
        if "unsafe_skip_rsa_key_validation" not in str(exc):
            raise
        return quietly(lambda: loader(data, password))  # cryptography before 42/45: no option


def load_key_file(path: str | os.PathLike[str], passphrase: Passphrase = None) -> LoadedKey:
    """Load a PEM (PKCS#1, PKCS#8, SEC1) or OpenSSH private key for signing."""
    shown = str(path)
    data, mode = read_key_file(path)
    if looks_like_public_key(data):
        hint = f"; the private half is probably {shown[:-4]}" if shown.endswith(".pub") else ""
        raise KeyLoadError(f"{shown} holds a public key, not a private key{hint}")
    _warn_if_exposed(shown, mode)
    if b"-----BEGIN DSA PRIVATE KEY-----" in data:
        raise UnsupportedKeyError(
            f"{shown} is a DSA key; CloudAPI signing needs RSA, ECDSA or Ed25519"
        )
    if data.lstrip().startswith(b"PuTTY-User-Key-File"):
        raise UnsupportedKeyError(f"{shown} is a PuTTY key; convert it with puttygen to OpenSSH")
    is_openssh = _OPENSSH_BEGIN in data
    is_pem = any(label in data for label in _PRIVATE_PEM_LABELS)
    if not is_openssh and not is_pem:
        raise KeyLoadError(f"{shown} is not a PEM or OpenSSH private key")
    try:
        encrypted = is_encrypted(data)
        key_type = ssh_key_type(openssh_header(data)[1]) if is_openssh else ""
    except ValueError as exc:
        raise KeyLoadError(f"{shown} is not a valid OpenSSH private key: {exc}") from None
    if key_type == "ssh-dss":
        raise UnsupportedKeyError(
            f"{shown} is a DSA key; CloudAPI signing needs RSA, ECDSA or Ed25519"
        )
    if key_type and key_type not in _OPENSSH_TYPES:
        raise UnsupportedKeyError(f"{shown}: unsupported key type {key_type}")
    password = resolve_passphrase(passphrase, shown) if encrypted else None
    try:
        key: object = _parse_private_key(data, password, is_openssh)
    except UnsupportedKeyError:
        raise
    except (ValueError, TypeError) as exc:
        if encrypted:
            raise KeyPassphraseError(f"wrong passphrase for private key file {shown}") from None
        if "unsupported" in str(exc).lower():
            raise UnsupportedKeyError(f"{shown}: unsupported key type or format") from None
        raise KeyLoadError(f"{shown} is not a valid private key") from None
    except Exception as exc:  # cryptography raises its own UnsupportedAlgorithm for odd keys
        raise UnsupportedKeyError(f"{shown}: unsupported key ({type(exc).__name__})") from None
    algorithm, sign = signing_method(key, shown)
    if not isinstance(
        key, PrivateKey
    ):  # signing_method accepts nothing else; this narrows the type
        raise UnsupportedKeyError(f"{shown}: unsupported key type {type(key).__name__}")
    public = key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    _, blob = parse_openssh_public_key(public.decode("ascii"))
    comment = ""
    if is_openssh and not encrypted:
        try:
            comment = openssh_comment(data)
        except ValueError:
            comment = ""
    if not comment:
        comment = sidecar_comment(shown)
    return LoadedKey(path=shown, blob=blob, comment=comment, algorithm=algorithm, sign=sign)


def sidecar_comment(shown: str) -> str:
    """The comment of ``<key>.pub`` next to a private key ('' when absent or unreadable)."""
    try:
        data, _ = read_small_file(shown + ".pub", MAX_KEY_FILE_BYTES)
        return openssh_public_key_comment(data.decode("utf-8"))
    except (OSError, UnicodeDecodeError):
        return ""


def signing_method(key: object, shown: str) -> tuple[str, SignFunction]:
    """The http-signature algorithm name and the signing function for a private key."""
    if isinstance(key, rsa.RSAPrivateKey):
        if key.key_size < MIN_RSA_BITS:
            raise UnsupportedKeyError(f"{shown}: RSA keys need at least {MIN_RSA_BITS} bits")
        rsa_key = key

        def sign_rsa(data: bytes) -> bytes:
            return rsa_key.sign(data, padding.PKCS1v15(), hashes.SHA256())

        return "rsa-sha256", sign_rsa
    if isinstance(key, ec.EllipticCurvePrivateKey):
        curve = _EC_CURVES.get(key.curve.name)
        if curve is None:
            raise UnsupportedKeyError(
                f"{shown}: ECDSA curve {key.curve.name} is not supported (use P-256, P-384 or P-521)"
            )
        hash_type, algorithm = curve
        ec_key = key

        def sign_ec(data: bytes) -> bytes:
            return ec_key.sign(data, ec.ECDSA(hash_type()))  # DER, as http-signature expects

        return algorithm, sign_ec
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "ed25519-sha512", key.sign
    if isinstance(key, DSAPrivateKey):
        raise UnsupportedKeyError(
            f"{shown} is a DSA key; CloudAPI signing needs RSA, ECDSA or Ed25519"
        )
    raise UnsupportedKeyError(f"{shown}: unsupported key type {type(key).__name__}")
