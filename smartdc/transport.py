"""Signed HTTP requests to CloudAPI over urllib3: headers, timeouts, retries, typed errors.

Retry policy (exact, so that a CreateMachine can never run twice because of us):

* 429 and 420 (throttled: the server did nothing) are retried for every method.
* 502, 503, 504 and connection failures are retried only for idempotent requests (GET, HEAD, PUT,
  DELETE, or ``idempotent=True``).
* A non-idempotent request is retried after a connection error only when nothing was sent (the
  connection could not be made); if it broke after sending, :class:`OutcomeUnknownError` says so.

Waits grow exponentially with full jitter, honour ``Retry-After``, and stop at ``max_retries`` or
``retry_deadline``, whichever comes first.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import random
import time
import warnings
from collections.abc import Callable, Collection, Iterator, Mapping
from email.utils import formatdate, parsedate_to_datetime
from typing import Any, TypeVar, overload
from urllib.parse import quote

import attrs
import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)

from smartdc._version import __version__
from smartdc.auth import RequestSigner
from smartdc.config import Config
from smartdc.errors import (
    ArgumentError,
    CloudAPIError,
    ConnectError,
    ContentDigestError,
    InvalidResponseError,
    OutcomeUnknownError,
    RequestTimeout,
    ResponseTooLargeError,
)

log = logging.getLogger("smartdc")
T = TypeVar("T")

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
THROTTLED = frozenset({420, 429})
UNAVAILABLE = frozenset({502, 503, 504})
MAX_RETRY_AFTER = 60.0  # never sleep longer than this on one Retry-After


class InsecureTransportWarning(UserWarning):
    """A transport was made with TLS certificate verification turned off."""


class Headers(Mapping[str, str]):
    """Case-insensitive, read-only response headers."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, str] | None = None) -> None:
        self._items = {k.lower(): (k, v) for k, v in (items or {}).items()}

    def __getitem__(self, key: str) -> str:
        return self._items[key.lower()][1]

    def __iter__(self) -> Iterator[str]:
        return (original for original, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._items

    @overload
    def get(self, key: str, /) -> str | None: ...
    @overload
    def get(self, key: str, /, default: str | T) -> str | T: ...
    def get(self, key: str, /, default: object = None) -> object:
        # Read several times per response: one dict lookup instead of Mapping.get's try/except.
        item = self._items.get(key.lower())
        return default if item is None else item[1]

    def __repr__(self) -> str:
        return f"Headers({dict(self)!r})"


@attrs.frozen
class Response:
    """A CloudAPI answer: status, headers, raw body, decoded data and the request id."""

    status: int
    headers: Headers
    body: bytes = attrs.field(repr=False)
    data: Any
    request_id: str | None
    method: str
    path: str

    @property
    def server_version(self) -> str | None:
        """The code version from ``Server: cloudapi/X.Y.Z`` (None when absent)."""
        server = self.headers.get("Server", "")
        if server.startswith("cloudapi/"):
            return server.split("/", 1)[1].strip() or None
        return None


def encode_query(query: Mapping[str, object] | None) -> str:
    """``a=1&b=true`` from a mapping: None dropped, bools lower-case, lists comma-joined."""
    if not query:
        return ""
    parts = []
    for key, value in query.items():
        if value is None:
            continue
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, (list, tuple)):
            text = ",".join(str(v) for v in value)
        else:
            text = str(value)
        parts.append(f"{quote(str(key), safe='.*')}={quote(text, safe='*')}")
    return "&".join(parts)


_date_cache: tuple[int, str] = (0, "")


def _http_date() -> str:
    """The ``Date`` header for now; formatted once per second (it has one-second resolution)."""
    global _date_cache
    now = int(time.time())
    second, text = _date_cache
    if second != now:
        text = formatdate(now, usegmt=True)
        _date_cache = (now, text)
    return text


