"""Firewall rules: CRUD, enable/disable, and the machines a rule applies to (``vm <uuid>``,
``tag name[=value]``, ``all vms`` targets), both ways (ListFirewallRuleMachines,
ListMachineFirewallRules).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from smartdc.testing.lazy import settle
from smartdc.testing.resources.common import (
    as_bool,
    created,
    get_and_head,
    invalid,
    location,
    login_of,
    no_content,
    not_found,
    ok,
)
from smartdc.testing.resources.machines import find_machine, machines_of, render, tag_text
from smartdc.testing.resources.tagging import tag_from_request
from smartdc.testing.router import ApiError, Router, SimRequest, SimResponse
from smartdc.testing.state import DatacenterState

_RULE = re.compile(
    r"^\s*FROM\s+.+\s+TO\s+.+\s+(ALLOW|BLOCK)\s+(tcp|udp|icmp|icmp6|ah|esp)\b", re.IGNORECASE
)
_VM = re.compile(r"\bvm\s+([0-9a-f-]{36})", re.IGNORECASE)
_TAG = re.compile(r'\btag\s+"?([\w.-]+)"?(?:\s*=\s*"?([\w.-]+)"?)?', re.IGNORECASE)


def _rules(req: SimRequest) -> dict[str, dict[str, Any]]:
    rules: dict[str, dict[str, Any]] = req.dc.table("fwrules", login_of(req))
    return rules


def _visible(req: SimRequest) -> list[dict[str, Any]]:
    """The account's rules and the datacenter's global rules (FWAPI lists both)."""
    return [*req.dc.table("fwrules").values(), *_rules(req).values()]


def add_global_rule(dc: DatacenterState, rule: str, *, enabled: bool = True) -> dict[str, Any]:
    """Add an operator-owned global rule: listed to every account, changed by none."""
    rule_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"fwrule:{dc.name}:{rule}"))
    found = {"id": rule_id, "rule": rule, "enabled": enabled, "log": False, "global": True}
    dc.table("fwrules")[rule_id] = found
    return found


# FWAPI answers pass through CloudAPI unchanged (sdc-cloudapi lib/rules.js calls next(err)).
_OWNER_MISMATCH = {
    "code": "Forbidden",
    "message": "owner does not match",
    "errors": [
        {"field": "owner_uuid", "code": "InvalidParameter", "message": "owner_uuid does not match"}
    ],
}
_BAD_UUID = {
    "code": "InvalidParameters",
    "message": "Invalid parameters",
    "errors": [{"field": "uuid", "code": "InvalidParameter", "message": "Invalid UUID"}],
}
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _find(req: SimRequest) -> dict[str, Any]:
    rule_id = req.params["id"]
    if not _UUID.match(rule_id):  # sdc-fwapi lib/persist.js getRule()
        raise ApiError(422, "InvalidParameters", "Invalid parameters", body=_BAD_UUID)
    rule = _rules(req).get(rule_id) or req.dc.table("fwrules").get(rule_id)
    if rule is None and any(
        kind == "fwrules" and owner is not None and rule_id in table
        for (kind, owner), table in req.dc.tables.items()
    ):  # FWAPI ruleBefore(): another account's rule
        raise ApiError(403, "Forbidden", "owner does not match", body=_OWNER_MISMATCH)
    if rule is None:
        raise not_found("Rule not found")
    return rule


def _mutable(rule: dict[str, Any]) -> dict[str, Any]:
    if rule.get("global"):  # FWAPI disallowOwnerForGlobal(): no owner may change it
        raise ApiError(403, "Forbidden", "owner does not match", body=_OWNER_MISMATCH)
    return rule


def _check_rule(text: Any) -> str:
    if isinstance(text, str) and _RULE.match(text):
        return text
    # FWAPI's validation error, passed through by CloudAPI: 422 with the parser's complaint
    word = str(text).split()[0] if str(text).split() else ""
    message = f"Error at character 0: '{word}', expected: 'FROM', found: word"
    raise ApiError(
        422,
        "InvalidParameters",
        "Invalid parameters",
        body={
            "code": "InvalidParameters",
            "message": "Invalid parameters",
            "errors": [{"field": "rule", "code": "InvalidParameter", "message": message}],
        },
    )


def applies_to(rule: dict[str, Any], machine: dict[str, Any]) -> bool:
    text = str(rule.get("rule", ""))
    if re.search(r"\ball\s+vms\b", text, re.IGNORECASE):
        return True
    if machine["id"] in _VM.findall(text):
        return True
    tags = machine.get("tags", {})
    return any(
        name in tags and (not value or tag_text(tags[name]) == value)
        for name, value in _TAG.findall(text)
    )


def list_rules(req: SimRequest) -> SimResponse:
    return ok(_visible(req))


def get_rule(req: SimRequest) -> SimResponse:
    return ok(_find(req))


def create_rule(req: SimRequest) -> SimResponse:
    text = req.param("rule")
    if not text:
        raise ApiError(409, "MissingParameter", "rule is a required argument")
    rule: dict[str, Any] = {
        "id": req.sim.new_uuid(),
        "rule": _check_rule(text),
        "enabled": as_bool(req.param("enabled") or False, "enabled"),
        "log": as_bool(req.param("log") or False, "log"),
    }
    if req.param("description") is not None:
        rule["description"] = str(req.param("description"))
    _rules(req)[rule["id"]] = rule
    tag_from_request(req, rule["id"])
    return created(rule, location(login_of(req), "fwrules", rule["id"]))


def update_rule(req: SimRequest) -> SimResponse:
    rule = _find(req)
    if rule.get("global"):  # CloudAPI's own check, before FWAPI sees the update
        raise invalid("global rules cannot be modified")
    if req.param("rule") is not None:
        rule["rule"] = _check_rule(req.param("rule"))
    for flag in ("enabled", "log"):
        if req.param(flag) is not None:
            rule[flag] = as_bool(req.param(flag), flag)
    if req.param("description") is not None:
        rule["description"] = str(req.param("description"))
    tag_from_request(req)
    return ok(rule)


def _set_enabled(value: bool) -> Any:
    def handler(req: SimRequest) -> SimResponse:
        rule = _mutable(_find(req))
        rule["enabled"] = value
        return ok(rule)

    return handler


def delete_rule(req: SimRequest) -> SimResponse:
    rule = _mutable(_find(req))
    del _rules(req)[rule["id"]]
    return no_content()


def rule_machines(req: SimRequest) -> SimResponse:
    rule = _find(req)
    now = req.sim.clock.now()
    found = [
        render(req, m)
        for m in machines_of(req).values()
        if settle(m, now).get("state") != "deleted" and applies_to(rule, m)
    ]
    return SimResponse(200, found, {"x-resource-count": str(len(found))})


def machine_rules(req: SimRequest) -> SimResponse:
    machine = find_machine(req)
    return ok([r for r in _visible(req) if applies_to(r, machine)])


def register(router: Router) -> None:
    get_and_head(router, "/:account/fwrules", "ListFirewallRules", "HeadFirewallRules", list_rules)
    router.add("POST", "/:account/fwrules", "CreateFirewallRule", create_rule)
    get_and_head(router, "/:account/fwrules/:id", "GetFirewallRule", "HeadFirewallRule", get_rule)
    router.add("POST", "/:account/fwrules/:id", "UpdateFirewallRule", update_rule)
    router.add("DELETE", "/:account/fwrules/:id", "DeleteFirewallRule", delete_rule)
    router.add("POST", "/:account/fwrules/:id/enable", "EnableFirewallRule", _set_enabled(True))
    router.add("POST", "/:account/fwrules/:id/disable", "DisableFirewallRule", _set_enabled(False))
    get_and_head(
        router,
        "/:account/fwrules/:id/machines",
        "ListFirewallRuleMachines",
        "HeadFirewallRuleMachines",
        rule_machines,
    )
    get_and_head(
        router,
        "/:account/machines/:machine/fwrules",
        "ListMachineFirewallRules",
        "HeadMachineFirewallRules",
        machine_rules,
    )
