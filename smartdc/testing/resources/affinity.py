"""Affinity rules as CloudAPI reads them (CreateMachine and CreateVolume ``affinity``).

A rule is ``KEY OP [~]VALUE``: KEY is ``instance``, ``container`` or a tag name; OP is ``==`` or
``!=``; a ``~`` makes it soft (best effort); VALUE is exact, a ``*`` glob, or a ``/regex/``. The
parse and its error messages follow sdc-cloudapi ``lib/triton-affinity.js`` (``ruleFromExpr``):
the first rule that does not parse fails the request with 409 InvalidArgument.
"""

from __future__ import annotations

import json
import re
from typing import Any

import attrs

from smartdc.testing.resources.common import invalid
from smartdc.testing.router import ApiError

_OPERATORS = ("==", "!=")
_KEY = re.compile(r"^[a-z_][a-z0-9\-_.]+$", re.IGNORECASE)
_VALUE = re.compile(r"^[-a-z0-9:_\s.*/()?+\[\]\\^$|]+$", re.IGNORECASE)
# how the server's messages print these patterns (JavaScript regular-expression literals)
_KEY_TEXT = r"/^[a-z_][a-z0-9\-_.]+$/i"
_VALUE_TEXT = r"/^[-a-z0-9:_\s.*/()?+[\]\\^$|]+$/i"


@attrs.frozen
class Rule:
    key: str
    operator: str  # "==" or "!="
    value: str
    soft: bool
    kind: str  # "exact", "glob" or "re"

    @property
    def is_instance(self) -> bool:
        return self.key in ("instance", "container")

    def __str__(self) -> str:
        return f"{self.key}{self.operator}{'~' if self.soft else ''}{self.value}"


def _js(value: str) -> str:
    """A string as JavaScript's JSON.stringify (the server's ``%j``) writes it."""
    return json.dumps(value, ensure_ascii=False)


def parse_rule(text: str) -> Rule:
    found = [(text.find(op), op) for op in _OPERATORS if op in text]
    if not found:
        raise invalid(
            'could not find operator in affinity rule: expected one of "==", "!=": ' + _js(text)
        )
    index, operator = found[0]  # `==` is looked for first, as the server does
    key = text[:index]
    if not _KEY.match(key):
        raise invalid(
            f"invalid key in affinity rule: {_js(text)}: {_js(key)} does not match {_KEY_TEXT}"
        )
    value = text[index + len(operator) :]
    soft = value.startswith("~")
    if soft:
        value = value[1:]
    if not _VALUE.match(value):
        raise invalid(
            f"invalid value in affinity rule: {_js(text)}: {_js(value)} does not match"
            f" {_VALUE_TEXT}"
        )
    if len(value) >= 3 and value.startswith("/") and value.endswith("/"):
        kind = "re"
    elif "*" in value:
        kind = "glob"
    else:
        kind = "exact"
    return Rule(key, operator, value, soft, kind)


def parse_rules(raw: Any) -> list[Rule]:
    """CreateMachine's ``affinity``: one rule or a list of them (none when empty)."""
    if raw is None or raw == "" or raw == []:
        return []
    texts = raw if isinstance(raw, list) else [raw]
    if not all(isinstance(t, str) for t in texts):
        # the server asserts an array of strings: the failed assertion is its generic 500
        raise ApiError(500, "InternalError", "Internal Error")
    return [parse_rule(t) for t in texts]