def _retry_after(headers: Mapping[str, str]) -> float | None:
    raw = headers.get("Retry-After")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(raw).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class Transport:
    """Sends signed requests; one instance is safe to share between threads."""

    def __init__(self, config: Config, *, signer: RequestSigner | None = None) -> None:
        self.config = config
        self._signer = signer
        kwargs: dict[str, Any] = {
            "maxsize": config.pool_maxsize,
            "block": False,
            "retries": False,
            "timeout": urllib3.Timeout(connect=config.connect_timeout, read=config.read_timeout),
        }
        if config.insecure:
            kwargs["cert_reqs"] = "CERT_NONE"
            # One warning per transport here, instead of urllib3's one per request.
            warnings.warn(
                f"TLS certificate verification is OFF for {config.url} (insecure=True / "
                "TRITON_TLS_INSECURE); use it only against test clouds",
                InsecureTransportWarning,
                stacklevel=2,
            )
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        else:
            kwargs["cert_reqs"] = "CERT_REQUIRED"
            if config.ca_certs:
                kwargs["ca_certs"] = config.ca_certs
        self._pool = urllib3.PoolManager(**kwargs)
        self._user_agent = config.user_agent or f"smartdc-python/{__version__}"
        self._sleep: Callable[[float], None] = time.sleep  # tests record the waits instead

    @property
    def signer(self) -> RequestSigner:
        if self._signer is None:
            self._signer = self.config.signer()
        return self._signer

    def close(self) -> None:
        self._pool.clear()

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the request loop -------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, object] | None = None,
        body: object | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        accept: str = "application/json",
        expect_statuses: Collection[int] = (),
    ) -> Response:
        """Send ``method path`` (path already percent-encoded) and return the answer.

        ``expect_statuses``: error statuses that are an answer of the operation rather than an
        error (GetMachine's 410 carries the deleted machine); they are returned, not raised.

        Raises :class:`CloudAPIError` subclasses for error answers, and the transport/response
        errors of :mod:`smartdc.errors`. 2xx and 3xx answers are returned (redirects are not
        followed: GetDatacenter's 302 is data).
        """
        method = method.upper()
        all_query = dict(query or {})
        if self.config.roles and "as-role" not in all_query:
            all_query["as-role"] = ",".join(self.config.roles)
        encoded = encode_query(all_query)
        target = f"{path}?{encoded}" if encoded else path
        payload = None
        if body is not None:
            try:
                payload = json.dumps(body, separators=(",", ":")).encode("utf-8")
            except (TypeError, ValueError) as exc:
                raise ArgumentError(
                    f"{method} {path}: the body cannot be sent as JSON: {exc}"
                ) from None
        safe = idempotent if idempotent is not None else method in IDEMPOTENT_METHODS
        deadline = time.monotonic() + self.config.retry_deadline
        attempt = 0
        while True:
            attempt += 1
            started = time.monotonic()
            try:
                raw = self._send(method, target, payload, headers, accept)
            except (HTTPError, OSError) as exc:
                retryable, why, error = self._failure(exc, method, path, safe)
                if retryable and self._may_retry(attempt, deadline, None, method, target, why):
                    self._pause(attempt, deadline, None, method, target, why)
                    continue
                raise error from None
            elapsed = time.monotonic() - started
            status = raw.status
            retry_after = _retry_after(raw.headers)
            retryable = status in THROTTLED or (status in UNAVAILABLE and safe)
            if retryable and self._may_retry(
                attempt, deadline, retry_after, method, target, f"HTTP {status}"
            ):
                _drain(raw)
                self._pause(attempt, deadline, retry_after, method, target, f"HTTP {status}")
                continue
            return self._finish(raw, method, path, accept, elapsed, expect_statuses)

    def _failure(
        self, exc: BaseException, method: str, path: str, safe: bool
    ) -> tuple[bool, str, Exception]:
        """For a failed attempt: whether it may be retried, why it failed, what to raise."""
        if isinstance(exc, SSLError) and _is_certificate_problem(exc):
            # Verification failed in the handshake, so nothing was sent; retrying cannot help.
            return (
                False,
                "TLS verification failure",
                ConnectError(
                    f"{method} {path}: TLS with {self.config.url} failed: {_reason(exc)}. If the "
                    "server uses a private CA pass ca_certs=<bundle>; insecure=True (test clouds "
                    "only) turns verification off"
                ),
            )
        if isinstance(exc, (ConnectTimeoutError, NewConnectionError)):
            # Nothing reached the server: safe to retry whatever the method.
            message = f"{method} {path}: cannot connect to {self.config.url}: {_reason(exc)}"
            return True, "connection failed", ConnectError(message)
        if isinstance(exc, ReadTimeoutError):
            if not safe:
                why = "no answer within the read timeout"
                return False, why, OutcomeUnknownError(_unknown_outcome(method, path, why))
            message = f"{method} {path}: no answer within {self.config.read_timeout:g} s"
            return True, "read timeout", RequestTimeout(message)
        return safe, "connection broken", _broken(method, path, safe, exc)

    def _send(
        self,
        method: str,
        target: str,
        payload: bytes | None,
        extra: Mapping[str, str] | None,
        accept: str,
    ) -> urllib3.BaseHTTPResponse:
        headers = {
            "Accept": accept,
            "Accept-Version": self.config.accept_version,
            "User-Agent": self._user_agent,
        }
        if payload is not None:
            headers["Content-Type"] = "application/json"
            headers["Content-MD5"] = base64.b64encode(hashlib.md5(payload).digest()).decode()
        if extra:
            headers.update(extra)
        # Set last, so that extra headers cannot break the signature: a fresh one per attempt.
        date = _http_date()
        headers["Date"] = date
        headers["Authorization"] = self.signer.authorization(method, target, date)
        return self._pool.request(
            method,
            self.config.url + target,
            body=payload,
            headers=headers,
            redirect=False,
            preload_content=False,
        )

    def _may_retry(
        self,
        attempt: int,
        deadline: float,
        retry_after: float | None,
        method: str,
        target: str,
        why: str,
    ) -> bool:
        """Whether a retryable failure may be retried within the count and time budgets."""
        wait = min(retry_after, MAX_RETRY_AFTER) if retry_after is not None else 0.0
        if attempt <= self.config.max_retries and time.monotonic() + wait < deadline:
            return True
        log.warning(
            "giving up on %s %s after %s (attempt %d; retry budget of %d retries / %g s spent)",
            method,
            _path_only(target),
            why,
            attempt,
            self.config.max_retries,
            self.config.retry_deadline,
        )
        return False

    def _pause(
        self,
        attempt: int,
        deadline: float,
        retry_after: float | None,
        method: str,
        target: str,
        why: str,
    ) -> None:
        if retry_after is not None:
            delay = min(retry_after, MAX_RETRY_AFTER)
        else:
            cap = self.config.retry_backoff * (2 ** (attempt - 1))
            delay = random.uniform(0, min(cap, 30.0))  # full jitter
        delay = max(0.0, min(delay, deadline - time.monotonic()))  # never past the deadline
        log.info(
            "retrying %s %s after %s (attempt %d, waiting %.2f s)",
            method,
            _path_only(target),
            why,
            attempt + 1,
            delay,
        )
        self._sleep(delay)

    # -- reading the answer -----------------------------------------------------------------

    def _read(self, raw: urllib3.BaseHTTPResponse, method: str, path: str) -> bytes:
        limit = self.config.max_response_bytes
        declared = raw.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > limit:
            raw.release_conn()
            raise ResponseTooLargeError(
                f"{method} {path}: the answer is {declared} bytes, over the {limit}-byte limit",
                status=raw.status,
            )
        chunks = []
        size = 0
        try:
            if declared and declared.isdigit() and "Content-Encoding" not in raw.headers:
                # Size known, within the limit and not decompressed into more: one read, not a
                # streaming loop (urllib3 raises ProtocolError if fewer bytes arrive).
                return raw.read()
            for chunk in raw.stream(64 * 1024):
                size += len(chunk)
                if size > limit:
                    raw.close()
                    raise ResponseTooLargeError(
                        f"{method} {path}: the answer exceeds the {limit}-byte limit",
                        status=raw.status,
                    )
                chunks.append(chunk)
        except ProtocolError as exc:
            raise InvalidResponseError(
                f"{method} {path}: the HTTP {raw.status} answer was cut short ({_reason(exc)})"
                + _cut_short_hint(method, raw.status),
                raw_body=b"".join(chunks),
                status=raw.status,
            ) from None
        except ReadTimeoutError:
            raise RequestTimeout(
                f"{method} {path}: the answer stalled past the read timeout"
            ) from None
        finally:
            raw.release_conn()
        return b"".join(chunks)

    def _finish(
        self,
        raw: urllib3.BaseHTTPResponse,
        method: str,
        path: str,
        accept: str,
        elapsed: float,
        expect_statuses: Collection[int] = (),
    ) -> Response:
        if method == "HEAD":
            _drain(raw)
            body = b""
        else:
            body = self._read(raw, method, path)
        headers = Headers(dict(raw.headers.items()))
        request_id = headers.get("Request-Id") or headers.get("x-request-id")
        log.debug(
            "%s %s -> %d (request id %s, %.1f ms)",
            method,
            path,
            raw.status,
            request_id,
            elapsed * 1000,
        )
        digest = headers.get("Content-MD5")
        if digest and body:
            actual = base64.b64encode(hashlib.md5(body).digest()).decode()
            if actual != digest:
                raise ContentDigestError(
                    f"{method} {path}: the body does not match its Content-MD5 header "
                    f"(got {actual}, header says {digest}); it was damaged in transit",
                    raw_body=body,
                    status=raw.status,
                )
        content_type = headers.get("Content-Type", "").split(";")[0].strip().lower()
        if raw.status >= 400 and raw.status not in expect_statuses:
            raise CloudAPIError.from_response(raw.status, headers, body, method, path)
        data = _decode(body, content_type, accept, method, path, raw.status)
        return Response(raw.status, headers, body, data, request_id, method, path)


