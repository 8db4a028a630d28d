"""``name=value`` arguments: filters, tags, metadata and the parameters of ``smartdc api``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from smartdc.errors import ArgumentError

if TYPE_CHECKING:
    from pathlib import Path


def file_path(*parts: str) -> Path:
    """``Path(*parts)``, importing pathlib only when a command reads or writes a file (so that
    ``smartdc --help`` starts quicker)."""
    from pathlib import Path

    return Path(*parts)


def read_text(source: str, what: str) -> str:
    """The text of file ``source`` (``-``: stdin), as UTF-8; a file that is missing, a directory,
    unreadable or not UTF-8 is an :class:`ArgumentError` naming it, never a traceback."""
    import sys

    shown = "stdin" if source == "-" else repr(source)
    try:
        if source == "-":
            return sys.stdin.read()
        return file_path(source).expanduser().read_text("utf-8")
    except UnicodeDecodeError as exc:
        raise ArgumentError(f"{what} {shown} is not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise ArgumentError(f"cannot read {what} {shown}: {exc.strerror or exc}") from None


def positive_int(text: str) -> int:
    """An argparse type: a whole number of 1 or more."""
    import argparse

    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not 1 or more")
    return number


def scalar(text: str) -> Any:
    """``true``/``false``, numbers and JSON values as such; anything else stays a string."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def split_assignment(item: str) -> tuple[str, str]:
    name, sep, value = item.partition("=")
    if not sep or not name:
        raise ArgumentError(f"expected NAME=VALUE, got {item!r}")
    return name, value


def parse_assignments(items: Sequence[str], *, typed: bool = True) -> dict[str, Any]:
    """``["a=1", "b=x"]`` -> ``{"a": 1, "b": "x"}`` (values kept as strings unless ``typed``)."""
    result: dict[str, Any] = {}
    for item in items:
        name, value = split_assignment(item)
        result[name] = scalar(value) if typed else value
    return result


def coerce(text: str, spec: Any, enum_names: frozenset[str]) -> Any:
    """A command-line string as the value the parameter's type (operation metadata) wants."""
    if isinstance(spec, tuple):
        kind = spec[0]
        if kind == "list":
            if text.startswith("["):
                return json.loads(text)
            return [coerce(part, spec[1], enum_names) for part in text.split(",") if part]
        if kind == "map":
            return _json_object(text)
        # union: JSON when it parses (numbers, objects), else the plain string
        return scalar(text)
    if spec in ("string", "uuid", "datetime") or spec in enum_names:
        return text
    if spec == "integer":
        try:
            return int(text)
        except ValueError:
            raise ArgumentError(f"{text!r} is not an integer") from None
    if spec == "number":
        try:
            return float(text) if "." in text else int(text)
        except ValueError:
            raise ArgumentError(f"{text!r} is not a number") from None
    if spec == "boolean":
        lowered = text.lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no"):
            return False
        raise ArgumentError(f"{text!r} is not a boolean (true or false)")
    if spec == "any":
        return scalar(text)
    return _json_object(text)  # object or a model: JSON text


def _json_object(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise ArgumentError(f"expected JSON, got {text!r}") from None


def operation_arguments(
    op: Any, items: Sequence[str], enum_names: frozenset[str]
) -> dict[str, Any]:
    """``name=value`` items as keyword arguments of an operation, typed by its metadata.

    A free-form family parameter takes ``prefix.key=value`` (``tag.role=db``, ``metadata.x=1``)
    or its Python name with a key (``tags.role=db``).
    """
    params = {p.name: p for p in op.params}
    wires = {p.wire: p for p in op.params}
    families = {p.family: p for p in op.params if p.family}
    args: dict[str, Any] = {}
    for item in items:
        name, text = split_assignment(item)
        param = params.get(name) or wires.get(name)
        if param is not None:
            args[param.name] = coerce(text, param.type, enum_names)
            continue
        head, dot, key = name.partition(".")
        family = families.get(head + ".") if dot else None
        if family is None and dot and head in params and params[head].family:
            family = params[head]
        if family is None or not key:
            known = ", ".join(sorted(params)) or "none"
            raise ArgumentError(f"{op.name} has no parameter {name!r} (parameters: {known})")
        value_type = family.type[1] if isinstance(family.type, tuple) else "any"
        args.setdefault(family.name, {})[key] = coerce(text, value_type, enum_names)
    return args
