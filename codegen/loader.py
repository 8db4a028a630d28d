"""Reads spec/ into the intermediate representation, failing with every problem named."""

from __future__ import annotations

import hashlib
import keyword
import re
from pathlib import Path
from typing import Any

import yaml

from codegen import ir
from codegen.schema_check import check
from codegen.typeexpr import TypeRef, TypeSyntaxError, parse_type

DEFAULT_IDEMPOTENT = {"GET": True, "HEAD": True, "PUT": True, "DELETE": True, "POST": False}
_RESERVED_ATTRS = {"extra", "from_json", "to_json"}
_ANNOTATION_NAMES = {"str", "int", "float", "bool", "list", "dict", "object", "datetime", "Any"}


# Parameter names that hold a secret: each must be `secret: true` in the spec.
SECRET_NAME = re.compile(r"pass(word|wd|phrase)|(^|_)pw($|_)|secret|token|private_key")


class SpecError(Exception):
    """The spec is invalid; ``problems`` lists every finding as ``file: where: what``."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid spec:\n  " + "\n  ".join(problems))


class _StrictLoader(yaml.SafeLoader):
    """A YAML loader that refuses duplicate keys (PyYAML silently keeps the last one)."""


def _construct_mapping(
    loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False
) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read(path: Path, problems: list[str]) -> Any:
    try:
        # _StrictLoader is a SafeLoader subclass: no arbitrary objects.
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)
    except FileNotFoundError:
        problems.append(f"{path}: file not found")
    except yaml.YAMLError as exc:
        problems.append(f"{path}: not valid YAML: {exc}")
    return None


def load_spec(root_path: Path) -> ir.ApiSpec:
    """Load and validate the spec whose root file is ``root_path``."""
    problems: list[str] = []
    root_path = Path(root_path)
    base = root_path.parent
    root = _read(root_path, problems)
    if root is None:
        raise SpecError(problems)
    problems += [f"{root_path.name}: {p}" for p in check(root, "root")]
    if problems:
        raise SpecError(problems)
    digest = hashlib.sha256()
    files = [root_path, base / root["errors"], *(base / g for g in root["groups"])]
    for path in files:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())

    errors_doc = _read(base / root["errors"], problems)
    errors: list[ir.ErrorCode] = []
    if errors_doc is not None:
        found = check(errors_doc, "errors")
        problems += [f"{root['errors']}: {p}" for p in found]
        if not found:
            errors = [
                ir.ErrorCode(code, spec["status"], spec["description"].strip())
                for code, spec in errors_doc["errors"].items()
            ]
    groups: list[tuple[str, dict[str, Any]]] = []
    for relative in root["groups"]:
        doc = _read(base / relative, problems)
        if doc is None:
            continue
        found = check(doc, "group")
        problems += [f"{relative}: {p}" for p in found]
        if not found:
            groups.append((relative, doc))
    if problems:
        raise SpecError(problems)

    api = root["api"]
    info = ir.ApiInfo(
        title=api["title"],
        server_version=api["server_version"],
        api_version=api["api_version"],
        api_versions=tuple(api["api_versions"]),
        default_accept_version=api["default_accept_version"],
        source=api.get("source", ""),
        changes=tuple(
            sorted(
                (
                    ir.Change(
                        name,
                        str(change["since"]),
                        _text(change["description"]),
                        _text(change["source"]),
                        _text(change.get("notes")),
                    )
                    for name, change in (root.get("changes") or {}).items()
                ),
                key=lambda c: (ir.version_key(c.since), c.name),
            )
        ),
    )
    built = [_group(relative, doc, problems) for relative, doc in groups]
    spec = ir.ApiSpec(info, tuple(errors), tuple(built), digest.hexdigest()[:12])
    group_files = {g.name: rel for (rel, _), g in zip(groups, built, strict=True)}
    _cross_check(spec, group_files, problems)
    _check_since(spec, group_files, problems)
    from codegen.fidelity import unsourced_response_fields

    for model, field in unsourced_response_fields(spec):
        problems.append(
            f"{group_files[model.group]}: models.{model.name}.fields.{field.py_name}: a required "
            "response field names where the server always sets it (source: repository file "
            "function()); make it optional if the server may leave it out"
        )
    if problems:
        raise SpecError(problems)
    return spec


def _type(text: str, where: str, problems: list[str]) -> TypeRef:
    try:
        return parse_type(str(text))
    except TypeSyntaxError as exc:
        problems.append(f"{where}: {exc}")
        return TypeRef("any")


def _wake(spec: dict[str, Any] | None) -> ir.Wake | None:
    if not spec:
        return None
    return ir.Wake(
        spec["operation"],
        tuple((str(k), _frozen(v)) for k, v in (spec.get("params") or {}).items()),
        spec["match"],
        spec["param"],
        spec.get("filter"),
    )


def _frozen(value: Any) -> Any:
    """A YAML value made hashable (lists become tuples) for the frozen IR."""
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value


def _text(value: Any) -> str:
    return str(value or "").strip()


def _group(relative: str, doc: dict[str, Any], problems: list[str]) -> ir.Group:
    name = doc["name"]
    if Path(relative).stem != name:
        problems.append(f"{relative}: group name {name!r} must match the file name")
    enums = tuple(
        ir.Enum(
            enum_name,
            _text(spec["description"]),
            tuple(_enum_value(str(v), d) for v, d in spec["values"].items()),
            name,
        )
        for enum_name, spec in (doc.get("enums") or {}).items()
    )
    models = []
    for model_name, spec in (doc.get("models") or {}).items():
        fields = []
        for py_name, f in spec["fields"].items():
            where = f"{relative}: models.{model_name}.fields.{py_name}"
            if not re.fullmatch(r"[a-z_][a-z0-9_]*", py_name) or py_name in _RESERVED_ATTRS:
                problems.append(
                    f"{where}: Python name must be snake_case and not {sorted(_RESERVED_ATTRS)}"
                )
            elif py_name in _ANNOTATION_NAMES:
                # Keywords get a trailing "_"; a field named like a type used in the class
                # body's annotations would shadow that type, so it is refused instead.
                problems.append(
                    f"{where}: {py_name!r} shadows a type name of the generated annotations;"
                    " pick another name and set json: to the wire name"
                )
            if f["type"] == "string" and SECRET_NAME.search(py_name) and not f.get("secret", False):
                problems.append(
                    f"{where}: a credential-like field must be marked `secret: true` (it is then"
                    " left out of the model's repr)"
                )
            fields.append(
                ir.Field(
                    py_name=py_name,
                    json_name=f.get("json", py_name),
                    type=_type(f["type"], where, problems),
                    required=bool(f.get("required", False)),
                    nullable=bool(f.get("nullable", False)),
                    description=_text(f["description"]),
                    notes=_text(f.get("notes")),
                    source=_text(f.get("source")),
                    secret=bool(f.get("secret", False)),
                    since=f.get("since"),
                )
            )
        models.append(ir.Model(model_name, _text(spec["description"]), tuple(fields), name))
    operations = [
        _operation(op_name, spec, name, relative, problems)
        for op_name, spec in (doc.get("operations") or {}).items()
    ]
    waiters = []
    for waiter_name, spec in (doc.get("waiters") or {}).items():
        acceptors = tuple(
            ir.Acceptor(a["state"], a["matcher"], a["expected"], a.get("argument"))
            for a in spec["acceptors"]
        )
        waiters.append(
            ir.Waiter(
                waiter_name,
                _text(spec["description"]),
                spec["operation"],
                float(spec["delay"]["min"]),
                float(spec["delay"]["max"]),
                float(spec["timeout"]),
                acceptors,
                name,
                _wake(spec.get("wake")),
            )
        )
    paginators = [
        ir.Paginator(
            pname,
            spec["operation"],
            spec["offset_param"],
            spec["limit_param"],
            int(spec["max_limit"]),
            spec["count_header"],
            spec["limit_header"],
            spec.get("item_key", "id"),
            _item_attr(models, operations, spec),
            bool(spec.get("filtered_pages", False)),
            _text(spec.get("source", "")),
        )
        for pname, spec in (doc.get("paginators") or {}).items()
    ]
    return ir.Group(
        name,
        doc["title"],
        _text(doc["description"]),
        enums,
        tuple(models),
        tuple(operations),
        tuple(waiters),
        tuple(paginators),
    )


def _operation(
    name: str, spec: dict[str, Any], group: str, relative: str, problems: list[str]
) -> ir.Operation:
    where = f"{relative}: operations.{name}"
    params = []
    for py_name, p in (spec.get("params") or {}).items():
        pwhere = f"{where}.params.{py_name}"
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", py_name):
            problems.append(
                f"{pwhere}: parameter names are snake_case Python names (use json: for the wire name)"
            )
        if py_name in ("self", "client"):
            problems.append(f"{pwhere}: {py_name!r} is reserved by the generated code")
        if SECRET_NAME.search(py_name) and not p.get("secret", False):
            problems.append(
                f"{pwhere}: a password-like parameter must be marked `secret: true` (its value is "
                "then never shown in errors, logs or reprs)"
            )
        params.append(
            ir.Param(
                py_name=py_name,
                wire_name=p.get("json", py_name),
                location=p["in"],
                type=_type(p["type"], pwhere, problems),
                required=bool(p.get("required", False)) or p["in"] == "path",
                description=_text(p["description"]),
                family=p.get("family"),
                body_root=bool(p.get("body_root", False)),
                secret=bool(p.get("secret", False)),
                ignored_keys=tuple(str(k) for k in p.get("ignored_keys", ())),
                source=_text(p.get("source")),
                truthy=bool(p.get("truthy", False)),
                default=_frozen(p.get("default")),
                since=p.get("since"),
            )
        )
    response = spec["response"]
    body = (
        _type(response["body"], f"{where}.response.body", problems) if "body" in response else None
    )
    content = response.get("content", "json" if body is not None else "none")
    if content == "none" and body is not None:
        problems.append(f"{where}.response: content none with a body")
    stream = response.get("stream") or {}
    if (content == "websocket") != bool(stream):
        problems.append(f"{where}.response: a stream goes with content websocket, and only there")
    if any(p.location == "message" for p in params) and content != "websocket":
        problems.append(f"{where}: message parameters need content websocket")
    receive = stream.get("receive")
    stream_receive = (
        _type(receive, f"{where}.response.stream.receive", problems)
        if receive not in (None, "bytes")
        else None
    )
    stream_send = (
        _type(stream["send"], f"{where}.response.stream.send", problems)
        if "send" in stream
        else None
    )
    return ir.Operation(
        name=name,
        group=group,
        summary=_text(spec["summary"]),
        description=_text(spec.get("description")),
        method=spec["method"],
        path=spec["path"],
        documented=bool(spec.get("documented", True)),
        since=spec.get("since"),
        min_api_version=spec.get("min_api_version"),
        head=spec.get("head"),
        idempotent=bool(spec.get("idempotent", DEFAULT_IDEMPOTENT[spec["method"]])),
        is_async=bool(spec.get("async", False)),
        waiter=spec.get("waiter"),
        fixed_query=tuple((str(k), str(v)) for k, v in (spec.get("fixed_query") or {}).items()),
        params=tuple(params),
        response=ir.Response(
            tuple(response["status"]),
            content,
            body,
            tuple(
                (str(k), str(v["type"] if isinstance(v, dict) else v))
                for k, v in (response.get("headers") or {}).items()
            ),
            stream_send,
            stream_receive,
            tuple(
                (str(k), str(v["since"]))
                for k, v in (response.get("headers") or {}).items()
                if isinstance(v, dict)
            ),
        ),
        errors=tuple(spec.get("errors") or ()),
        auth=bool(spec.get("auth", True)),
        notes=_text(spec.get("notes")),
        sources=tuple(str(s) for s in spec.get("sources") or ()),
        checked=_text(spec.get("checked")),
        api_versions=tuple(str(v) for v in spec.get("api_versions") or ()),
    )


def _cross_check(spec: ir.ApiSpec, files: dict[str, str], problems: list[str]) -> None:
    seen: dict[str, str] = {}
    for group in spec.groups:
        where = files[group.name]
        for kind, names in (
            ("model", [m.name for m in group.models]),
            ("enum", [e.name for e in group.enums]),
            ("operation", [o.name for o in group.operations]),
            ("waiter", [w.name for w in group.waiters]),
        ):
            for item in names:
                key = f"{kind}:{item}" if kind in ("operation", "waiter") else f"type:{item}"
                if key in seen:
                    problems.append(f"{where}: duplicate {kind} {item!r} (also in {seen[key]})")
                seen[key] = where
    known_types = set(spec.models) | set(spec.enums)
    codes = {e.code for e in spec.errors}
    operations = spec.operations
    snakes: dict[str, str] = {}
    for group in spec.groups:
        where = files[group.name]
        for model in group.models:
            json_names = [f.json_name for f in model.fields]
            if len(set(json_names)) != len(json_names):
                problems.append(f"{where}: models.{model.name}: two fields share a JSON name")
            for field in model.fields:
                for ref in field.type.named_refs():
                    if ref not in known_types:
                        problems.append(
                            f"{where}: models.{model.name}.fields.{field.py_name}: unknown type {ref!r}"
                        )
        for op in group.operations:
            owhere = f"{where}: operations.{op.name}"
            if op.snake in snakes:
                problems.append(
                    f"{owhere}: method name {op.snake!r} clashes with {snakes[op.snake]}"
                )
            snakes[op.snake] = op.name
            templated = op.template_names
            if op.auth and (not templated or templated[0] != "login") and op.path != "/--ping":
                problems.append(f"{owhere}: path must start with /{{login}}")
            for name in templated:
                if name != "login" and name not in {p.py_name for p in op.path_params}:
                    problems.append(
                        f"{owhere}: path parameter {{{name}}} has no `in: path` definition"
                    )
            for param in op.params:
                if param.location == "path" and param.py_name not in templated:
                    problems.append(
                        f"{owhere}.params.{param.py_name}: `in: path` but not in the path"
                    )
                for ref in param.type.named_refs():
                    if ref not in known_types:
                        problems.append(f"{owhere}.params.{param.py_name}: unknown type {ref!r}")
                if keyword.iskeyword(param.py_name):
                    problems.append(f"{owhere}.params.{param.py_name}: Python keyword")
            if op.response.body is not None:
                for ref in op.response.body.named_refs():
                    if ref not in known_types:
                        problems.append(f"{owhere}.response.body: unknown type {ref!r}")
            for code in op.errors:
                if code not in codes:
                    problems.append(
                        f"{owhere}.errors: unknown error code {code!r} (not in errors.yaml)"
                    )
            if op.waiter and op.waiter not in spec.waiters:
                problems.append(f"{owhere}.waiter: unknown waiter {op.waiter!r}")
        for waiter in group.waiters:
            wwhere = f"{where}: waiters.{waiter.name}"
            target = operations.get(waiter.operation)
            if target is None:
                problems.append(f"{wwhere}: unknown operation {waiter.operation!r}")
                continue
            if waiter.min_delay <= 0 or waiter.max_delay < waiter.min_delay or waiter.timeout <= 0:
                problems.append(f"{wwhere}: need 0 < delay.min <= delay.max and timeout > 0")
            wake = waiter.wake
            if wake is not None:
                stream = operations.get(wake.operation)
                if stream is None or not stream.streaming or stream.response.stream_receive is None:
                    problems.append(
                        f"{wwhere}.wake: {wake.operation!r} is not a streaming operation with JSON messages"
                    )
                else:
                    message_names = {p.py_name for p in stream.params if p.location == "message"}
                    for key in [k for k, _ in wake.params] + ([wake.filter] if wake.filter else []):
                        if key not in message_names:
                            problems.append(
                                f"{wwhere}.wake: {wake.operation} has no message parameter {key!r}"
                            )
                if wake.param not in {p.py_name for p in target.params}:
                    problems.append(
                        f"{wwhere}.wake.param: {target.name} has no parameter {wake.param!r}"
                    )
            for index, acceptor in enumerate(waiter.acceptors):
                awhere = f"{wwhere}.acceptors[{index}]"
                if acceptor.matcher == "path":
                    problem = _path_problem(spec, target, acceptor.argument)
                    if problem:
                        problems.append(f"{awhere}: {problem}")
                elif acceptor.matcher == "error" and acceptor.expected not in codes:
                    problems.append(f"{awhere}: unknown error code {acceptor.expected!r}")
                elif acceptor.matcher == "status" and not isinstance(acceptor.expected, int):
                    problems.append(f"{awhere}: a status matcher expects an integer")
        for paginator in group.paginators:
            pwhere = f"{where}: paginators.{paginator.name}"
            target = operations.get(paginator.operation)
            if target is None:
                problems.append(f"{pwhere}: unknown operation {paginator.operation!r}")
                continue
            param_names = {p.py_name for p in target.params}
            for wanted in (paginator.offset_param, paginator.limit_param):
                if wanted not in param_names:
                    problems.append(f"{pwhere}: {target.name} has no parameter {wanted!r}")
            if target.response.body is None or target.response.body.kind != "list":
                problems.append(f"{pwhere}: {target.name} must answer a list")
                continue
            item_model = spec.models.get(target.response.body.args[0].name or "")
            if item_model is not None and not any(
                f.json_name == paginator.item_key for f in item_model.fields
            ):
                problems.append(f"{pwhere}: {item_model.name} has no field {paginator.item_key!r}")

    _client_names(spec, files, problems)


def _plain(what: str) -> bool:
    return what.split(": ")[-1].startswith("operations.") and " (" not in what


def _client_names(spec: ir.ApiSpec, files: dict[str, str], problems: list[str]) -> None:
    """Every method the client gets (operations and their head_/iter_/wait_ forms) is a name of
    its own: none may shadow the client's runtime (``meta``, ``close``, ...) or another method."""
    from smartdc.runtime.client import RESERVED_NAMES

    paged = {p.operation for p in spec.paginators.values()}
    owners: dict[str, str] = {}
    for group in spec.groups:
        where = files[group.name]
        names: list[tuple[str, str]] = []
        for op in group.operations:
            names.append((op.snake, f"operations.{op.name}"))
            if op.head:
                names.append((f"head_{op.snake}", f"operations.{op.name} (its HEAD form)"))
            if op.name in paged:
                names.append((f"iter_{op.snake}", f"operations.{op.name} (its paging form)"))
        names += [(f"wait_{w.snake}", f"waiters.{w.name}") for w in group.waiters]
        for method, what in names:
            if method in RESERVED_NAMES:
                problems.append(
                    f"{where}: {what}: method name {method!r} would replace the client's own "
                    f"{method!r} (reserved: {', '.join(sorted(RESERVED_NAMES))}); rename it"
                )
            elif method in owners and not (_plain(what) and _plain(owners[method])):
                # two operations of one name are reported by _cross_check already
                problems.append(
                    f"{where}: {what}: method name {method!r} clashes with {owners[method]}"
                )
            owners.setdefault(method, f"{where}: {what}")


