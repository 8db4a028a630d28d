"""The client runtime: ``ClientMeta`` (``client.meta``) turns an operation's metadata and
arguments into a signed request; ``BaseClient`` holds it and nothing else public.

The generated ``smartdc.CloudAPI`` subclasses ``BaseClient`` and supplies its service model (operations,
waiters, paginators, enum names: ``smartdc.runtime.meta.ServiceModel``). Everything here is
generic: no fact about a particular endpoint. Each client method is written once; its HEAD and
lazy-paging forms are derived from it (:func:`head_form`, :func:`iter_form`), typed by ParamSpec.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Concatenate, ParamSpec, TypeVar, cast
from urllib.parse import urlsplit

from smartdc.clock import SYSTEM_CLOCK, SystemClock
from smartdc.config import Config, check_header_value
from smartdc.errors import (
    ArgumentError,
    CloudAPIError,
    InvalidResponseError,
    OperationNotSupportedError,
    SmartDCError,
    UnknownOperationError,
    UnknownWaiterError,
)
from smartdc.runtime.jsonvalues import LAZY, DecodeError, e_value, strict_enabled
from smartdc.runtime.meta import OperationMeta, ServiceModel
from smartdc.runtime.paging import paginate
from smartdc.runtime.paths import expand_path
from smartdc.runtime.validate import check_arguments
from smartdc.runtime.waiting import (
    Poll,
    WaitClock,
    WaiterSpec,
    WakeUnavailable,
    wait,
)
from smartdc.transport import Response, Transport

if TYPE_CHECKING:
    from smartdc.runtime.streams import ByteStream, MessageStream
    from smartdc.websocket import WebSocket

log = logging.getLogger("smartdc")

T = TypeVar("T")
C = TypeVar("C")
P = ParamSpec("P")


def _client_from(
    cls: type[BaseClient], config: Config, clock: WaitClock, changefeed_waits: bool
) -> BaseClient:
    return cls(config, clock=clock, changefeed_waits=changefeed_waits)


def _accept_version(op: OperationMeta) -> str:
    """The Accept-Version of an operation whose route has versions of its own (restify
    ``version: [...]``): any of them."""
    return "||".join(op.api_versions)


def _raw_json(data: Any) -> Any:
    return data


def _first(pair: tuple[Any, str]) -> Any:
    return pair[0]


COALESCE_SECONDS = 0.05  # a wait on many ids polls once per burst of their changes


class Waker:
    """Blocks a wait until its stream announces a change of a watched value (or a gap)."""

    def __init__(self, stream: MessageStream[Any], match: str, watch: frozenset[str]) -> None:
        self.stream = stream
        self.match = match
        self.watch = watch

    def wake(self, timeout: float) -> bool:
        """True when a watched value changed or the stream had a gap, False when ``timeout``
        passed without either; raise :class:`WakeUnavailable` when the stream is gone."""
        from smartdc.runtime.streams import StreamGap

        deadline = time.monotonic() + timeout
        announced = False
        while (left := deadline - time.monotonic()) > 0:
            try:
                item = self.stream.next(timeout=left)
            except SmartDCError as exc:
                raise WakeUnavailable(str(exc)) from exc
            if item is None:
                return announced
            if isinstance(item, StreamGap):
                return True
            if isinstance(item, Mapping) and str(item.get(self.match)) in self.watch:
                announced = True
                if len(self.watch) > 1:
                    # many watched (wait_all): let a burst of changes arrive, then poll once
                    deadline = min(deadline, time.monotonic() + COALESCE_SECONDS)
                    continue
                return True
        return announced

    def close(self) -> None:
        self.stream.close()


def version_tuple(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


class ClientMeta:
    """The runtime behind a client (``client.meta``, as botocore's): its service model,
    configuration, transport and clock, and everything that sends an operation by its metadata or
    name, pages and waits. The client itself holds only the operations (and ``close``)."""

    def __init__(
        self,
        service_model: ServiceModel,
        config: Config,
        transport: Transport,
        clock: WaitClock,
        changefeed_waits: bool,
    ) -> None:
        self.service_model = service_model
        self.config = config
        self.transport = transport
        self.clock: WaitClock = clock
        self.changefeed_waits = changefeed_waits
        self._server_version: str | None = None
        self._server_header: str | None = None  # the last Server header parsed
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ClientMeta(url={self.config.url!r}, account={self.config.account!r})"

    def close(self) -> None:
        self.transport.close()

    @property
    def server_version(self) -> str | None:
        """CloudAPI's code version from the last ``Server: cloudapi/X.Y.Z`` header seen."""
        return self._server_version

    # -- sending ------------------------------------------------------------------------------

    def call(
        self, op: OperationMeta, args: Mapping[str, Any], *, head: bool = False, decode: bool = True
    ) -> Response:
        """Validate ``args`` against ``op`` and send it (``head``: its HEAD form; ``decode=False``:
        the body is not parsed, ``data`` is None)."""
        check_arguments(op, args, self.service_model.enum_names)
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
                many = isinstance(value, Sequence) and not isinstance(value, str)
                text = ",".join(map(str, value)) if many else str(value)
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
        if op.api_versions:  # a route registered at versions of its own: ask for one of them
            headers["Accept-Version"] = _accept_version(op)
        method = "HEAD" if head else op.http_method
        try:
            response = self.transport.request(
                method,
                path,
                query=query,
                body=body,
                headers=headers,
                idempotent=op.idempotent,
                expect_statuses=op.error_statuses,
                decode=decode,
            )
        except CloudAPIError as exc:
            raise self._explain(exc) from None
        bodiless = response.data is None if decode else not response.body
        if 300 <= response.status < 400 and bodiless and op.returns_body:
            response = self._follow(op, response)
        server = response.headers.get("Server")
        if server is not None and server != self._server_header:  # parsed once per new value
            version = response.server_version
            if version and version != self._server_version:
                with self._lock:
                    self._server_version = version
            self._server_header = server
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

    # -- streaming ------------------------------------------------------------------------------

    def open_websocket(
        self, op: OperationMeta, args: Mapping[str, Any], timeout: float | None = None
    ) -> WebSocket:
        """Validate ``args`` and open ``op``'s WebSocket (its ``message`` params are not sent),
        within ``timeout`` seconds when given."""
        from smartdc.websocket import open_websocket

        check_arguments(op, args, self.service_model.enum_names)
        self._check_version(op)
        path_values: dict[str, Any] = {"login": self.config.login}
        for param in op.params:
            if param.location == "path":
                path_values[param.wire] = args.get(param.name)
        accept = _accept_version(op) if op.api_versions else None
        try:
            return open_websocket(
                self.transport,
                expand_path(op.path, path_values),
                accept_version=accept,
                timeout=timeout,
            )
        except CloudAPIError as exc:
            raise self._explain(exc) from None

    def open_message_stream(
        self,
        op: OperationMeta,
        args: Mapping[str, Any],
        decode: Callable[[Any], T],
        *,
        reconnect: bool = True,
    ) -> MessageStream[T]:
        """Open ``op``'s WebSocket, send its ``message`` params as the first message (again after
        each reconnection) and decode each message received with ``decode``."""
        from smartdc.runtime.streams import MessageStream

        message: dict[str, Any] = {}
        for param in op.params:
            if param.location == "message":
                value = args.get(param.name)
                value = param.default if value is None else value
                if value is not None:
                    message[param.wire] = e_value(
                        list(value) if isinstance(value, tuple) else value
                    )
        return MessageStream(
            lambda timeout: self.open_websocket(op, args, timeout),
            message,
            decode,
            reconnect=reconnect,
            sleep=self.clock.sleep,  # backoff between reconnections on the client's clock
            monotonic=self.clock.monotonic,
        )

    def open_byte_stream(self, op: OperationMeta, args: Mapping[str, Any]) -> ByteStream:
        """Open ``op``'s WebSocket as a stream of bytes."""
        from smartdc.runtime.streams import ByteStream

        return ByteStream(self.open_websocket(op, args))

    def _check_version(self, op: OperationMeta) -> None:
        known = self._server_version
        if op.since and known and version_tuple(known) < version_tuple(op.since):
            raise OperationNotSupportedError(
                f"{op.name} needs CloudAPI {op.since} or later; this server is {known}"
            )

    def _explain(self, exc: CloudAPIError) -> CloudAPIError:
        """Add what we know to an error: e.g. an Ed25519 key refused by a server that predates it."""
        algorithm = self.transport.signer.algorithm
        # 401, or the 400 InvalidHeader an old server gives for an algorithm it does not know.
        refused = exc.status == 401 or (
            exc.status == 400 and exc.error_code == "InvalidHeader" and algorithm in exc.message
        )
        since = self.service_model.changes.get("ed25519_keys")
        if refused and since:
            from smartdc.auth import ed25519_unsupported_hint

            hint = ed25519_unsupported_hint(self._server_version, algorithm, since=since)
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
        # Under the tolerant policy the models are decoded lazily: each field when it is read.
        token = LAZY.set(not strict_enabled())
        try:
            return decoder(response.data)
        except DecodeError as exc:
            exc.args = (f"{response.method} {response.path}: {exc.args[0]}",)
            exc.raw_body = response.body
            exc.status = response.status
            raise
        finally:
            LAZY.reset(token)

    @staticmethod
    def decode_optional(response: Response, decoder: Callable[[Any], T]) -> T | None:
        """Like :meth:`decode`, but an empty body (e.g. a 202) gives None."""
        if response.data is None:
            return None
        return ClientMeta.decode(response, decoder)

    # -- by name (used by the CLI and the facade) ---------------------------------------------

    def operation(self, name: str) -> OperationMeta:
        operations = self.service_model.operations
        op = operations.get(name)
        if op is None:
            close = [n for n in operations if n.lower() == name.lower()]
            hint = f"; did you mean {close[0]}?" if close else ""
            raise UnknownOperationError(f"no CloudAPI operation named {name!r}{hint}")
        return op

    def call_operation(self, name: str, /, **params: Any) -> Any:
        """Call an operation by its CloudAPI name with keyword arguments (checked first)."""
        op = self.operation(name)
        check_arguments(op, params, self.service_model.enum_names)
        if op.name in self.service_model.paginators:
            return self.call_paged(op, params, op.result)
        return op.result(self.call(op, params))

    def wait(
        self,
        name: str,
        /,
        *,
        timeout: float | None = None,
        interval: float | None = None,
        on_poll: Callable[[Poll], None] | None = None,
        **params: Any,
    ) -> Any:
        """Run the waiter ``name`` (e.g. ``"MachineRunning"``) with the operation's parameters
        (``interval``: poll at that fixed interval instead of the waiter's backoff)."""
        spec = self.waiter(name)
        check_arguments(self.operation(spec.operation), params, self.service_model.enum_names)
        what = ", ".join(f"{k}={v}" for k, v in params.items())
        watched = params.get(spec.wake.param) if spec.wake is not None else None
        return self.run_waiter(
            spec,
            self.poller(spec.operation, params),
            timeout=timeout,
            interval=interval,
            on_poll=on_poll,
            what=what,
            watch=[str(watched)] if watched is not None else None,
        )

    def waiter(self, name: str) -> WaiterSpec:
        """The service model's waiter ``name``; :class:`UnknownWaiterError` names the known ones."""
        waiters = self.service_model.waiters
        spec = waiters.get(name)
        if spec is None:
            close = [n for n in waiters if n.lower() == name.lower()]
            hint = f"did you mean {close[0]}? " if close else ""
            raise UnknownWaiterError(
                f"no waiter named {name!r} ({hint}known: {', '.join(sorted(waiters))})"
            )
        return spec

    def poller(self, name: str, params: Mapping[str, Any]) -> Callable[[], tuple[int, Any]]:
        """One call of operation ``name`` per poll: (HTTP status, decoded result)."""
        op = self.operation(name)

        def poll() -> tuple[int, Any]:
            response = self.call(op, params)
            return response.status, op.result(response)

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
        watch: Collection[str] | None = None,
    ) -> Any:
        """Run the waiter engine on ``poll`` with this client's clock (``interval``: poll at that
        fixed interval instead of the waiter's backoff).

        ``watch``: the values of the waiter's wake parameter (instance ids) whose announced
        changes make it poll at once; then it polls otherwise only every ``WAKE_POLL_SECONDS``.
        The stream is opened before the first poll, so no change after it is missed; a gap in
        the stream, or its failure, makes it poll (and fall back to its timer for good).
        """
        delays = {} if interval is None else {"min_delay": interval, "max_delay": interval}
        waker = self._waker(spec, watch) if watch else None
        try:
            return wait(
                poll,
                spec,
                timeout=timeout,
                on_poll=on_poll,
                clock=self.clock,
                what=what,
                wake=waker.wake if waker is not None else None,
                **delays,
            )
        finally:
            if waker is not None:
                waker.close()

    def _waker(self, spec: WaiterSpec, watch: Collection[str]) -> Waker | None:
        """The waiter's stream, open and registered; None where it cannot be used (no stream,
        switched off, a simulated clock, or a server or install without it)."""
        wake = spec.wake
        if wake is None or not self.changefeed_waits or not isinstance(self.clock, SystemClock):
            return None
        op = self.operation(wake.operation)
        args: dict[str, Any] = dict(wake.params)
        if wake.filter is not None:
            args[wake.filter] = sorted(watch)
        try:
            stream = self.open_message_stream(op, args, _raw_json)
        except SmartDCError as exc:
            log.debug("waiting by polling: %s is not available (%s)", wake.operation, exc)
            return None
        return Waker(stream, wake.match, frozenset(watch))

    # -- paging -------------------------------------------------------------------------------

    def call_paged(
        self, op: OperationMeta, args: Mapping[str, Any], result: Callable[[Response], list[T]]
    ) -> list[T]:
        """A paginated operation's plain call: every item (all pages, each asked for while the
        one before is decoded), or the one page asked for when its offset or limit is given."""
        spec = self.service_model.paginators[op.name]
        if args.get(spec.offset_param) is not None or args.get(spec.limit_param) is not None:
            return result(self.call(op, args))
        return list(self.paginate(op.name, args, result, prefetch=True))

    def paginate(
        self,
        name: str,
        params: Mapping[str, Any],
        result: Callable[[Response], list[T]] | None = None,
        page_size: int | None = None,
        prefetch: bool = False,
    ) -> Iterator[T]:
        """Lazily iterate every item of a paginated operation, one page in memory at a time.

        ``params`` may hold the paginator's offset (where to start) and limit (the page size).
        ``result`` decodes a page (default: the operation's own decoder). ``prefetch``: ask for
        the next page while this one is read, two pages in memory at most (for an iteration
        that goes to the end: see :mod:`smartdc.runtime.paging`).
        """
        op = self.operation(name)
        decode: Callable[[Response], list[T]] = result if result is not None else op.result

        def page(args: Mapping[str, Any]) -> tuple[list[T], Mapping[str, str]]:
            response = self.call(op, args)
            return decode(response), response.headers

        return self._pages(name, params, page_size, page, prefetch=prefetch)

    def paginate_json(
        self,
        name: str,
        params: Mapping[str, Any],
        page_size: int | None = None,
        prefetch: bool = False,
    ) -> Iterator[tuple[Any, str]]:
        """Like :meth:`paginate`, without models: each item as ``(value, text)``, its JSON value
        and the JSON text the server sent for it. Each body is parsed once and nothing is
        encoded again (what ``smartdc instances -j`` prints)."""
        from smartdc.runtime.jsontext import array_items

        op = self.operation(name)

        def page(args: Mapping[str, Any]) -> tuple[list[tuple[Any, str]], Mapping[str, str]]:
            response = self.call(op, args, decode=False)
            return array_items(response), response.headers

        return self._pages(name, params, page_size, page, value=_first, prefetch=prefetch)

    def _pages(
        self,
        name: str,
        params: Mapping[str, Any],
        page_size: int | None,
        page: Callable[[Mapping[str, Any]], tuple[list[T], Mapping[str, str]]],
        value: Callable[[T], Any] | None = None,
        prefetch: bool = False,
    ) -> Iterator[T]:
        spec = self.service_model.paginators[name]
        rest = {k: v for k, v in params.items() if k not in (spec.offset_param, spec.limit_param)}
        size = page_size if page_size is not None else params.get(spec.limit_param)

        def fetch(offset: int, limit: int) -> tuple[list[T], Mapping[str, str]]:
            return page({**rest, spec.offset_param: offset, spec.limit_param: limit})

        start = params.get(spec.offset_param) or 0
        return paginate(fetch, spec, page_size=size, start=start, value=value, prefetch=prefetch)


