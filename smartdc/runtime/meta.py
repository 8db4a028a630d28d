"""The service model: every operation, waiter and paginator as data (botocore's ``service_model``).

The generated ``smartdc._generated.service.SERVICE`` is one :class:`ServiceModel`; the client reads
only it. It holds what the runtime reads (argument checks, request building, version checks, waits,
paging) and nothing else: descriptions live once, in the client methods' docstrings.

Types are nested tuples so no parser is needed at runtime: ``"string"``, ``"Machine"``,
``("list", "Nic")``, ``("map", "any")``, ``("union", "integer", "string")``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Union

if TYPE_CHECKING:
    from smartdc.runtime.paging import PaginatorSpec
    from smartdc.runtime.waiting import WaiterSpec
    from smartdc.transport import Response

TypeSpec = Union[str, tuple["TypeSpec", ...]]  # noqa: UP007 (a recursive alias needs Union)


@dataclass(frozen=True, slots=True)
class ParamMeta:
    name: str  # Python name
    location: str  # path | query | body | header | message (sent on the open WebSocket)
    type: TypeSpec
    required: bool = False
    wire: str = ""  # name on the wire, when it differs from the Python name (default: name)
    family: str | None = None  # "metadata.": each key k is sent as "metadata.k"
    body_root: bool = False  # the value is the whole body
    secret: bool = False
    ignored_keys: tuple[str, ...] = ()  # map keys the server drops without an error (globs)
    truthy: bool = False  # the server tests the raw string: False is sent by leaving it out
    default: object = None  # sent when the caller gives no value (message parameters)

    def __post_init__(self) -> None:
        if not self.wire:
            object.__setattr__(self, "wire", self.name)


@dataclass(frozen=True, slots=True)
class OperationMeta:
    name: str
    method_name: str  # the CloudAPI client method
    group: str
    http_method: str
    path: str
    result: Callable[[Response], Any]  # decodes a response into the method's return value
    params: tuple[ParamMeta, ...] = ()
    error_statuses: tuple[int, ...] = ()  # 4xx/5xx statuses that answer with data, not an error
    returns_body: bool = True  # a result is due (a bodiless listed 3xx says where: followed)
    since: str | None = None
    idempotent: bool = True
    head: str | None = None  # the route name of its HEAD form
    waiter: str | None = None  # the waiter that follows it
    fixed_query: tuple[tuple[str, str], ...] = ()
    api_versions: tuple[str, ...] = ()  # the route's own versions: Accept-Version asks for them

    def param(self, name: str) -> ParamMeta | None:
        return next((p for p in self.params if p.name == name), None)

    @property
    def path_params(self) -> tuple[ParamMeta, ...]:
        """The positional parameters of the client method, in order."""
        return tuple(p for p in self.params if p.location == "path")


@dataclass(frozen=True, slots=True)
class ServiceModel:
    title: str
    server_version: str
    api_versions: tuple[str, ...]
    enum_names: frozenset[str]
    operations: Mapping[str, OperationMeta]
    waiters: Mapping[str, WaiterSpec]
    paginators: Mapping[str, PaginatorSpec]
    default_accept_version: str | None = None  # the Accept-Version a client sends by default
    # the spec's behaviour changes after 9.0.0: name -> the CloudAPI version that brought it
    changes: Mapping[str, str] = field(default_factory=dict)
    by_method: Mapping[str, OperationMeta] = field(init=False)

    def __post_init__(self) -> None:
        by_method = {op.method_name: op for op in self.operations.values()}
        object.__setattr__(self, "by_method", by_method)
