"""BaseClient: turns an operation's metadata and arguments into a signed request.

The generated ``smartdc.CloudAPI`` subclasses it and supplies the tables (operations, waiters,
paginators, enum names). Everything here is generic: no fact about a particular endpoint.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlsplit

from smartdc.config import Config, check_header_value
from smartdc.errors import (
    ArgumentError,
    CloudAPIError,
    InvalidResponseError,
    OperationNotSupportedError,
    UnknownOperationError,
)
from smartdc.runtime.jsonvalues import DecodeError, e_value
from smartdc.runtime.meta import OperationMeta
from smartdc.runtime.paging import PaginatorSpec, paginate
from smartdc.runtime.paths import expand_path
from smartdc.runtime.validate import check_arguments
from smartdc.runtime.waiting import SYSTEM_CLOCK, Poll, WaitClock, WaiterSpec, wait
from smartdc.transport import Response, Transport

T = TypeVar("T")


def version_tuple(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


class BaseClient:
    """Holds the configuration and transport; sends any operation described by metadata."""

    OPERATIONS: ClassVar[Mapping[str, OperationMeta]] = {}
    WAITERS: ClassVar[Mapping[str, WaiterSpec]] = {}
    PAGINATORS: ClassVar[Mapping[str, PaginatorSpec]] = {}
    ENUM_NAMES: ClassVar[frozenset[str]] = frozenset()
    # operation name -> function decoding its Response into the method's return value
    RESULTS: ClassVar[Mapping[str, Callable[[Response], Any]]] = {}

    def __init__(
        self,
        config: Config | None = None,
        *,
        transport: Transport | None = None,
        clock: WaitClock | None = None,
        **config_kwargs: Any,
    ) -> None:
        """``clock``: what waits measure time and sleep with (default: real time); a simulator's
        ``VirtualClock`` makes every wait of this client advance simulated time instead."""
        if config is not None and config_kwargs:
            raise ArgumentError("pass either a Config or configuration keywords, not both")
        if transport is not None:
            self.config = transport.config
            self.transport = transport
        else:
            self.config = config if config is not None else Config(**config_kwargs)
            self.transport = Transport(self.config)
        self.clock: WaitClock = clock if clock is not None else SYSTEM_CLOCK
        self._server_version: str | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(url={self.config.url!r}, account={self.config.account!r})"

    def close(self) -> None:
        self.transport.close()

    def __enter__(self: T) -> T:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def server_version(self) -> str | None:
        """CloudAPI's code version from the last ``Server: cloudapi/X.Y.Z`` header seen."""
        return self._server_version

    # -- sending ------------------------------------------------------------------------------

    def call(self, op: OperationMeta, args: Mapping[str, Any], *, head: bool = False) -> Response:
        """Validate ``args`` against ``op`` and send it (``head``: its HEAD form)."""
        check_arguments(op, args, self.ENUM_NAMES)
        self._check_version(op)
        path_values: dict[str, Any] = {"login": self.config.login}
        query: dict[str, Any] = dict(op.fixed_query)
        body: Any = None
        headers: dict[str, str] = {}
        for param in op.params:
            value = args.get(param.name)
            if value is None or (value is False and param.truthy):
                continue  # the server reads any value of a truthy flag as true: False is absence
            if param.location == "path":
                path_values[param.wire] = value
            elif param.body_root:
                body = e_value(value)
            elif param.location == "header":
                text = ",".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
                check_header_value(f"{op.name} parameter {param.name}", text, ArgumentError)
                headers[param.wire] = text
            else:
                target = (
                    query
                    if param.location == "query"
                    else (body if isinstance(body, dict) else None)
                )
                if target is None:
                    body = target = {}
                if param.family is not None:
                    for key, item in value.items():
                        target[param.family + str(key)] = _wire_value(item, param.location)
                else:
                    target[param.wire] = _wire_value(value, param.location)
        path = expand_path(op.path, path_values)
        method = "HEAD" if head else op.http_method
        try:
            response = self.transport.request(
                method,
                path,
                query=query,
                body=body,
                headers=headers,
                idempotent=op.idempotent,
                expect_statuses=tuple(s for s in op.statuses if s >= 400),
            )
        except CloudAPIError as exc:
            raise self._explain(exc) from None
        if 300 <= response.status < 400 and response.data is None and op.body_type is not None:
            response = self._follow(op, response)
        version = response.server_version
        if version and version != self._server_version:
            with self._lock:
                self._server_version = version
        return response

    def _follow(self, op: OperationMeta, response: Response) -> Response:
        """A listed 3xx without a body, where a result is due, says where the result is: fetch it.

        (AddNic answers a bare 302 to the NIC already on that network, sdc-cloudapi lib/nics.js.)
        Only a path on the same server is followed: the request is signed.
        """
        where = response.headers.get("Location") or ""
        target = urlsplit(where)
        here = urlsplit(self.config.url)
        same = not target.netloc or (target.scheme, target.netloc) == (here.scheme, here.netloc)
        if not target.path.startswith("/") or not same:
            raise InvalidResponseError(
                f"{response.method} {response.path}: HTTP {response.status} without a body "
                f"and with no Location on this server to fetch the result from ({where!r})",
                raw_body=response.body,
                status=response.status,
            )
        path = target.path + (f"?{target.query}" if target.query else "")
        return self.transport.request("GET", path, idempotent=True)

    def _check_version(self, op: OperationMeta) -> None:
        known = self._server_version
        if op.since and known and version_tuple(known) < version_tuple(op.since):
            raise OperationNotSupportedError(
                f"{op.name} needs CloudAPI {op.since} or later; this server is {known}"
            )

    def _explain(self, exc: CloudAPIError) -> CloudAPIError:
        """Add what we know to an error: e.g. an Ed25519 key refused by a server before 9.18."""
        algorithm = self.transport.signer.algorithm
        # 401, or the 400 InvalidHeader an old server gives for an algorithm it does not know.
        refused = exc.status == 401 or (
            exc.status == 400 and exc.error_code == "InvalidHeader" and algorithm in exc.message
        )
        if refused:
            from smartdc.auth import ed25519_unsupported_hint

            hint = ed25519_unsupported_hint(self._server_version, algorithm)
            if hint:
                return type(exc)(
                    f"{exc.message} ({hint})",
                    status=exc.status,
                    code=exc.error_code,
                    request_id=exc.request_id,
                    method=exc.method,
                    path=exc.path,
                    body=exc.body,
                    errors=exc.errors,
                )
        return exc

    # -- results ------------------------------------------------------------------------------

    @staticmethod
    def decode(response: Response, decoder: Callable[[Any], T]) -> T:
        """Decode a response body with ``decoder``; an empty body where one is expected is an error."""
        if response.data is None:
            raise InvalidResponseError(
                f"{response.method} {response.path}: HTTP {response.status} with an empty body "
                "where a result was expected",
                raw_body=response.body,
                status=response.status,
            )
        try:
            return decoder(response.data)
        except DecodeError as exc:
            exc.args = (f"{response.method} {response.path}: {exc.args[0]}",)
            exc.raw_body = response.body
            exc.status = response.status
            raise

    @staticmethod
    def decode_optional(response: Response, decoder: Callable[[Any], T]) -> T | None:
        """Like :meth:`decode`, but an empty body (e.g. a 202) gives None."""
        if response.data is None:
            return None
        return BaseClient.decode(response, decoder)

    # -- by name (used by the CLI and the facade) ---------------------------------------------

    def operation(self, name: str) -> OperationMeta:
        op = self.OPERATIONS.get(name)
        if op is None:
            close = [n for n in self.OPERATIONS if n.lower() == name.lower()]
            hint = f"; did you mean {close[0]}?" if close else ""
            raise UnknownOperationError(f"no CloudAPI operation named {name!r}{hint}")
        return op

    def call_operation(self, name: str, /, **params: Any) -> Any:
        """Call an operation by its CloudAPI name with keyword arguments (checked first)."""
        op = self.operation(name)
        check_arguments(op, params, self.ENUM_NAMES)
        method: Callable[..., Any] = getattr(self, op.method_name)
        return method(**params)

    def wait(
        self,
        name: str,
        /,
        *,
        timeout: float | None = None,
        on_poll: Callable[[Poll], None] | None = None,
        **params: Any,
    ) -> Any:
        """Run the waiter ``name`` (e.g. ``"MachineRunning"``) with the operation's parameters."""
        spec = self.WAITERS.get(name)
        if spec is None:
            raise UnknownOperationError(
                f"no waiter named {name!r} (known: {', '.join(sorted(self.WAITERS))})"
            )
        check_arguments(self.operation(spec.operation), params, self.ENUM_NAMES)
        what = ", ".join(f"{k}={v}" for k, v in params.items())
        return self.run_waiter(
            spec, self.poller(spec.operation, params), timeout=timeout, on_poll=on_poll, what=what
        )

    def poller(self, name: str, params: Mapping[str, Any]) -> Callable[[], tuple[int, Any]]:
        """One call of operation ``name`` per poll: (HTTP status, decoded result)."""
        op = self.operation(name)
        result = self.RESULTS[op.name]

        def poll() -> tuple[int, Any]:
            response = self.call(op, params)
            return response.status, result(response)

        return poll

    def run_waiter(
        self,
        spec: WaiterSpec,
        poll: Callable[[], tuple[int, Any]],
        *,
        timeout: float | None = None,
        interval: float | None = None,
        on_poll: Callable[[Poll], None] | None = None,
        what: str = "",
    ) -> Any:
        """Run the waiter engine on ``poll`` with this client's clock (``interval``: poll at that
        fixed interval instead of the waiter's backoff)."""
        delays = {} if interval is None else {"min_delay": interval, "max_delay": interval}
        return wait(
            poll, spec, timeout=timeout, on_poll=on_poll, clock=self.clock, what=what, **delays
        )

    def paginate(
        self,
        name: str,
        params: Mapping[str, Any],
        result: Callable[[Response], list[T]],
        page_size: int | None = None,
    ) -> Iterator[T]:
        """Lazily iterate every item of a paginated operation, one page in memory at a time."""
        spec = self.PAGINATORS[name]
        op = self.operation(name)

        def fetch(offset: int, limit: int) -> tuple[list[T], Mapping[str, str]]:
            response = self.call(op, {**params, spec.offset_param: offset, spec.limit_param: limit})
            return result(response), response.headers

        return paginate(fetch, spec, page_size=page_size)


def _wire_value(value: Any, location: str) -> Any:
    encoded = e_value(value)
    if location == "query" and isinstance(encoded, (dict, list)) and not isinstance(encoded, list):
        import json

        return json.dumps(encoded)
    return encoded
