"""The facts of one sdc-cloudapi source tree, read from its code (``codegen.jsreader``) and from
its docs' "Versions" section: what ``python -m codegen server-diff`` compares.

Facts are plain data (sets and dicts of strings), so two trees, or a tree and the spec, compare
by set differences. Per route: the request parameters its handlers read (following the calls
they make into functions of the tree, a few levels deep), the errors they raise with their
messages, the objects they build (``translate()``) and the keys they set on other objects.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from pathlib import Path

import attrs

from codegen.jsreader import Function, Problem, SourceFile, read_source

CALL_DEPTH = 3  # calls followed from a handler: deep enough for helpers, not into the whole tree
_NOT_PARAMS = {"account", "action"}  # restify's own (the login in the path, the ?action= switch)
_VERSION_HEADING = re.compile(r"^#{1,6}\s*v?(\d+\.\d+\.\d+)\s*$")
_ACTION_GATE = re.compile(r"action (?:!==|!=) '([\w-]+)'")
# if (action === 'watch') { next(); return; }: the handler of every action but that one
_ACTION_EXCEPT = re.compile(
    r"action (?:===|==) '([\w-]+)' \) \{? ?(?:return next \( \)|next \( \) ; return)"
)
_NO_ACTION_GATE = re.compile(
    r"if \( (?:req \. (?:params|query) \. )?action \) \{? ?return next \( \)"
)
_STOP = "next ( false )"


@attrs.define
class RouteFacts:
    name: str
    method: str
    path: str
    file: str
    line: int
    versions: tuple[str, ...]
    reads: set[str] = attrs.Factory(set)
    errors: set[str] = attrs.Factory(set)
    assigns: set[str] = attrs.Factory(set)
    builders: set[str] = attrs.Factory(set)  # function ids ("lib/x.js translate") reached
    # ?action= value -> parameters its handlers read ("": no action; "!x": every action but x)
    actions: dict[str, set[str]] = attrs.Factory(dict)
    readers: dict[str, set[str]] = attrs.Factory(dict)  # parameter -> function ids reading it
    stopped: set[str] = attrs.Factory(set)  # ?action= values ("" none) whose chain next(false) ends
    late_reads: set[str] = attrs.Factory(set)  # read by handlers after such an end
    others_path: set[str] = attrs.Factory(set)  # read, but another route's path parameter

    @property
    def shape(self) -> tuple[str, str]:
        """Method and path with every parameter as ``*``: how routes and operations pair up."""
        return self.method, path_shape(self.path)


@attrs.define
class DocsVersion:
    version: str
    text: str  # the entry's text, whitespace folded

    @property
    def mentions(self) -> set[str]:
        """Names the entry points at: `code` spans and CamelCase or snake_case words."""
        names = set(re.findall(r"`([^`]+)`", self.text))
        names |= set(re.findall(r"\b(?:[A-Z][a-z]+){2,}\b", self.text))
        names |= {w for w in re.findall(r"\b[A-Za-z0-9]+_[A-Za-z0-9_]+\b", self.text)}
        names |= {w for w in re.findall(r"\b[A-Z]{2,}\d+\b", self.text)}  # ED25519
        return {n.strip() for n in names if n.strip()}


@attrs.define
class TreeFacts:
    root: str
    version: str
    routes: dict[str, RouteFacts]  # by route name
    builders: dict[str, list[str]]  # function id -> keys of the object it returns
    copying: set[str]  # builders whose object starts as a copy of their input (more keys pass)
    nested: dict[str, tuple[str, str]]  # nested builder id -> (parent builder id, key it fills)
    functions: dict[str, str]  # function id -> normalized body text
    tables: dict[str, str]  # "file NAME" -> normalized text of a top-level object/array
    files: set[str]
    docs: list[DocsVersion]
    problems: list[str]


def path_shape(path: str) -> str:
    shaped = re.sub(r":\w+|\{\w+\}", "*", path)
    return shaped.rstrip("/") or "/"


def _fid(fn: Function) -> str:
    return f"{fn.file} {fn.name}"


def _sources(root: Path) -> Iterable[Path]:
    for folder in ("lib", "plugins"):
        base = root / folder
        if base.is_dir():
            yield from sorted(p for p in base.rglob("*.js") if "node_modules" not in p.parts)


def read_docs_versions(text: str) -> list[DocsVersion]:
    """The entries of docs/index.md's "Versions" section, newest first as written."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == "# Versions"), None)
    if start is None:
        return []
    found: list[DocsVersion] = []
    current: str | None = None
    body: list[str] = []
    for line in lines[start + 1 :]:
        heading = _VERSION_HEADING.match(line.strip())
        if heading or (line.startswith("# ") and not heading):
            if current is not None:
                found.append(DocsVersion(current, " ".join(" ".join(body).split())))
            if not heading:
                break
            current, body = heading.group(1), []
            continue
        if current is not None:
            body.append(line)
    if current is not None and (not found or found[-1].version != current):
        found.append(DocsVersion(current, " ".join(" ".join(body).split())))
    return found


