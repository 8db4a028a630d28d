"""Renders the intermediate representation into files (path -> text), formatted by ruff."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import attrs
import jinja2

from codegen import fidelity, ir, since
from codegen.pyexpr import Types, docstring, first_sentence, literal, meta_type

TEMPLATES = Path(__file__).parent / "templates"
# Models the hand-written facade wraps: each gets a typed read-only view (``<Model>Fields``).
FACADE_VIEWS = ("Machine", "Snapshot", "FirewallRule", "Volume", "Image", "Network")
GENERATED_PACKAGE = "smartdc._generated"
# The since facts the simulator reads (it never imports smartdc._generated).
SIMULATOR_SINCE = "smartdc/testing/spec_since.py"


@attrs.frozen
class FieldView:
    attr: str
    py_name: str
    json_name: str
    annotation: str
    required: bool
    nullable: bool
    description: str
    local: str
    decode: str
    encode: str
    tolerant: str
    shown: bool = True  # in the model's repr (collections and free-form values are left out)


@attrs.frozen
class ModelView:
    name: str
    const: str
    fields: tuple[FieldView, ...]
    description: str


@attrs.frozen
class OpView:
    name: str
    snake: str
    group: str
    signature: str
    forward: str
    call_args: str
    returns: str
    result_body: str
    doc: str
    head: str | None
    pager: bool


@attrs.frozen
class StreamView:
    """A WebSocket operation: its client method opens a stream."""

    name: str
    snake: str
    signature: str
    call_args: str
    returns: str
    receive: str | None  # the model each message decodes to; None for a byte stream
    doc: str
    receive_module: str | None = None  # where that model is defined (imported on first call)


@attrs.frozen
class WaiterView:
    name: str
    snake: str
    signature: str
    forward: str
    returns: str
    doc: str


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["doc"] = docstring
    env.filters["lit"] = literal
    env.filters["meta_type"] = meta_type
    env.filters["cell"] = lambda text: " ".join(str(text).split()).replace("|", "\\|")
    env.filters["tuple_lit"] = lambda value: repr(tuple(value))
    env.filters["first_sentence"] = first_sentence
    env.filters["with_since"] = _with_since
    return env


def _module_of(spec: ir.ApiSpec, name: str) -> str:
    if name in spec.enums:
        return f"{GENERATED_PACKAGE}.enums"
    return f"{GENERATED_PACKAGE}.models.{spec.models[name].group}"


def _imports(
    spec: ir.ApiSpec, names: set[str], here: str | None = None
) -> list[tuple[str, list[str]]]:
    by_module: dict[str, list[str]] = defaultdict(list)
    for name in sorted(names):
        module = _module_of(spec, name)
        if module != here:
            by_module[module].append(name)
    return sorted(by_module.items())


def _package_version() -> str:
    """The smartdc version the generated code ships in (stamped in headers, as stripe-python does)."""
    from smartdc._version import __version__

    return __version__


class Renderer:
    def __init__(self, spec: ir.ApiSpec) -> None:
        self.spec = spec
        self.types = Types(spec)
        self.env = _environment()
        self.common = {
            "api": spec.info,
            "digest": spec.digest,
            "package_version": _package_version(),
        }

    def _render(self, template: str, **context: Any) -> str:
        return self.env.get_template(template).render(**self.common, **context)

    # -- models --------------------------------------------------------------------------------

    def _model_view(self, model: ir.Model) -> ModelView:
        fields = []
        for field in model.fields:
            at = literal(f"{model.name}.{field.json_name}")
            annotation = self.types.annotation(field.type)
            if not field.required or field.nullable:
                annotation = f"{annotation} | None"
            fields.append(
                FieldView(
                    attr=field.attr,
                    py_name=field.py_name,
                    json_name=field.json_name,
                    annotation=annotation,
                    required=field.required,
                    nullable=field.nullable,
                    description=_with_since(field.description, field.since),
                    local=f"f_{field.py_name}",
                    decode=self.types.decode(field.type, "value", at),
                    encode=self.types.encode(field.type, f"self.{field.attr}"),
                    tolerant=self.types.field_decoder(field.type),
                    shown=not field.secret
                    and field.type.kind not in ("list", "map", "object", "any"),
                )
            )
        ordered = sorted(fields, key=lambda f: (not (f.required and not f.nullable), 0))
        const = ir.snake(model.name).upper()
        return ModelView(model.name, const, tuple(ordered), model.description)

    def _model_order(self, group: ir.Group) -> list[ir.Model]:
        return list(group.models)

    def models_module(self, group: ir.Group) -> str:
        mentioned: set[str] = set()
        uses_datetime = False
        for model in group.models:
            for field in model.fields:
                mentioned |= self.types.mentions(field.type)
                uses_datetime |= self.types.uses_datetime(field.type)
        here = f"{GENERATED_PACKAGE}.models.{group.name}"
        return self._render(
            "models.py.j2",
            group=group,
            models=[self._model_view(m) for m in self._model_order(group)],
            imports=_imports(self.spec, mentioned, here),
            uses_datetime=uses_datetime,
        )

    def views_module(self) -> str:
        models = [self.spec.models[name] for name in FACADE_VIEWS if name in self.spec.models]
        mentioned = {m.name for m in models}
        uses_datetime = False
        for model in models:
            for field in model.fields:
                mentioned |= self.types.mentions(field.type)
                uses_datetime |= self.types.uses_datetime(field.type)
        views = []
        for model in models:
            view = self._model_view(model)
            by_name = {f.py_name: f for f in view.fields}
            views.append(attrs.evolve(view, fields=tuple(by_name[f.py_name] for f in model.fields)))
        return self._render(
            "views.py.j2",
            views=views,
            imports=_imports(self.spec, mentioned),
            uses_datetime=uses_datetime,
        )

    # -- operations ----------------------------------------------------------------------------

    def _param_sig(
        self, params: tuple[ir.Param, ...], *, skip: tuple[str, ...] = ()
    ) -> tuple[str, str, str]:
        """(signature, forwarding arguments, call-args dict literal) for the given params."""
        positional = [p for p in params if p.location == "path" and p.py_name not in skip]
        rest = [p for p in params if p.location != "path" and p.py_name not in skip]
        rest.sort(key=lambda p: not p.required)
        parts = [f", {p.arg}: {self.types.annotation(p.type, param=True)}" for p in positional]
        forward = [f", {p.arg}" for p in positional]
        if rest:
            parts.append(", *")
            for p in rest:
                annotation = self.types.annotation(p.type, param=True)
                parts.append(
                    f", {p.arg}: {annotation}"
                    if p.required
                    else f", {p.arg}: {annotation} | None = None"
                )
                forward.append(f", {p.arg}={p.arg}")
        call_args = (
            "{" + ", ".join(f"{literal(p.py_name)}: {p.arg}" for p in positional + rest) + "}"
        )
        return "".join(parts), "".join(forward), call_args

    def _result(self, op: ir.Operation) -> tuple[str, str]:
        """(return annotation, body of the result function)."""
        body = op.response.body
        if body is None:
            return "None", "    del response  # no body to decode\n    return None"
        annotation = self.types.annotation(body)
        decode = self.types.decode(body, "data", literal(op.name))
        optional = op.response.may_be_empty
        returns = f"{annotation} | None" if optional else annotation
        method = "decode_optional" if optional else "decode"
        text = (
            f"    def decode(data: Any) -> {annotation}:\n"
            f"        return {decode}\n\n"
            f"    return ClientMeta.{method}(response, decode)"
        )
        return returns, text

    def _doc(self, op: ir.Operation, returns: str, paged: ir.Paginator | None) -> str:
        """The whole docstring of the client method: what users read in help() and their IDE."""
        pad = " " * 8
        fixed = "&".join(f"{k}={v}" for k, v in op.fixed_query)
        parts = [docstring(op.summary, indent=8)]
        if op.description:
            parts.append(docstring(op.description, indent=8))
        route = f"``{op.method} {op.path}``" + (f" with ``{fixed}``" if fixed else "")
        if op.head:
            route += f"; HEAD form: ``head_{op.snake}`` (same arguments)"
        parts.append(docstring(f"HTTP: {route}.", indent=8))
        if paged is not None:
            parts.append(
                docstring(
                    f"Paginated: this call returns every item, fetching page after page (at most "
                    f"{paged.max_limit} each); given ``{paged.offset_param}`` or "
                    f"``{paged.limit_param}``, it returns that one page only. "
                    f"``iter_{op.snake}`` (same arguments) yields the items lazily.",
                    indent=8,
                )
            )
        if op.params:
            lines = ["Args:"] + [
                f"    {p.arg}: "
                + docstring(" ".join(_with_since(p.description, p.since).split()), indent=16)
                for p in op.params
            ]
            parts.append(f"\n{pad}".join(lines))
        result = "None" if returns == "None" else f"{returns}"
        text = op.response.body and self._returns_text(op)
        parts.append(f"Returns:\n{pad}    " + docstring(f"{result}{text or ''}", indent=12))
        errors = self._error_lines(op)
        if errors:
            parts.append(f"\n{pad}".join(["Raises:", *errors]))
        if op.since:
            parts.append(f"Needs CloudAPI {ir.short_version(op.since)} or later.")
        return f"\n\n{pad}".join(parts)

    def _returns_text(self, op: ir.Operation) -> str:
        if op.response.may_be_empty:
            return ": the decoded body, or None when the server answers without one."
        return ": the decoded body."

    def _error_lines(self, op: ir.Operation) -> list[str]:
        known = {e.code: e for e in self.spec.errors}
        lines = []
        for code in op.errors:
            error = known.get(code)
            status = f"HTTP {error.status}" if error and error.status else "HTTP error"
            about = " ".join(error.description.split()) if error else ""
            text = f"{_error_class(code)}: ({status}) {about}".rstrip()
            lines.append("    " + docstring(text, indent=16))
        if lines:
            lines.append(
                "    "
                + docstring(
                    "(Every error class is in smartdc.errors; all derive from CloudAPIError.)",
                    indent=16,
                )
            )
        return lines

    def _op_view(self, op: ir.Operation) -> OpView:
        signature, forward, call_args = self._param_sig(op.params)
        returns, result_body = self._result(op)
        paginator = self.spec.paginators.get(op.name)
        paged = paginator if paginator is not None and op.response.body is not None else None
        return OpView(
            name=op.name,
            snake=op.snake,
            group=op.group,
            signature=signature,
            forward=forward,
            call_args=call_args,
            returns=returns,
            result_body=result_body,
            doc=self._doc(op, returns, paged),
            head=op.head,
            pager=paged is not None,
        )

    def _mentions(self, ops: list[ir.Operation]) -> set[str]:
        names: set[str] = set()
        for op in ops:
            for p in op.params:
                names |= self.types.mentions(p.type)
            if op.response.body is not None:
                names |= self.types.mentions(op.response.body)
            if op.response.stream_receive is not None:
                names |= self.types.mentions(op.response.stream_receive)
        return names

    def _stream_view(self, op: ir.Operation) -> StreamView:
        signature, _, call_args = self._param_sig(op.params)
        receive = op.response.stream_receive
        if receive is not None:
            model = self.types.annotation(receive)
            returns = f"MessageStream[{model}]"
            signature += (
                ", reconnect: bool = True" if "*" in signature else ", *, reconnect: bool = True"
            )
            how = (
                f"Opens a WebSocket and yields each message as a {model}; when the connection "
                "drops it reconnects with backoff and yields a StreamGap first (changes in "
                "between were not sent: re-read what you watch). ``reconnect=False`` raises "
                "StreamClosed instead. Close it, or use it as a context manager."
            )
        else:
            model = None
            returns = "ByteStream"
            how = "Opens a WebSocket and returns its binary messages as a ByteStream."
        # what it opens comes right before the HTTP route
        doc = self._doc(op, returns, None).replace(
            "\n\n        HTTP: ", f"\n\n        {docstring(how, indent=8)}\n\n        HTTP: ", 1
        )
        return StreamView(
            op.name,
            op.snake,
            signature,
            call_args,
            returns,
            model,
            doc,
            _module_of(self.spec, model) if model is not None else None,
        )

    def operations_module(self, group: ir.Group) -> str:
        ops = list(group.operations)  # a streaming op keeps a result (None) for the service model
        return self._render(
            "operations.py.j2",
            group=group,
            ops=[self._op_view(o) for o in ops],
            imports=_imports(self.spec, self._mentions(ops)),
        )

    def client_module(self) -> str:
        everything = [op for g in self.spec.groups for op in g.operations]
        ops = [op for op in everything if not op.streaming]
        streams = [op for op in everything if op.streaming]
        waiters = []
        for group in self.spec.groups:
            for waiter in group.waiters:
                target = self.spec.operations[waiter.operation]
                positional = [p for p in target.path_params]
                signature = "".join(
                    f", {p.arg}: {self.types.annotation(p.type, param=True)}" for p in positional
                )
                forward = "".join(f", {p.arg}={p.arg}" for p in positional)
                returns, _ = self._result(target)
                if (
                    returns != "None"
                    and not returns.endswith("| None")
                    and any(a.state == "success" and a.matcher == "error" for a in waiter.acceptors)
                ):
                    returns += " | None"  # success on an error answer (e.g. gone) has no body
                text = (
                    f"{waiter.description} Polls {waiter.operation}; gives up after "
                    f"{waiter.timeout:g} s by default (WaitTimeout); a terminal failure raises WaitFailed."
                )
                waiters.append(
                    WaiterView(
                        waiter.name,
                        waiter.snake,
                        signature + ", *",
                        forward,
                        returns,
                        docstring(text, indent=8),
                    )
                )
        return self._render(
            "client.py.j2",
            groups=[g.name for g in self.spec.groups if any(not o.streaming for o in g.operations)],
            ops=[self._op_view(o) for o in ops],
            stream_ops=[self._stream_view(o) for o in streams],
            waiters=waiters,
            imports=_imports(self.spec, self._mentions(everything)),
        )

    # -- everything ----------------------------------------------------------------------------

    def files(self) -> dict[str, str]:
        spec = self.spec
        enums = [e for g in spec.groups for e in g.enums]
        files: dict[str, str] = {
            "smartdc/_generated/__init__.py": self._render("init.py.j2"),
            "smartdc/_generated/enums.py": self._render("enums.py.j2", enums=enums),
            "smartdc/_generated/errors.py": self._render(
                "errors.py.j2",
                errors=[
                    {
                        "class_name": _error_class(e.code),
                        "code": e.code,
                        "status": e.status,
                        "description": e.description,
                    }
                    for e in spec.errors
                ],
            ),
            "smartdc/_generated/service.py": self._render(
                "service.py.j2",
                groups=[g.name for g in spec.groups if g.operations],
                operations=[op for g in spec.groups for op in g.operations],
                enum_names=sorted(spec.enums),
            ),
            "smartdc/_generated/waiters.py": self._render(
                "waiters.py.j2", waiters=[w for g in spec.groups for w in g.waiters]
            ),
            "smartdc/_generated/paginators.py": self._render(
                "paginators.py.j2", paginators=[p for g in spec.groups for p in g.paginators]
            ),
            "smartdc/_generated/converter.py": self._render(
                "converter.py.j2",
                models=list(spec.models.values()),
                enums=enums,
                imports=_imports(spec, set(spec.models) | set(spec.enums)),
            ),
            "smartdc/_generated/client.py": self.client_module(),
            "smartdc/_generated/models/__init__.py": self._render(
                "models_init.py.j2",
                imports=_imports(spec, set(spec.models)),
                names=sorted(spec.models),
            ),
            "smartdc/_generated/operations/__init__.py": self._render("operations_init.py.j2"),
            SIMULATOR_SINCE: self._render(
                "spec_since.py.j2",
                facts=since.operation_facts(spec),
                values=since.value_facts(spec),
                headers=since.header_facts(spec),
                any_item=since.ANY_ITEM,
                any_value=since.ANY_VALUE,
            ),
        }
        if any(name in spec.models for name in FACADE_VIEWS):
            files["smartdc/_generated/views.py"] = self.views_module()
        for group in spec.groups:
            if group.models:
                files[f"smartdc/_generated/models/{group.name}.py"] = self.models_module(group)
            if group.operations:
                files[f"smartdc/_generated/operations/{group.name}.py"] = self.operations_module(
                    group
                )
        files = format_python(files)
        files["docs/reference.md"] = self.reference()
        files["docs/fidelity.md"] = self.fidelity()
        return files

    def fidelity(self) -> str:
        """docs/fidelity.md: each operation's sources and what was checked (codegen.fidelity)."""
        return self._render(
            "fidelity.md.j2",
            groups=fidelity.operation_rows(self.spec),
            counts=fidelity.summary(self.spec),
            unsourced=[
                f"{m.name}.{f.json_name}" for m, f in fidelity.unsourced_response_fields(self.spec)
            ],
        )

    def reference(self) -> str:
        groups = []
        for group in self.spec.groups:
            ops = []
            for op in group.operations:
                py_args = ", ".join(
                    [p.arg for p in op.path_params]
                    + [f"{p.arg}=..." for p in op.other_params if p.required]
                )
                cli_args = "".join(f" {p.py_name}=..." for p in op.params if p.required)
                ops.append(
                    {
                        **attrs.asdict(op, recurse=False),
                        "snake": op.snake,
                        "paged": op.name in self.spec.paginators and op.response.body is not None,
                        "py_args": py_args,
                        "cli_args": cli_args,
                    }
                )
            groups.append(
                {
                    "title": group.title,
                    "description": group.description,
                    "anchor": group.title.lower().replace(" ", "-"),
                    "operations": ops,
                    "models": group.models,
                }
            )
        return self._render(
            "reference.md.j2",
            groups=groups,
            operations=self.spec.operations,
            models=self.spec.models,
            waiters=self.spec.waiters,
        )


