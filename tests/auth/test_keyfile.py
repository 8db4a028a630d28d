"""Loading private key files: every key type and format, passphrases, and each failure."""

from __future__ import annotations

import base64
import os
import warnings
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec

from smartdc.auth import KeyPermissionWarning, load_signer
from smartdc.auth.keyfile import load_key_file
from smartdc.errors import KeyLoadError, KeyNotFoundError, KeyPassphraseError, UnsupportedKeyError

from .keys import (
    EXPECTED_ALGORITHM,
    KEY_KINDS,
    PASSPHRASE,
    Format,
    PrivateKey,
    have_ssh_keygen,
    md5_of,
    parse_authorization,
    ssh_keygen,
    verify,
    write_key,
)

FORMATS: tuple[Format, ...] = ("traditional", "pkcs8", "openssh")
CASES = [
    (kind, fmt, encrypted)
    for kind in KEY_KINDS
    for fmt in FORMATS
    for encrypted in (False, True)
    # Ed25519 has no PKCS#1/SEC1-style "traditional" PEM form.
    if not (kind == "ed25519" and fmt == "traditional")
]
DATE = "Thu, 26 Nov 2026 21:00:00 GMT"


def _check_signs(path: Path, key: PrivateKey, kind: str, passphrase: str | None) -> None:
    signer = load_signer(account="acct", key_id=md5_of(key), key_path=path, passphrase=passphrase)
    assert signer.algorithm == EXPECTED_ALGORITHM[kind]
    assert signer.key_id == f"/acct/keys/{md5_of(key)}"
    params = parse_authorization(signer.authorization("GET", "/acct/machines?limit=5", DATE))
    assert params["keyId"] == signer.key_id
    assert params["algorithm"] == signer.algorithm
    assert params["headers"] == "(request-target) date"
    text = f"(request-target): get /acct/machines?limit=5\ndate: {DATE}".encode()
    verify(key.public_key(), signer.algorithm, text, base64.b64decode(params["signature"]))


@pytest.mark.parametrize(("kind", "fmt", "encrypted"), CASES)
def test_cryptography_written_keys_load_and_sign(
    kind: str, fmt: Format, encrypted: bool, generated_keys: dict[str, PrivateKey], tmp_path: Path
) -> None:
    key = generated_keys[kind]
    passphrase = PASSPHRASE if encrypted else None
    path = write_key(tmp_path, "key", key, fmt, passphrase)
    _check_signs(path, key, kind, passphrase)


# Every key type ssh-keygen makes, plain. Encryption wraps the whole private section the same way
# for every type (each type is read encrypted in the test above), so two encrypted cases suffice.
# RSA-4096 takes the RSA-2048 code path (and the test above reads it).
SSH_KEYGEN_CASES = [
    *((kind, False) for kind in KEY_KINDS if kind != "rsa4096"),
    ("ed25519", True),
    ("rsa2048", True),
]


@pytest.mark.parametrize(("kind", "encrypted"), SSH_KEYGEN_CASES)
def test_ssh_keygen_openssh_keys(kind: str, encrypted: bool, tmp_path: Path) -> None:
    if not have_ssh_keygen():
        pytest.skip("ssh-keygen not installed")
    passphrase = PASSPHRASE if encrypted else ""
    path = ssh_keygen(tmp_path, "id_test", kind, passphrase)
    key = serialization.load_ssh_private_key(path.read_bytes(), passphrase.encode() or None)
    assert isinstance(key, PrivateKey)
    _check_signs(path, key, kind, passphrase or None)
    loaded = load_key_file(path, passphrase or None)
    assert loaded.comment == "id_test@test"  # from the key itself, or the .pub beside it


@pytest.mark.parametrize("kind", ["rsa2048", "p256", "p521"])
def test_ssh_keygen_pem_keys(kind: str, tmp_path: Path) -> None:
    if not have_ssh_keygen():
        pytest.skip("ssh-keygen not installed")
    path = ssh_keygen(tmp_path, "id_pem", kind, PASSPHRASE, pem=True)
    key = serialization.load_pem_private_key(path.read_bytes(), PASSPHRASE.encode())
    assert isinstance(key, PrivateKey)
    _check_signs(path, key, kind, PASSPHRASE)


@pytest.mark.parametrize("fmt", FORMATS)
def test_missing_passphrase(
    fmt: Format, generated_keys: dict[str, PrivateKey], tmp_path: Path
) -> None:
    path = write_key(tmp_path, "key", generated_keys["p256"], fmt, PASSPHRASE)
    with pytest.raises(KeyPassphraseError, match="encrypted and no passphrase") as info:
        load_key_file(path)
    assert "SMARTDC_KEY_PASSPHRASE" in str(info.value)


@pytest.mark.parametrize("fmt", FORMATS)
def test_wrong_passphrase(
    fmt: Format, generated_keys: dict[str, PrivateKey], tmp_path: Path
) -> None:
    path = write_key(tmp_path, "key", generated_keys["p256"], fmt, PASSPHRASE)
    with pytest.raises(KeyPassphraseError, match="wrong passphrase") as info:
        load_key_file(path, "not the passphrase")
    assert "not the passphrase" not in str(info.value)
    assert PASSPHRASE not in str(info.value)


