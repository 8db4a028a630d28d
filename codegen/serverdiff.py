"""``python -m codegen server-diff``: what changed between two sdc-cloudapi trees, or between a
tree and spec/, read from the server's code, as a to-do list for the spec (or as JSON).

Sections (each left out when there is nothing in it):

* ``operations``: routes added or removed (name, method, path) and changed version ranges;
* ``params``: per operation, request parameters its handlers read that were added or removed;
* ``fields``: per model (the function that builds the answer, or the spec's model), fields
  added or removed;
* ``assignments``: keys the handlers set on other objects (an answer filled outside translate());
* ``validation``: errors raised (type and message) added or removed per operation;
* ``code``: other code changes the reader does not interpret (functions, tables, files): to
  review by hand;
* ``docs``: the docs' "Versions" entries next to what the code shows, and where they disagree;
* ``problems``: code the reader could not read or place (never silently skipped).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from codegen import ir
from codegen.servertree import RouteFacts, TreeFacts, path_shape, text_changes

Report = dict[str, Any]
_SOURCE = re.compile(r"sdc-cloudapi\s+(\S+\.js)\s+([\w.$]+)\(\)")


def _key(version: str) -> tuple[int, ...]:
    """A version as numbers; what is no version (an unread package.json) sorts first."""
    return ir.version_key(version) if re.fullmatch(r"\d+(\.\d+)*", version) else (-1,)


def _added_removed(old: set[str], new: set[str]) -> dict[str, list[str]]:
    found = {}
    if new - old:
        found["added"] = sorted(new - old)
    if old - new:
        found["removed"] = sorted(old - new)
    return found


def _route_row(route: RouteFacts) -> dict[str, Any]:
    row: dict[str, Any] = {"name": route.name, "method": route.method, "path": route.path}
    if route.versions:
        row["versions"] = list(route.versions)
    row["source"] = f"{route.file}:{route.line}"
    return row


def _nested(reads: set[str]) -> set[str]:
    return {r for r in reads if "[]." in r}


def _reads(route: RouteFacts, action: str | None = None) -> set[str]:
    """What a request reaches: with ``action`` (``""``: the request without ``?action=``, when
    the route tells it apart) the handlers of that action and the ones every request passes,
    up to a ``next(false)`` that ends its chain; without, every handler's."""
    reads = set(route.reads) | route.actions.get(action or "", set())
    if action is not None:
        for key, extra in route.actions.items():
            if key.startswith("!") and key[1:] != action:
                reads |= extra
    if action is None:
        for extra in route.actions.values():
            reads |= extra
        reads |= route.late_reads
    elif action not in route.stopped:
        reads |= route.late_reads
    names = {r.split(".", 1)[1] if r.startswith(("query.", "body.")) else r for r in reads}
    path_names = set(re.findall(r":(\w+)", route.path))
    return {n for n in names if n not in path_names and n not in ("account", "action")}


def compare_trees(old: TreeFacts, new: TreeFacts) -> Report:
    report: Report = {"old": {"tree": old.root, "version": old.version}}
    report["new"] = {"tree": new.root, "version": new.version}
    ops: dict[str, Any] = {}
    added = [_route_row(new.routes[k]) for k in sorted(new.routes.keys() - old.routes.keys())]
    removed = [_route_row(old.routes[k]) for k in sorted(old.routes.keys() - new.routes.keys())]
    changed: list[dict[str, Any]] = []
    params: list[dict[str, Any]] = []
    validation: list[dict[str, Any]] = []
    assignments: list[dict[str, Any]] = []
    for key in sorted(old.routes.keys() & new.routes.keys()):
        a, b = old.routes[key], new.routes[key]
        for attr in ("method", "path", "versions"):
            if getattr(a, attr) != getattr(b, attr):
                changed.append(
                    {
                        "name": key,
                        "what": attr,
                        "old": _plain(getattr(a, attr)),
                        "new": _plain(getattr(b, attr)),
                    }
                )
        for rows, left, right in (
            (params, _reads(a), _reads(b)),
            (validation, a.errors, b.errors),
            (assignments, a.assigns, b.assigns),
        ):
            diff = _added_removed(left, right)
            if diff:
                rows.append({"operation": key, **diff})
    for name, rows in (("added", added), ("removed", removed), ("changed", changed)):
        if rows:
            ops[name] = rows
    if ops:
        report["operations"] = ops
    if params:
        report["params"] = params
    fields = _builder_fields(old, new)
    if fields:
        report["fields"] = fields
    if assignments:
        report["assignments"] = assignments
    if validation:
        report["validation"] = validation
    code = _code_changes(old, new)
    if code:
        report["code"] = code
    docs = _docs(old.docs, new.docs, old.version, new.version, report)
    if docs:
        report["docs"] = docs
    problems = sorted(set(new.problems) - set(old.problems))
    if problems or old.problems:
        report["problems"] = [f"new tree: {p}" for p in problems] + [
            f"old tree: {p}" for p in sorted(set(old.problems) - set(new.problems))
        ]
        if not report["problems"]:
            del report["problems"]
    return report


