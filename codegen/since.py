"""Which CloudAPI release brought what: the spec's ``since`` facts, gathered per operation.

The simulator plays an older server from these facts (``Simulator(api_version="9.15.0")``), through
``smartdc/testing/spec_since.py``, which codegen writes from :func:`operation_facts`. A field's
place in an answer is a path of JSON keys, ``*`` for the items of a list and ``{}`` for the values
of a map: ``("*", "suffixes")`` is the ``suffixes`` of every network ListNetworks answers.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import attrs
import yaml

from codegen import ir
from codegen.loader import load_spec
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


def value_facts(spec: ir.ApiSpec) -> dict[str, tuple[tuple[str, str], ...]]:
    """Per enum, its values a release after 9.0.0 brought, with that release."""
    found = {}
    for name in sorted(spec.enums):
        later = tuple((v.value, v.since) for v in spec.enums[name].values if v.since)
        if later:
            found[name] = later
    return found


def header_facts(spec: ir.ApiSpec) -> dict[str, str]:
    """Response headers a release after 9.0.0 brought, with that release (the earliest any
    operation names: a header the server sets on every answer is named once per operation)."""
    found: dict[str, str] = {}
    for op in spec.operations.values():
        for header, since in op.response.header_since:
            if header not in found or ir.version_key(since) < ir.version_key(found[header]):
                found[header] = since
    return dict(sorted(found.items()))


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


@attrs.frozen
class Removal:
    """A block of spec text taken out by :func:`spec_as_of`: put back at ``line`` of ``file``."""

    kind: str  # group | operation | param | field | wake | header | value | change | server_version
    name: str  # Operation, Operation.param (wire name), Model.field (JSON name), change name
    file: str  # relative to the spec folder
    line: int
    text: str


def _block(lines: list[str], keys: list[str]) -> tuple[int, int]:
    """The lines [start, end) of the YAML block at ``keys`` (block style, two-space indents)."""
    start, indent = 0, 0
    for depth, key in enumerate(keys):
        indent = 2 * depth if depth else 0
        pattern = f"{' ' * indent}{key}:"
        start = next(
            i
            for i in range(start, len(lines))
            if lines[i] == pattern or lines[i].startswith(f"{pattern} ")
        )
        if depth < len(keys) - 1:
            start += 1
    end = start + 1
    while end < len(lines):
        text = lines[end]
        if text.strip() and len(text) - len(text.lstrip()) <= indent:
            break
        end += 1
    # blank lines before the next block stay with it
    while end - 1 > start and not lines[end - 1].strip():
        end -= 1
    return start, end


def spec_as_of(spec_root: Path, version: str, out: Path) -> list[Removal]:
    """Write to ``out`` (a folder) the spec as it would have been at ``version``: what the spec
    says came later taken out as text, and ``server_version`` set. Returns what was taken out,
    newest edits last, so that putting the blocks back in reverse order restores the spec."""
    spec_root = Path(spec_root)
    base = spec_root.parent
    spec = load_spec(spec_root)
    key = ir.version_key(version)

    def later(since: str | None) -> bool:
        return since is not None and ir.version_key(since) > key

    root_doc = yaml.safe_load(spec_root.read_text(encoding="utf-8"))
    files = {Path(rel).stem: rel for rel in root_doc["groups"]}
    wanted: list[tuple[str, str, str, list[str]]] = []
    for group in spec.groups:
        rel = files[group.name]
        if group.operations and all(later(op.since) for op in group.operations):
            # the whole group came later: it leaves the root's list (its file stays unused)
            wanted.append(("group", group.name, spec_root.name, [f"  - {rel}"]))
            continue
        for op in group.operations:
            if later(op.since):
                wanted.append(("operation", op.name, rel, ["operations", op.name]))
                continue
            for p in op.params:
                if later(p.since):
                    wanted.append(
                        (
                            "param",
                            f"{op.name}.{p.wire_name}",
                            rel,
                            ["operations", op.name, "params", p.py_name],
                        )
                    )
            headers = op.response.header_since
            for header, since in headers:
                if later(since):
                    # the only header: its `headers:` goes (an empty mapping is no spec)
                    alone = len(op.response.headers) == 1
                    keys = ["operations", op.name, "response", "headers"]
                    wanted.append(
                        ("header", f"{op.name}.{header}", rel, keys if alone else [*keys, header])
                    )
        for enum in group.enums:
            for value in enum.values:
                if later(value.since):
                    wanted.append(
                        (
                            "value",
                            f"{enum.name}.{value.value}",
                            rel,
                            ["enums", enum.name, "values", value.value],
                        )
                    )
        for waiter in group.waiters:
            stream = spec.operations.get(waiter.wake.operation) if waiter.wake else None
            if stream is not None and later(stream.since):
                # a wait woken by a stream the release lacks polls on its timer
                wanted.append(("wake", waiter.name, rel, ["waiters", waiter.name, "wake"]))
        for model in group.models:
            for f in model.fields:
                if later(f.since):
                    wanted.append(
                        (
                            "field",
                            f"{model.name}.{f.json_name}",
                            rel,
                            ["models", model.name, "fields", f.py_name],
                        )
                    )
    root_rel = spec_root.name
    for change in spec.info.changes:
        if later(change.since):
            wanted.append(("change", change.name, root_rel, ["changes", change.name]))
    shutil.copytree(base, out, dirs_exist_ok=True)
    removals: list[Removal] = []
    texts = {
        rel: (out / rel).read_text(encoding="utf-8").split("\n")
        for rel in {w[2] for w in wanted} | {root_rel}
    }
    for kind, name, rel, keys in wanted:
        lines = texts[rel]
        if kind == "group":
            start = lines.index(keys[0])
            removals.append(Removal(kind, name, rel, start, lines[start]))
            del lines[start]
            continue
        start, end = _block(lines, keys)
        removals.append(Removal(kind, name, rel, start, "\n".join(lines[start:end])))
        del lines[start:end]
    root_lines = texts[root_rel]
    at = next(i for i, line in enumerate(root_lines) if line.strip().startswith("server_version:"))
    removals.append(
        Removal("server_version", spec.info.server_version, root_rel, at, root_lines[at])
    )
    root_lines[at] = root_lines[at].split(":")[0] + f": {version}"
    for rel, lines in texts.items():
        (out / rel).write_text("\n".join(lines), encoding="utf-8")
    return removals


def put_back(spec_dir: Path, removals: list[Removal]) -> None:
    """Write each block taken out by :func:`spec_as_of` back where it was (newest first)."""
    for removal in reversed(removals):
        path = Path(spec_dir) / removal.file
        lines = path.read_text(encoding="utf-8").split("\n")
        if removal.kind == "server_version":
            lines[removal.line] = removal.text
        else:
            lines[removal.line : removal.line] = removal.text.split("\n")
        path.write_text("\n".join(lines), encoding="utf-8")
