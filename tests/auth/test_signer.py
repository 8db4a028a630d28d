"""The Authorization header: test vectors, keyId forms, signed headers and signature reuse."""

from __future__ import annotations

import base64
import threading
from pathlib import Path

import pytest

from smartdc._generated.service import SERVICE
from smartdc.auth import (
    HttpSignatureSigner,
    RequestSigner,
    build_key_id,
    ed25519_unsupported_hint,
    load_signer,
)
from smartdc.auth.keyfile import load_key_file
from smartdc.errors import ArgumentError, ConfigError

from .keys import PrivateKey, md5_of, parse_authorization, write_key, write_private

ED25519_SINCE = SERVICE.changes["ed25519_keys"]  # the spec's, as the client passes it

# Appendix A of joyent/node-http-signature's http_signing.md: its published 1024-bit test key
# (public test data, not a secret) and the signatures the document gives for it.
APPENDIX_A_KEY = b"""-----BEGIN RSA PRIVATE KEY-----
MIICXgIBAAKBgQDCFENGw33yGihy92pDjZQhl0C36rPJj+CvfSC8+q28hxA161QF
NUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6Z4UMR7EOcpfdUE9Hf3m/hs+F
UR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJwoYi+1hqp1fIekaxsyQIDAQAB
AoGBAJR8ZkCUvx5kzv+utdl7T5MnordT1TvoXXJGXK7ZZ+UuvMNUCdN2QPc4sBiA
QWvLw1cSKt5DsKZ8UETpYPy8pPYnnDEz2dDYiaew9+xEpubyeW2oH4Zx71wqBtOK
kqwrXa/pzdpiucRRjk6vE6YY7EBBs/g7uanVpGibOVAEsqH1AkEA7DkjVH28WDUg
f1nqvfn2Kj6CT7nIcE3jGJsZZ7zlZmBmHFDONMLUrXR/Zm3pR5m0tCmBqa5RK95u
412jt1dPIwJBANJT3v8pnkth48bQo/fKel6uEYyboRtA5/uHuHkZ6FQF7OUkGogc
mSJluOdc5t6hI1VsLn0QZEjQZMEOWr+wKSMCQQCC4kXJEsHAve77oP6HtG/IiEn7
kpyUXRNvFsDE0czpJJBvL/aRFUJxuRK91jhjC68sA7NsKMGg5OXb5I5Jj36xAkEA
gIT7aFOYBFwGgQAQkWNKLvySgKbAZRTeLBacpHMuQdl1DfdntvAyqpAZ0lY0RKmW
G6aFKaqQfOXKCyWoUiVknQJAXrlgySFci/2ueKlIE1QqIiLSZ8V8OlpFLRnb1pzI
7U1yQXnTAEFYM560yJlzUpOb1V4cScGd365tiSMvxLOvTA==
-----END RSA PRIVATE KEY-----
"""
APPENDIX_A_DATE = "Thu, 05 Jan 2014 21:31:40 GMT"
APPENDIX_A_DEFAULT = (
    "jKyvPcxB4JbmYY4mByyBY7cZfNl4OW9HpFQlG7N4YcJPteKTu4MWCLyk+gIr0wDgqtLWf9NLpMAMimdfsH7FSWGfbM"
    "FSrsVTHNTk0rK3usrfFnti1dxsM4jl0kYJCKTGI/UWkqiaxwNiKqGcdlEDrTcUhhsFsOIo8VhddmZTZ8w="
)
APPENDIX_A_ALL_HEADERS = (
    "Ef7MlxLXoBovhil3AlyjtBwAL9g4TN3tibLj7uuNB3CROat/9KaeQ4hW2NiJ+pZ6HQEOx9vYZAyi+7cmIkmJszJCut"
    "5kQLAwuX+Ms/mUFvpKlSo9StS2bMXDBNjOh4Auj774GFj4gwjS+3NhFeoqyr/MuN6HsEnkvn6zdgfE2i0="
)
DATE = "Thu, 26 Nov 2026 21:00:00 GMT"


@pytest.fixture
def appendix_key(tmp_path: Path) -> Path:
    path = tmp_path / "appendix_a.pem"
    write_private(path, APPENDIX_A_KEY)
    return path