def test_passphrase_from_callback_and_environment(
    generated_keys: dict[str, PrivateKey], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_key(tmp_path, "key", generated_keys["ed25519"], "openssh", PASSPHRASE)
    asked: list[str] = []

    def ask(where: str) -> str:
        asked.append(where)
        return PASSPHRASE

    assert load_key_file(path, ask).algorithm == "ed25519-sha512"
    assert asked == [str(path)]
    monkeypatch.setenv("SMARTDC_KEY_PASSPHRASE", PASSPHRASE)
    assert load_key_file(path).algorithm == "ed25519-sha512"
    monkeypatch.setenv("SMARTDC_KEY_PASSPHRASE", "wrong")
    with pytest.raises(KeyPassphraseError):
        load_key_file(path)


def test_callback_not_called_for_plain_key(
    generated_keys: dict[str, PrivateKey], tmp_path: Path
) -> None:
    path = write_key(tmp_path, "key", generated_keys["p256"], "pkcs8")

    def ask(where: str) -> str:
        raise AssertionError("asked for a passphrase of an unencrypted key")

    assert load_key_file(path, ask).algorithm == "ecdsa-sha256"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(KeyNotFoundError, match="does not exist"):
        load_key_file(tmp_path / "nope")


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(KeyNotFoundError, match="is a directory"):
        load_key_file(tmp_path)


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True, reason="root reads all")
def test_unreadable_file(generated_keys: dict[str, PrivateKey], tmp_path: Path) -> None:
    path = write_key(tmp_path, "key", generated_keys["p256"], "pkcs8")
    path.chmod(0)
    with pytest.raises(KeyLoadError, match="not readable"):
        load_key_file(path)


def test_unreadable_path_component(generated_keys: dict[str, PrivateKey], tmp_path: Path) -> None:
    # A path through a regular file fails with ENOTDIR even for root.
    path = write_key(tmp_path, "key", generated_keys["p256"], "pkcs8")
    with pytest.raises(KeyLoadError, match="cannot read"):
        load_key_file(path / "child")


@pytest.mark.parametrize("content", [b"", b"\n  \n"])
def test_empty_file(content: bytes, tmp_path: Path) -> None:
    path = tmp_path / "key"
    path.write_bytes(content)
    path.chmod(0o600)
    with pytest.raises(KeyLoadError, match="is empty"):
        load_key_file(path)


@pytest.mark.parametrize(
    "content",
    [
        b"hello world\n",
        b"\x00\x01\x02binary",
        b"-----BEGIN PRIVATE KEY-----\nnot base64!!\n-----END PRIVATE KEY-----\n",
        b"-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
    ],
)
def test_garbage(content: bytes, tmp_path: Path) -> None:
    path = tmp_path / "key"
    path.write_bytes(content)
    path.chmod(0o600)
    with pytest.raises(KeyLoadError) as info:
        load_key_file(path)
    assert type(info.value) is KeyLoadError
    assert str(path) in str(info.value)


def test_public_key_given_as_private(generated_keys: dict[str, PrivateKey], tmp_path: Path) -> None:
    write_key(tmp_path, "key", generated_keys["rsa2048"], "openssh")
    with pytest.raises(KeyLoadError, match=r"public key, not a private key.*probably .*key$"):
        load_key_file(tmp_path / "key.pub")


def test_pem_public_key_given_as_private(
    generated_keys: dict[str, PrivateKey], tmp_path: Path
) -> None:
    path = tmp_path / "pub.pem"
    path.write_bytes(
        generated_keys["p256"]
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    with pytest.raises(KeyLoadError, match="public key, not a private key"):
        load_key_file(path)


@pytest.mark.filterwarnings("ignore::cryptography.utils.CryptographyDeprecationWarning")
@pytest.mark.parametrize("fmt", ["traditional", "pkcs8", "openssh"])
def test_dsa_is_unsupported(fmt: Format, tmp_path: Path) -> None:
    key = dsa.generate_private_key(key_size=1024)
    encoding = serialization.Encoding.PEM
    private_format = {
        "traditional": serialization.PrivateFormat.TraditionalOpenSSL,
        "pkcs8": serialization.PrivateFormat.PKCS8,
        "openssh": serialization.PrivateFormat.OpenSSH,
    }[fmt]
    path = tmp_path / "id_dsa"
    path.write_bytes(key.private_bytes(encoding, private_format, serialization.NoEncryption()))
    path.chmod(0o600)
    with pytest.raises(UnsupportedKeyError, match="DSA"):
        load_key_file(path)


def test_unsupported_curve(tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256K1())
    path = tmp_path / "k1"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    path.chmod(0o600)
    with pytest.raises(UnsupportedKeyError, match="secp256k1"):
        load_key_file(path)


def test_world_readable_key_warns(generated_keys: dict[str, PrivateKey], tmp_path: Path) -> None:
    path = write_key(tmp_path, "key", generated_keys["p256"], "pkcs8")
    path.chmod(0o644)
    with pytest.warns(KeyPermissionWarning, match="chmod 600"):
        load_key_file(path)
    path.chmod(0o600)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_key_file(path)


def test_no_secret_in_repr_or_errors(generated_keys: dict[str, PrivateKey], tmp_path: Path) -> None:
    key = generated_keys["rsa2048"]
    path = write_key(tmp_path, "key", key, "pkcs8", PASSPHRASE)
    signer = load_signer(account="acct", key_id=None, key_path=path, passphrase=PASSPHRASE)
    authorization = signer.authorization("GET", "/acct/keys", DATE)
    shown = repr(signer) + str(signer) + repr(load_key_file(path, PASSPHRASE))
    assert PASSPHRASE not in shown
    assert parse_authorization(authorization)["signature"] not in shown
    pem = path.read_text()
    body = "".join(pem.splitlines()[1:3])
    assert body not in shown
