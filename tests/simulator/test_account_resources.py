"""Account, keys, users, roles, policies, role tags and access keys of the simulator."""

from __future__ import annotations

from urllib.parse import quote

from cryptography.hazmat.primitives.asymmetric import ed25519

from smartdc.testing.simulator import Simulator

from .sigclient import SigClient, md5_fp, openssh_public


def test_account_get_update_and_limits(sim: Simulator, sig: SigClient) -> None:
    account = sig.get("/my").json
    assert set(account) >= {"id", "login", "email", "triton_cns_enabled", "created", "updated"}
    updated = sig.post("/my", {"firstName": "Ada", "triton_cns_enabled": "true"}).json
    assert updated["firstName"] == "Ada" and updated["triton_cns_enabled"] is True
    assert sig.get(f"/{sim.account}").json["firstName"] == "Ada"
    assert sig.get("/my/limits").json == []


def test_key_lifecycle_by_name_and_fingerprint(sim: Simulator, sig: SigClient) -> None:
    public = openssh_public(ed25519.Ed25519PrivateKey.generate())
    fingerprint = md5_fp(public)
    created = sig.post("/my/keys", {"name": "laptop", "key": public})
    assert created.status == 201
    assert created.json == {"name": "laptop", "fingerprint": fingerprint, "key": public}
    assert created.headers["Location"] == f"/{sim.account}/keys/{quote(fingerprint, safe='')}"
    assert sig.get("/my/keys/laptop").json["fingerprint"] == fingerprint
    assert sig.get(f"/my/keys/{fingerprint}").json["name"] == "laptop"
    assert [k["name"] for k in sig.get("/my/keys").json] == ["sim", "laptop"]
    duplicate = sig.post("/my/keys", {"name": "laptop", "key": public})
    assert (duplicate.status, duplicate.json["code"]) == (409, "InvalidArgument")
    assert sig.delete("/my/keys/laptop").status == 204
    missing = sig.get("/my/keys/laptop")
    assert (missing.status, missing.json["code"]) == (404, "ResourceNotFound")


def test_create_key_validates_its_input(sig: SigClient) -> None:
    garbage = sig.post("/my/keys", {"name": "bad", "key": "ssh-rsa not-base64!!"})
    assert (garbage.status, garbage.json["code"]) == (409, "InvalidArgument")
    absent = sig.post("/my/keys", {"name": "bad"})
    assert (absent.status, absent.json["code"]) == (409, "MissingParameter")


def test_users_and_user_keys(sim: Simulator, sig: SigClient) -> None:
    created = sig.post("/my/users", {"login": "bob", "email": "bob@x", "password": "s3cret-pw"})
    assert created.status == 201
    assert created.headers["Location"] == f"/{sim.account}/users/bob"
    user = created.json
    assert "password" not in user and not any(k.startswith("_sim") for k in user)
    assert sig.get(f"/my/users/{user['id']}").json["login"] == "bob"
    again = sig.post("/my/users", {"login": "bob", "email": "bob@x", "password": "an0ther-pw"})
    assert again.status == 409
    assert sig.post("/my/users", {"login": "eve"}).json["code"] == "MissingParameter"
    # UpdateUser and ChangeUserPassword take the uuid (sdc-cloudapi lib/users.js updateUser()).
    bob = f"/my/users/{user['id']}"
    assert sig.post(bob, {"lastName": "Builder"}).json["lastName"] == "Builder"
    mismatch = sig.post(f"{bob}/change_password", {"password": "a", "password_confirmation": "b"})
    assert (mismatch.status, mismatch.json["code"]) == (409, "InvalidArgument")
    changed = sig.post(
        f"{bob}/change_password",
        {"password": "n3w-passw0rd", "password_confirmation": "n3w-passw0rd"},
    )
    assert changed.status == 200
    key = ed25519.Ed25519PrivateKey.generate()
    user_key = sig.post("/my/users/bob/keys", {"name": "bobkey", "key": openssh_public(key)})
    assert user_key.status == 201
    assert sig.get("/my/users/bob/keys/bobkey").json["fingerprint"] == md5_fp(openssh_public(key))
    # the user's key signs as the user, who has no role: authenticated, then refused
    as_bob = SigClient(sim.url, sim.account, key, user="bob")
    refused = as_bob.get("/my/users/bob/keys")
    assert (refused.status, refused.json["code"]) == (403, "NotAuthorized")
    assert sig.delete("/my/users/bob/keys/bobkey").status == 204
    assert sig.get("/my/users/bob/keys").json == []
    assert sig.delete("/my/users/bob").status == 204
    assert sig.get("/my/users/bob").status == 404


