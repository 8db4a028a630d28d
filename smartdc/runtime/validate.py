"""Argument checks made before any request, so a mistake is named instead of sent."""

from __future__ import annotations

import enum
import fnmatch
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from smartdc.errors import ArgumentError
from smartdc.runtime.meta import OperationMeta, ParamMeta, TypeSpec

_PRIMITIVE_CHECKS: dict[str, tuple[str, Any]] = {
    "string": ("a string", str),
    "uuid": ("a string (uuid)", str),
    "integer": ("an integer", int),
    "number": ("a number", (int, float)),
    "boolean": ("a boolean", bool),
    "datetime": ("a datetime or ISO 8601 string", (datetime, str)),
    "object": ("a mapping", Mapping),
}


def _fits(value: Any, spec: TypeSpec, enum_names: frozenset[str]) -> bool:
    if isinstance(spec, tuple):
        kind, *args = spec
        if kind == "list":
            return (
                isinstance(value, Sequence)
                and not isinstance(value, (str, bytes))
                and all(_fits(v, args[0], enum_names) for v in value)
            )
        if kind == "map":
            return isinstance(value, Mapping) and all(
                isinstance(k, str) and _fits(v, args[0], enum_names) for k, v in value.items()
            )
        return any(_fits(value, option, enum_names) for option in args)
    if spec == "any":
        return True
    if spec in _PRIMITIVE_CHECKS:
        if isinstance(value, bool) and spec in ("integer", "number"):
            return False
        return isinstance(value, _PRIMITIVE_CHECKS[spec][1])
    if spec in enum_names:
        return isinstance(value, (str, enum.Enum))
    return isinstance(value, Mapping) or hasattr(value, "to_json")  # a model or its JSON form


def describe(spec: TypeSpec) -> str:
    """The type in plain words: ``a mapping of names to a string or a number``."""
    if isinstance(spec, tuple):
        kind, *args = spec
        if kind == "list":
            return f"a list of {_plural(describe(args[0]))}"
        if kind == "map":
            return f"a mapping of names to {_plural(describe(args[0]))}"
        words = [describe(a) for a in args]
        return ", ".join(words[:-1]) + f" or {words[-1]}" if len(words) > 1 else words[0]
    found = _PRIMITIVE_CHECKS.get(spec)
    return found[0] if found is not None else f"a {spec}"


def _plural(text: str) -> str:
    """``a string`` -> ``strings``; kept as is when it is not that simple."""
    if text.startswith("a ") and " " not in text[2:]:
        return text[2:] + "s"
    if text.startswith("an ") and " " not in text[3:]:
        return text[3:] + "s"
    return text


def check_arguments(op: OperationMeta, args: Mapping[str, Any], enum_names: frozenset[str]) -> None:
    """Raise ArgumentError for unknown, missing, empty or mistyped arguments of ``op``."""
    matched = 0
    for param in op.params:
        if param.name in args:
            matched += 1
    if matched != len(args):
        known = {p.name for p in op.params}
        unknown = sorted(set(args) - known)
        names = ", ".join(sorted(known)) or "none"
        raise ArgumentError(
            f"{op.name}: unknown parameter(s) {', '.join(unknown)} (known: {names})"
        )
    for param in op.params:
        value = args.get(param.name)
        if value is None:
            if param.required:
                raise ArgumentError(f"{op.name}: missing required parameter {param.name!r}")
            continue
        _check_one(op, param, value, enum_names)


def _check_one(op: OperationMeta, param: ParamMeta, value: Any, enum_names: frozenset[str]) -> None:
    if param.ignored_keys and isinstance(value, Mapping):
        dropped = [
            k for k in value if any(fnmatch.fnmatchcase(str(k), g) for g in param.ignored_keys)
        ]
        if dropped:
            raise ArgumentError(
                f"{op.name}: parameter {param.name!r} has key(s) {', '.join(map(repr, dropped))} "
                f"that CloudAPI ignores without an error ({', '.join(param.ignored_keys)}); "
                "they would be lost"
            )
    if param.location == "path" and (not isinstance(value, str) or not value.strip()):
        raise ArgumentError(
            f"{op.name}: parameter {param.name!r} must be a non-empty string, got {value!r}"
        )
    if not _fits(value, param.type, enum_names):
        shown = "<secret>" if param.secret else repr(value)
        raise ArgumentError(
            f"{op.name}: parameter {param.name!r} must be {describe(param.type)}, got {type(value).__name__} {shown}"
        )
