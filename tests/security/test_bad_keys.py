"""Bad key input gets a typed error naming the problem, before any request is made."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ed25519, rsa

from smartdc.auth import load_signer
from smartdc.errors import (
    CloudAPIError,
    KeyLoadError,
    KeyMismatchError,
    KeyNotFoundError,
    KeyPassphraseError,
    UnsupportedKeyError,
)
from smartdc.testing import Settings, Simulator

from .conftest import PASSPHRASE

_PEM = serialization.Encoding.PEM
_OPENSSH = serialization.Encoding.OpenSSH


def _write(path: Path, data: bytes, mode: int = 0o600) -> str:
    path.write_bytes(data)
    path.chmod(mode)
    return str(path)


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _plain(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        _PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )


def _case(tmp_path: Path, case: str, key: rsa.RSAPrivateKey) -> str:
    if case == "missing file":
        return str(tmp_path / "nope")
    if case == "directory":
        return str(tmp_path)
    if case == "empty file":
        return _write(tmp_path / "empty", b"")
    if case == "garbage":
        return _write(tmp_path / "garbage", b"\x00\x01 not a key at all \xff")
    if case == "public key given as private":
        public = key.public_key().public_bytes(_OPENSSH, serialization.PublicFormat.OpenSSH)
        return _write(tmp_path / "id_rsa.pub", public)
    if case == "DSA key":
        other = dsa.generate_private_key(1024)
        return _write(
            tmp_path / "id_dsa",
            other.private_bytes(
                _PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
            ),
        )
    raise AssertionError(case)


@pytest.mark.parametrize(
    ("case", "error", "says"),
    [
        ("missing file", KeyNotFoundError, "does not exist"),
        ("directory", KeyNotFoundError, "is a directory"),
        ("empty file", KeyLoadError, "is empty"),
        ("garbage", KeyLoadError, "not a PEM or OpenSSH private key"),
        ("public key given as private", KeyLoadError, "public key, not a private key"),
        ("DSA key", UnsupportedKeyError, "DSA"),
    ],
)
def test_bad_key_file(
    tmp_path: Path, rsa_key: rsa.RSAPrivateKey, case: str, error: type[Exception], says: str
) -> None:
    path = _case(tmp_path, case, rsa_key)
    with pytest.raises(error) as caught:
        load_signer(account="acct", key_id=None, key_path=path)
    assert says in str(caught.value)
    assert path in str(caught.value)


def test_wrong_and_missing_passphrase(tmp_path: Path, rsa_key: rsa.RSAPrivateKey) -> None:
    encrypted = rsa_key.private_bytes(
        _PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(PASSPHRASE.encode()),
    )
    path = _write(tmp_path / "id_rsa", encrypted)
    with pytest.raises(KeyPassphraseError) as wrong:
        load_signer(account="acct", key_id=None, key_path=path, passphrase="not-it-" + "x" * 8)
    assert "wrong passphrase" in str(wrong.value)
    assert "not-it-" not in str(wrong.value)
    os.environ.pop("SMARTDC_KEY_PASSPHRASE", None)
    with pytest.raises(KeyPassphraseError) as missing:
        load_signer(account="acct", key_id=None, key_path=path)
    assert "SMARTDC_KEY_PASSPHRASE" in str(missing.value)
    signer = load_signer(account="acct", key_id=None, key_path=path, passphrase=PASSPHRASE)
    assert signer.key_id.startswith("/acct/keys/")


def test_key_not_matching_key_id(tmp_path: Path, rsa_key: rsa.RSAPrivateKey) -> None:
    path = _write(tmp_path / "id_rsa", _plain(rsa_key))
    wrong_id = "aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99"
    with pytest.raises(KeyMismatchError) as caught:
        load_signer(account="acct", key_id=wrong_id, key_path=path)
    assert wrong_id in str(caught.value) and "(MD5)" in str(caught.value)


def test_world_readable_key_warns(tmp_path: Path, rsa_key: rsa.RSAPrivateKey) -> None:
    path = _write(tmp_path / "id_rsa", _plain(rsa_key), mode=0o644)
    with pytest.warns(UserWarning, match="accessible by other users"):
        load_signer(account="acct", key_id=None, key_path=path)


def test_ed25519_against_a_server_before_9_18(tmp_path: Path) -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    path = _write(
        tmp_path / "id_ed25519",
        key.private_bytes(_PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()),
    )
    public = key.public_key().public_bytes(_OPENSSH, serialization.PublicFormat.OpenSSH).decode()
    with Simulator(settings=Settings(before_9_18=True, server_version="9.17.0")) as sim:
        sim.add_key(sim.account, public, "ed")
        api = sim.client(secret=path, key_id=None, max_retries=0)
        with pytest.raises(CloudAPIError) as caught:
            api.get_account()
        api.close()
    message = str(caught.value)
    assert "ed25519" in message.lower()
    assert "9.18" in message  # says which server version it needs
    assert sim.request_count("GetAccount") == 1
