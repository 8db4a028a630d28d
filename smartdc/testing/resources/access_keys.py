"""Access keys (9.11.0, undocumented): List/Get/Create/Delete for accounts and sub-users."""

from __future__ import annotations

import secrets
from typing import Any

from smartdc.testing.resources.common import (
    created,
    location,
    login_of,
    no_content,
    not_found,
    ok,
)
from smartdc.testing.resources.tagging import tag_from_request
from smartdc.testing.router import Router, SimRequest, SimResponse
from smartdc.testing.state import SimState, Table


def _table(req: SimRequest) -> Table:
    sim: SimState = req.sim
    account = login_of(req)
    user = req.params.get("user")
    if user is None:
        return sim.table("accesskeys", account)
    found = sim.find_user(account, user)
    if found is None:
        raise not_found(f"{user} does not exist")
    return sim.table("accesskeys", f"{account}/users/{found['id']}")


def _key(req: SimRequest) -> dict[str, Any]:
    key_id = req.params["accesskeyid"]
    key = _table(req).get(key_id)
    if key is None:
        raise not_found(f"{key_id} does not exist")
    return key


def list_keys(req: SimRequest) -> SimResponse:
    return ok(list(_table(req).values()))


def get_key(req: SimRequest) -> SimResponse:
    return ok(_key(req))


def create_key(req: SimRequest) -> SimResponse:
    table = _table(req)
    key_id = secrets.token_hex(16)
    # translateAccessKey() copies node-ufds's LDAP entry whole: dn, objectclass, controls too.
    owner = f"uuid={req.account.uuid}, ou=users, o=smartdc"
    user = req.params.get("user")
    if user is not None:
        found = req.sim.find_user(login_of(req), user)
        owner = f"uuid={found['id'] if found else user}, {owner}"
    key = {
        "dn": f"accesskeyid={key_id}, {owner}",
        "controls": [],
        "accesskeyid": key_id,
        "accesskeysecret": secrets.token_hex(32),
        "objectclass": "accesskey",
        "created": req.sim.now_iso(),
        "status": "Active",  # hard-coded by this server version
    }
    table[key["accesskeyid"]] = key
    if "user" in req.params:
        path = location(
            login_of(req), "users", req.params["user"], "accesskeys", key["accesskeyid"]
        )
    else:
        path = location(login_of(req), "accesskeys", key["accesskeyid"])
    tag_from_request(req, key["accesskeyid"])
    return created(key, path)


def delete_key(req: SimRequest) -> SimResponse:
    key = _key(req)
    del _table(req)[key["accesskeyid"]]
    return no_content()


def register(router: Router) -> None:
    for base, prefix in (("/:account", ""), ("/:account/users/:user", "User")):
        coll = f"{base}/accesskeys"
        item = f"{coll}/:accesskeyid"
        router.add("GET", coll, f"List{prefix}AccessKeys", list_keys)
        router.add("HEAD", coll, f"Head{prefix}AccessKeys", list_keys)
        router.add("POST", coll, f"Create{prefix}AccessKey", create_key)
        router.add("GET", item, f"Get{prefix}AccessKey", get_key)
        router.add("HEAD", item, f"Head{prefix}AccessKey", get_key)
        router.add("DELETE", item, f"Delete{prefix}AccessKey", delete_key)