class BaseClient:
    """A client of a service model: its operations as methods (the generated ``smartdc.CloudAPI``),
    and ``meta``, the runtime they run on. Nothing else is public here, so that no operation name
    can clash with plumbing: the generator refuses an operation whose method would shadow a name
    of :data:`RESERVED_NAMES`."""

    # the generated smartdc.CloudAPI sets its service model (operations, waiters, paginators)
    _service_model: ClassVar[ServiceModel] = ServiceModel("", "", (), frozenset(), {}, {}, {})
    meta: ClientMeta

    def __init__(
        self,
        config: Config | None = None,
        *,
        transport: Transport | None = None,
        clock: WaitClock | None = None,
        changefeed_waits: bool = True,
        **config_kwargs: Any,
    ) -> None:
        """``clock``: what waits measure time and sleep with (default: real time); a simulator's
        ``VirtualClock`` makes every wait of this client advance simulated time instead.

        ``changefeed_waits``: waits whose waiter has a stream to listen to (the instance waiters
        and the changefeed) poll when a change is announced rather than on a timer, on real time
        and where the server has the stream; ``False`` always polls."""
        if config is not None and config_kwargs:
            raise ArgumentError("pass either a Config or configuration keywords, not both")
        if transport is not None:
            config = transport.config
        else:
            config = config if config is not None else Config(**config_kwargs)
            transport = Transport(
                config,
                accept_version=self._service_model.default_accept_version,
                clock=clock,
            )
        self.meta = ClientMeta(
            self._service_model,
            config,
            transport,
            clock if clock is not None else SYSTEM_CLOCK,
            changefeed_waits,
        )

    def __repr__(self) -> str:
        config = self.meta.config
        return f"{type(self).__name__}(url={config.url!r}, account={config.account!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as its configuration (a new process opens its own connections)."""
        meta = self.meta
        return (_client_from, (type(self), meta.config, meta.clock, meta.changefeed_waits))

    def close(self) -> None:
        """Close the client's connections."""
        self.meta.close()

    def __enter__(self: T) -> T:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# The public names of every client: an operation, waiter or form (head_/iter_/wait_) named so is
