"""``load_signer`` without a key file: searching ~/.ssh by fingerprint or name, and its errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from smartdc.auth import load_signer
from smartdc.auth.fingerprint import sha256_fingerprint
from smartdc.errors import ConfigError, KeyMismatchError, KeyNotFoundError, KeyPassphraseError

from .keys import PASSPHRASE, PrivateKey, md5_of, public_blob, write_key


@pytest.fixture
def ssh_dir() -> Path:
    directory = Path(os.environ["HOME"]) / ".ssh"  # HOME is a per-test directory (conftest)
    directory.mkdir(mode=0o700)
    return directory


def test_finds_default_key_by_md5(ssh_dir: Path, generated_keys: dict[str, PrivateKey]) -> None:
    write_key(ssh_dir, "id_rsa", generated_keys["rsa2048"], "traditional")
    write_key(ssh_dir, "id_ed25519", generated_keys["ed25519"], "openssh")
    key = generated_keys["ed25519"]
    signer = load_signer(account="acct", key_id="MD5:" + md5_of(key))
    assert signer.key_id == f"/acct/keys/{md5_of(key)}"
    assert signer.source == f"key file {ssh_dir / 'id_ed25519'}"


def test_finds_other_pub_key_by_sha256(
    ssh_dir: Path, generated_keys: dict[str, PrivateKey]
) -> None:
    key = generated_keys["p521"]
    write_key(ssh_dir, "work_key", key, "pkcs8")
    signer = load_signer(account="acct", key_id=sha256_fingerprint(public_blob(key)))
    assert signer.fingerprint == md5_of(key)
    assert signer.algorithm == "ecdsa-sha512"


def test_finds_key_by_comment_or_file_name(
    ssh_dir: Path, generated_keys: dict[str, PrivateKey]
) -> None:
    key = generated_keys["p256"]
    write_key(ssh_dir, "cloud", key, "openssh", comment="me@laptop")
    assert load_signer(account="a", key_id="me@laptop").fingerprint == md5_of(key)
    assert load_signer(account="a", key_id="cloud").fingerprint == md5_of(key)


def test_openssh_key_without_pub_is_found(
    ssh_dir: Path, generated_keys: dict[str, PrivateKey]
) -> None:
    key = generated_keys["p384"]
    write_key(ssh_dir, "id_ecdsa", key, "openssh", PASSPHRASE, with_pub=False)
    signer = load_signer(account="a", key_id=md5_of(key), passphrase=PASSPHRASE)
    assert signer.algorithm == "ecdsa-sha512"
    with pytest.raises(KeyPassphraseError):
        load_signer(account="a", key_id=md5_of(key))


def test_no_matching_key_says_where_it_looked(
    ssh_dir: Path, generated_keys: dict[str, PrivateKey]
) -> None:
    write_key(ssh_dir, "id_rsa", generated_keys["rsa2048"], "pkcs8")
    wanted = md5_of(generated_keys["p256"])
    with pytest.raises(KeyNotFoundError) as info:
        load_signer(account="a", key_id=wanted)
    message = str(info.value)
    assert wanted in message
    assert "SSH_AUTH_SOCK is not set" in message
    assert str(ssh_dir) in message


def test_key_file_must_match_fingerprint(
    tmp_path: Path, generated_keys: dict[str, PrivateKey]
) -> None:
    key = generated_keys["rsa2048"]
    path = write_key(tmp_path, "key", key, "pkcs8")
    wanted = md5_of(generated_keys["p256"])
    with pytest.raises(KeyMismatchError) as info:
        load_signer(account="a", key_id=wanted, key_path=path)
    message = str(info.value)
    assert wanted in message and md5_of(key) in message
    assert sha256_fingerprint(public_blob(key)) in message
    with pytest.raises(KeyMismatchError):
        load_signer(
            account="a",
            key_id=sha256_fingerprint(public_blob(generated_keys["p256"])),
            key_path=path,
        )


def test_key_file_with_name_key_id_is_accepted(
    tmp_path: Path, generated_keys: dict[str, PrivateKey]
) -> None:
    path = write_key(tmp_path, "key", generated_keys["p256"], "pkcs8")
    signer = load_signer(account="a", key_id="some cloud key name", key_path=path)
    assert signer.fingerprint == md5_of(generated_keys["p256"])


def test_key_id_required_without_key_file() -> None:
    with pytest.raises(ConfigError, match="key_id is required"):
        load_signer(account="a", key_id=None)


def test_malformed_fingerprint_key_id() -> None:
    with pytest.raises(ConfigError, match="key_id"):
        load_signer(account="a", key_id="MD5:12:34")
