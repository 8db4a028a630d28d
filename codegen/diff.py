"""What changed between two specs: operations, parameters, models and fields."""

from __future__ import annotations

from codegen import ir


def _params(op: ir.Operation) -> dict[str, str]:
    return {
        p.py_name: f"{p.location} {p.type}{' required' if p.required else ''}" for p in op.params
    }


def _fields(model: ir.Model) -> dict[str, str]:
    return {
        f.py_name: f"{f.json_name} {f.type}{' required' if f.required else ''}"
        for f in model.fields
    }


def _compare(
    kind: str, old: dict[str, str], new: dict[str, str], lines: list[str], indent: str
) -> None:
    for name in sorted(new.keys() - old.keys()):
        lines.append(f"{indent}+ {kind} {name}: {new[name]}")
    for name in sorted(old.keys() - new.keys()):
        lines.append(f"{indent}- {kind} {name}: {old[name]}")
    for name in sorted(old.keys() & new.keys()):
        if old[name] != new[name]:
            lines.append(f"{indent}~ {kind} {name}: {old[name]} -> {new[name]}")


def describe_changes(old: ir.ApiSpec, new: ir.ApiSpec) -> str:
    lines = [f"API {old.info.server_version} -> {new.info.server_version}"]
    old_ops, new_ops = old.operations, new.operations
    for name in sorted(new_ops.keys() - old_ops.keys()):
        op = new_ops[name]
        lines.append(f"+ operation {name}: {op.method} {op.path}")
    for name in sorted(old_ops.keys() - new_ops.keys()):
        lines.append(f"- operation {name}")
    for name in sorted(old_ops.keys() & new_ops.keys()):
        a, b = old_ops[name], new_ops[name]
        changes: list[str] = []
        for attr in ("method", "path", "response"):
            if getattr(a, attr) != getattr(b, attr):
                changes.append(f"    ~ {attr}: {getattr(a, attr)} -> {getattr(b, attr)}")
        _compare("param", _params(a), _params(b), changes, "    ")
        if changes:
            lines.append(f"~ operation {name}")
            lines.extend(changes)
    old_models, new_models = old.models, new.models
    for name in sorted(new_models.keys() - old_models.keys()):
        lines.append(f"+ model {name}")
    for name in sorted(old_models.keys() - new_models.keys()):
        lines.append(f"- model {name}")
    for name in sorted(old_models.keys() & new_models.keys()):
        changes = []
        _compare("field", _fields(old_models[name]), _fields(new_models[name]), changes, "    ")
        if changes:
            lines.append(f"~ model {name}")
            lines.extend(changes)
    if len(lines) == 1:
        lines.append("no changes")
    return "\n".join(lines)
