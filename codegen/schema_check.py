"""A small JSON Schema checker for the subset ``schema.json`` uses (type, enum, pattern, required,
properties, additionalProperties, patternProperties, items, $ref), with messages naming the key."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

SCHEMA: dict[str, Any] = json.loads((Path(__file__).parent / "schema.json").read_text())

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}


def check(document: Any, definition: str) -> list[str]:
    """Problems of ``document`` against ``$defs/<definition>`` (empty when it conforms)."""
    problems: list[str] = []
    _check(document, SCHEMA["$defs"][definition], "", problems)
    return problems


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = SCHEMA["$defs"][name]
    return schema


def _type_ok(value: Any, names: str | list[str]) -> bool:
    for name in [names] if isinstance(names, str) else names:
        if isinstance(value, bool) and name in ("integer", "number"):
            continue
        if isinstance(value, _TYPES[name]):
            return True
    return False


def _check(value: Any, schema: dict[str, Any], where: str, problems: list[str]) -> None:
    schema = _resolve(schema)
    at = where or "(top)"
    if "type" in schema and not _type_ok(value, schema["type"]):
        problems.append(f"{at}: expected {schema['type']}, got {type(value).__name__} {value!r}")
        return
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{at}: {value!r} is not one of {schema['enum']}")
    if "pattern" in schema and isinstance(value, str) and not re.search(schema["pattern"], value):
        problems.append(f"{at}: {value!r} does not match {schema['pattern']}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            _check(item, schema["items"], f"{where}[{index}]", problems)
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                problems.append(f"{at}: missing required key {key!r}")
        properties = schema.get("properties", {})
        patterns = schema.get("patternProperties", {})
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            path = f"{where}.{key}" if where else str(key)
            if key in properties:
                _check(item, properties[key], path, problems)
                continue
            matched = [p for p in patterns if re.search(p, str(key))]
            for pattern in matched:
                _check(item, patterns[pattern], path, problems)
            if matched:
                continue
            if extra is False:
                allowed = ", ".join(sorted(properties)) or "none"
                problems.append(f"{at}: unknown key {key!r} (allowed: {allowed})")
            elif isinstance(extra, dict):
                _check(item, extra, path, problems)
