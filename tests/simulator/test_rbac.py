"""RBAC as CloudAPI enforces it (sdc-cloudapi lib/auth.js authorize(), node-mahi authorize(),
aperture rules): a sub-user acts with its default roles or the ones it takes with `as-role`; the
account owner is never affected. Real signed HTTP with the sub-user's own key."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from smartdc.testing.resources.images import image_id
from smartdc.testing.simulator import Simulator

from .sigclient import Reply, SigClient, openssh_public


@pytest.fixture
def bob(sim: Simulator) -> SigClient:
    sim.add_user(sim.account, "bob")
    key = ec.generate_private_key(ec.SECP256R1())
    sim.add_key(sim.account, openssh_public(key), "bobkey", user="bob")
    return SigClient(sim.url, sim.account, key, user="bob")


def _machine(sig: SigClient, name: str, **body: Any) -> dict[str, Any]:
    image = image_id("base-64-lts", "23.4.0")  # a seeded public image
    reply = sig.post(
        "/my/machines", {"image": image, "package": "g4-highcpu-128M", "name": name, **body}
    )
    assert reply.status == 201, reply.json
    return dict(reply.json)


def _role(sig: SigClient, name: str, rules: list[str], *, default: bool = True) -> None:
    assert sig.post("/my/policies", {"name": f"{name}-policy", "rules": rules}).status == 201
    member = {"type": "subuser", "login": "bob", "default": default}
    role = {"name": name, "policies": [f"{name}-policy"], "members": [member]}
    assert sig.post("/my/roles", role).status == 201


def _refused(reply: Reply) -> str:
    assert (reply.status, reply.json["code"]) == (403, "NotAuthorized"), reply.json
    return str(reply.json["message"])


def test_a_sub_user_without_roles_can_neither_list_nor_delete(
    sim: Simulator, sig: SigClient, bob: SigClient
) -> None:
    web = _machine(sig, "web")
    assert _refused(bob.get(f"/{sim.account}/machines")) == (
        f"You do not have permission to access /{sim.account}/machines (listmachines)"
    )
    assert _refused(bob.delete(f"/my/machines/{web['id']}")) == (
        f"You do not have permission to access /my/machines/{web['id']} (deletemachine)"
    )
    assert _refused(bob.post(f"/my/machines/{web['id']}", {"action": "stop"})).endswith(
        "(stopmachine)"
    )
    # a machine that does not exist is not found before anyone is asked
    assert bob.get("/my/machines/00000000-0000-4000-8000-000000000000").status == 404
    # the account owner is unaffected
    assert [m["name"] for m in sig.get("/my/machines").json] == ["web"]
    assert sig.delete(f"/my/machines/{web['id']}").status == 204


def test_rules_apply_where_the_role_is_tagged_or_resources_are_named(
    sig: SigClient, bob: SigClient
) -> None:
    web = _machine(sig, "web")
    _role(sig, "reader", ["CAN listmachines and getmachine"])
    # rules without resources need the role tagged on the resource
    _refused(bob.get("/my/machines"))
    assert sig.put("/my/machines", {"role-tag": ["reader"]}).status == 200
    assert [m["name"] for m in bob.get("/my/machines").json] == ["web"]
    _refused(bob.get(f"/my/machines/{web['id']}"))
    assert sig.put(f"/my/machines/{web['id']}", {"role-tag": ["reader"]}).status == 200
    assert bob.get(f"/my/machines/{web['id']}").json["name"] == "web"
    _refused(bob.delete(f"/my/machines/{web['id']}"))  # the role does not allow it


def test_explicit_resources_globs_and_cannot(sig: SigClient, bob: SigClient) -> None:
    web = _machine(sig, "web")
    _role(sig, "all", ["CAN getmachine *", "CAN NOT deletemachine *", "CAN list* *"])
    assert bob.get(f"/my/machines/{web['id']}").status == 200
    assert bob.get("/my/machines").status == 200  # `list*` is a fuzzy action
    assert bob.get("/my/images").status == 200
    _refused(bob.delete(f"/my/machines/{web['id']}"))  # CAN NOT grants nothing
    _refused(bob.get("/my"))


def test_as_role_takes_a_non_default_role(sim: Simulator, sig: SigClient, bob: SigClient) -> None:
    _role(sig, "ops", ["CAN listmachines *"], default=False)
    _refused(bob.get("/my/machines"))
    assert bob.get("/my/machines", query={"as-role": "ops"}).status == 200
    assert _refused(bob.get("/my/machines", query={"as-role": "ops,nosuch"})) == (
        f"You do not have permission to access {sim.account}"
    )


def test_administrator_role_allows_everything_and_tags_what_it_creates(
    sig: SigClient, bob: SigClient
) -> None:
    member = {"type": "subuser", "login": "bob", "default": True}
    sig.post("/my/roles", {"name": "administrator", "members": [member]})
    made = _machine(bob, "bobs")
    tagged = sig.get(f"/my/machines/{made['id']}")
    assert tagged.headers["role-tag"] == "administrator"
    assert bob.delete(f"/my/machines/{made['id']}").status == 204


def test_machines_a_sub_user_creates_carry_its_roles(sig: SigClient, bob: SigClient) -> None:
    _role(sig, "builder", ["CAN createmachine *", "CAN getmachine"])
    made = _machine(bob, "built")
    # GetMachine's rule names no resource: it applies because the new machine has the role
    assert bob.get(f"/my/machines/{made['id']}").status == 200
    other = _machine(sig, "other")
    _refused(bob.get(f"/my/machines/{other['id']}"))


def test_conditions_on_machine_tags(sig: SigClient, bob: SigClient) -> None:
    web = _machine(sig, "web", **{"tag.role": "web"})
    db = _machine(sig, "db", **{"tag.role": "db"})
    _role(sig, "webops", ["CAN getmachine * WHEN tag_role::string = web"])
    assert bob.get(f"/my/machines/{web['id']}").status == 200
    _refused(bob.get(f"/my/machines/{db['id']}"))
    _refused(bob.get("/my/images"))  # no machine, no tag: the condition cannot hold
