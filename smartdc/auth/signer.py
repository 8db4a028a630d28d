"""The ``RequestSigner`` contract and the HTTP Signature header builder shared by all key sources."""

from __future__ import annotations

import base64
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

from smartdc.errors import ArgumentError, ConfigError

__all__ = [
    "DEFAULT_SIGN_HEADERS",
    "HttpSignatureSigner",
    "RequestSigner",
    "build_key_id",
    "signing_string",
]

DEFAULT_SIGN_HEADERS: tuple[str, ...] = ("(request-target)", "date")
_ALLOWED_HEADER_SETS = (("(request-target)", "date"), ("date",))
# One entry per (date, method, path) in flight within a second; plenty for a busy thread pool.
DEFAULT_CACHE_SIZE = 256


@runtime_checkable
class RequestSigner(Protocol):
    """What the transport needs to authenticate a request."""

    key_id: str  # full keyId, e.g. "/acct/keys/aa:bb:.." or "/acct/users/bob/keys/aa:bb:.."
    algorithm: str  # e.g. "rsa-sha256"

    def authorization(self, method: str, path: str, date: str) -> str:
        """The ``Authorization`` header value for a request (``path`` includes ``?query``)."""
        ...


def build_key_id(account: str, md5: str, user: str | None = None) -> str:
    """The keyId CloudAPI resolves: ``/account/keys/md5`` or ``/account/users/user/keys/md5``."""
    if not account or "/" in account:
        raise ConfigError(f"account must be a login name without '/', got {account!r}")
    if account == "my":
        # "my" is an alias in URLs only; the server resolves keyIds by the real login.
        raise ConfigError("account must be the real login name, not 'my'")
    if user is not None:
        if not user or "/" in user:
            raise ConfigError(f"user must be a login name without '/', got {user!r}")
        return f"/{account}/users/{user}/keys/{md5}"
    return f"/{account}/keys/{md5}"


def check_sign_headers(sign_headers: Sequence[str]) -> tuple[str, ...]:
    """Validate the signed header list (``(request-target) date`` or ``date``)."""
    normalized = tuple(h.strip().lower() for h in sign_headers)
    if normalized not in _ALLOWED_HEADER_SETS:
        raise ConfigError(
            "sign_headers must be ('(request-target)', 'date') or ('date',), "
            f"got {tuple(sign_headers)!r}"
        )
    return normalized


def signing_string(headers: Sequence[str], method: str, path: str, date: str) -> str:
    """The text that is signed, one ``name: value`` line per signed header, joined by newlines."""
    lines = []
    for name in headers:
        if name == "(request-target)":
            lines.append(f"(request-target): {method.lower()} {path}")
        elif name == "date":
            lines.append(f"date: {date}")
        else:  # pragma: no cover - check_sign_headers keeps other names out
            raise ConfigError(f"cannot sign header {name!r}")
    return "\n".join(lines)


class HttpSignatureSigner:
    """Builds ``Authorization: Signature ...`` values from a raw signing function.

    ``sign`` returns the signature bytes in http-signature form (PKCS#1 v1.5 for RSA, DER for ECDSA,
    raw 64 bytes for Ed25519). Signatures are reused for identical signing strings: the Date header
    has one-second resolution, so with ``date`` alone every request in a second shares one signature,
    and with ``(request-target)`` repeated (method, path) pairs within a second do. The cache is a
    small LRU guarded by a lock, so one signer can serve many threads.
    """

    def __init__(
        self,
        *,
        key_id: str,
        algorithm: str,
        sign: Callable[[bytes], bytes],
        fingerprint: str,
        source: str,
        sign_headers: Sequence[str] = DEFAULT_SIGN_HEADERS,
        cache_size: int = DEFAULT_CACHE_SIZE,
    ) -> None:
        self.key_id = key_id
        self.algorithm = algorithm
        self.fingerprint = fingerprint  # MD5 colon-hex
        self.source = source  # where the key lives, for messages: "file ~/.ssh/id_rsa", "ssh-agent"
        self.sign_headers = check_sign_headers(sign_headers)
        self._sign = sign
        self._headers_param = " ".join(self.sign_headers)
        self._targeted = "(request-target)" in self.sign_headers
        self._cache_size = max(0, cache_size)
        self._cache: OrderedDict[tuple[str, str, str], str] = OrderedDict()
        self._lock = threading.Lock()

    def authorization(self, method: str, path: str, date: str) -> str:
        """The ``Authorization`` header value for ``method path`` sent with this ``Date``."""
        if not date or "\n" in date or "\r" in date:
            raise ArgumentError("date must be a single-line HTTP date")
        if "\n" in path or "\r" in path or " " in path or not path.startswith("/"):
            raise ArgumentError("path must be a request-target starting with '/' without spaces")
        # What the signature depends on: the date, and the method and path when signed.
        key = (method, path, date) if self._targeted else ("", "", date)
        if self._cache_size:
            with self._lock:
                cached = self._cache.get(key)
                if cached is not None:  # checked and signed before
                    self._cache.move_to_end(key)
                    return cached
        text = signing_string(self.sign_headers, method, path, date)
        signature = base64.b64encode(self._sign(text.encode("utf-8"))).decode("ascii")
        value = (
            f'Signature keyId="{self.key_id}",algorithm="{self.algorithm}",'
            f'headers="{self._headers_param}",signature="{signature}"'
        )
        if self._cache_size:
            with self._lock:
                self._cache[key] = value
                self._cache.move_to_end(key)
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return value

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(key_id={self.key_id!r}, algorithm={self.algorithm!r}, "
            f"source={self.source!r}, sign_headers={self.sign_headers!r})"
        )