def _enum_value(value: str, spec: Any) -> ir.EnumValue:
    """``value: description``, or ``value: {description, since, source}``."""
    if isinstance(spec, dict):
        since = spec.get("since")
        return ir.EnumValue(value, _text(spec["description"]), str(since) if since else None)
    return ir.EnumValue(value, _text(spec))


def _check_since(spec: ir.ApiSpec, files: dict[str, str], problems: list[str]) -> None:
    """A ``since`` names a release no newer than the spec's server and after 9.0.0 (older
    things are the baseline and carry none); a parameter is not older than its operation."""
    top = ir.version_key(spec.info.server_version)
    base = (9, 0, 0)

    def bad(since: str | None, floor: tuple[int, ...] = base) -> bool:
        return since is not None and not floor < ir.version_key(since) <= top

    for group in spec.groups:
        where = files[group.name]
        for enum in group.enums:
            for value in enum.values:
                if bad(value.since):
                    problems.append(
                        f"{where}: enums.{enum.name}.values.{value.value}.since: {value.since}"
                        " must be after 9.0.0 and at most the server's version"
                    )
        for model in group.models:
            for field in model.fields:
                if bad(field.since):
                    problems.append(
                        f"{where}: models.{model.name}.fields.{field.py_name}.since: {field.since}"
                        f" is not after 9.0.0 and at most {spec.info.server_version}"
                    )
        for op in group.operations:
            # Operations older than 9.0.0 keep the since they have (roles 7.2.0, images 7.1.0).
            if op.since is not None and ir.version_key(op.since) > top:
                problems.append(
                    f"{where}: operations.{op.name}.since: {op.since} is newer than the server"
                    f" ({spec.info.server_version})"
                )
            for header, since in op.response.header_since:
                if bad(since):
                    problems.append(
                        f"{where}: operations.{op.name}.response.headers.{header}.since: {since}"
                        " must be after 9.0.0 and at most the server's version"
                    )
            floor = max(base, ir.version_key(op.since)) if op.since else base
            for param in op.params:
                if param.since is not None and (
                    bad(param.since) or ir.version_key(param.since) <= floor
                ):
                    problems.append(
                        f"{where}: operations.{op.name}.params.{param.py_name}.since: {param.since}"
                        " must be after 9.0.0 and after the operation's own since, and at most"
                        f" {spec.info.server_version}"
                    )
    for change in spec.info.changes:
        if bad(change.since):
            problems.append(
                f"cloudapi.yaml: changes.{change.name}.since: {change.since} is not after 9.0.0"
                f" and at most {spec.info.server_version}"
            )


def _item_attr(models: list[ir.Model], operations: list[ir.Operation], spec: Any) -> str:
    """The Python attribute of a paginator's ``item_key`` on its item model (when in this group)."""
    key = spec.get("item_key", "id")
    op = next((o for o in operations if o.name == spec["operation"]), None)
    body = op.response.body if op is not None else None
    item = body.args[0].name if body is not None and body.kind == "list" and body.args else None
    model = next((m for m in models if m.name == item), None)
    field = next((f for f in model.fields if f.json_name == key), None) if model else None
    return field.attr if field is not None else str(key)


def _path_problem(spec: ir.ApiSpec, op: ir.Operation, argument: str | None) -> str | None:
    body = op.response.body
    if not argument:
        return "a path matcher needs an argument"
    if body is None or body.kind != "named" or body.name not in spec.models:
        return f"{op.name} does not answer a model, so no path can match"
    model = spec.models[body.name]
    for part in argument.split("."):
        field = model.field(part)
        if field is None:
            return f"{part!r} is not an attribute of {model.name}"
        if field.type.kind == "named" and field.type.name in spec.models:
            model = spec.models[field.type.name]
    return None
