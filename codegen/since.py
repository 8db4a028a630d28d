"""Which CloudAPI release brought what: the spec's ``since`` facts, gathered per operation.

The simulator plays an older server from these facts (``Simulator(api_version="9.15.0")``), through
``smartdc/testing/spec_since.py``, which codegen writes from :func:`operation_facts`. A field's
place in an answer is a path of JSON keys, ``*`` for the items of a list and ``{}`` for the values
of a map: ``("*", "suffixes")`` is the ``suffixes`` of every network ListNetworks answers.
"""

from __future__ import annotations

import attrs

from codegen import ir
from codegen.typeexpr import TypeRef

ANY_ITEM = "*"
ANY_VALUE = "{}"
_MAX_DEPTH = 6  # model nesting followed into answers (the deepest real answer is 3)


@attrs.frozen
class OperationSince:
    """The since facts of one operation: its own, its parameters' and its answer's fields'."""

    name: str
    method: str
    path: str
    fixed_query: tuple[tuple[str, str], ...]
    since: str | None
    params: tuple[tuple[str, str], ...]  # (wire name, since) of parameters after 9.0.0
    fields: tuple[tuple[tuple[str, ...], str], ...]  # (JSON path in the answer, since)


def _field_paths(
    spec: ir.ApiSpec, ref: TypeRef | None, prefix: tuple[str, ...], seen: tuple[str, ...]
) -> list[tuple[tuple[str, ...], str]]:
    if ref is None or len(prefix) > _MAX_DEPTH:
        return []
    if ref.kind == "list":
        return _field_paths(spec, ref.args[0], (*prefix, ANY_ITEM), seen)
    if ref.kind == "map":
        return _field_paths(spec, ref.args[0], (*prefix, ANY_VALUE), seen)
    if ref.kind == "union":
        found: list[tuple[tuple[str, ...], str]] = []
        for arg in ref.args:
            found += [f for f in _field_paths(spec, arg, prefix, seen) if f not in found]
        return found
    model = spec.models.get(ref.name or "") if ref.kind == "named" else None
    if model is None or model.name in seen:
        return []
    found = []
    for field in model.fields:
        path = (*prefix, field.json_name)
        if field.since:
            found.append((path, field.since))
        found += _field_paths(spec, field.type, path, (*seen, model.name))
    return found


def operation_facts(spec: ir.ApiSpec) -> list[OperationSince]:
    """Every operation with its since facts (the routes without any tell an older server's
    unknown ``?action=`` from an unknown route)."""
    facts = []
    for op in spec.operations.values():
        params = tuple((p.wire_name, p.since) for p in op.params if p.since)
        fields = tuple(_field_paths(spec, op.response.body, (), ()))
        facts.append(
            OperationSince(op.name, op.method, op.path, op.fixed_query, op.since, params, fields)
        )
    return facts


def after(spec: ir.ApiSpec, version: str) -> dict[str, list[str]]:
    """What the spec says came after ``version``: operations, ``Op.param`` and ``Model.field``
    names and behaviour changes, each sorted (the replay of docs/developing.md removes these)."""
    key = ir.version_key(version)

    def later(since: str | None) -> bool:
        return since is not None and ir.version_key(since) > key

    return {
        "operations": sorted(o.name for o in spec.operations.values() if later(o.since)),
        "params": sorted(
            f"{o.name}.{p.wire_name}"
            for o in spec.operations.values()
            if not later(o.since)
            for p in o.params
            if later(p.since)
        ),
        "fields": sorted(
            f"{m.name}.{f.json_name}"
            for m in spec.models.values()
            for f in m.fields
            if later(f.since)
        ),
        "changes": sorted(c.name for c in spec.info.changes if later(c.since)),
    }
