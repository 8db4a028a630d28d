"""Signed HTTP requests to CloudAPI over urllib3: headers, timeouts, retries, typed errors.

Retry policy (exact, so that a CreateMachine can never run twice because of us; the statuses are
:mod:`smartdc.transient`'s, where the reasons are):

* 429 and 420 (throttled: the server did nothing) are retried for every method.
* 502, 503, 504 and connection failures are retried only for idempotent requests (GET, HEAD, PUT,
  DELETE, or ``idempotent=True``). A 500 is not retried here (it is reported at once; waits and
  streams, which ask again anyway, outlive it).
* A non-idempotent request is retried after a connection error only when nothing was sent (the
  connection could not be made); if it broke after sending, :class:`OutcomeUnknownError` says so.

Waits grow exponentially with full jitter, honour ``Retry-After``, and stop at ``max_retries`` or
``retry_deadline``, whichever comes first.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import random
import re
import threading
import time
import warnings
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from typing import Any
from urllib.parse import quote

import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    DecodeError,
    HTTPError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)

from smartdc._version import __version__
from smartdc.auth import RequestSigner
from smartdc.clock import SYSTEM_CLOCK, Clock
from smartdc.config import Config, check_header_value
from smartdc.deadlines import POOL_CLASSES, WATCHDOG, Watch
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
from smartdc.headers import Headers
from smartdc.transient import resendable
from smartdc.wirelog import log_answer, log_request, log_safe

log = logging.getLogger("smartdc")

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
MAX_RETRY_AFTER = 60.0  # never sleep longer than this on one Retry-After
_READ_BYTES = 64 * 1024  # bytes asked for per read of a body
_DRAIN_BYTES = 64 * 1024  # a retried answer's rest is read to keep the connection up to this
# A request-target sent as it is, straight to the host's connection pool: printable ASCII, no
# space, no dot segment. Anything else goes through urllib3's URL parsing as before.
_PLAIN_TARGET = re.compile(r"/[!-~]*")


class InsecureTransportWarning(UserWarning):
    """A transport was made with TLS certificate verification turned off."""


@dataclass(frozen=True, slots=True)
class Response:
    """A CloudAPI answer: status, headers, raw body, decoded data and the request id."""

    status: int
    headers: Headers
    body: bytes = field(repr=False)
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

    def __init__(
        self,
        config: Config,
        *,
        signer: RequestSigner | None = None,
        accept_version: str | None = None,
        clock: Clock | None = None,
    ) -> None:
        """``accept_version``: the Accept-Version sent when the configuration names none (the
        client passes its service model's default, from the spec). ``clock``: what retry pauses
        sleep on and the retry deadline is measured with (the client's; default real time)."""
        self.config = config
        self.clock: Clock = clock if clock is not None else SYSTEM_CLOCK
        self.accept_version = config.accept_version or accept_version
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
        self._pool.pool_classes_by_scheme = POOL_CLASSES
        # The one host's connection pool, held instead of looked up from the URL on every
        # request (PoolManager parses the URL and builds a pool key each time).
        self._host_pool: urllib3.HTTPConnectionPool | None = None
        self._host_pool_lock = threading.Lock()
        self._timeout = urllib3.Timeout(connect=config.connect_timeout, read=config.read_timeout)
        self._user_agent = config.user_agent or f"smartdc-python/{__version__}"
        self._base_headers = {"Accept": "application/json", "User-Agent": self._user_agent}
        if self.accept_version is not None:
            self._base_headers["Accept-Version"] = self.accept_version
        self._sleep: Callable[[float], None] = self.clock.sleep  # tests record the waits instead

    @property
    def signer(self) -> RequestSigner:
        if self._signer is None:
            self._signer = self.config.signer()
        return self._signer

    def close(self) -> None:
        with self._host_pool_lock:
            self._host_pool = None
        self._pool.clear()

    def _connections(self) -> urllib3.HTTPConnectionPool:
        pool = self._host_pool
        if pool is None:
            with self._host_pool_lock:
                pool = self._host_pool
                if pool is None:
                    pool = self._host_pool = self._pool.connection_from_url(self.config.url)
        return pool

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
        decode: bool = True,
    ) -> Response:
        """Send ``method path`` (path already percent-encoded) and return the answer.

        ``expect_statuses``: error statuses that are an answer of the operation rather than an
        error (GetMachine's 410 carries the deleted machine); they are returned, not raised.
        ``decode=False``: the answer's ``data`` is None, the caller reads ``body`` itself (an
        error answer is still read and raised).

        Raises :class:`CloudAPIError` subclasses for error answers, and the transport/response
        errors of :mod:`smartdc.errors`. 2xx and 3xx answers are returned (redirects are not
        followed: GetDatacenter's 302 is data).
        """
        method = method.upper()
        target = path
        if query or self.config.roles:
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
        # The retry budget is on the client's clock; one attempt's sockets on real time.
        deadline = self.clock.monotonic() + self.config.retry_deadline
        per_attempt = self.config.connect_timeout + self.config.read_timeout
        attempt = 0
        while True:
            attempt += 1
            begun = time.monotonic()
            # The first attempt has its whole time; a retry ends by the retry deadline too.
            left = deadline - self.clock.monotonic()
            ends = begun + per_attempt if attempt == 1 else begun + min(per_attempt, left)
            with WATCHDOG.watch(ends) as watch:
                try:
                    raw = self._send(method, target, payload, headers, accept, watch)
                    if watch.expired:
                        # The cut came inside the headers, which http.client then took as ended.
                        _abandon(raw, watch)
                        raise TimeoutError("the attempt's deadline passed")
                except (HTTPError, OSError) as exc:
                    retryable, why, error = self._failure(exc, method, path, safe, watch)
                    if retryable and self._may_retry(attempt, deadline, None, method, target, why):
                        self._pause(attempt, deadline, None, method, target, why)
                        continue
                    raise error from None
                elapsed = time.monotonic() - begun
                status = raw.status
                retryable = resendable(status, safe)
                retry_after = _retry_after(raw.headers) if retryable else None
                if retryable and self._may_retry(
                    attempt, deadline, retry_after, method, target, f"HTTP {status}"
                ):
                    _discard(raw, watch)
                    self._pause(attempt, deadline, retry_after, method, target, f"HTTP {status}")
                    continue
                try:
                    return self._finish(
                        raw, method, path, accept, elapsed, expect_statuses, watch, decode
                    )
                except RequestTimeout:
                    why = "timeout while reading the answer"
                    if safe and self._may_retry(attempt, deadline, None, method, target, why):
                        self._pause(attempt, deadline, None, method, target, why)
                        continue
                    raise

    def _failure(
        self, exc: BaseException, method: str, path: str, safe: bool, watch: Watch
    ) -> tuple[bool, str, Exception]:
        """For a failed attempt: whether it may be retried, why it failed, what to raise."""
        if not watch.finish():
            # The attempt's deadline cut the connection (whatever urllib3 made of that).
            why = "no complete answer within the timeout"
            if not safe:
                return False, why, OutcomeUnknownError(_unknown_outcome(method, path, why))
            return True, "timeout", RequestTimeout(self._timeout_text(method, path))
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

    def _timeout_text(self, method: str, path: str) -> str:
        return (
            f"{method} {path}: no complete answer within the timeout (connect "
            f"{self.config.connect_timeout:g} s + read {self.config.read_timeout:g} s per attempt,"
            f" retries within retry_deadline {self.config.retry_deadline:g} s)"
        )

    def _send(
        self,
        method: str,
        target: str,
        payload: bytes | None,
        extra: Mapping[str, str] | None,
        accept: str,
        watch: Watch,
    ) -> urllib3.BaseHTTPResponse:
        headers = self._base_headers.copy()
        if accept != "application/json":
            check_header_value("accept", accept, ArgumentError)
            headers["Accept"] = accept
        if payload is not None:
            headers["Content-Type"] = "application/json"
            headers["Content-MD5"] = base64.b64encode(hashlib.md5(payload).digest()).decode()
        if extra:
            for name, value in extra.items():
                check_header_value(f"header {name}", value, ArgumentError)
                check_header_value(f"header name {name!r}", name, ArgumentError)
            headers.update(extra)
        # Set last, so that extra headers cannot break the signature: a fresh one per attempt.
        date = _http_date()
        headers["Date"] = date
        headers["Authorization"] = (self._signer or self.signer).authorization(method, target, date)
        remaining = max(watch.deadline - time.monotonic(), 0.001)
        if remaining >= self.config.connect_timeout and remaining >= self.config.read_timeout:
            timeout = self._timeout  # a first attempt: its whole time
        else:
            timeout = urllib3.Timeout(
                connect=min(self.config.connect_timeout, remaining),
                read=min(self.config.read_timeout, remaining),
            )
        if log.isEnabledFor(logging.DEBUG):
            log_request(log, method, self.config.url + target, headers, payload)
        if _PLAIN_TARGET.fullmatch(target) and "/." not in target:
            # Straight to the host's pool: what PoolManager.urlopen does after parsing the URL.
            return self._connections().urlopen(
                method,
                target,
                body=payload,
                headers=headers,
                redirect=False,
                assert_same_host=False,
                preload_content=False,
                release_conn=False,
                timeout=timeout,
            )
        return self._pool.request(
            method,
            self.config.url + target,
            body=payload,
            headers=headers,
            redirect=False,
            preload_content=False,
            timeout=timeout,
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
        if attempt <= self.config.max_retries and self.clock.monotonic() + wait < deadline:
            return True
        log.warning(
            "giving up on %s %s after %s (attempt %d; retry budget of %d retries / %g s spent)",
            method,
            log_safe(_path_only(target)),
            log_safe(why),
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
        delay = max(0.0, min(delay, deadline - self.clock.monotonic()))  # never past the deadline
        log.info(
            "retrying %s %s after %s (attempt %d, waiting %.2f s)",
            method,
            log_safe(_path_only(target)),
            log_safe(why),
            attempt + 1,
            delay,
        )
        self._sleep(delay)

    # -- reading the answer -----------------------------------------------------------------

    def _read(self, raw: urllib3.BaseHTTPResponse, method: str, path: str, watch: Watch) -> bytes:
        """The body, decompressed, never more than ``max_response_bytes`` of it held."""
        limit = self.config.max_response_bytes
        chunked = bool(getattr(raw, "chunked", False))
        declared = None if chunked else raw.headers.get("Content-Length")
        length = _content_length(declared) if declared is not None else None
        # An invalid Content-Length is refused, after reading what came (to the close, bounded)
        # so that the body is kept for the error.
        bad_length = declared is not None and length is None
        if length is not None and length > limit:
            _abandon(raw, watch)
            raise ResponseTooLargeError(
                f"{method} {path}: the answer is {length} bytes, over the {limit}-byte limit",
                status=raw.status,
            )
        buffer = io.BytesIO()
        size = 0
        # A declared length within the limit, not compressed: one read of exactly that length
        # (urllib3 raises when fewer bytes come), instead of reading until an empty read.
        whole = length is not None and "Content-Encoding" not in raw.headers
        try:
            if whole:
                buffer.write(raw.read())
            while not whole:
                # read(n) returns at most n bytes, decompressed ones included (urllib3 >= 2.6
                # decompresses only what it returns): never more than limit + 1 bytes held.
                chunk = raw.read(min(_READ_BYTES, limit + 1 - size))
                if not chunk:
                    break
                size += len(chunk)
                if size > limit:
                    _abandon(raw, watch)
                    raise ResponseTooLargeError(
                        f"{method} {path}: the answer exceeds the {limit}-byte limit",
                        raw_body=buffer.getvalue(),
                        status=raw.status,
                    )
                buffer.write(chunk)
        except (ProtocolError, ReadTimeoutError, DecodeError, SSLError, OSError) as exc:
            _abandon(raw, watch)
            if watch.expired or isinstance(exc, ReadTimeoutError):
                raise RequestTimeout(
                    f"{method} {path}: the HTTP {raw.status} answer did not arrive in full within "
                    "the timeout" + _cut_short_hint(method, raw.status)
                ) from None
            raise InvalidResponseError(
                f"{method} {path}: the HTTP {raw.status} answer was cut short or damaged "
                f"({_reason(exc)})" + _cut_short_hint(method, raw.status),
                raw_body=buffer.getvalue(),
                status=raw.status,
            ) from None
        if not watch.finish():
            # Cut by the deadline: the end seen was the cut, not the end of the answer.
            _abandon(raw, watch)
            raise RequestTimeout(
                f"{method} {path}: the HTTP {raw.status} answer did not arrive in full within "
                "the timeout" + _cut_short_hint(method, raw.status)
            )
        if bad_length and declared is not None:
            _abandon(raw, watch)
            raise InvalidResponseError(
                f"{method} {path}: the HTTP {raw.status} answer has an invalid Content-Length "
                f"header ({_preview(declared.encode('utf-8', 'replace'), 40)})",
                raw_body=buffer.getvalue(),
                status=raw.status,
            )
        raw.release_conn()
        return buffer.getvalue()

    def _finish(
        self,
        raw: urllib3.BaseHTTPResponse,
        method: str,
        path: str,
        accept: str,
        elapsed: float,
        expect_statuses: Collection[int],
        watch: Watch,
        decode: bool = True,
    ) -> Response:
        if method == "HEAD":
            _release(raw, watch)
            body = b""
        else:
            body = self._read(raw, method, path, watch)
        headers = _headers(raw.headers)
        request_id = headers.get("Request-Id") or headers.get("x-request-id")
        if log.isEnabledFor(logging.DEBUG):
            log_answer(log, method, path, raw.status, headers, body)
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
        data = _decode(body, content_type, accept, method, path, raw.status) if decode else None
        return Response(raw.status, headers, body, data, request_id, method, path)


def _decode(
    body: bytes, content_type: str, accept: str, method: str, path: str, status: int
) -> Any:
    if not body:
        return None
    if content_type.endswith("json") or content_type.endswith("+json"):
        try:
            return json.loads(body)
        except RecursionError:
            raise InvalidResponseError(
                f"{method} {path}: the answer is JSON nested too deeply to decode",
                raw_body=body,
                status=status,
            ) from None
        except ValueError as exc:
            raise InvalidResponseError(
                f"{method} {path}: the answer is not valid JSON ({exc})",
                raw_body=body,
                status=status,
            ) from None
    if content_type == "application/x-json-stream":
        try:
            return [json.loads(line) for line in body.splitlines() if line.strip()]
        except (ValueError, RecursionError) as exc:
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


def _headers(received: Mapping[str, str]) -> Headers:
    """Our Headers from urllib3's (a name received twice: the last value, as ``Headers`` does).

    urllib3's HTTPHeaderDict keeps ``{lower-case name: [name, value, ...]}``; reading it directly
    costs a fraction of iterating its items (a generator per header)."""
    container = getattr(received, "_container", None)
    if type(container) is dict:
        return Headers.of_lowered({k: (v[0], v[-1]) for k, v in container.items()})
    return Headers(received)


def _preview(body: bytes, limit: int = 200) -> str:
    text = body[:limit].decode("utf-8", "replace").replace("\n", " ").strip()
    return repr(text + ("..." if len(body) > limit else ""))


def _content_length(text: str) -> int | None:
    """A Content-Length value (``n`` or repeated ``n, n``), or None when it is not one."""
    if text.isascii() and text.isdigit() and len(text) <= 18:
        return int(text)
    values = {part.strip() for part in text.split(",")}
    if len(values) != 1:
        return None
    (value,) = values
    if not value or len(value) > 18 or not (value.isascii() and value.isdigit()):
        return None
    return int(value)


def _release(raw: urllib3.BaseHTTPResponse, watch: Watch) -> None:
    """Back to the pool when the answer was read in time, else closed first."""
    if not watch.finish():
        raw.close()
    raw.release_conn()


def _abandon(raw: urllib3.BaseHTTPResponse, watch: Watch) -> None:
    """Give up on an answer: the connection is closed, not reused with unread bytes on it."""
    watch.finish()
    try:
        raw.close()
    except (HTTPError, OSError):
        pass
    raw.release_conn()


def _discard(raw: urllib3.BaseHTTPResponse, watch: Watch) -> None:
    """Drop an answer we will retry: a short known rest is read to keep the connection,
    anything else (chunked, unknown length, large) closes it; never an unbounded read."""
    remaining = raw.length_remaining
    if getattr(raw, "chunked", False) or remaining is None or remaining > _DRAIN_BYTES:
        _abandon(raw, watch)
        return
    try:
        raw.drain_conn()
    except (HTTPError, OSError):
        _abandon(raw, watch)
        return
    _release(raw, watch)


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
