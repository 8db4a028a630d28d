"""The typed intermediate representation templates see (never raw YAML)."""

from __future__ import annotations

import keyword
import re

import attrs

from codegen.typeexpr import TypeRef

# One word of a CamelCase name: a plural acronym (``IPs``, ``VLANs``, ``NICs``), an acronym
# (``VNC`` before ``Console``), a capitalised or lower-case word, or digits.
_WORD = re.compile(r"[A-Z]{2,}s(?![a-z])|[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")


def snake(name: str) -> str:
    """``ListMachines`` -> ``list_machines``, ``ListNetworkIPs`` -> ``list_network_ips``."""
    return "_".join(
        word.lower() for part in re.split(r"[-_\s]+", name) for word in _WORD.findall(part)
    )


def safe_identifier(name: str) -> str:
    return f"{name}_" if keyword.iskeyword(name) else name


def version_key(version: str) -> tuple[int, ...]:
    """``"9.19.0"`` -> ``(9, 19, 0)``: versions compare as numbers, not text."""
    return tuple(int(part) for part in version.split("."))


def short_version(version: str) -> str:
    """``"9.19.0"`` -> ``"9.19"``, ``"9.8.7"`` stays: how docstrings name a CloudAPI release."""
    return version[: -len(".0")] if version.count(".") == 2 and version.endswith(".0") else version


@attrs.frozen
class Change:
    """A server behaviour change after 9.0.0 that no operation, parameter or field carries."""

    name: str
    since: str
    description: str
    source: str
    notes: str = ""


@attrs.frozen
class ApiInfo:
    title: str
    server_version: str
    api_version: str
    api_versions: tuple[str, ...]
    default_accept_version: str
    source: str
    changes: tuple[Change, ...] = ()  # behaviour changes, oldest first


@attrs.frozen
class ErrorCode:
    code: str
    status: int | None
    description: str


@attrs.frozen
class EnumValue:
    value: str
    description: str
    since: str | None = None  # the CloudAPI version that brought it (after 9.0.0)

    @property
    def member(self) -> str:
        name = re.sub(r"\W", "_", self.value).upper()
        return f"V_{name}" if not name or name[0].isdigit() else safe_identifier(name)


@attrs.frozen
class Enum:
    name: str
    description: str
    values: tuple[EnumValue, ...]
    group: str


@attrs.frozen
class Field:
    py_name: str
    json_name: str
    type: TypeRef
    required: bool
    nullable: bool
    description: str
    notes: str = ""
    source: str = ""  # where the server code sets it (required fields must say)
    secret: bool = False  # a credential: never in the model's repr
    since: str | None = None  # the CloudAPI version that brought it (after 9.0.0)

    @property
    def attr(self) -> str:
        return safe_identifier(self.py_name)


@attrs.frozen
class Model:
    name: str
    description: str
    fields: tuple[Field, ...]
    group: str

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.py_name == name), None)


@attrs.frozen
class Param:
    py_name: str
    wire_name: str
    location: str  # path | query | body | header
    type: TypeRef
    required: bool
    description: str
    family: str | None = None
    body_root: bool = False
    secret: bool = False
    ignored_keys: tuple[str, ...] = ()  # map keys the server drops silently ("*_pw" globs)
    source: str = ""  # where the server code reads it
    truthy: bool = False  # the server tests the raw string for truthiness: send false by omitting
    default: object = None  # the value sent when the caller gives none (message params)
    since: str | None = None  # the CloudAPI version that brought it (after 9.0.0)

    @property
    def arg(self) -> str:
        return safe_identifier(self.py_name)


@attrs.frozen
class Response:
    statuses: tuple[int, ...]
    content: str  # json | text | none | json-stream
    body: TypeRef | None
    headers: tuple[tuple[str, str], ...]
    stream_send: TypeRef | None = None  # websocket: the message sent after each connection
    stream_receive: TypeRef | None = None  # websocket: each message received (None: bytes)
    header_since: tuple[tuple[str, str], ...] = ()  # (header, the release that brought it)

    @property
    def may_be_empty(self) -> bool:
        """A body is declared but some listed status may come without one (e.g. 200 or 202).

        Only 2xx statuses count: a listed 3xx or 410 carries the body (GetMachine's 410 is the
        deleted machine), so an empty 200 next to it is a broken answer, not "no result".
        """
        return self.body is not None and len([s for s in self.statuses if s < 300]) > 1