def _decode(
    body: bytes, content_type: str, accept: str, method: str, path: str, status: int
) -> Any:
    if not body:
        return None
    if content_type.endswith("json") or content_type.endswith("+json"):
        try:
            return json.loads(body)
        except ValueError as exc:
            raise InvalidResponseError(
                f"{method} {path}: the answer is not valid JSON ({exc})",
                raw_body=body,
                status=status,
            ) from None
    if content_type == "application/x-json-stream":
        try:
            return [json.loads(line) for line in body.splitlines() if line.strip()]
        except ValueError as exc:
            raise InvalidResponseError(
                f"{method} {path}: a line of the JSON stream is not valid JSON ({exc})",
                raw_body=body,
                status=status,
            ) from None
    if content_type.startswith("text/") and "json" not in accept:
        return body.decode("utf-8", "replace")
    if "json" in accept:
        raise InvalidResponseError(
            f"{method} {path}: expected JSON but the answer is {content_type or 'untyped'} "
            f"({_preview(body)})",
            raw_body=body,
            status=status,
        )
    return body.decode("utf-8", "replace")


def _preview(body: bytes, limit: int = 200) -> str:
    text = body[:limit].decode("utf-8", "replace").replace("\n", " ").strip()
    return repr(text + ("..." if len(body) > limit else ""))


