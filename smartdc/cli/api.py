"""``smartdc api OPERATION [param=value ...]``: any operation of the generated client, by name."""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from smartdc.cli.context import Context
from smartdc.cli.output import as_json
from smartdc.cli.values import operation_arguments

if TYPE_CHECKING:
    from smartdc.runtime.meta import OperationMeta

Adder = Callable[..., argparse.ArgumentParser]


def _client_class() -> Any:
    from smartdc._generated.client import CloudAPI

    return CloudAPI


def _operations() -> Mapping[str, OperationMeta]:
    """Every operation of the service model, known without connecting."""
    from smartdc._generated.service import SERVICE

    return SERVICE.operations


def _type_text(spec: Any) -> str:
    if isinstance(spec, tuple):
        kind, *args = spec
        if kind in ("list", "map"):
            return f"{kind}[{_type_text(args[0])}]"
        return "|".join(_type_text(a) for a in args)
    return str(spec)


def _docstring(op: Any) -> str:
    """The client method's docstring: the one place an operation's text is written."""
    import inspect  # here: `smartdc --help` need not load it

    return inspect.getdoc(getattr(_client_class(), op.method_name)) or ""


def summary(op: Any) -> str:
    return _docstring(op).split("\n\n")[0].replace("\n", " ").strip()


def param_descriptions(op: Any) -> dict[str, str]:
    """The ``Args:`` section of the method's docstring: parameter -> its text on one line."""
    found: dict[str, str] = {}
    section = False
    current = ""
    for line in _docstring(op).splitlines():
        if line.strip() == "Args:":
            section = True
            continue
        if not section:
            continue
        if line and not line.startswith(" "):
            break  # the next section (Returns:)
        entry = re.match(r"^    (\w+): (.*)$", line)
        if entry:
            current = entry.group(1)
            found[current] = entry.group(2).strip()
        elif current and line.strip():
            found[current] += " " + line.strip()
    return found


def list_operations(ctx: Context) -> int:
    operations = _operations()
    if ctx.printer.json_mode:
        for op in operations.values():
            record = {"name": op.name, "group": op.group, "summary": summary(op)}
            ctx.printer.line(json.dumps(record))
        return 0
    width = max(len(name) for name in operations)
    for op in sorted(operations.values(), key=lambda o: (o.group, o.name)):
        ctx.printer.line(f"{op.name.ljust(width)}  {summary(op)}")
    return 0


def _operation(name: str) -> Any:
    """The metadata of an operation, known without connecting (case-insensitive fallback)."""
    from smartdc.errors import UnknownOperationError

    operations = _operations()
    if name in operations:
        return operations[name]
    close = [n for n in operations if n.lower() == name.lower()]
    if len(close) == 1:
        return operations[close[0]]
    raise UnknownOperationError(f"no CloudAPI operation named {name!r} (smartdc api --list)")


def describe_operation(ctx: Context, name: str) -> int:
    import textwrap

    op = _operation(name)
    lines = [f"{op.name}: {summary(op)}", ""]
    descriptions = param_descriptions(op)
    lines.append(f"usage: smartdc api {op.name} [PARAM=VALUE ...]")
    if op.waiter:
        lines.append(f"then wait with the {op.waiter} waiter")
    lines.append("")
    if not op.params:
        lines.append("no parameters")
    for param in op.params:
        flags = "required" if param.required else "optional"
        family = f"; give each entry as {param.family}KEY=VALUE" if param.family else ""
        lines.append(
            f"  {param.name}  ({_type_text(param.type)}, {param.location}, {flags}{family})"
        )
        text = descriptions.get(param.name) or descriptions.get(param.name + "_")
        if text:
            lines.extend(f"      {part}" for part in textwrap.wrap(text, 76))
    ctx.printer.line("\n".join(lines))
    return 0


def cmd_api(ctx: Context) -> int:
    args = ctx.args
    if args.list or not args.operation:
        return list_operations(ctx)
    if args.describe:
        return describe_operation(ctx, args.operation)
    op = _operation(args.operation)
    api = ctx.datacenter().api
    params = operation_arguments(op, args.params, api.meta.service_model.enum_names)
    # the generated method itself (call_operation(name, **params) would clash with a `name`
    # parameter); it checks the arguments against the same metadata before sending
    result = getattr(api, op.method_name)(**params)
    data = as_json(result)
    if data is None:
        ctx.err.write(f"{op.name}: done\n")
    elif isinstance(data, list) and ctx.printer.json_mode:
        for item in data:
            ctx.printer.line(json.dumps(item, default=str))
    elif ctx.printer.json_mode:
        ctx.printer.line(json.dumps(data, default=str))
    else:
        ctx.printer.line(json.dumps(data, indent=2, default=str))
    return 0


def add_commands(add: Adder) -> None:
    parser = add(
        "api",
        cmd_api,
        help="call any CloudAPI operation by name",
        description="Call any CloudAPI operation: smartdc api GetMachine id=UUID. "
        "`smartdc api --list` lists them; `smartdc api OPERATION --help` lists its parameters.",
        add_help=False,
    )
    parser.add_argument("operation", nargs="?", help="operation name, e.g. ListMachines")
    parser.add_argument("params", nargs="*", metavar="PARAM=VALUE")
    parser.add_argument("--list", action="store_true", help="list every operation")
    parser.add_argument(
        "-h", "--help", dest="describe", action="store_true", help="describe the operation"
    )
