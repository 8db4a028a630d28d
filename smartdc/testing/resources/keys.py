"""SSH keys of accounts and sub-users: List/Get/Create/Delete, by name or MD5 fingerprint."""

from __future__ import annotations

from typing import Any

from smartdc.testing.resources.common import (
    created,
    get_and_head,
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
from smartdc.testing.sshkeys import BadPublicKey, md5_fingerprint, parse_public_key
from smartdc.testing.state import SimState, Table, by_id_or_name
from smartdc.testing.versions import RBAC_VERSION


def key_table(req: SimRequest) -> Table:
    """The keys of the account in the path, or of ``:user`` when the path names one."""
    login = login_of(req)
    sim: SimState = req.sim
    user = req.params.get("user")
    if user is None:
        return sim.key_table(login)
    found = sim.find_user(login, user)
    if found is None:
        raise not_found(f"{user} does not exist")
    return sim.key_table(login, str(found["id"]))


def find_key(keys: Table, name: str) -> dict[str, Any]:
    key = by_id_or_name(keys, name)
    if key is None:
        raise not_found(f"{name} does not exist")
    return key


def list_keys(req: SimRequest) -> SimResponse:
    return ok(list(key_table(req).values()))


def get_key(req: SimRequest) -> SimResponse:
    return ok(find_key(key_table(req), req.params["name"]))


def create_key(req: SimRequest) -> SimResponse:
    keys = key_table(req)
    text = required(req, "key")
    if not isinstance(text, str):
        raise invalid("key is invalid")
    if len(text.split(" ")) < 2:  # lib/keys.js create(): the check before UFDS
        raise invalid("key is invalid")
    try:
        parse_public_key(text, allow_ed25519=req.sim.settings.has("ed25519_keys"))
    except BadPublicKey:
        # UFDS refuses it; create() answers every UFDS failure but a 404 this way.
        raise invalid("key already exists or is invalid") from None
    fingerprint = md5_fingerprint(text)
    # node-ufds addKey(): the name given (trimmed), else the key's comment, else the fingerprint.
    words = text.strip().split(None, 2)
    name = req.param("name") or (words[2].strip() if len(words) > 2 else "") or fingerprint
    if not isinstance(name, str):
        raise invalid("name is invalid")
    name = name.strip()
    if fingerprint in keys or any(k.get("name") == name for k in keys.values()):
        raise invalid("key already exists or is invalid")
    key: dict[str, Any] = {"name": name, "fingerprint": fingerprint, "key": text.strip()}
    attestation = req.param("attestation")
    if attestation:
        key["attested"] = True
        key["multifactor"] = []
    key["_sim_created"] = req.sim.now_iso()
    keys[fingerprint] = key
    if "user" in req.params:
        path = location(login_of(req), "users", req.params["user"], "keys", fingerprint)
    else:
        path = location(login_of(req), "keys", fingerprint)
    tag_from_request(req, fingerprint)
    return created(key, path)


def delete_key(req: SimRequest) -> SimResponse:
    keys = key_table(req)
    key = find_key(keys, req.params["name"])
    del keys[key["fingerprint"]]
    return no_content()


def register(router: Router) -> None:
    get_and_head(router, "/:account/keys", "ListKeys", "HeadKeys", list_keys)
    get_and_head(router, "/:account/keys/:name", "GetKey", "HeadKey", get_key)
    router.add("POST", "/:account/keys", "CreateKey", create_key)
    router.add("DELETE", "/:account/keys/:name", "DeleteKey", delete_key)
    base = "/:account/users/:user/keys"
    v = RBAC_VERSION
    router.add("GET", base, "ListUserKeys", list_keys, min_version=v)
    router.add("HEAD", base, "HeadUserKeys", list_keys, min_version=v)
    router.add("GET", f"{base}/:name", "GetUserKey", get_key, min_version=v)
    router.add("HEAD", f"{base}/:name", "HeadUserKey", get_key, min_version=v)
    router.add("POST", base, "CreateUserKey", create_key)  # the server gives it no version
    router.add("DELETE", f"{base}/:name", "DeleteUserKey", delete_key, min_version=v)