def _drain(raw: urllib3.BaseHTTPResponse) -> None:
    try:
        raw.drain_conn()
    except (HTTPError, OSError):
        pass
    finally:
        raw.release_conn()


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None)
    return str(reason or exc)


def _is_certificate_problem(exc: SSLError) -> bool:
    text = f"{exc} {getattr(exc, 'reason', '')}"
    return "CERTIFICATE_VERIFY_FAILED" in text or "certificate" in text.lower()


def _broken(method: str, path: str, safe: bool, exc: BaseException) -> Exception:
    """The error for a connection that broke after the request may have been sent."""
    if not safe:
        return OutcomeUnknownError(_unknown_outcome(method, path, _reason(exc)))
    return ConnectError(f"{method} {path}: connection broken: {_reason(exc)}")


def _cut_short_hint(method: str, status: int) -> str:
    # A success status arrived, so a create did happen: say so, lest the caller send it again.
    if method not in IDEMPOTENT_METHODS and 200 <= status < 300:
        return "; the server did carry the request out, so do not send it again: fetch the result"
    return ""


def _path_only(target: str) -> str:
    return target.split("?", 1)[0]


def _unknown_outcome(method: str, path: str, why: str) -> str:
    return (
        f"{method} {path}: the request was sent but its answer was lost ({why}); it may or may "
        "not have been carried out, so it was not retried. Check before trying again, e.g. list "
        "the resources by name (smartdc instances name=...) to see whether it was created."
    )