# refused by the generator (it would replace them silently).
RESERVED_NAMES: frozenset[str] = frozenset(
    {n for n in dir(BaseClient) if not n.startswith("_")} | {"meta"}
)


def bind(op: OperationMeta, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """The arguments of a client method's call as a dict (positional ones are its path params)."""
    positional = op.path_params
    if len(args) > len(positional):
        raise TypeError(
            f"{op.method_name}() takes {len(positional)} positional argument(s), got {len(args)}"
        )
    bound = {p.name: value for p, value in zip(positional, args, strict=False)}
    twice = sorted(set(bound) & set(kwargs))
    if twice:
        raise TypeError(f"{op.method_name}() got multiple values for {', '.join(twice)}")
    return {**bound, **kwargs}


def head_form(
    method: Callable[Concatenate[C, P], object],
) -> Callable[Concatenate[C, P], Mapping[str, str]]:
    """``head_<method>``: the same arguments, sent as the operation's HEAD request; its headers."""
    name = method.__name__

    def head(self: C, /, *args: P.args, **kwargs: P.kwargs) -> Mapping[str, str]:
        meta = cast(BaseClient, self).meta
        op = meta.service_model.by_method[name]
        return meta.call(op, bind(op, args, kwargs), head=True).headers

    head.__name__ = head.__qualname__ = f"head_{name}"
    head.__doc__ = (
        f"The headers a HEAD request answers for :meth:`{name}` (same arguments), without a body."
    )
    head.__wrapped__ = method  # type: ignore[attr-defined]  # help() shows the arguments
    return head


def iter_form(
    method: Callable[Concatenate[C, P], list[T]],
) -> Callable[Concatenate[C, P], Iterator[T]]:
    """``iter_<method>``: the same arguments; every item, one page fetched at a time as the
    iteration goes (the limit argument is the page size, the offset where to start)."""
    name = method.__name__

    def items(self: C, /, *args: P.args, **kwargs: P.kwargs) -> Iterator[T]:
        meta = cast(BaseClient, self).meta
        op = meta.service_model.by_method[name]
        params = bind(op, args, kwargs)
        check_arguments(op, params, meta.service_model.enum_names)
        return meta.paginate(op.name, params)

    items.__name__ = items.__qualname__ = f"iter_{name}"
    items.__doc__ = (
        f"Every item of :meth:`{name}` (same arguments), fetched page by page as the iteration "
        "goes: ``limit`` is the page size (default the server's maximum), ``offset`` where to "
        "start."
    )
    items.__wrapped__ = method  # type: ignore[attr-defined]
    return items


def _wire_value(value: Any, location: str) -> Any:
    encoded = e_value(value)
    if location == "query" and isinstance(encoded, (dict, list)) and not isinstance(encoded, list):
        import json

        return json.dumps(encoded)
    return encoded
