"""Fingerprints and key id parsing (pure helpers)."""

from __future__ import annotations

from pathlib import Path

import pytest

from smartdc.auth.fingerprint import (
    KeyIdSpec,
    md5_fingerprint,
    normalize_key_id,
    parse_openssh_public_key,
    sha256_fingerprint,
)

from .keys import KEY_KINDS, PrivateKey, have_ssh_keygen, openssh_public, ssh_keygen_fingerprint


@pytest.mark.parametrize("kind", KEY_KINDS)
def test_fingerprints_agree_with_ssh_keygen(
    kind: str, generated_keys: dict[str, PrivateKey], tmp_path: Path
) -> None:
    if not have_ssh_keygen():
        pytest.skip("ssh-keygen not installed")
    line = openssh_public(generated_keys[kind], "me@host")
    pub = tmp_path / "key.pub"
    pub.write_text(line)
    _, blob = parse_openssh_public_key(line)
    assert "MD5:" + md5_fingerprint(blob) == ssh_keygen_fingerprint(pub, "md5")
    assert sha256_fingerprint(blob) == ssh_keygen_fingerprint(pub, "sha256")


def test_parse_openssh_public_key_returns_type_and_blob(
    generated_keys: dict[str, PrivateKey],
) -> None:
    key_type, blob = parse_openssh_public_key(openssh_public(generated_keys["ed25519"], "c"))
    assert key_type == "ssh-ed25519"
    assert blob[4:15] == b"ssh-ed25519"


@pytest.mark.parametrize(
    "text",
    ["", "ssh-rsa", "ssh-rsa not*base64", "ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQABAAABAQ"],
)
def test_parse_openssh_public_key_rejects_bad_lines(text: str) -> None:
    with pytest.raises(ValueError):
        parse_openssh_public_key(text)


def test_type_in_line_must_match_blob(generated_keys: dict[str, PrivateKey]) -> None:
    line = openssh_public(generated_keys["rsa2048"]).replace("ssh-rsa", "ssh-ed25519")
    with pytest.raises(ValueError, match="another type"):
        parse_openssh_public_key(line)


MD5 = "9f:0b:50:ae:e3:da:f6:eb:b5:71:9a:69:ee:79:9e:c2"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (MD5, KeyIdSpec("md5", MD5)),
        ("MD5:" + MD5, KeyIdSpec("md5", MD5)),
        ("md5:" + MD5.upper(), KeyIdSpec("md5", MD5)),
        (MD5.replace(":", ""), KeyIdSpec("md5", MD5)),
        ("/acct/keys/" + MD5, KeyIdSpec("md5", MD5)),
        (
            "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU",
            KeyIdSpec("sha256", "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"),
        ),
        (
            "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
            KeyIdSpec("sha256", "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"),
        ),
        ("my laptop", KeyIdSpec("name", "my laptop")),
        ("  id_rsa ", KeyIdSpec("name", "id_rsa")),
    ],
)
def test_normalize_key_id(given: str, expected: KeyIdSpec) -> None:
    assert normalize_key_id(given) == expected


@pytest.mark.parametrize("bad", ["", "   ", "MD5:zz", "SHA256:short"])
def test_normalize_key_id_rejects_malformed(bad: str) -> None:
    with pytest.raises(ValueError):
        normalize_key_id(bad)


def test_key_id_spec_matches_by_each_kind(generated_keys: dict[str, PrivateKey]) -> None:
    _, blob = parse_openssh_public_key(openssh_public(generated_keys["p256"]))
    _, other = parse_openssh_public_key(openssh_public(generated_keys["p384"]))
    for spec in (
        normalize_key_id(md5_fingerprint(blob)),
        normalize_key_id(sha256_fingerprint(blob)),
    ):
        assert spec.matches(blob)
        assert not spec.matches(other)
    named = normalize_key_id("work")
    assert named.matches(blob, names=("work",))
    assert not named.matches(blob, names=("home",))