def _plain(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


_ANSWER_BUILDER = re.compile(r"^(translate|format|to[A-Z])")


def _answer_builders(tree: TreeFacts) -> set[str]:
    """The functions that build answers: translate*()/format*() reached from a route, and the
    builders nested in them (parseDisks inside translate)."""
    top = {
        b
        for r in tree.routes.values()
        for b in r.builders
        if _ANSWER_BUILDER.match(b.partition(" ")[2].split(".")[0])
    }
    return top | {k for k, (parent, _) in tree.nested.items() if parent in top}


def _answered_by(builder: str, tree: TreeFacts) -> list[str]:
    top = builder
    while top in tree.nested:
        top = tree.nested[top][0]
    return sorted(k for k, r in tree.routes.items() if top in r.builders)


def _builder_fields(old: TreeFacts, new: TreeFacts) -> list[dict[str, Any]]:
    rows = []
    for builder in sorted(_answer_builders(old) | _answer_builders(new)):
        tree = new if builder in new.builders else old
        row: dict[str, Any] = {"model": _model_name(builder, tree)}
        if builder in old.builders and builder in new.builders:
            row.update(_added_removed(set(old.builders[builder]), set(new.builders[builder])))
        elif builder in new.builders:
            row.update(added=sorted(new.builders[builder]), builder="added")
        else:
            row.update(removed=sorted(old.builders[builder]), builder="removed")
        if len(row) > 1:
            row["answered_by"] = _answered_by(builder, tree)
            rows.append(row)
    return rows


def _model_name(builder: str, tree: TreeFacts) -> str:
    """``lib/machines.js translate.parseDisks`` -> ``lib/machines.js translate() disks[]``."""
    if builder in tree.nested:
        parent, key = tree.nested[builder]
        return f"{_model_name(parent, tree)} {key}[]"
    return f"{builder}()"


def _code_changes(old: TreeFacts, new: TreeFacts) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for path in sorted(new.files - old.files):
        rows.append({"file": path, "change": "file added"})
    for path in sorted(old.files - new.files):
        rows.append({"file": path, "change": "file removed"})
    common_files = old.files & new.files
    for kind, left, right in (
        ("function", old.functions, new.functions),
        ("table", old.tables, new.tables),
    ):
        for key in sorted(left.keys() | right.keys()):
            file, _, name = key.partition(" ")
            if file not in common_files or "<" in name:
                continue
            if key not in left:
                rows.append({"file": file, kind: name, "change": "added"})
            elif key not in right:
                rows.append({"file": file, kind: name, "change": "removed"})
            elif left[key] != right[key]:
                rows.append(
                    {
                        "file": file,
                        kind: name,
                        "change": "changed",
                        "lines": text_changes(left[key], right[key]),
                    }
                )
    # anonymous functions: compared as one text per file (their names are their line numbers)
    for file in sorted(common_files):
        a = " ".join(
            v for k, v in sorted(old.functions.items()) if k.startswith(f"{file} ") and "<" in k
        )
        b = " ".join(
            v for k, v in sorted(new.functions.items()) if k.startswith(f"{file} ") and "<" in k
        )
        if a != b:
            rows.append(
                {
                    "file": file,
                    "function": "(anonymous functions)",
                    "change": "changed",
                    "lines": text_changes(a, b),
                }
            )
    return rows


def _docs(
    old_docs: list[Any],
    new_docs: list[Any],
    old_version: str,
    new_version: str,
    report: Report,
    *,
    name_unnamed: bool = True,
) -> dict[str, Any]:
    """The Versions entries the new docs have and the old ones lack, each with the names it
    mentions that the code changes show or not; code changes no entry names; a version without
    an entry."""
    known = {d.version for d in old_docs}
    entries = [d for d in new_docs if d.version not in known]
    corpus = _corpus(report).lower()
    found: dict[str, Any] = {}
    rows = []
    for entry in entries:
        mentions = sorted(entry.mentions)
        row = {"version": entry.version, "text": entry.text}
        seen = [m for m in mentions if m.lower() in corpus]
        unseen = [m for m in mentions if m.lower() not in corpus]
        if seen:
            row["seen_in_code"] = seen
        if unseen:
            row["not_seen_in_code"] = unseen
        if not mentions:
            row["not_seen_in_code"] = ["(names nothing the reader can look for)"]
        rows.append(row)
    if rows:
        found["entries"] = rows
    text = " ".join(d.text for d in entries).lower()
    unnamed = sorted({n for n in _finding_names(report) if n.lower() not in text})
    if unnamed and name_unnamed:
        found["code_not_in_docs"] = unnamed
    documented = {d.version for d in new_docs}
    if new_version not in documented and _key(new_version) > _key(old_version):
        found["version_without_entry"] = new_version
    return found


def _corpus(report: Report) -> str:
    parts: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                if k not in ("docs", "old", "new"):
                    walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        else:
            parts.append(str(value))

    walk(report)
    return " ".join(parts)


def _finding_names(report: Report) -> set[str]:
    """The names a docs entry would use for a finding: operations, parameters, fields."""
    names: set[str] = set()
    for row in report.get("operations", {}).get("added", []) + report.get("operations", {}).get(
        "removed", []
    ):
        names.add(row["name"])
    for section in ("params", "fields"):
        for row in report.get(section, []):
            names |= set(row.get("added", [])) | set(row.get("removed", []))
    for row in report.get("assignments", []):
        names |= {a.rsplit(".", 1)[-1].rsplit(": ", 1)[-1] for a in row.get("added", [])}
    return names


# -- a tree against the spec ------------------------------------------------------------------


def _spec_shape(op: ir.Operation) -> tuple[str, str]:
    return op.method, path_shape(op.path)


def _route_matches(route_path: str, spec_path: str) -> bool:
    """Whether a request to the spec's path reaches the route (``:x`` takes any segment)."""
    left = [s for s in route_path.split("/") if s]
    right = [s for s in spec_path.split("/") if s]
    if len(left) != len(right):
        return False
    return all(
        a.startswith(":") or (a == b and not b.startswith("{"))
        for a, b in zip(left, right, strict=False)
    )


def _pair(tree: TreeFacts, spec: ir.ApiSpec) -> dict[tuple[str, str], list[RouteFacts]]:
    """Spec operation (or HEAD form) -> the routes serving it: the same method and path shape,
    else the general routes its path reaches (role tags on any path, Ping on /:account)."""
    paired: dict[tuple[str, str], list[RouteFacts]] = {}
    for op in spec.operations.values():
        # keyed by the operation, not the HEAD route's name: the server names two HEAD routes
        # HeadMachineMetadata (lib/metadata.js), one per GET route
        forms = [(op.name, op.method)] + ([(op.name, "HEAD")] if op.head else [])
        for name, method in forms:
            same = [r for r in tree.routes.values() if r.shape == (method, path_shape(op.path))]
            if not same:
                same = [
                    r
                    for r in tree.routes.values()
                    if r.method == method and _route_matches(r.path, op.path)
                ]
                # the most specific: fewest parameters
                same = sorted(same, key=lambda r: r.path.count(":"))[:1]
            if same:
                paired[(name, method)] = same
    return paired


def common_params(tree: TreeFacts, share: float = 0.2) -> set[str]:
    """Parameters read by at least ``share`` of the routes: the framework's (origin, role-tag),
    not any operation's; left out of per-operation comparisons with the spec."""
    counts: dict[str, int] = {}
    for route in tree.routes.values():
        for name in _reads(route):
            counts[name] = counts.get(name, 0) + 1
    return {n for n, c in counts.items() if c >= share * max(1, len(tree.routes))}


def _item_keys(spec: ir.ApiSpec, op: ir.Operation) -> set[str]:
    """``param[].field`` for every array parameter of a model type: the keys the spec knows."""
    keys = set()
    for param in op.params:
        if param.type.kind == "list" and param.type.args[0].kind == "named":
            model = spec.models.get(param.type.args[0].name or "")
            if model is not None:
                keys |= {f"{param.wire_name}[].{f.json_name}" for f in model.fields}
    return keys


IGNORE_FILE = "server_diff.yaml"  # beside the spec's root file
_IGNORE_KEYS = {"operations", "add", "remove", "reason"}


def load_ignores(path: Path) -> list[dict[str, Any]]:
    """spec/server_diff.yaml's reviewed exceptions: ``operations``, the parameters to ``add`` or
    ``remove`` server-diff reports for them that are no to-do, and the ``reason``. A missing
    file is an empty list; a malformed item is a ValueError naming it."""
    if not path.is_file():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    items = data.get("ignore") or []
    if set(data) - {"ignore"} or not isinstance(items, list):
        raise ValueError(f"{path}: only an `ignore:` list is understood")
    for index, item in enumerate(items):
        where = f"{path}: ignore[{index}]"
        if not isinstance(item, dict) or set(item) - _IGNORE_KEYS:
            raise ValueError(f"{where}: keys are {sorted(_IGNORE_KEYS)}")
        if not str(item.get("reason") or "").strip():
            raise ValueError(f"{where}: no reason")
        if not item.get("operations") or not (item.get("add") or item.get("remove")):
            raise ValueError(f"{where}: names no operations or no parameters to add/remove")
    return items


def _apply_ignores(report: Report, ignores: list[dict[str, Any]]) -> None:
    """Take the reviewed exceptions out of ``params``; count them (``ignored``) and list those
    that matched nothing (``ignores_unused``): a stale exception is itself a to-do."""
    rows = {row["operation"]: row for row in report.get("params", [])}
    ignored, unused = 0, []
    for item in ignores:
        for op in item["operations"]:
            for verb, key in (("add", "added"), ("remove", "removed")):
                for name in item.get(verb) or []:
                    row = rows.get(op)
                    if row is not None and name in row.get(key, []):
                        row[key].remove(name)
                        ignored += 1
                    else:
                        unused.append(f"{op}: {verb} parameter {name}")
    for row in rows.values():
        for key in ("added", "removed"):
            if key in row and not row[key]:
                del row[key]
    remaining = [row for row in report.get("params", []) if len(row) > 1]
    if remaining:
        report["params"] = remaining
    else:
        report.pop("params", None)
    if ignored:
        report["ignored"] = ignored
    if unused:
        report["ignores_unused"] = unused


def compare_spec(
    tree: TreeFacts, spec: ir.ApiSpec, ignores: list[dict[str, Any]] | None = None
) -> Report:
    """What the code of ``tree`` shows that spec/ does not say, and the reverse; less the
    reviewed exceptions of ``ignores`` (:func:`load_ignores`)."""
    report: Report = {"old": {"spec": spec.info.server_version}}
    report["new"] = {"tree": tree.root, "version": tree.version}
    paired = _pair(tree, spec)
    used = {id(r) for routes in paired.values() for r in routes}
    ops: dict[str, Any] = {}
    added = [
        _route_row(r)
        for r in sorted(tree.routes.values(), key=lambda r: (r.name, r.method))
        if id(r) not in used
    ]
    removed = [
        {"name": op.name, "method": op.method, "path": op.path}
        for op in spec.operations.values()
        if (op.name, op.method) not in paired
    ]
    changed: list[dict[str, Any]] = []
    params: list[dict[str, Any]] = []
    common = common_params(tree)
    oldest = min(spec.info.api_versions, key=ir.version_key)
    for op in spec.operations.values():
        routes = paired.get((op.name, op.method))
        if not routes:
            continue
        spec_versions = sorted(op.api_versions, key=ir.version_key)
        code_versions = sorted({v for r in routes for v in r.versions}, key=_key)
        if spec_versions and spec_versions != code_versions:
            changed.append(
                {"name": op.name, "what": "versions", "old": spec_versions, "new": code_versions}
            )
        elif not spec_versions and code_versions:
            lowest = code_versions[0]
            if (op.min_api_version or oldest) != lowest:
                changed.append(
                    {
                        "name": op.name,
                        "what": "min_api_version",
                        "old": op.min_api_version,
                        "new": lowest,
                    }
                )
        action = dict(op.fixed_query).get("action")
        # `action` is never compared: the reader takes it for the ?action= switch (_reads())
        wanted = {
            p.wire_name
            for p in op.params
            if p.location in ("query", "body")
            and not p.family
            and not p.body_root
            and p.wire_name != "action"
        }
        read = set().union(
            *(_reads(r, action if action or "" not in r.actions else "") for r in routes)
        )
        read -= common
        flat = {r for r in read if "[]." not in r}
        # a parameter the spec has in the path or a header is no missing one either
        elsewhere = {p.wire_name for p in op.params} - wanted
        diff = _added_removed(wanted - common, flat - elsewhere)
        # keys read on the items of an array parameter (disks[].block_size): only those the
        # spec's item model lacks (a key passed on unread to a backend is not a missing one)
        known = _item_keys(spec, op)
        extra = sorted(r for r in _nested(read) if r not in known)
        if extra:
            diff["added"] = sorted([*diff.get("added", []), *extra])
        if diff:
            params.append({"operation": op.name, **diff})
    if common:
        report["common_params"] = sorted(common)
    for name, rows in (("added", added), ("removed", removed), ("changed", changed)):
        if rows:
            ops[name] = rows
    if ops:
        report["operations"] = ops
    if params:
        report["params"] = params
    _apply_ignores(report, ignores or [])
    fields = _spec_fields(tree, spec, paired)
    if fields:
        report["fields"] = fields
    docs = _docs(
        [d for d in tree.docs if _key(d.version) <= _key(spec.info.server_version)],
        tree.docs,
        spec.info.server_version,
        tree.version,
        report,
        name_unnamed=False,  # against the spec, a finding may be old: only entries are compared
    )
    if docs:
        report["docs"] = docs
    if tree.problems:
        report["problems"] = list(tree.problems)
    return report


def _spec_fields(
    tree: TreeFacts, spec: ir.ApiSpec, paired: dict[tuple[str, str], list[RouteFacts]]
) -> list[dict[str, Any]]:
    """Per spec model: the fields the builders its fields name (``source:``) set, and the keys
    handlers set on those builders' objects, against the model's fields."""
    models = spec.models
    # builder id -> spec model: the model with the most fields naming the builder as source
    votes: dict[str, dict[str, int]] = {}
    for model in models.values():
        for field in model.fields:
            found = _SOURCE.search(field.source)
            if found and f"{found.group(1)} {found.group(2)}" in tree.builders:
                tally = votes.setdefault(f"{found.group(1)} {found.group(2)}", {})
                tally[model.name] = tally.get(model.name, 0) + 1
    owner = {b: max(sorted(tally), key=lambda m: tally[m]) for b, tally in votes.items()}
    # nested builders: the model of the parent's field they fill (Machine.disks -> MachineDisk)
    for nested, (parent, key) in sorted(tree.nested.items()):
        parent_model = models.get(owner.get(parent, ""))
        filled = (
            next((f for f in parent_model.fields if f.json_name == key), None)
            if parent_model
            else None
        )
        if filled is not None:
            refs = [r for r in filled.type.named_refs() if r in models]
            if refs:
                owner.setdefault(nested, refs[0])
    set_by: dict[str, set[str]] = {b: set(keys) for b, keys in tree.builders.items() if b in owner}
    for routes in paired.values():
        for assign in {a for route in routes for a in route.assigns}:
            builder, sep, key = assign.partition(": ")
            if sep and builder in set_by:
                set_by[builder].add(key)
    by_model: dict[str, set[str]] = {}
    named: dict[str, set[str]] = {}
    for builder, keys in set_by.items():
        by_model.setdefault(owner[builder], set()).update(k for k in keys if not k.startswith("["))
    for model in models.values():
        for field in model.fields:
            found = _SOURCE.search(field.source)
            builder = f"{found.group(1)} {found.group(2)}" if found else ""
            # a field of a builder that copies its input may come from the input: not missing
            if owner.get(builder) == model.name and builder not in tree.copying:
                named.setdefault(model.name, set()).add(field.json_name)
    rows = []
    for name in sorted(by_model):
        fields = {f.json_name for f in models[name].fields}
        added = by_model[name] - fields
        removed = named.get(name, set()) - by_model[name]
        diff: dict[str, list[str]] = {}
        if added:
            diff["added"] = sorted(added)
        if removed:
            diff["removed"] = sorted(removed)
        if diff:
            builders = sorted(
                _model_name(b, tree) for b, m in owner.items() if m == name and b in set_by
            )
            rows.append({"model": name, "built_by": builders, **diff})
    return rows


# -- text -------------------------------------------------------------------------------------


def render_text(report: Report) -> str:
    """The report as a to-do list for the spec."""
    old, new = report["old"], report["new"]
    left = f"spec/ ({old['spec']})" if "spec" in old else f"{old['tree']} ({old['version']})"
    lines = [f"server-diff: {left} -> {new['tree']} ({new['version']})"]
    ops = report.get("operations", {})
    if ops:
        lines.append("")
        lines.append("Operations:")
        for row in ops.get("added", []):
            extra = f" versions {row['versions']}" if row.get("versions") else ""
            lines.append(
                f"  [ ] add operation {row['name']}: {row['method']} {row['path']}{extra} ({row.get('source', '')})"
            )
        for row in ops.get("removed", []):
            lines.append(f"  [ ] remove operation {row['name']}: {row['method']} {row['path']}")
        for row in ops.get("changed", []):
            lines.append(f"  [ ] {row['name']}: {row['what']} {row['old']} -> {row['new']}")
    for section, title, verb in (
        ("params", "Request parameters (read by the handlers)", "parameter"),
        ("fields", "Response fields", "field"),
        (
            "assignments",
            "Keys the handlers set on objects (answer fields set outside translate())",
            "key",
        ),
        ("validation", "Validation (errors raised)", "error"),
    ):
        rows = report.get(section, [])
        if not rows:
            continue
        lines.append("")
        lines.append(f"{title}:")
        for row in rows:
            head = row.get("operation") or row.get("model")
            built = f" (built by {', '.join(row['built_by'])})" if row.get("built_by") else ""
            if row.get("answered_by"):
                built += f" (answers {', '.join(row['answered_by'])})"
            lines.append(f"  {head}{built}:")
            for item in row.get("added", []):
                lines.append(f"    [ ] add {verb} {item}")
            for item in row.get("removed", []):
                lines.append(f"    [ ] remove {verb} {item}")
    if report.get("code"):
        lines.append("")
        lines.append("Other code changes (not interpreted: review by hand):")
        for row in report["code"]:
            what = row.get("function") or row.get("table") or ""
            kind = "table " if "table" in row else ""
            lines.append(f"  [ ] {row['file']} {kind}{what}: {row['change']}".replace("  :", ":"))
            for line in row.get("lines", []):
                lines.append(f"        {line}")
    docs = report.get("docs", {})
    if docs:
        lines.append("")
        lines.append('docs/index.md "Versions" beside the code:')
        for row in docs.get("entries", []):
            lines.append(f"  {row['version']}: {row['text']}")
            if row.get("seen_in_code"):
                lines.append(f"    seen in the code changes: {', '.join(row['seen_in_code'])}")
            if row.get("not_seen_in_code"):
                lines.append(
                    f"    NOT seen in the code changes: {', '.join(row['not_seen_in_code'])}"
                )
        if docs.get("code_not_in_docs"):
            lines.append(f"  code changes no entry names: {', '.join(docs['code_not_in_docs'])}")
        if docs.get("version_without_entry"):
            lines.append(f"  package.json {docs['version_without_entry']} has no entry in Versions")
    if report.get("ignores_unused"):
        lines.append("")
        lines.append(f"Exceptions in spec/{IGNORE_FILE} that match nothing (remove them):")
        lines += [f"  [ ] {item}" for item in report["ignores_unused"]]
    if report.get("ignored"):
        lines.append("")
        lines.append(
            f"{report['ignored']} findings left out as spec/{IGNORE_FILE} says (each with its"
            " reason)"
        )
    if report.get("common_params"):
        lines.append("")
        lines.append(
            "Read by most routes (the framework's; not compared per operation): "
            + ", ".join(report["common_params"])
        )
    if report.get("problems"):
        lines.append("")
        lines.append("Not read (check by hand):")
        lines += [f"  {p}" for p in report["problems"]]
    if len(lines) == 1:
        lines.append("no differences")
    return "\n".join(lines)
