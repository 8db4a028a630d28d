"""RBAC policies: List/Get/Create/Update/Delete.

As sdc-cloudapi lib/policies.js: the routes have no version gate; GetPolicy finds a policy by uuid
or name (node-ufds getPolicy()), UpdatePolicy and DeletePolicy by uuid only (node-ufds builds the
entry's DN from the path value).
"""

from __future__ import annotations

from typing import Any

from smartdc.testing.resources.common import (
    created,
    invalid,
    location,
    login_of,
    no_content,
    not_found,
    ok,
    required,
)
from smartdc.testing.resources.tagging import tag_from_request
from smartdc.testing.router import Router, SimRequest, SimResponse
from smartdc.testing.state import SimState, by_id_or_name


def find_policy(sim: SimState, account: str, name: str) -> dict[str, Any] | None:
    return by_id_or_name(sim.table("policies", account), name)


def _policy(req: SimRequest) -> dict[str, Any]:
    name = req.params["policy"]
    policy = find_policy(req.sim, login_of(req), name)
    if policy is None:
        raise not_found(f"{name} does not exist")
    return policy


def _policy_by_uuid(req: SimRequest) -> dict[str, Any]:
    policy: dict[str, Any] | None = req.sim.table("policies", login_of(req)).get(
        req.params["policy"]
    )
    if policy is None:
        raise not_found("The resource you requested does not exist")
    return policy


def _rules(value: Any) -> list[str]:
    rules = [value] if isinstance(value, str) else value
    if not isinstance(rules, list) or not all(isinstance(r, str) for r in rules):
        raise invalid("rules must be an array of strings")
    for rule in rules:
        # Aperture sentences start with CAN (the real server parses them fully).
        if not rule.strip().lower().startswith("can "):
            raise invalid(f"rule is invalid: {rule}")
    return list(rules)


def list_policies(req: SimRequest) -> SimResponse:
    return ok(list(req.sim.table("policies", login_of(req)).values()))


def get_policy(req: SimRequest) -> SimResponse:
    return ok(_policy(req))


def create_policy(req: SimRequest) -> SimResponse:
    account = login_of(req)
    name = str(required(req, "name"))
    rules = _rules(required(req, "rules"))
    if find_policy(req.sim, account, name) is not None:
        raise invalid(f"policy {name} already exists")
    policy: dict[str, Any] = {"id": req.sim.new_uuid(), "name": name, "rules": rules}
    description = req.param("description")
    if description:
        policy["description"] = str(description)
    req.sim.table("policies", account)[policy["id"]] = policy
    tag_from_request(req, policy["id"])
    return created(policy, location(account, "policies", policy["id"]))


def update_policy(req: SimRequest) -> SimResponse:
    policy = _policy_by_uuid(req)
    name = req.param("name")
    description = req.param("description")
    if not name and not req.param("rules") and description is None:
        # node-ufds modifyPolicy() answers nothing when nothing changes; translatePolicy() of
        # nothing is {}.
        return ok({})
    if name:
        other = find_policy(req.sim, login_of(req), str(name))
        if other is not None and other is not policy:
            raise invalid(f"policy {name} already exists")
        policy["name"] = str(name)
    if req.param("rules") is not None:
        policy["rules"] = _rules(req.param("rules"))
    if description == "":
        policy.pop("description", None)
    elif description is not None:
        policy["description"] = str(description)
    tag_from_request(req)
    return ok(policy)


def delete_policy(req: SimRequest) -> SimResponse:
    policy = _policy_by_uuid(req)
    account = login_of(req)
    del req.sim.table("policies", account)[policy["id"]]
    for role in req.sim.table("roles", account).values():
        role["_sim_policies"] = [p for p in role.get("_sim_policies", []) if p != policy["id"]]
    return no_content()


def register(router: Router) -> None:
    router.add("GET", "/:account/policies", "ListPolicies", list_policies)
    router.add("HEAD", "/:account/policies", "HeadPolicies", list_policies)
    router.add("POST", "/:account/policies", "CreatePolicy", create_policy)
    router.add("GET", "/:account/policies/:policy", "GetPolicy", get_policy)
    router.add("HEAD", "/:account/policies/:policy", "HeadPolicy", get_policy)
    router.add("POST", "/:account/policies/:policy", "UpdatePolicy", update_policy)
    router.add("DELETE", "/:account/policies/:policy", "DeletePolicy", delete_policy)
