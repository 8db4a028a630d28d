"""A minimal signed HTTP client for simulator tests (urllib3 + cryptography, no smartdc client).

It signs ``(request-target) date`` (or just ``date``) like node-triton, with RSA, ECDSA or Ed25519
keys, so tests can reach every corner of the server's authentication without the real client.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from email.utils import formatdate
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import attrs
import urllib3
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey

_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


def load_private_key(path: str | Path) -> PrivateKey:
    data = Path(path).read_bytes()
    key: object
    if data.startswith(b"-----BEGIN OPENSSH"):
        key = serialization.load_ssh_private_key(data, password=None)
    else:
        key = serialization.load_pem_private_key(data, password=None)
    assert isinstance(
        key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
    )
    return key


def openssh_public(key: PrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        .decode("ascii")
    )


def md5_fp(public_line: str) -> str:
    blob = base64.b64decode(public_line.split()[1])
    digest = hashlib.md5(blob).hexdigest()
    return ":".join(digest[i : i + 2] for i in range(0, 32, 2))


def default_algorithm(key: PrivateKey) -> str:
    if isinstance(key, rsa.RSAPrivateKey):
        return "rsa-sha256"
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "ed25519-sha512"
    return {256: "ecdsa-sha256", 384: "ecdsa-sha384", 521: "ecdsa-sha512"}[key.curve.key_size]


def sign(key: PrivateKey, algorithm: str, data: bytes) -> bytes:
    hash_name = algorithm.split("-")[1]
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(data, padding.PKCS1v15(), _HASHES[hash_name]())
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(data)
    return key.sign(data, ec.ECDSA(_HASHES[hash_name]()))


@attrs.define
class Reply:
    status: int
    headers: urllib3.HTTPHeaderDict
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@attrs.define
class SigClient:
    url: str
    login: str
    key: PrivateKey
    key_name: str = ""  # fingerprint or key name used in keyId (default: MD5 fingerprint)
    user: str | None = None
    algorithm: str = ""
    sign_headers: tuple[str, ...] = ("(request-target)", "date")
    accept_version: str | None = "~9||~8"
    pool: urllib3.PoolManager = attrs.field(
        factory=lambda: urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=5, read=20), retries=False
        )
    )

    @property
    def key_id(self) -> str:
        name = self.key_name or md5_fp(openssh_public(self.key))
        if self.user:
            return f"/{self.login}/users/{self.user}/keys/{name}"
        return f"/{self.login}/keys/{name}"

    def authorization(self, method: str, target: str, date: str) -> str:
        algorithm = self.algorithm or default_algorithm(self.key)
        lines = []
        for name in self.sign_headers:
            if name == "(request-target)":
                lines.append(f"(request-target): {method.lower()} {target}")
            else:
                lines.append(f"{name}: {date}")
        signature = base64.b64encode(sign(self.key, algorithm, "\n".join(lines).encode()))
        return (
            f'Signature keyId="{self.key_id}",algorithm="{algorithm}",'
            f'headers="{" ".join(self.sign_headers)}",signature="{signature.decode()}"'
        )

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        query: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        signed: bool = True,
        date: str | None = None,
        raw_body: bytes | None = None,
    ) -> Reply:
        target = path + ("?" + urlencode(query) if query else "")
        date = date or formatdate(usegmt=True)
        send: dict[str, str] = {"Date": date, "Accept": "application/json"}
        if self.accept_version is not None:
            send["Accept-Version"] = self.accept_version
        data = raw_body
        if body is not None:
            data = json.dumps(body).encode()
            send["Content-Type"] = "application/json"
        if signed:
            send["Authorization"] = self.authorization(method, target, date)
        send.update(headers or {})
        response = self.pool.request(
            method, self.url + target, body=data, headers=send, redirect=False
        )
        return Reply(response.status, response.headers, response.data)

    def stream(
        self, method: str, path: str, *, query: dict[str, Any] | None = None
    ) -> urllib3.BaseHTTPResponse:
        """A signed request whose answer is read as it arrives (``read_chunked()``)."""
        target = path + ("?" + urlencode(query) if query else "")
        date = formatdate(usegmt=True)
        send = {"Date": date, "Authorization": self.authorization(method, target, date)}
        if self.accept_version is not None:
            send["Accept-Version"] = self.accept_version
        return self.pool.request(
            method, self.url + target, headers=send, redirect=False, preload_content=False
        )

    def get(self, path: str, **kw: Any) -> Reply:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.request("POST", path, body=body, **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.request("PUT", path, body=body, **kw)

    def delete(self, path: str, **kw: Any) -> Reply:
        return self.request("DELETE", path, **kw)

    def head(self, path: str, **kw: Any) -> Reply:
        return self.request("HEAD", path, **kw)
