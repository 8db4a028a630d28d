"""BaseClient: argument checks, request building, version gates and decoding for every operation."""

from __future__ import annotations

import difflib
import re
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Protocol

from smartdc.errors import (
    ArgumentError,
    CloudAPIError,
    InvalidResponseError,
    OperationNotSupportedError,
    UnknownOperationError,
)
from smartdc.runtime import paging, waiting
from smartdc.runtime.metadata import OperationMeta, Paginator, ParamMeta, Waiter
from smartdc.runtime.paths import expand_path
from smartdc.runtime.serde import Converter
from smartdc.runtime.types import matches

_SERVER_VERSION = re.compile(r"cloudapi/(\d+)\.(\d+)\.(\d+)")


class ResponseLike(Protocol):
    status: int
    headers: Mapping[str, str]
    body: bytes
    data: object


class TransportLike(Protocol):
    """What BaseClient needs from ``smartdc.transport.Transport``."""

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
    ) -> Any: ...


def parse_version(text: str) -> tuple[int, int, int]:
    major, minor, patch = (text.split(".") + ["0", "0"])[:3]
    return int(major), int(minor), int(patch)


class BaseClient:
    """Holds config, transport and converter; ``invoke`` runs one operation described by metadata."""

    def __init__(
        self,
        config: Any = None,
        *,
        transport: TransportLike | None = None,
        converter: Converter,
        operations: Mapping[str, OperationMeta],
        waiters: Mapping[str, Waiter],
        paginators: Mapping[str, Paginator],
        **config_kwargs: Any,
    ) -> None:
        if config is not None and config_kwargs:
            raise ArgumentError("pass either a Config or keyword settings, not both")
        if config is None and transport is not None and not config_kwargs:
            config = getattr(transport, "config", None)
        if config is None:
            from smartdc.config import Config  # core module; imported late to keep imports cheap

            config = Config(**config_kwargs)
        self.config = config
        if transport is None:
            from smartdc.transport import Transport

            transport = Transport(config)
        self.transport: TransportLike = transport
        self.converter = converter
        self.operations = operations
        self.waiters = waiters
        self.paginators = paginators
        self.server_version: tuple[int, int, int] | None = None
        # injection points for tests of waiters (virtual clocks)
        self.clock: Callable[[], float] = time.monotonic
        self.sleep: Callable[[float], None] = time.sleep

    # --- lookup ----------------------------------------------------------------------------

    def operation(self, name: str) -> OperationMeta:
        """Metadata of an operation by its spec name (``GetMachine``) or method name."""
        op = self.operations.get(name)
        if op is None:
            for candidate in self.operations.values():
                if candidate.method_name == name:
                    return candidate
            close = difflib.get_close_matches(name, list(self.operations), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise UnknownOperationError(f"no CloudAPI operation named {name!r}{hint}")
        return op

    @property
    def login(self) -> str:
        login = getattr(self.config, "login", None) or getattr(self.config, "account", None)
        if not login:
            raise ArgumentError("no account configured: the {login} path segment is unknown")
        return str(login)

    # --- calling ----------------------------------------------------------------------------

    def call_operation(self, name: str, **params: Any) -> Any:
        """Call any operation by name with keyword parameters (used by ``smartdc api``)."""
        return self.invoke(self.operation(name), params)

    def invoke(self, op: OperationMeta, args: Mapping[str, Any]) -> Any:
        return self.execute(op, args)[1]

    def execute(self, op: OperationMeta, args: Mapping[str, Any]) -> tuple[int, Any, Any]:
        """Validate, send and decode; returns ``(status, result, response headers)``."""
        path_params, query, body, headers = self.build(op, args)
        status, resp_headers, data, raw = self.call(op, path_params, query, body, headers)
        return status, self.decode(op, data, raw, status), resp_headers

    def head(self, op: OperationMeta, args: Mapping[str, Any]) -> Mapping[str, str]:
        """The HEAD form of a GET operation: the response headers only."""
        path_params, query, _body, headers = self.build(op, args)
        self.check_version(op)
        path = expand_path(op.path, {"login": self.login, **path_params})
        resp = self.transport.request(
            "HEAD", path, query=query or None, headers=headers or None, idempotent=True
        )
        self.note_server(resp.headers)
        return resp.headers  # type: ignore[no-any-return]

    def build(
        self, op: OperationMeta, args: Mapping[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any], Any, dict[str, str]]:
        """Check every argument against the metadata, then split them by location."""
        known = {p.name: p for p in op.params}
        for name in args:
            if name not in known:
                expected = ", ".join(sorted(known)) or "none"
                raise ArgumentError(
                    f"{op.name}: unknown parameter {name!r} (parameters: {expected})"
                )
        path_params: dict[str, Any] = {}
        query: dict[str, Any] = dict(op.fixed_query)
        body: dict[str, Any] = {}
        root: Any = None
        has_root = False
        headers: dict[str, str] = {}
        for param in op.params:
            value = args.get(param.name)
            if value is None:
                if param.required:
                    raise ArgumentError(f"{op.name}: missing required parameter {param.name!r}")
                continue
            self._check(op, param, value)
            if param.location == "path":
                path_params[param.wire] = value
            elif param.location == "header":
                headers[param.wire] = self._header_value(value)
            elif param.body_root:
                root, has_root = self.converter.unstructure(value), True
            else:
                target = query if param.location == "query" else body
                if param.family is not None:
                    for key, item in value.items():
                        target[param.family + key] = self.converter.unstructure(item)
                else:
                    target[param.wire] = self.converter.unstructure(value)
        payload: Any = root if has_root else (body or None)
        return path_params, query, payload, headers

    def _check(self, op: OperationMeta, param: ParamMeta, value: object) -> None:
        if not matches(value, param.type_node, self.converter.named):
            raise ArgumentError(
                f"{op.name}: parameter {param.name!r} must be {param.type}, "
                f"not {type(value).__name__}"
            )
        if param.location == "path" and (not isinstance(value, str) or not value.strip()):
            raise ArgumentError(f"{op.name}: parameter {param.name!r} must not be empty")

    @staticmethod
    def _header_value(value: object) -> str:
        if isinstance(value, (list, tuple)):
            return ",".join(str(v) for v in value)
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    def check_version(self, op: OperationMeta) -> None:
        if op.since and self.server_version is not None:
            if parse_version(op.since) > self.server_version:
                have = ".".join(map(str, self.server_version))
                raise OperationNotSupportedError(
                    f"{op.name} needs CloudAPI {op.since} or later; the server runs {have}"
                )

    def note_server(self, headers: Mapping[str, str]) -> None:
        found = _SERVER_VERSION.search(headers.get("server", "") or "")
        if found:
            self.server_version = (int(found[1]), int(found[2]), int(found[3]))

    def detect_server_version(self) -> tuple[int, int, int] | None:
        """Ask ``/--ping`` (unsigned-safe, cheap) for the server version."""
        resp = self.transport.request("GET", "/--ping", idempotent=True)
        self.note_server(resp.headers)
        return self.server_version

    def call(
        self,
        op: OperationMeta,
        path_params: Mapping[str, Any],
        query: Mapping[str, Any],
        body: Any,
        headers: Mapping[str, str],
    ) -> tuple[int, Mapping[str, str], Any, bytes]:
        """Send the request; a listed success status answered as an error still returns data."""
        self.check_version(op)
        path = expand_path(op.path, {"login": self.login, **path_params})
        accept = "text/plain" if op.content == "text" else "application/json"
        try:
            resp = self.transport.request(
                op.method,
                path,
                query=query or None,
                body=body,
                headers=headers or None,
                idempotent=op.idempotent,
                accept=accept,
            )
        except CloudAPIError as err:
            # e.g. GetMachine's 410 carries the deleted instance: data, not a failure.
            if err.status in op.statuses:
                return err.status, {}, err.body, b""
            raise
        self.note_server(resp.headers)
        return resp.status, resp.headers, resp.data, resp.body

    def decode(self, op: OperationMeta, data: Any, raw: bytes, status: int) -> Any:
        if op.content == "none" or op.structure is None:
            return data if op.content == "text" else None
        if op.content == "text":
            return data if isinstance(data, str) else raw.decode("utf-8", "replace")
        try:
            return op.structure(data, op.body_type or op.name)
        except InvalidResponseError as err:
            raise InvalidResponseError(
                f"{op.name} response does not fit {op.body_type}: {err}", raw_body=raw, status=status
            ) from None

    # --- waiters and pages ------------------------------------------------------------------

    def wait(
        self,
        name: str,
        *,
        timeout: float | None = None,
        on_poll: Callable[[waiting.PollEvent], None] | None = None,
        **params: Any,
    ) -> Any:
        """Run the named waiter with the path parameters of its operation."""
        waiter = self.waiters.get(name)
        if waiter is None:
            raise UnknownOperationError(f"no waiter named {name!r} ({', '.join(self.waiters)})")
        op = self.operation(waiter.operation)
        self.build(op, params)  # bad arguments fail now, not on every poll

        def poll() -> tuple[int, Any]:
            status, result, _headers = self.execute(op, params)
            return status, result

        return waiting.run_waiter(
            waiter, poll, timeout=timeout, on_poll=on_poll, clock=self.clock, sleep=self.sleep
        )

    def paginate(self, name: str, params: Mapping[str, Any]) -> Iterator[Any]:
        """Lazily iterate the items of a paginated operation."""
        pager = self.paginators[name]
        op = self.operation(pager.operation)
        args = dict(params)
        offset = args.pop(pager.offset_param, None) or 0
        limit = args.pop(pager.limit_param, None)
        self.build(op, args)

        def fetch(page_offset: int, page_limit: int) -> tuple[Any, Mapping[str, str]]:
            call_args = {**args, pager.offset_param: page_offset, pager.limit_param: page_limit}
            _status, items, headers = self.execute(op, call_args)
            return items or [], headers

        return paging.iterate(pager, fetch, offset=offset, limit=limit)