def test_roles_policies_membership_and_formats(sim: Simulator, sig: SigClient) -> None:
    sig.post("/my/users", {"login": "bob", "email": "bob@x", "password": "secr3t-pw"})
    policy = sig.post(
        "/my/policies", {"name": "read", "rules": ["can getmachine"], "description": "reads"}
    )
    assert policy.status == 201
    bad_rule = sig.post("/my/policies", {"name": "p2", "rules": ["getmachine please"]})
    assert bad_rule.status == 409
    role = sig.post(
        "/my/roles",
        {
            "name": "ops",
            "policies": [{"name": "read"}],
            "members": [{"type": "subuser", "login": "bob", "default": True}],
        },
    )
    assert role.status == 201
    body = role.json
    assert body["policies"] == [{"id": policy.json["id"], "name": "read"}]
    assert body["members"][0]["login"] == "bob" and body["members"][0]["default"] is True
    sig.accept_version = "~8"
    old = sig.get("/my/roles/ops").json
    assert (old["members"], old["default_members"], old["policies"]) == (["bob"], ["bob"], ["read"])
    sig.accept_version = "~9"
    membership = sig.get("/my/users/bob", query={"membership": "true"}).json
    assert membership["roles"] == ["ops"] and membership["default_roles"] == ["ops"]
    renamed = sig.post(f"/my/roles/{body['id']}", {"name": "operators", "members": []}).json
    assert renamed["name"] == "operators" and renamed["members"] == []
    assert (
        sig.post(f"/my/policies/{policy.json['id']}", {"description": ""}).json.get("description")
        is None
    )
    assert sig.delete(f"/my/roles/{body['id']}").status == 204
    assert sig.delete(f"/my/policies/{policy.json['id']}").status == 204
    assert sig.get("/my/roles").json == [] and sig.get("/my/policies").json == []


def test_role_tags_are_set_and_read_back(sim: Simulator, sig: SigClient) -> None:
    sig.post("/my/roles", {"name": "ops"})
    reply = sig.put("/my/keys", {"role-tag": ["ops"]})
    # The name has `my` resolved (sdc-cloudapi lib/resources.js resourceName() runs after
    # lib/auth.js loadAccount()).
    assert reply.json == {"name": f"/{sim.account}/keys", "role-tag": ["ops"]}
    assert sig.get("/my/keys").headers["role-tag"] == "ops"
    assert sig.get(f"/{sim.account}/keys").headers["role-tag"] == "ops"
    unknown = sig.put("/my/keys", {"role-tag": ["nope"]})
    assert (unknown.status, unknown.json["code"]) == (409, "InvalidArgument")
    assert sig.put("/my", {"role-tag": ["ops"]}).status == 200
    assert sig.put("/my/keys", {"role-tag": []}).json["role-tag"] == []
    assert "role-tag" not in sig.get("/my/keys").headers


def test_access_keys(sim: Simulator, sig: SigClient) -> None:
    created = sig.post("/my/accesskeys")
    assert created.status == 201
    key = created.json
    assert len(key["accesskeyid"]) == 32 and len(key["accesskeysecret"]) == 64
    assert key["status"] == "Active"
    assert created.headers["Location"] == f"/{sim.account}/accesskeys/{key['accesskeyid']}"
    assert sig.get(f"/my/accesskeys/{key['accesskeyid']}").json == key
    sig.post("/my/users", {"login": "bob", "email": "bob@x", "password": "secr3t-pw"})
    assert sig.post("/my/users/bob/accesskeys").status == 201
    assert len(sig.get("/my/users/bob/accesskeys").json) == 1
    assert sig.delete(f"/my/accesskeys/{key['accesskeyid']}").status == 204
    assert sig.get("/my/accesskeys").json == []