def test_appendix_a_default_signature(appendix_key: Path) -> None:
    signer = load_signer(account="Test", key_id=None, key_path=appendix_key, sign_headers=["date"])
    value = signer.authorization("POST", "/foo?param=value&pet=dog", APPENDIX_A_DATE)
    params = parse_authorization(value)
    assert params["signature"] == APPENDIX_A_DEFAULT
    assert params["algorithm"] == "rsa-sha256"
    assert params["headers"] == "date"


def test_appendix_a_all_headers_signature(appendix_key: Path) -> None:
    # Our header builder signs only what CloudAPI needs; the raw signer reproduces the rest.
    text = (
        "(request-target): post /foo?param=value&pet=dog\n"
        "host: example.com\n"
        f"date: {APPENDIX_A_DATE}\n"
        "content-type: application/json\n"
        "digest: SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=\n"
        "content-length: 18"
    )
    signature = load_key_file(appendix_key).sign(text.encode())
    assert base64.b64encode(signature).decode() == APPENDIX_A_ALL_HEADERS


def test_request_target_signing_string_is_lowercase_method_and_full_path(
    appendix_key: Path,
) -> None:
    signer = load_signer(account="Test", key_id=None, key_path=appendix_key)
    value = signer.authorization("POST", "/foo?param=value&pet=dog", APPENDIX_A_DATE)
    text = f"(request-target): post /foo?param=value&pet=dog\ndate: {APPENDIX_A_DATE}"
    expected = base64.b64encode(load_key_file(appendix_key).sign(text.encode())).decode()
    assert parse_authorization(value) == {
        "keyId": signer.key_id,
        "algorithm": "rsa-sha256",
        "headers": "(request-target) date",
        "signature": expected,
    }
    assert value.startswith(f'Signature keyId="/Test/keys/{signer.fingerprint}",algorithm=')


def test_rbac_user_key_id(generated_keys: dict[str, PrivateKey], tmp_path: Path) -> None:
    key = generated_keys["p256"]
    path = write_key(tmp_path, "key", key, "pkcs8")
    signer = load_signer(account="acct", user="bob", key_id="MD5:" + md5_of(key), key_path=path)
    assert signer.key_id == f"/acct/users/bob/keys/{md5_of(key)}"
    assert isinstance(signer, RequestSigner)


@pytest.mark.parametrize(
    ("account", "user"), [("my", None), ("", None), ("a/b", None), ("acct", ""), ("acct", "x/y")]
)
def test_bad_account_or_user(account: str, user: str | None) -> None:
    with pytest.raises(ConfigError):
        build_key_id(account, "aa", user)


def test_bad_sign_headers(appendix_key: Path) -> None:
    with pytest.raises(ConfigError, match="sign_headers"):
        load_signer(account="a", key_id=None, key_path=appendix_key, sign_headers=["host"])


def test_rejects_paths_and_dates_that_would_break_the_signing_string(appendix_key: Path) -> None:
    signer = load_signer(account="a", key_id=None, key_path=appendix_key)
    with pytest.raises(ValueError):
        signer.authorization("GET", "/a\ndate: forged", DATE)
    with pytest.raises(ValueError):
        signer.authorization("GET", "/a", DATE + "\nx: y")
    with pytest.raises(ValueError):
        signer.authorization("GET", "relative", DATE)


class CountingSign:
    """A signing function that counts its calls (the real key signs underneath)."""

    def __init__(self, path: Path) -> None:
        self._sign = load_key_file(path).sign
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(self, data: bytes) -> bytes:
        with self._lock:
            self.calls += 1
        return self._sign(data)


def _counting_signer(
    path: Path, headers: tuple[str, ...], cache_size: int = 256
) -> tuple[HttpSignatureSigner, CountingSign]:
    counter = CountingSign(path)
    signer = HttpSignatureSigner(
        key_id="/a/keys/x",
        algorithm="rsa-sha256",
        sign=counter,
        fingerprint="x",
        source="test",
        sign_headers=headers,
        cache_size=cache_size,
    )
    return signer, counter