def read_tree(root: Path) -> TreeFacts:
    """Every fact server-diff compares, from an sdc-cloudapi checkout (lib/, plugins/, docs/)."""
    root = Path(root)
    problems: list[str] = []
    if not (root / "lib").is_dir():
        raise FileNotFoundError(f"{root}: no lib/ folder: not an sdc-cloudapi tree")
    version = "unknown"
    try:
        version = str(json.loads((root / "package.json").read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError) as exc:
        problems.append(f"package.json: no version read ({exc})")
    sources: list[SourceFile] = []
    for path in _sources(root):
        rel = str(path.relative_to(root))
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{rel}: not read ({exc})")
            continue
        sources.append(read_source(rel, text))
    docs_path = root / "docs" / "index.md"
    docs = read_docs_versions(docs_path.read_text(encoding="utf-8")) if docs_path.is_file() else []
    if not docs:
        problems.append("docs/index.md: no Versions section read")
    for source in sources:
        problems += [_problem(p) for p in source.problems]
    return _facts(str(root), version, sources, docs, problems)


def _problem(problem: Problem) -> str:
    return f"{problem.file}:{problem.line}: {problem.what}"


def _facts(
    root: str, version: str, sources: list[SourceFile], docs: list[DocsVersion], problems: list[str]
) -> TreeFacts:
    by_file: dict[str, dict[str, Function]] = {}
    by_short: dict[str, list[Function]] = {}
    for source in sources:
        table = by_file.setdefault(source.path, {})
        for fn in source.functions:
            table[fn.name] = fn
            by_short.setdefault(fn.short, []).append(fn)

    requires = {source.path: source.requires for source in sources}

    def resolve(name: str, file: str) -> Function | None:
        local = by_file.get(file, {})
        if name in local:
            return local[name]
        if "." in name:  # module.function, when the module is a file of the tree
            module, _, short = name.partition(".")
            target = requires.get(file, {}).get(module)
            return by_file.get(target or "", {}).get(short)
        here = [f for f in local.values() if f.short == name and "<" not in f.name]
        if len(here) == 1:
            return here[0]
        anywhere = [f for f in by_short.get(name, []) if "<" not in f.name and f.parent is None]
        return anywhere[0] if len(anywhere) == 1 else None

    def children(fn: Function) -> list[Function]:
        return [f for f in by_file[fn.file].values() if f.parent == fn.name]

    def closure(start: Function) -> list[Function]:
        seen: dict[str, Function] = {}
        pending = [(start, 0)]
        while pending:
            fn, depth = pending.pop()
            if _fid(fn) in seen:
                continue
            seen[_fid(fn)] = fn
            pending += [(c, depth) for c in children(fn)]
            if depth < CALL_DEPTH:
                for call in fn.calls:
                    target = resolve(call, fn.file)
                    if target is not None:
                        pending.append((target, depth + 1))
        return list(seen.values())

    routes: dict[str, RouteFacts] = {}
    for source in sources:
        for route in source.routes:
            facts = RouteFacts(
                route.name,
                route.method,
                route.path,
                route.file,
                route.line,
                route.versions,
            )
            mount = next(
                (
                    f
                    for f in source.functions
                    if f.parent is None and f.line <= route.line and _inside(source, f, route.line)
                ),
                None,
            )
            injected = set(mount.params) if mount is not None else set()
            for handler in route.handlers:
                handler_fn = resolve(handler, source.path)
                if handler_fn is None:
                    if handler.split(".")[-1] not in injected:
                        problems.append(
                            f"{route.file}:{route.line}: {route.name}: handler {handler!r} not"
                            " found in the tree (its parameters and answer are not read)"
                        )
                    continue
                found = _ACTION_GATE.search(handler_fn.text)
                gate = found.group(1) if found else None
                if gate is None:
                    excepted = _ACTION_EXCEPT.search(handler_fn.text)
                    gate = f"!{excepted.group(1)}" if excepted else None
                if gate is None and _NO_ACTION_GATE.search(handler_fn.text):
                    gate = ""  # if (action) return next(): the request without ?action=
                reached = closure(handler_fn)
                reads = {r for f in reached for r in f.reads}
                # next(false) in the handler (or its callbacks) ends the chain for its action
                stops = any(
                    _STOP in f.text
                    for f in reached
                    if f is handler_fn or f.name.startswith(f"{handler_fn.name}.")
                )
                for f in reached:
                    for r in f.reads:
                        facts.readers.setdefault(r, set()).add(_fid(f))
                if gate is not None:
                    facts.actions.setdefault(gate, set()).update(reads)
                    if stops:
                        facts.stopped.add(gate)
                elif facts.stopped:
                    facts.late_reads |= reads
                else:
                    facts.reads |= reads
                # x = translateFoo(...) anywhere in the handler: x.key = ... fills that object
                built_from: dict[str, str] = {}
                for f in reached:
                    for var, builder in f.from_builders.items():
                        target = resolve(builder, f.file)
                        if target is not None and target.builds is not None:
                            built_from[var] = _fid(target)
                            facts.builders.add(_fid(target))
                for f in reached:
                    facts.errors |= f.errors
                    for assign in f.assigns:
                        var, key = assign.split(".", 1)
                        facts.assigns.add(
                            f"{built_from[var]}: {key}" if var in built_from else assign
                        )
                    if f.builds is not None:
                        facts.builders.add(_fid(f))
            key = route.name if route.name not in routes else f"{route.name} ({route.method})"
            if key in routes:
                problems.append(
                    f"{route.file}:{route.line}: route {route.name} {route.method} registered twice"
                )
            routes[key] = facts
    _drop_other_routes_path_params(routes)
    builders = {
        _fid(fn): list(fn.builds)
        for table in by_file.values()
        for fn in table.values()
        if fn.builds is not None
    }
    copying = {
        _fid(fn)
        for table in by_file.values()
        for fn in table.values()
        if fn.builds is not None and fn.copies
    }
    nested = {
        _fid(fn): (f"{fn.file} {fn.parent}", fn.assigned_to)
        for table in by_file.values()
        for fn in table.values()
        if fn.builds is not None and fn.parent is not None and fn.assigned_to is not None
    }
    functions = {_fid(fn): fn.text for table in by_file.values() for fn in table.values()}
    tables = {
        f"{source.path} {name}": text
        for source in sources
        for name, text in source.top_level.items()
    }
    return TreeFacts(
        root,
        version,
        routes,
        builders,
        copying,
        nested,
        functions,
        tables,
        {s.path for s in sources},
        docs,
        problems,
    )


def _path_params(path: str) -> set[str]:
    return set(re.findall(r":([\w-]+)", path))


def _drop_other_routes_path_params(routes: dict[str, RouteFacts]) -> None:
    """A parameter read only by functions that routes with it in their path also reach is those
    routes' path parameter, not one of this route's: lib/keys.js create() serves CreateKey and
    CreateUserKey (``/:account/users/:user/keys``) and reads ``user``; resources.js
    saveResource() is reached from every create and from ``PUT /:account/:resource_name``.
    Such reads move to ``others_path``."""
    in_path: dict[str, set[str]] = {}  # function id -> path parameters of routes reaching it
    for route in routes.values():
        names = _path_params(route.path)
        for fids in route.readers.values():
            for fid in fids:
                in_path.setdefault(fid, set()).update(names)
    for route in routes.values():
        own = _path_params(route.path)
        for name, fids in route.readers.items():
            if name in own or "." in name:
                continue
            if all(name in in_path.get(fid, set()) for fid in fids):
                route.others_path.add(name)
        route.reads -= route.others_path
        route.late_reads -= route.others_path
        for reads in route.actions.values():
            reads -= route.others_path


def _inside(source: SourceFile, fn: Function, line: int) -> bool:
    return source.tokens[fn.start].line <= line <= source.tokens[fn.end].line


def text_changes(old: str, new: str, limit: int = 6) -> list[str]:
    """What changed between two normalized token texts, as ``- ...``/``+ ...`` statements."""
    before = [s.strip() for s in re.split(r"(?<=[;{}])\s", old) if s.strip()]
    after = [s.strip() for s in re.split(r"(?<=[;{}])\s", new) if s.strip()]
    lines = [
        line
        for line in difflib.unified_diff(before, after, lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    if len(lines) > limit:
        lines = [*lines[:limit], f"... ({len(lines) - limit} more)"]
    return lines
