"""RBAC sub-users: List/Get/Create/Update/Delete, ChangeUserPassword (API 7.2.0 and later)."""

from __future__ import annotations

import hashlib
from typing import Any

from smartdc.testing.resources.account import UPDATABLE
from smartdc.testing.resources.common import (
    as_bool,
    created,
    invalid,
    location,
    login_of,
    no_content,
    not_found,
    ok,
    required,
)
from smartdc.testing.router import Router, SimRequest, SimResponse
from smartdc.testing.state import SimState
from smartdc.testing.versions import RBAC_VERSION


def _password_hash(password: str) -> str:
    return hashlib.sha256(password.encode("utf-8")).hexdigest()


def create_user(
    sim: SimState, account: str, login: str, *, password: str = "", **fields: Any
) -> dict[str, Any]:
    """Store a new sub-user (shared by CreateUser and ``Simulator.add_user``)."""
    if sim.find_user(account, login) is not None:
        raise invalid(f"login {login} is already in use")
    now = sim.now_iso()
    user: dict[str, Any] = {"id": sim.new_uuid(), "login": login, "email": f"{login}@example.com"}
    user.update({k: v for k, v in fields.items() if k in UPDATABLE})
    user.update({"created": now, "updated": now})
    user["_sim_password"] = _password_hash(password)  # only a digest is kept, and never shown
    sim.table("users", account)[user["id"]] = user
    return user


def find_user(req: SimRequest) -> dict[str, Any]:
    name = req.params.get("uuid") or req.params.get("user") or ""
    sim: SimState = req.sim
    user = sim.find_user(login_of(req), name)
    if user is None:
        raise not_found(f"{name} does not exist")
    return user


def _membership(req: SimRequest, user: dict[str, Any]) -> dict[str, Any]:
    roles: list[str] = []
    default_roles: list[str] = []
    for role in req.sim.table("roles", login_of(req)).values():
        for member in role.get("_sim_members", []):
            if member.get("id") == user["id"]:
                roles.append(role["name"])
                if member.get("default"):
                    default_roles.append(role["name"])
    return {**user, "roles": roles, "default_roles": default_roles}


def list_users(req: SimRequest) -> SimResponse:
    return ok(list(req.sim.table("users", login_of(req)).values()))


def get_user(req: SimRequest) -> SimResponse:
    user = find_user(req)
    membership = req.query.get("membership")
    if membership is not None and as_bool(membership, "membership"):
        return ok(_membership(req, user))
    return ok(user)


def create_user_route(req: SimRequest) -> SimResponse:
    login = required(req, "login")
    required(req, "email")
    password = required(req, "password")
    fields = {k: str(req.param(k)) for k in UPDATABLE if req.param(k) is not None}
    user = create_user(req.sim, login_of(req), str(login), password=str(password), **fields)
    return created(user, location(login_of(req), "users", str(login)))


def update_user(req: SimRequest) -> SimResponse:
    user = find_user(req)
    new_login = req.param("login")
    if new_login and new_login != user["login"]:
        if req.sim.find_user(login_of(req), str(new_login)) is not None:
            raise invalid(f"login {new_login} is already in use")
        user["login"] = str(new_login)
    for name in UPDATABLE:
        value = req.param(name)
        if value is None:
            continue
        if value == "" and name != "email":
            user.pop(name, None)  # an empty string clears the field
        else:
            user[name] = str(value)
    user["updated"] = req.sim.now_iso()
    return ok(user)


def change_password(req: SimRequest) -> SimResponse:
    user = find_user(req)
    password = required(req, "password")
    confirmation = required(req, "password_confirmation")
    if password != confirmation:
        raise invalid("password and password_confirmation must match")
    user["_sim_password"] = _password_hash(str(password))
    user["updated"] = req.sim.now_iso()
    return ok(user)


def delete_user(req: SimRequest) -> SimResponse:
    user = find_user(req)
    account = login_of(req)
    del req.sim.table("users", account)[user["id"]]
    req.sim.tables.pop(("keys", f"{account}/users/{user['id']}"), None)
    return no_content()


def register(router: Router) -> None:
    v = RBAC_VERSION
    router.add("GET", "/:account/users", "ListUsers", list_users, min_version=v)
    router.add("HEAD", "/:account/users", "HeadUsers", list_users, min_version=v)
    router.add("POST", "/:account/users", "CreateUser", create_user_route, min_version=v)
    router.add(
        "POST",
        "/:account/users/:uuid/change_password",
        "ChangeUserPassword",
        change_password,
        min_version=v,
    )
    router.add("GET", "/:account/users/:uuid", "GetUser", get_user, min_version=v)
    router.add("HEAD", "/:account/users/:uuid", "HeadUser", get_user, min_version=v)
    router.add("POST", "/:account/users/:uuid", "UpdateUser", update_user, min_version=v)
    router.add("DELETE", "/:account/users/:uuid", "DeleteUser", delete_user, min_version=v)