def test_date_only_signature_reused_within_the_second(appendix_key: Path) -> None:
    signer, counter = _counting_signer(appendix_key, ("date",))
    first = signer.authorization("GET", "/a/machines", DATE)
    assert signer.authorization("POST", "/a/keys", DATE) == first
    assert counter.calls == 1
    later = signer.authorization("GET", "/a/machines", "Thu, 26 Nov 2026 21:00:01 GMT")
    assert later != first
    assert counter.calls == 2


def test_request_target_cache_is_per_method_and_path(appendix_key: Path) -> None:
    signer, counter = _counting_signer(appendix_key, ("(request-target)", "date"))
    a = signer.authorization("GET", "/a/machines", DATE)
    assert signer.authorization("GET", "/a/machines", DATE) == a
    assert counter.calls == 1
    b = signer.authorization("DELETE", "/a/machines", DATE)
    c = signer.authorization("GET", "/a/machines?limit=1", DATE)
    assert len({a, b, c}) == 3
    assert counter.calls == 3


def test_cache_is_bounded(appendix_key: Path) -> None:
    signer, counter = _counting_signer(appendix_key, ("(request-target)", "date"), cache_size=2)
    for path in ("/a/1", "/a/2", "/a/3"):
        signer.authorization("GET", path, DATE)
    signer.authorization("GET", "/a/3", DATE)  # still cached
    assert counter.calls == 3
    signer.authorization("GET", "/a/1", DATE)  # evicted, signed again
    assert counter.calls == 4


def test_cache_can_be_disabled(appendix_key: Path) -> None:
    signer, counter = _counting_signer(appendix_key, ("date",), cache_size=0)
    signer.authorization("GET", "/a", DATE)
    signer.authorization("GET", "/a", DATE)
    assert counter.calls == 2


def test_shared_signer_across_threads(appendix_key: Path) -> None:
    signer, counter = _counting_signer(appendix_key, ("(request-target)", "date"), cache_size=8)
    expected = {f"/a/{i}": signer.authorization("GET", f"/a/{i}", DATE) for i in range(4)}
    results: list[tuple[str, str]] = []
    lock = threading.Lock()

    def work(n: int) -> None:
        for i in range(200):
            path = f"/a/{(n + i) % 4}"
            value = signer.authorization("GET", path, DATE)
            with lock:
                results.append((path, value))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 1600
    assert all(expected[path] == value for path, value in results)
    assert counter.calls == 4


@pytest.mark.parametrize(
    ("version", "algorithm", "hinted"),
    [
        ("9.17.0", "ed25519-sha512", True),
        ("cloudapi/9.4.1", "ed25519-sha512", True),
        ("8.11.0", "ed25519-sha512", True),
        ("9.18.0", "ed25519-sha512", False),
        ("9.20.1", "ed25519-sha512", False),
        ("10.0.0", "ed25519-sha512", False),
        ("9.17.0", "rsa-sha256", False),
        ("9.17.0", "ecdsa-sha256", False),
    ],
)
def test_ed25519_unsupported_hint(version: str, algorithm: str, hinted: bool) -> None:
    hint = ed25519_unsupported_hint(version, algorithm, since=ED25519_SINCE)
    if hinted:
        assert hint is not None
        assert "predates Ed25519 support (9.18)" in hint
        assert "use an RSA or ECDSA key" in hint
    else:
        assert hint is None


def test_ed25519_hint_for_unknown_version() -> None:
    hint = ed25519_unsupported_hint(None, since=ED25519_SINCE)
    assert hint is not None and "9.18" in hint
    assert ed25519_unsupported_hint("unknown", since=ED25519_SINCE) is None


def test_ed25519_hint_takes_the_release_from_its_caller() -> None:
    # the fact lives in the spec (changes.ed25519_keys), not in the core: the hint follows it
    assert SERVICE.changes["ed25519_keys"] == "9.18.0"
    hint = ed25519_unsupported_hint("9.18.0", "ed25519-sha512", since="9.19.0")
    assert hint is not None and "predates Ed25519 support (9.19)" in hint
    with pytest.raises(ArgumentError, match="since must be a CloudAPI version"):
        ed25519_unsupported_hint("9.18.0", since="soon")
