"""Operation metadata: what the generated table ``smartdc._generated.metadata`` is made of.

Types are nested tuples so no parser is needed at runtime: ``"string"``, ``"Machine"``,
``("list", "Nic")``, ``("map", "any")``, ``("union", "integer", "string")``.
"""

from __future__ import annotations

from typing import Union

import attrs

TypeSpec = Union[str, tuple["TypeSpec", ...]]  # noqa: UP007 (a recursive alias needs Union)


@attrs.frozen
class ParamMeta:
    name: str  # Python name
    wire: str  # name on the wire
    location: str  # path | query | body | header
    type: TypeSpec
    required: bool = False
    family: str | None = None  # "metadata.": each key k is sent as "metadata.k"
    body_root: bool = False  # the value is the whole body
    secret: bool = False
    description: str = ""
    ignored_keys: tuple[str, ...] = ()  # map keys the server drops without an error (globs)
    truthy: bool = False  # the server tests the raw string: False is sent by leaving it out


@attrs.frozen
class OperationMeta:
    name: str
    method_name: str  # the CloudAPI client method
    group: str
    summary: str
    http_method: str
    path: str
    params: tuple[ParamMeta, ...]
    statuses: tuple[int, ...]
    content: str  # json | text | none | json-stream
    body_type: TypeSpec | None
    since: str | None = None
    min_api_version: str | None = None
    idempotent: bool = True
    is_async: bool = False
    auth: bool = True
    documented: bool = True
    head: str | None = None
    waiter: str | None = None
    fixed_query: tuple[tuple[str, str], ...] = ()
    errors: tuple[str, ...] = ()

    def param(self, name: str) -> ParamMeta | None:
        return next((p for p in self.params if p.name == name), None)