def _error_class(code: str) -> str:
    return code if code[0].isupper() else code[0].upper() + code[1:]


def _ruff() -> list[str]:
    beside = Path(sys.executable).parent / "ruff"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("ruff")
    if found:
        return [found]
    return [sys.executable, "-m", "ruff"]


class FormatterError(RuntimeError):
    """The formatter is missing, is not the pinned version, or failed on the generated code."""


def pinned_ruff(pyproject: Path) -> str | None:
    """The ruff version the dev extra pins (``ruff==X.Y.Z``): generated code is formatted with it
    (another version formats differently, and ``--check`` would report files out of date)."""
    if not pyproject.exists():
        return None
    found = re.search(r'"ruff==([^"\s;]+)"', pyproject.read_text(encoding="utf-8"))
    return found.group(1) if found else None


def _check_ruff_version(pyproject: Path) -> None:
    wanted = pinned_ruff(pyproject)
    if wanted is None:
        return
    try:
        result = subprocess.run([*_ruff(), "--version"], capture_output=True, text=True)
    except OSError as exc:
        raise FormatterError(
            f"ruff not found ({exc}); install the dev extra: make .venv/.dev-installed"
        ) from exc
    version = result.stdout.strip().removeprefix("ruff ").split()[0] if result.stdout else ""
    if result.returncode != 0 or version != wanted:
        raise FormatterError(
            f"generated code is formatted with ruff=={wanted} (pyproject.toml's dev extra); "
            f"found {version or 'no working ruff'}: install the dev extra (make .venv/.dev-installed)"
        )


