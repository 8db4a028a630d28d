"""What the spec says about where its facts come from: the data of docs/fidelity.md.

Each operation names the server code it was checked against (``sources``) and what was checked
(``checked``); each required response field names where the server always sets it (``source``).
:func:`required_fields_without_source` lists the required fields that do not say yet (the check
that will make codegen refuse them once the audit is complete).
"""

from __future__ import annotations

import attrs

from codegen import ir
from codegen.typeexpr import TypeRef


@attrs.frozen
class OperationRow:
    name: str
    method: str
    path: str
    sources: tuple[str, ...]
    checked: str
    required_fields: int  # required fields of the models the answer holds (nested included)
    sourced_fields: int  # of which name their source


@attrs.frozen
class GroupRows:
    title: str
    operations: tuple[OperationRow, ...]


def _reachable_models(spec: ir.ApiSpec, ref: TypeRef | None) -> list[ir.Model]:
    """The models a type holds, directly or through nested fields, each once, in first-seen order."""
    models = spec.models
    found: dict[str, ir.Model] = {}
    pending = list(ref.named_refs()) if ref is not None else []
    while pending:
        name = pending.pop(0)
        model = models.get(name)
        if model is None or name in found:
            continue
        found[name] = model
        for field in model.fields:
            pending.extend(field.type.named_refs())
    return list(found.values())


def required_fields_without_source(spec: ir.ApiSpec) -> list[str]:
    """``Model.field`` (JSON names) of every required model field whose ``source`` is empty."""
    return [
        f"{model.name}.{field.json_name}"
        for group in spec.groups
        for model in group.models
        for field in model.fields
        if field.required and not field.source.strip()
    ]


def unsourced_response_fields(spec: ir.ApiSpec) -> list[tuple[ir.Model, ir.Field]]:
    """Required fields of models the server sends (reachable from a response body or a stream's
    messages) that do not say where the server sets them. The spec refuses these: whether a
    field is required is decided from the server code, so the spec names the place."""
    return [
        (model, field)
        for model in sent_models(spec)
        for field in model.fields
        if field.required and not field.source.strip()
    ]


def sent_models(spec: ir.ApiSpec) -> list[ir.Model]:
    """Every model the server sends: reachable from a response body or a stream's messages."""
    sent: dict[str, ir.Model] = {}
    for op in spec.operations.values():
        for ref in (op.response.body, op.response.stream_receive):
            for model in _reachable_models(spec, ref):
                sent.setdefault(model.name, model)
    return list(sent.values())


def operation_rows(spec: ir.ApiSpec) -> list[GroupRows]:
    groups = []
    for group in spec.groups:
        rows = []
        for op in group.operations:
            fields = [
                f for m in _reachable_models(spec, op.response.body) for f in m.fields if f.required
            ]
            rows.append(
                OperationRow(
                    name=op.name,
                    method=op.method,
                    path=op.path,
                    sources=op.sources,
                    checked=" ".join(op.checked.split()),
                    required_fields=len(fields),
                    sourced_fields=sum(1 for f in fields if f.source.strip()),
                )
            )
        if rows:
            groups.append(GroupRows(group.title, tuple(rows)))
    return groups


def summary(spec: ir.ApiSpec) -> dict[str, int]:
    """Counts for the head of docs/fidelity.md."""
    operations = list(spec.operations.values())
    required = [f for m in sent_models(spec) for f in m.fields if f.required]
    params = [p for op in operations for p in op.params]
    return {
        "operations": len(operations),
        "operations_with_sources": sum(1 for op in operations if op.sources),
        "required_fields": len(required),
        "required_fields_with_source": sum(1 for f in required if f.source.strip()),
        "params": len(params),
        "params_with_source": sum(1 for p in params if p.source.strip()),
        "truthy_params": sum(1 for p in params if p.truthy),
    }
