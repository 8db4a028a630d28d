"""Account-side answers of the simulator as the CloudAPI 9.20 server code gives them.

Each test names the server code it follows (sdc-cloudapi at 9.20.0, node-ufds 1.7.0, sdc-ufds).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from cryptography.hazmat.primitives.asymmetric import ed25519

from smartdc.testing.simulator import Simulator
from smartdc.testing.state import Settings

from .sigclient import SigClient, load_private_key, openssh_public


def _user(sig: SigClient, login: str = "bob") -> dict[str, Any]:
    reply = sig.post(
        "/my/users", {"login": login, "email": f"{login}@example.com", "password": "secr3t-pw"}
    )
    assert reply.status == 201
    user: dict[str, Any] = reply.json
    return user


def test_update_user_and_change_password_take_the_uuid_only(sig: SigClient) -> None:
    # lib/users.js updateUser() looks the user up with getUserEx({searchType: 'uuid'}).
    user = _user(sig)
    by_login = sig.post("/my/users/bob", {"lastName": "Builder"})
    assert (by_login.status, by_login.json["code"]) == (404, "ResourceNotFound")
    password = {"password": "n3w-passw0rd", "password_confirmation": "n3w-passw0rd"}
    assert sig.post("/my/users/bob/change_password", password).status == 404
    assert (
        sig.post(f"/my/users/{user['id']}", {"lastName": "Builder"}).json["lastName"] == "Builder"
    )
    assert sig.post(f"/my/users/{user['id']}/change_password", password).status == 200
    # GetUser and DeleteUser go through node-ufds getUser(), which matches login or uuid.
    assert sig.get("/my/users/bob").status == 200


def test_a_user_with_keys_cannot_be_deleted(sig: SigClient) -> None:
    # node-ufds deleteUser() deletes the user's entry only; UFDS refuses an entry that has
    # children (NotAllowedOnNonLeaf), which node-ufds translateError() makes a 409 InvalidArgument.
    user = _user(sig)
    public = openssh_public(ed25519.Ed25519PrivateKey.generate())
    assert sig.post("/my/users/bob/keys", {"name": "k", "key": public}).status == 201
    refused = sig.delete("/my/users/bob")
    assert (refused.status, refused.json["code"]) == (409, "InvalidArgument")
    assert sig.delete("/my/users/bob/keys/k").status == 204
    access = sig.post(f"/my/users/{user['id']}/accesskeys").json["accesskeyid"]
    assert sig.delete("/my/users/bob").status == 409
    assert sig.delete(f"/my/users/bob/accesskeys/{access}").status == 204
    assert sig.delete("/my/users/bob").status == 204


def test_role_and_policy_writes_by_uuid(sig: SigClient) -> None:
    # node-ufds deleteRole(), deletePolicy() and modifyPolicy() build the entry's DN from the
    # value in the path, so a name is not found there; GetRole/GetPolicy/UpdateRole search by
    # uuid or name.
    policy = sig.post("/my/policies", {"name": "read", "rules": ["CAN getmachine"]}).json
    role = sig.post("/my/roles", {"name": "ops"}).json
    assert sig.get("/my/roles/ops").status == 200 and sig.get("/my/policies/read").status == 200
    assert sig.post("/my/roles/ops", {"name": "operators"}).json["name"] == "operators"
    assert sig.post("/my/policies/read", {"description": "x"}).status == 404
    assert sig.delete("/my/policies/read").status == 404
    assert sig.delete("/my/roles/operators").status == 404
    assert sig.delete(f"/my/roles/{role['id']}").status == 204
    assert sig.delete(f"/my/policies/{policy['id']}").status == 204


def test_update_policy_without_a_change_answers_an_empty_object(sig: SigClient) -> None:
    # node-ufds modifyPolicy() answers nothing when there is nothing to change, and
    # lib/policies.js translatePolicy(undefined) is {}.
    policy = sig.post("/my/policies", {"name": "read", "rules": ["CAN getmachine"]}).json
    reply = sig.post(f"/my/policies/{policy['id']}", {})
    assert (reply.status, reply.json) == (200, {})


def test_rbac_routes_have_no_version_gate(sig: SigClient) -> None:
    # lib/users.js, lib/roles.js, lib/policies.js and CreateUserKey in lib/keys.js register their
    # routes without a version; the user-key reads and deletes are gated at 7.2.0.
    sig.accept_version = "~7.1"
    assert sig.get("/my/users").status == 200
    assert sig.get("/my/roles").status == 200
    assert sig.get("/my/policies").status == 200
    _user(sig)
    public = openssh_public(ed25519.Ed25519PrivateKey.generate())
    assert sig.post("/my/users/bob/keys", {"name": "k", "key": public}).status == 201
    gated = sig.get("/my/users/bob/keys")
    assert (gated.status, gated.json["code"]) == (400, "InvalidVersion")


def test_get_user_reads_membership_by_truthiness(sig: SigClient) -> None:
    # lib/users.js get(): `if (!req.params.membership)` on the raw query string.
    _user(sig)
    sig.post("/my/roles", {"name": "ops", "members": [{"type": "subuser", "login": "bob"}]})
    assert sig.get("/my/users/bob", query={"membership": "false"}).json["roles"] == ["ops"]
    assert "roles" not in sig.get("/my/users/bob").json


def test_create_user_checks_the_email(sig: SigClient) -> None:
    # lib/users.js create(): EMAIL_RE, 409 InvalidArgument "email: ... is invalid".
    reply = sig.post(
        "/my/users", {"login": "bob", "email": "not-an-email", "password": "secr3t-pw"}
    )
    assert (reply.status, reply.json["code"]) == (409, "InvalidArgument")
    assert reply.json["message"] == "email: not-an-email is invalid"


def test_ufds_password_policy(sig: SigClient) -> None:
    # sdc-ufds data/bootstrap.ldif.in cn=pwdpolicy (pwdminlength 7, pwdcheckquality a letter and a
    # digit, pwdinhistory 4), applied by lib/salt.js validatePassword() and checkPwdHistory();
    # node-ufds translateError() answers a ConstraintViolationError as 409 InvalidArgument with
    # its message, and lib/users.js passes it on.
    def refused(reply: Any) -> tuple[int, str, str]:
        return reply.status, reply.json["code"], reply.json["message"]

    new = {"login": "bob", "email": "bob@example.com"}
    too_short = sig.post("/my/users", {**new, "password": "s3cret"})
    assert refused(too_short) == (409, "InvalidArgument", "passwordTooShort")
    letters_only = sig.post("/my/users", {**new, "password": "secretpassword"})
    assert refused(letters_only) == (409, "InvalidArgument", "insufficientPasswordQuality")
    user = sig.post("/my/users", {**new, "password": "first-passw0rd"}).json
    path = f"/my/users/{user['id']}/change_password"

    def change(password: str) -> Any:
        return sig.post(path, {"password": password, "password_confirmation": password})

    assert refused(change("first-passw0rd")) == (409, "InvalidArgument", "passwordInHistory")
    assert refused(change("12345678")) == (409, "InvalidArgument", "insufficientPasswordQuality")
    for n in range(1, 6):
        assert change(f"passw0rd-{n}").status == 200
    # now current is 5, history keeps 4, 3, 2, 1 (four entries): the first one is free again
    for n in range(1, 6):
        assert refused(change(f"passw0rd-{n}"))[2] == "passwordInHistory"
    assert change("first-passw0rd").status == 200
    assert change("passw0rd-1").status == 200


def test_create_user_and_change_password_name_every_missing_parameter(sig: SigClient) -> None:
    # lib/users.js create() and changePassword(): one MissingParameter for all of them.
    reply = sig.post("/my/users", {"login": "bob"})
    assert (reply.status, reply.json["code"], reply.json["message"]) == (
        409,
        "MissingParameter",
        "Request is missing required parameters: email is required, password is required",
    )
    user = _user(sig)
    reply = sig.post(f"/my/users/{user['id']}/change_password", {})
    assert reply.json["message"] == (
        "Request is missing required parameters: password is required,"
        " password_confirmation is required"
    )
    mismatch = sig.post(
        f"/my/users/{user['id']}/change_password",
        {"password": "passw0rd-a", "password_confirmation": "passw0rd-b"},
    )
    assert mismatch.json["message"] == "password and password_confirmation must have the same value"


def test_update_account_ignores_empty_values(sig: SigClient) -> None:
    # lib/account.js update() copies a field only `if (req.params[p])`.
    sig.post("/my", {"phone": "555"})
    assert sig.post("/my", {"phone": ""}).json["phone"] == "555"
    bad = sig.post("/my", {"triton_cns_enabled": "yes"})
    assert (bad.status, bad.json["code"]) == (409, "InvalidArgument")
    assert bad.json["message"] == 'triton_cns_enabled must be either "true" or "false"'


def test_role_tags_only_on_the_server_s_collections(sim: Simulator, sig: SigClient) -> None:
    # lib/resources.js saveResource(): validResources; others are 404 "<name> is not a valid
    # resource". Without role-tag the account owner's request changes nothing and answers [].
    sig.post("/my/roles", {"name": "ops"})
    refused = sig.put("/my/volumes", {"role-tag": ["ops"]})
    assert (refused.status, refused.json["code"]) == (404, "ResourceNotFound")
    assert refused.json["message"] == "volumes is not a valid resource"
    assert sig.put("/my/services", {"role-tag": ["ops"]}).status == 200
    untouched = sig.put("/my/keys", {})
    assert (untouched.status, untouched.json) == (
        200,
        {"name": f"/{sim.account}/keys", "role-tag": []},
    )


def test_role_tag_header_tags_what_a_create_or_update_makes(sim: Simulator, sig: SigClient) -> None:
    # lib/resources.js updateResource() after CreateKey, CreateUser, UpdateUser, CreatePolicy...:
    # the role-tag header tags the new resource (the collection's name plus its id); unknown role
    # names are only logged by the server, the answer is unchanged.
    sig.post("/my/roles", {"name": "ops"})
    public = openssh_public(ed25519.Ed25519PrivateKey.generate())
    key = sig.post("/my/keys", {"name": "k", "key": public}, headers={"role-tag": "ops"})
    assert key.status == 201
    fingerprint = quote(key.json["fingerprint"], safe="")
    assert sig.get(f"/my/keys/{fingerprint}").headers["role-tag"] == "ops"
    user = sig.post(
        "/my/users",
        {"login": "bob", "email": "bob@example.com", "password": "secr3t-pw"},
        headers={"role-tag": "nope"},
    )
    assert user.status == 201
    assert "role-tag" not in sig.get(f"/my/users/{user.json['id']}").headers
    sig.post(f"/my/users/{user.json['id']}", {"phone": "1"}, headers={"role-tag": "ops"})
    assert sig.get(f"/my/users/{user.json['id']}").headers["role-tag"] == "ops"
    policy = sig.post(
        "/my/policies", {"name": "p", "rules": ["CAN getmachine"]}, headers={"role-tag": "ops"}
    )
    assert sig.get(f"/my/policies/{policy.json['id']}").headers["role-tag"] == "ops"
    rule = sig.post(
        "/my/fwrules",
        {"rule": "FROM any TO all vms ALLOW tcp PORT 22"},
        headers={"role-tag": "ops"},
    )
    assert sig.get(f"/my/fwrules/{rule.json['id']}").headers["role-tag"] == "ops"
    sig.post("/my", {"phone": "2"}, headers={"role-tag": "ops"})
    assert sig.get("/my").headers["role-tag"] == "ops"


def test_a_key_ufds_cannot_parse_is_answered_as_create_key_does(sig: SigClient) -> None:
    # lib/keys.js create(): one word is 'key is invalid'; a key of two words or more goes to UFDS,
    # whose parse failure create() answers as 'key already exists or is invalid'.
    one_word = sig.post("/my/keys", {"name": "bad", "key": "garbage"})
    assert (one_word.status, one_word.json["message"]) == (409, "key is invalid")
    unparsable = sig.post("/my/keys", {"name": "bad", "key": "ssh-rsa not-base64!!"})
    assert (unparsable.status, unparsable.json["message"]) == (
        409,
        "key already exists or is invalid",
    )


def test_access_keys_carry_the_ufds_entry(sim: Simulator, sig: SigClient) -> None:
    # lib/endpoints/accesskeys.js translateAccessKey() copies node-ufds's entry whole: its dn,
    # objectclass and controls come along with the key's attributes.
    key = sig.post("/my/accesskeys").json
    account_id = sig.get("/my").json["id"]
    assert key["dn"] == f"accesskeyid={key['accesskeyid']}, uuid={account_id}, ou=users, o=smartdc"
    assert (key["objectclass"], key["controls"]) == ("accesskey", [])
    assert sig.get(f"/my/accesskeys/{key['accesskeyid']}").json == key


def test_another_account_s_firewall_rule_is_forbidden(sim: Simulator, sig: SigClient) -> None:
    # FWAPI's ruleBefore(): a rule whose owner is not the caller is 403 'owner does not match',
    # passed through by lib/rules.js.
    sim.add_account("friend")
    with sim.state.lock:
        sim.dc().table("fwrules", "friend")["f0f0f0f0-0000-4000-8000-000000000001"] = {
            "id": "f0f0f0f0-0000-4000-8000-000000000001",
            "rule": "FROM any TO all vms ALLOW tcp PORT 22",
            "enabled": True,
            "log": False,
        }
    reply = sig.get("/my/fwrules/f0f0f0f0-0000-4000-8000-000000000001")
    assert (reply.status, reply.json["code"]) == (403, "Forbidden")
    assert reply.json["message"] == "owner does not match"


def test_volume_routes_answer_405_when_volumes_are_off() -> None:
    # lib/app.js mounts the volume routes only with experimental_cloudapi_nfs_shared_volumes;
    # without them the role-tag PUT routes still match the paths: restify answers 405.
    with Simulator(settings=Settings(volumes_enabled=False)) as sim:
        sig = SigClient(sim.url, sim.account, load_private_key(sim.key_path))
        for reply in (
            sig.get("/my/volumes"),
            sig.post("/my/volumes", {"type": "tritonnfs"}),
            sig.get("/my/volumes/" + "0" * 8 + "-0000-4000-8000-" + "0" * 12),
            sig.get("/my/volumesizes"),
        ):
            assert (reply.status, reply.json["code"]) == (405, "MethodNotAllowedError")
            assert reply.headers["Allow"] == "PUT"