def format_python(files: dict[str, str]) -> dict[str, str]:
    """Run ``ruff check --fix`` (import order) and ``ruff format`` over the Python files."""
    repo_config = Path(__file__).resolve().parent.parent / "pyproject.toml"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for rel, text in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        args = ["--config", str(repo_config)] if repo_config.exists() else []
        env = {**os.environ, "RUFF_NO_CACHE": "true"}
        target = str(root / "smartdc")
        _check_ruff_version(repo_config)
        fixed = subprocess.run(
            [
                *_ruff(),
                "check",
                "--fix-only",
                "--quiet",
                "--select",
                "I,F401,UP,RUF022",
                *args,
                target,
            ],
            check=False,
            cwd=tmp,
            env=env,
            capture_output=True,
            text=True,
        )
        if fixed.returncode != 0:
            raise FormatterError(f"ruff check --fix failed on generated code:\n{fixed.stderr}")
        result = subprocess.run(
            [*_ruff(), "format", "--quiet", *args, target],
            cwd=tmp,
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise FormatterError(f"ruff format failed on generated code:\n{result.stderr}")
        return {rel: (root / rel).read_text(encoding="utf-8") for rel in files}


def _with_since(description: str, since: str | None) -> str:
    """A description that says which CloudAPI release brought the thing, when the spec knows."""
    if not since:
        return description
    text = description.rstrip()
    stop = "" if text.endswith(".") else "."
    return f"{text}{stop} CloudAPI {ir.short_version(since)} or later."
