"""RBAC: whether a sub-user may make a request, decided as CloudAPI decides it.

sdc-cloudapi ``lib/auth.js authorize()``: the account owner is always allowed. A sub-user acts with
the roles it names in ``as-role`` (each must be one of its roles, else 403 for the whole account) or,
without ``as-role``, its default roles. Then mahi's ``authorize()`` (node-mahi): a role named
``administrator`` allows everything; a role tagged on the resource contributes all its policies'
rules, another role only its rules that name resources explicitly; no such role, no rule, or no rule
allowing the action (aperture: ``CAN action[, ...] [resource ...] [WHEN conditions]``) is 403
NotAuthorized "You do not have permission to access PATH (ACTION)".

The action is the lower-cased route name (``updatemachine`` becomes ``<action>machine``, firewall
actions ``enablemachinefirewall``/``disablemachinefirewall``, the role-tag routes ``setroletags``).
The resource is the request path; its role tags are those set on the resource (for anything under a
machine, on the machine).

Conditions are evaluated for aperture's ``string`` type (``=``, ``!=``, ``<``, ``>``, ``<=``,
``>=``, ``like``, ``in``, with ``and``/``or``/``not``); a condition of another type (ip, date, time,
day) cannot be evaluated here, and a rule that needs one allows nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import attrs

from smartdc.testing.router import ApiError
from smartdc.testing.state import Caller, SimState

FORBIDDEN = "You do not have permission to access {}"
ADMIN_ROLE = "administrator"
_ROLE_TAG_ROUTES = frozenset(
    {
        "replaceaccountroletags",
        "replaceresourcesroletags",
        "replaceuserkeysresourcesroletags",
        "replaceresourceroletags",
        "replacemachineroletags",
        "replaceuserkeysresourceroletags",
    }
)
# aperture-config's type table as CloudAPI loads it when etc/aperture.json is absent
_TYPE_TABLE = {"ip": "ip", "requestip": "ip", "tag": "string"}


class _Unevaluable(Exception):
    """A rule aperture would reject at evaluation (unknown type, missing condition)."""


@attrs.frozen
class Rule:
    allow: bool
    actions: tuple[str, ...] | None  # None: all
    resources: tuple[str, ...] | bool | None  # None: all; False: not named (implied)
    conditions: Any  # nested lists, or None


def action_name(route: str, action: str | None) -> str:
    """The action a policy names for a route (CloudAPI's ``req.routename``)."""
    name = re.sub(r"\W", "", route).lower()
    if name in _ROLE_TAG_ROUTES:
        return "setroletags"
    if name == "updatemachine":
        return {
            "enable_firewall": "enablemachinefirewall",
            "disable_firewall": "disablemachinefirewall",
        }.get(str(action), f"{action}machine")
    return name


def resource_path(login: str, path: str) -> str:
    """The resource a request acts on (sdc-cloudapi lib/resources.js resourceName())."""
    parts = path.strip("/").split("/")
    parts[0] = login
    if len(parts) <= 3:
        return "/" + "/".join(parts)
    if parts[1] == "users" and parts[3] == "keys":
        return "/" + "/".join(parts)
    if len(parts) == 4 or parts[1] == "machines":
        return "/" + "/".join(parts[:3])
    return "/" + "/".join(parts[:4])


def authorize(
    sim: SimState,
    caller: Caller,
    *,
    login: str,
    route: str,
    action: str | None,
    raw_path: str,
    path: str,
    method: str,
    as_role: str,
    headers: Mapping[str, str],
    machine: dict[str, Any] | None,
    datacenter: str,
) -> None:
    """Raise 403 NotAuthorized unless the caller may make this request. Sets ``caller.active_roles``."""
    if caller.user is None:
        return  # the account operating on itself
    user = sim.find_user(login, caller.user)
    user_id = str(user["id"]) if user else ""
    mine = [
        role
        for role in sim.table("roles", login).values()
        if any(m.get("id") == user_id for m in role.get("_sim_members", []))
    ]
    wanted = [r for r in as_role.split(",") if r] if as_role else []
    if wanted:
        by_name = {role["name"]: role for role in mine}
        if any(name not in by_name for name in wanted):
            raise ApiError(403, "NotAuthorized", FORBIDDEN.format(login))
        active = [by_name[name] for name in wanted]
    else:
        active = [
            role
            for role in mine
            if any(
                m.get("id") == user_id and m.get("default") for m in role.get("_sim_members", [])
            )
        ]
    caller.active_roles = [str(role["name"]) for role in active]
    verb = action_name(route, action)
    denied = ApiError(403, "NotAuthorized", FORBIDDEN.format(f"{raw_path} ({verb})"))
    if any(role["name"] == ADMIN_ROLE for role in active):
        return
    tagged = _resource_tags(sim, login, path, machine)
    rules: list[Rule] = []
    matching = False
    for role in active:
        parsed = [rule for text in _role_rules(sim, login, role) if (rule := parse(text))]
        if role["name"] in tagged:
            matching = True
            rules += parsed
        else:
            explicit = [r for r in parsed if r.resources is not False]
            if explicit:
                matching = True
                rules += explicit
    if not matching or not rules:
        raise denied
    context = _conditions(method, headers, active, datacenter, machine)
    try:
        if not any(_evaluate(rule, verb, raw_path, context) for rule in rules):
            raise denied
    except _Unevaluable:
        raise denied from None


def _resource_tags(
    sim: SimState, login: str, path: str, machine: dict[str, Any] | None
) -> set[str]:
    name = resource_path(login, path)
    entry = sim.table("role_tags", login).get(name)
    return set(entry["role-tag"]) if entry else set()


def _role_rules(sim: SimState, login: str, role: dict[str, Any]) -> list[str]:
    policies = sim.table("policies", login)
    texts: list[str] = []
    for policy_id in role.get("_sim_policies", []):
        policy = policies.get(policy_id)
        if policy is not None:
            texts += [str(r) for r in policy.get("rules", [])]
    return texts


def _conditions(
    method: str,
    headers: Mapping[str, str],
    active: list[dict[str, Any]],
    datacenter: str,
    machine: dict[str, Any] | None,
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "method": method.lower(),
        "activeRoles": [str(r["id"]) for r in active],
        "datacenter": datacenter,
    }
    if headers.get("user-agent") is not None:
        context["user-agent"] = headers["user-agent"]
    if machine is not None:
        if machine.get("ips"):
            context["ip"] = machine["ips"]
        for name, value in (machine.get("tags") or {}).items():
            context[f"tag_{name}"] = value
    return context


# --- a reader for the aperture sentences CloudAPI policies hold ------------------------------

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<regex>/(?:[^/\\\n]|\\.)+/[a-z]*)(?:::regex)?
      | "(?P<quoted>(?:[^"\\]|\\.)*)"
      | (?P<punct>::|,|\(|\))
      | (?P<word>(?:[^\s,():]|:(?!:))+)
    )""",
    re.VERBOSE,
)
_KEYWORDS = {
    "and",
    "or",
    "not",
    "can",
    "to",
    "if",
    "when",
    "where",
    "all",
    "everything",
    "anything",
    "in",
}
_ALL = {"all", "everything", "anything", "*"}


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise ValueError(f"cannot read {text[position:]!r}")
        position = match.end()
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "word" and value.lower() in _KEYWORDS:
            tokens.append(("kw", value.lower()))
        else:
            tokens.append((kind, value))
    return tokens


def parse(text: str) -> Rule | None:
    """An aperture rule without principals, or None when it cannot be read."""
    try:
        tokens = _tokens(text)
        if not tokens or tokens[0] != ("kw", "can"):
            return None
        index = 1
        allow = True
        if index < len(tokens) and tokens[index] == ("kw", "not"):
            allow = False
            index += 1
        actions, index = _list(tokens, index)
        resources: tuple[str, ...] | bool | None = False  # False: implied (not named)
        if index < len(tokens):
            kind, value = tokens[index]
            if kind != "kw" or value in _ALL:
                resources, index = _list(tokens, index)
        conditions = None
        if index < len(tokens):
            if tokens[index] not in (("kw", "if"), ("kw", "when"), ("kw", "where")):
                return None
            conditions, index = _or(tokens, index + 1)
            if index != len(tokens):
                return None
        return Rule(allow, actions, resources, conditions)
    except (ValueError, IndexError):
        return None


def _list(tokens: list[tuple[str, str]], index: int) -> tuple[tuple[str, ...] | None, int]:
    kind, value = tokens[index]
    if (kind == "kw" and value in _ALL) or (kind == "word" and value == "*"):
        return None, index + 1
    items: list[str] = []
    while True:
        kind, value = tokens[index]
        if kind not in ("word", "quoted", "regex"):
            raise ValueError("identifier expected")
        items.append(_pattern(kind, value))
        index += 1
        if index < len(tokens) and tokens[index] == ("punct", ","):
            index += 1
            if tokens[index] == ("kw", "and"):
                index += 1
            continue
        if index < len(tokens) and tokens[index] == ("kw", "and"):
            index += 1
            continue
        return tuple(items), index


def _pattern(kind: str, value: str) -> str:
    """Identifiers as regular expressions: exact, ``*`` fuzzy, or a /regex/."""
    if kind == "regex":
        body, _, flags = value[1:].rpartition("/")
        return f"(?{flags.replace('g', '')}){body}" if flags.replace("g", "") else body
    if kind == "word" and "*" in value:
        return "^" + ".*".join(re.escape(p) for p in value.split("*")) + "$"
    return "^" + re.escape(value) + "$"


def _or(tokens: list[tuple[str, str]], index: int) -> tuple[Any, int]:
    left, index = _and(tokens, index)
    while index < len(tokens) and tokens[index] == ("kw", "or"):
        right, index = _and(tokens, index + 1)
        left = ["or", left, right]
    return left, index


def _and(tokens: list[tuple[str, str]], index: int) -> tuple[Any, int]:
    left, index = _not(tokens, index)
    while index < len(tokens) and tokens[index] == ("kw", "and"):
        right, index = _not(tokens, index + 1)
        left = ["and", left, right]
    return left, index


def _not(tokens: list[tuple[str, str]], index: int) -> tuple[Any, int]:
    if tokens[index] == ("kw", "not"):
        inner, index = _not(tokens, index + 1)
        return ["not", inner], index
    if tokens[index] == ("punct", "("):
        inner, index = _or(tokens, index + 1)
        if tokens[index] != ("punct", ")"):
            raise ValueError(") expected")
        return inner, index + 1
    name = tokens[index][1]
    index += 1
    kind = None
    if tokens[index] == ("punct", "::"):
        kind = tokens[index + 1][1]
        index += 2
    if tokens[index] == ("kw", "in"):
        if tokens[index + 1] != ("punct", "("):
            raise ValueError("( expected")
        values: list[str] = []
        index += 2
        while tokens[index] != ("punct", ")"):
            if tokens[index] != ("punct", ","):
                values.append(tokens[index][1])
            index += 1
        return ["in", name, kind, values], index + 1
    op = tokens[index][1].lower()
    value = tokens[index + 1][1]
    return [op, name, kind, value], index + 2


def _matches(patterns: tuple[str, ...] | bool | None, value: str) -> bool:
    if patterns is None or patterns is False:
        return True
    assert not isinstance(patterns, bool)
    return any(re.search(p, value) for p in patterns)


def _evaluate(rule: Rule, action: str, resource: str, context: dict[str, Any]) -> bool:
    if not _matches(rule.actions, action) or not _matches(rule.resources, resource):
        return False
    if rule.conditions is not None and not _condition(rule.conditions, context):
        return False
    return rule.allow


def _condition(node: Any, context: dict[str, Any]) -> bool:
    op = node[0]
    if op == "and":
        return _condition(node[1], context) and _condition(node[2], context)
    if op == "or":
        return _condition(node[1], context) or _condition(node[2], context)
    if op == "not":
        return not _condition(node[1], context)
    _, name, kind, value = node
    kind = kind or _TYPE_TABLE.get(name)
    if kind != "string":
        raise _Unevaluable(f"no evaluation for {name} of type {kind}")
    if context.get(name) is None:
        raise _Unevaluable(f"missing condition in context: {name}")
    actual = context[name]
    if op == "in":
        return any(_compare("=", actual, v) for v in value)
    return _compare(op, actual, value)


def _compare(op: str, actual: Any, expected: str) -> bool:
    if op == "like":
        body, _, flags = expected[1:].rpartition("/")
        return re.search(body, str(actual), re.IGNORECASE if "i" in flags else 0) is not None
    if op == "=":
        return bool(actual == expected)
    if op == "!=":
        return bool(actual != expected)
    text = str(actual)
    if op == "<":
        return text < expected
    if op == ">":
        return text > expected
    if op == "<=":
        return text <= expected
    if op == ">=":
        return text >= expected
    raise _Unevaluable(f"unsupported operation {op}")
