"""RBAC sub-users: List/Get/Create/Update/Delete, ChangeUserPassword.

As sdc-cloudapi lib/users.js: the routes have no version gate; GetUser and DeleteUser find a user
by login or uuid (node-ufds getUser()), UpdateUser and ChangeUserPassword by uuid only.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from smartdc.testing.resources.account import UPDATABLE
from smartdc.testing.resources.common import (
    created,
    invalid,
    location,
    login_of,
    no_content,
    not_found,
    ok,
)
from smartdc.testing.resources.tagging import tag_from_request
from smartdc.testing.router import ApiError, Router, SimRequest, SimResponse
from smartdc.testing.state import SimState

# lib/users.js EMAIL_RE (its `&amp;` is an HTML-escaping slip kept in the server's pattern).
EMAIL_RE = re.compile(r"^[a-zA-Z0-9.!#$%&amp;'*+\-/=?^_`{|}~-]+@[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*$")
# node-ufds translateError() for UFDS's NotAllowedOnNonLeaf.
HAS_CHILDREN = (
    'The resource in question has "child" elements or is immutable and cannot be destroyed'
)


# UFDS's password policy, `cn=pwdpolicy, o=smartdc` as sdc-ufds data/bootstrap.ldif.in installs it
# (pwdminlength 7, pwdcheckquality: a letter and a digit, pwdinhistory 4), applied by sdc-ufds
# lib/salt.js validatePassword() on add and modify and checkPwdHistory() on modify. UFDS refuses with
# an LDAP ConstraintViolationError whose message node-ufds translateError() answers as
# 409 InvalidArgument; CloudAPI lib/users.js passes it on unchanged.
PWD_MIN_LENGTH = 7
PWD_IN_HISTORY = 4
_LETTER = re.compile(r"[a-zA-Z]")
_DIGIT = re.compile(r"[0-9]")


def _password_hash(password: str) -> str:
    return hashlib.sha256(password.encode("utf-8")).hexdigest()


def check_password(password: str) -> None:
    """sdc-ufds lib/salt.js validatePassword(): the length first (JavaScript's, in UTF-16 code
    units), then the quality function."""
    if len(password.encode("utf-16-le")) // 2 < PWD_MIN_LENGTH:
        raise invalid("passwordTooShort")
    if not _LETTER.search(password) or not _DIGIT.search(password):
        raise invalid("insufficientPasswordQuality")


def set_password(user: dict[str, Any], password: str) -> None:
    """sdc-ufds lib/salt.js modify(): validatePassword(), then checkPwdHistory(), which refuses the
    current password and any kept in pwdhistory, then keeps the old one and at most
    pwdinhistory entries in all."""
    check_password(password)
    digest = _password_hash(password)
    current = user.get("_sim_password")
    history: list[str] = list(user.get("_sim_password_history", []))
    if digest == current or digest in history:
        raise invalid("passwordInHistory")
    if current is not None:
        user["_sim_password_history"] = [current, *history][:PWD_IN_HISTORY]
    user["_sim_password"] = digest


def _missing_parameters(problems: list[str]) -> ApiError:
    """lib/users.js create() and changePassword(): one error naming every missing parameter."""
    return ApiError(
        409,
        "MissingParameter",
        "Request is missing required parameters: " + ", ".join(problems),
    )


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
    if password:  # UFDS validates a password given to add() (lib/salt.js add())
        check_password(password)
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


def find_user_by_uuid(req: SimRequest) -> dict[str, Any]:
    """UpdateUser/ChangeUserPassword: lib/users.js updateUser() searches UFDS by uuid only."""
    name = req.params.get("uuid") or ""
    user: dict[str, Any] | None = req.sim.table("users", login_of(req)).get(name)
    if user is None:
        raise not_found("The resource you requested does not exist")
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
    if req.param("membership"):  # lib/users.js get(): the raw value's truthiness
        return ok(_membership(req, user))
    return ok(user)


def create_user_route(req: SimRequest) -> SimResponse:
    login, email, password = req.param("login"), req.param("email"), req.param("password")
    problems = [
        f"{name} is required"
        for name, value in (("email", email), ("login", login), ("password", password))
        if not value
    ]
    if problems:
        raise _missing_parameters(problems)
    if not EMAIL_RE.match(str(email)):
        raise invalid(f"email: {email} is invalid")
    fields = {k: str(req.param(k)) for k in UPDATABLE if req.param(k) is not None}
    user = create_user(req.sim, login_of(req), str(login), password=str(password), **fields)
    tag_from_request(req, user["id"])
    return created(user, location(login_of(req), "users", str(login)))


def update_user(req: SimRequest) -> SimResponse:
    user = find_user_by_uuid(req)
    email = req.param("email")
    if email and not EMAIL_RE.match(str(email)):
        raise invalid(f"email: {email} is invalid")
    new_login = req.param("login")
    if new_login and new_login != user["login"]:
        if req.sim.find_user(login_of(req), str(new_login)) is not None:
            raise invalid(f"login {new_login} is already in use")
        user["login"] = str(new_login)
    for name in UPDATABLE:
        value = req.param(name)
        if value is None:
            continue
        if value == "" and name == "email":
            # "" deletes the attribute, and UFDS refuses an sdcPerson without email
            # (ObjectclassViolation: a 409 MissingParameter from node-ufds translateError()).
            raise ApiError(
                409, "MissingParameter", "Request is missing a required parameter (email)"
            )
        if value == "":
            user.pop(name, None)  # an empty string clears the field
        else:
            user[name] = str(value)
    user["updated"] = req.sim.now_iso()
    tag_from_request(req)
    return ok(user)


def change_password(req: SimRequest) -> SimResponse:
    password, confirmation = req.param("password"), req.param("password_confirmation")
    problems = [
        f"{name} is required"
        for name, value in (("password", password), ("password_confirmation", confirmation))
        if not value
    ]
    if problems:
        raise _missing_parameters(problems)
    if password != confirmation:
        raise invalid("password and password_confirmation must have the same value")
    user = find_user_by_uuid(req)  # UFDS is asked only after these checks
    set_password(user, str(password))
    user["updated"] = req.sim.now_iso()
    return ok(user)


def delete_user(req: SimRequest) -> SimResponse:
    user = find_user(req)
    account = login_of(req)
    owner = f"{account}/users/{user['id']}"
    # UFDS deletes the user's entry alone: one with SSH or access keys under it is refused.
    if req.sim.key_table(account, user["id"]) or req.sim.table("accesskeys", owner):
        raise invalid(HAS_CHILDREN)
    del req.sim.table("users", account)[user["id"]]
    return no_content()


def register(router: Router) -> None:
    router.add("GET", "/:account/users", "ListUsers", list_users)
    router.add("HEAD", "/:account/users", "HeadUsers", list_users)
    router.add("POST", "/:account/users", "CreateUser", create_user_route)
    router.add(
        "POST", "/:account/users/:uuid/change_password", "ChangeUserPassword", change_password
    )
    router.add("GET", "/:account/users/:uuid", "GetUser", get_user)
    router.add("HEAD", "/:account/users/:uuid", "HeadUser", get_user)
    router.add("POST", "/:account/users/:uuid", "UpdateUser", update_user)
    router.add("DELETE", "/:account/users/:uuid", "DeleteUser", delete_user)
