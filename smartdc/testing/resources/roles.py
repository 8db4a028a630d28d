"""RBAC roles: List/Get/Create/Update/Delete.

Stored with policy ids and member references; rendered in the 9.0.0 object format
(``policies: [{id, name}]``, ``members: [{type, id, login, default}]``) or, for older API versions,
as name arrays (``members``, ``default_members``, ``policies``). As sdc-cloudapi lib/roles.js: the
routes have no version gate; DeleteRole takes the uuid only (node-ufds deleteRole() builds the DN
from it), the other routes a uuid or a name.
"""

from __future__ import annotations

from typing import Any

from smartdc.testing.resources.common import (
    as_list,
    created,
    invalid,
    location,
    login_of,
    no_content,
    not_found,
    ok,
    required,
)
from smartdc.testing.resources.policies import find_policy
from smartdc.testing.resources.tagging import tag_from_request
from smartdc.testing.router import Router, SimRequest, SimResponse
from smartdc.testing.state import SimState, by_id_or_name
from smartdc.testing.versions import parse_version


def find_role(sim: SimState, account: str, name: str) -> dict[str, Any] | None:
    return by_id_or_name(sim.table("roles", account), name)


def _role(req: SimRequest) -> dict[str, Any]:
    name = req.params["role"]
    role = find_role(req.sim, login_of(req), name)
    if role is None:
        raise not_found(f"{name} does not exist")
    return role


def _object_format(req: SimRequest) -> bool:
    return parse_version(req.api_version) >= (9, 0, 0)


def render(req: SimRequest, role: dict[str, Any]) -> dict[str, Any]:
    sim: SimState = req.sim
    account = login_of(req)
    policies = [sim.table("policies", account).get(pid) for pid in role.get("_sim_policies", [])]
    known = [p for p in policies if p is not None]
    members = []
    for member in role.get("_sim_members", []):
        if member["type"] == "account":
            login = account
        else:
            user = sim.table("users", account).get(member["id"])
            if user is None:
                continue
            login = user["login"]
        members.append({**member, "login": login})
    if _object_format(req):
        return {
            "id": role["id"],
            "name": role["name"],
            "policies": [{"id": p["id"], "name": p["name"]} for p in known],
            "members": members,
        }
    return {
        "id": role["id"],
        "name": role["name"],
        "members": [m["login"] for m in members],
        "default_members": [m["login"] for m in members if m.get("default")],
        "policies": [p["name"] for p in known],
    }


def _policy_ids(req: SimRequest, value: Any) -> list[str]:
    ids = []
    for ref in as_list(value):
        name = ref.get("id") or ref.get("name") if isinstance(ref, dict) else ref
        policy = find_policy(req.sim, login_of(req), str(name)) if name else None
        if policy is None:
            raise invalid(f"policy {name} does not exist")
        ids.append(str(policy["id"]))
    return ids


def _member(req: SimRequest, ref: Any, default: bool) -> dict[str, Any]:
    sim: SimState = req.sim
    account = login_of(req)
    if isinstance(ref, dict):
        kind = ref.get("type")
        if kind not in ("subuser", "account"):
            raise invalid("member type must be subuser or account")
        name = ref.get("id") or ref.get("login")
        default = bool(ref.get("default", False))
    else:
        kind, name = "subuser", ref
    if kind == "account":
        if name not in (req.account.uuid, account):
            raise invalid(f"account {name} does not exist")
        return {"type": "account", "id": req.account.uuid, "default": default}
    user = sim.find_user(account, str(name)) if name else None
    if user is None:
        raise invalid(f"user {name} does not exist")
    return {"type": "subuser", "id": user["id"], "default": default}


def _members(req: SimRequest) -> list[dict[str, Any]] | None:
    members = req.param("members")
    defaults = req.param("default_members")
    if members is None and defaults is None:
        return None
    if _object_format(req) and (
        members is None or all(isinstance(m, dict) for m in as_list(members))
    ):
        return [_member(req, ref, False) for ref in as_list(members)]
    # Pre-9.0 form: arrays (or CSV) of logins; default members must also be members.
    default_logins = {str(d) for d in as_list(defaults)}
    found = [_member(req, login, str(login) in default_logins) for login in as_list(members)]
    return found


def list_roles(req: SimRequest) -> SimResponse:
    return ok([render(req, r) for r in req.sim.table("roles", login_of(req)).values()])


def get_role(req: SimRequest) -> SimResponse:
    return ok(render(req, _role(req)))


def create_role(req: SimRequest) -> SimResponse:
    account = login_of(req)
    name = str(required(req, "name"))
    if find_role(req.sim, account, name) is not None:
        raise invalid(f"role {name} already exists")
    role: dict[str, Any] = {
        "id": req.sim.new_uuid(),
        "name": name,
        "_sim_policies": _policy_ids(req, req.param("policies")),
        "_sim_members": _members(req) or [],
    }
    req.sim.table("roles", account)[role["id"]] = role
    tag_from_request(req, role["id"])
    return created(render(req, role), location(account, "roles", role["id"]))


def update_role(req: SimRequest) -> SimResponse:
    role = _role(req)
    name = req.param("name")
    if name:
        other = find_role(req.sim, login_of(req), str(name))
        if other is not None and other is not role:
            raise invalid(f"role {name} already exists")
        role["name"] = str(name)
    if req.param("policies") is not None:
        role["_sim_policies"] = _policy_ids(req, req.param("policies"))
    members = _members(req)
    if members is not None:
        role["_sim_members"] = members
    tag_from_request(req)
    return ok(render(req, role))


def delete_role(req: SimRequest) -> SimResponse:
    role = req.sim.table("roles", login_of(req)).get(req.params["role"])
    if role is None:
        raise not_found("The resource you requested does not exist")
    del req.sim.table("roles", login_of(req))[role["id"]]
    return no_content()


def register(router: Router) -> None:
    router.add("GET", "/:account/roles", "ListRoles", list_roles)
    router.add("HEAD", "/:account/roles", "HeadRoles", list_roles)
    router.add("POST", "/:account/roles", "CreateRole", create_role)
    router.add("GET", "/:account/roles/:role", "GetRole", get_role)
    router.add("HEAD", "/:account/roles/:role", "HeadRole", get_role)
    router.add("POST", "/:account/roles/:role", "UpdateRole", update_role)
    router.add("DELETE", "/:account/roles/:role", "DeleteRole", delete_role)
