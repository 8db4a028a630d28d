"""A scripted CloudAPI stand-in for transport tests: real HTTP (or HTTPS) on 127.0.0.1.

Each request is recorded (method, target, headers, body, whether its HTTP signature verified
against the test's public key) and answered by the next scripted :class:`Reply`, or by the
default ``200 {"ok": true}`` once the script is used up. Signatures are checked here with
cryptography directly, independently of the signer under test.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import ipaddress
import json
import re
import socket
import ssl
import threading
from collections import deque
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import attrs
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

_PARAM = re.compile(r'(\w+)="([^"]*)"')
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {"sha256": hashes.SHA256, "sha512": hashes.SHA512}


@attrs.frozen
class Reply:
    """One scripted answer. ``action``: ``reply`` | ``reset`` (drop after reading the request)
    | ``hang`` (never answer until the server stops)."""

    status: int = 200
    body: object = attrs.field(factory=lambda: {"ok": True})  # bytes sent as is, else JSON
    headers: dict[str, str] = attrs.field(factory=dict)
    content_type: str | None = "application/json"
    action: str = "reply"
    chunked: bool = False  # send the body chunked, without Content-Length


@attrs.frozen
class SeenRequest:
    method: str
    target: str
    headers: dict[str, str]  # names lower-cased
    body: bytes
    signature_error: str | None  # None: the signature verified

    @property
    def signature_ok(self) -> bool:
        return self.signature_error is None


def verify_signature(
    method: str, target: str, headers: dict[str, str], public_key: Any, key_id: str
) -> str | None:
    """None when ``Authorization`` is a valid HTTP signature by ``public_key``, else why not."""
    auth = headers.get("authorization", "")
    if not auth.startswith("Signature "):
        return "no Signature authorization"
    params = dict(_PARAM.findall(auth))
    if params.get("keyId") != key_id:
        return f"keyId {params.get('keyId')!r} is not {key_id!r}"
    lines = []
    for name in params.get("headers", "date").split():
        if name == "(request-target)":
            lines.append(f"(request-target): {method.lower()} {target}")
        elif name in headers:
            lines.append(f"{name}: {headers[name]}")
        else:
            return f"signed header {name} missing"
    data = "\n".join(lines).encode()
    kind, _, digest = params.get("algorithm", "").partition("-")
    if digest not in _HASHES:
        return f"unknown algorithm {params.get('algorithm')!r}"
    signature = base64.b64decode(params.get("signature", ""))
    try:
        if kind == "rsa" and isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, data, padding.PKCS1v15(), _HASHES[digest]())
        elif kind == "ecdsa" and isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, data, ec.ECDSA(_HASHES[digest]()))
        else:
            return f"algorithm {kind} does not fit the key"
    except InvalidSignature:
        return "signature does not verify"
    return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as CloudAPI
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet tests

    def _handle(self) -> None:
        owner = self.server.owner
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        error = verify_signature(self.command, self.path, headers, owner.public_key, owner.key_id)
        reply = owner._record(SeenRequest(self.command, self.path, headers, body, error))
        if reply.action == "reset":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if reply.action == "hang":
            owner._stopping.wait()
            self.close_connection = True
            return
        payload = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
        self.send_response(reply.status)
        if reply.content_type:
            self.send_header("Content-Type", reply.content_type)
        self.send_header("Request-Id", f"req-{len(owner.requests)}")
        self.send_header("Server", "cloudapi/9.20.0")
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.chunked:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            if self.command != "HEAD":
                step = 16 * 1024
                for start in range(0, len(payload), step):
                    part = payload[start : start + step]
                    self.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
                self.wfile.write(b"0\r\n\r\n")
            return
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = _handle


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: LoopbackServer
    tls: ssl.SSLContext | None = None

    def get_request(self) -> tuple[socket.socket, Any]:
        conn, addr = super().get_request()
        if self.tls is not None:
            # Handshake in the handler thread (on first read), not in the accept loop.
            conn = self.tls.wrap_socket(conn, server_side=True, do_handshake_on_connect=False)
        return conn, addr

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # failed TLS handshakes and dropped connections are part of the tests


class LoopbackServer:
    """Context manager; ``url`` is ``http(s)://127.0.0.1:<port>``."""

    def __init__(
        self,
        public_key: Any,
        key_id: str,
        *,
        tls_cert: Path | None = None,
        tls_key: Path | None = None,
    ) -> None:
        self.public_key = public_key
        self.key_id = key_id
        self.requests: list[SeenRequest] = []
        self._script: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        scheme = "http"
        if tls_cert is not None and tls_key is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(tls_cert, tls_key)
            self._server.tls = context
            scheme = "https"
        self.url = f"{scheme}://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def script(self, *replies: Reply | Iterable[Reply]) -> None:
        """Queue answers for the next requests (replaces what is left of the old script)."""
        with self._lock:
            self._script.clear()
            self.requests.clear()
            for item in replies:
                self._script.extend([item] if isinstance(item, Reply) else item)

    @property
    def count(self) -> int:
        with self._lock:
            return len(self.requests)

    def _record(self, seen: SeenRequest) -> Reply:
        with self._lock:
            self.requests.append(seen)
            return self._script.popleft() if self._script else Reply()


def self_signed_cert(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost (cert path, key path), not trusted by anyone."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "smartdc test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "cert.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def md5_of(body: bytes) -> str:
    return base64.b64encode(hashlib.md5(body).digest()).decode()