@attrs.frozen
class Operation:
    name: str
    group: str
    summary: str
    description: str
    method: str
    path: str
    documented: bool
    since: str | None
    min_api_version: str | None
    head: str | None
    idempotent: bool
    is_async: bool
    waiter: str | None
    fixed_query: tuple[tuple[str, str], ...]
    params: tuple[Param, ...]
    response: Response
    errors: tuple[str, ...]
    auth: bool
    notes: str = ""
    sources: tuple[str, ...] = ()  # server code the facts were checked against
    api_versions: tuple[str, ...] = ()  # the route's own versions (restify `version:`)
    checked: str = ""  # what was checked against those sources

    @property
    def snake(self) -> str:
        return snake(self.name)

    @property
    def error_statuses(self) -> tuple[int, ...]:
        """4xx/5xx statuses listed as answers with data (GetMachine's 410: the deleted machine)."""
        return tuple(s for s in self.response.statuses if s >= 400)

    @property
    def streaming(self) -> bool:
        """A WebSocket operation: the client method opens a stream instead of a request."""
        return self.response.content == "websocket"

    @property
    def path_params(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.location == "path")

    @property
    def other_params(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.location != "path")

    @property
    def template_names(self) -> list[str]:
        return re.findall(r"\{(\w+)\}", self.path)


@attrs.frozen
class Acceptor:
    state: str  # success | retry | failure
    matcher: str  # path | status | error
    expected: object
    argument: str | None = None


@attrs.frozen
class Wake:
    """A stream that wakes a waiter: poll again when a message names a watched id."""

    operation: str
    params: tuple[tuple[str, object], ...]
    match: str  # message field (wire name) holding the changed id
    param: str  # the polled operation's parameter compared with it
    filter: str | None = None  # the stream parameter limiting messages to the watched ids


@attrs.frozen
class Waiter:
    name: str
    description: str
    operation: str
    min_delay: float
    max_delay: float
    timeout: float
    acceptors: tuple[Acceptor, ...]
    group: str
    wake: Wake | None = None

    @property
    def snake(self) -> str:
        return snake(self.name)


@attrs.frozen
class Paginator:
    name: str
    operation: str
    offset_param: str
    limit_param: str
    max_limit: int
    count_header: str
    limit_header: str
    item_key: str = "id"  # JSON key identifying an item (never yielded twice)
    item_attr: str = "id"  # its Python attribute on the item model
    filtered_pages: bool = False  # a short page is not the last (the server filters after paging)
    source: str = ""


@attrs.frozen
class Group:
    name: str
    title: str
    description: str
    enums: tuple[Enum, ...]
    models: tuple[Model, ...]
    operations: tuple[Operation, ...]
    waiters: tuple[Waiter, ...]
    paginators: tuple[Paginator, ...]


@attrs.frozen
class ApiSpec:
    info: ApiInfo
    errors: tuple[ErrorCode, ...]
    groups: tuple[Group, ...]
    digest: str  # short sha256 of every spec file, for generated headers

    @property
    def models(self) -> dict[str, Model]:
        return {m.name: m for g in self.groups for m in g.models}

    @property
    def enums(self) -> dict[str, Enum]:
        return {e.name: e for g in self.groups for e in g.enums}

    @property
    def operations(self) -> dict[str, Operation]:
        return {o.name: o for g in self.groups for o in g.operations}

    @property
    def waiters(self) -> dict[str, Waiter]:
        return {w.name: w for g in self.groups for w in g.waiters}

    @property
    def paginators(self) -> dict[str, Paginator]:
        return {p.operation: p for g in self.groups for p in g.paginators}
