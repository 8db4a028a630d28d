"""Where machines land: several compute nodes per datacenter, affinity and locality as the server
reads them (sdc-cloudapi lib/triton-affinity.js, sdc-designation's affinity and locality filters,
CNAPI's NoAllocatableServersError), over real signed HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from ..sigclient import Reply, SigClient


def _create(sig: SigClient, name: str, **body: Any) -> Reply:
    images = sig.get("/my/images", query={"name": "base-64-lts"}).json
    return sig.post(
        "/my/machines",
        {"image": images[-1]["id"], "package": "g4-highcpu-128M", "name": name, **body},
    )


def _made(sig: SigClient, name: str, **body: Any) -> dict[str, Any]:
    reply = _create(sig, name, **body)
    assert reply.status == 201, reply.json
    return dict(reply.json)


def _node(sig: SigClient, name: str) -> str:
    [machine] = [m for m in sig.get("/my/machines").json if m["name"] == name]
    return str(machine["compute_node"])


def _error(reply: Reply) -> tuple[int, str, str]:
    return reply.status, reply.json["code"], reply.json["message"]


def test_machines_spread_over_compute_nodes_and_show_theirs_from_the_start(vsig: SigClient) -> None:
    made = [_made(vsig, f"web{i}") for i in range(4)]
    assert all(m["state"] == "provisioning" and m["compute_node"] for m in made)
    assert len({m["compute_node"] for m in made}) == 4  # an account's machines are spread
    fifth = _made(vsig, "web4")
    assert fifth["compute_node"] in {m["compute_node"] for m in made}


def test_hard_rules_on_names_globs_regexes_and_tags(vsig: SigClient) -> None:
    db0 = _made(vsig, "db0", **{"tag.role": "database"})
    db1 = _made(vsig, "db1", affinity=["instance==db0"])
    assert db1["compute_node"] == db0["compute_node"]
    near_uuid = _made(vsig, "db1b", affinity=f"container=={db0['id']}")  # one rule as a string
    assert near_uuid["compute_node"] == db0["compute_node"]
    taken = {db0["compute_node"]}
    for name, rule in (
        ("db2", "instance!=db*"),
        ("db3", "instance!=/^db[0-9]$/"),
        ("db4", "role!=database"),
        ("db5", "role!=/^data/"),
    ):
        machine = _made(vsig, name, affinity=[rule])
        assert machine["compute_node"] not in taken, rule
    web = _made(vsig, "web", affinity=["role==database"])
    assert web["compute_node"] == db0["compute_node"]


def test_hard_rules_that_no_server_meets_fail_as_cnapi_answers(vsig: SigClient) -> None:
    assert _error(_create(vsig, "x", affinity=["instance==nosuch"])) == (
        409,
        "NoAllocatableServersError",
        'No compute resources available: no active containers found matching "nosuch"'
        ' for affinity "instance==nosuch"',
    )
    assert _error(_create(vsig, "x", affinity=["role==web"])) == (
        409,
        "NoAllocatableServersError",
        'No compute resources available: no active containers found matching tag "role=web"'
        ' for affinity "role==web"',
    )
    nodes = {_made(vsig, f"n{i}")["compute_node"] for i in range(4)}
    assert len(nodes) == 4
    assert _error(_create(vsig, "x", affinity=["instance!=n*"])) == (
        409,
        "NoAllocatableServersError",
        "No compute resources available: no servers with requested hard locality considered",
    )
    # a rule matching nothing is dropped unless it is a hard `==`
    assert _create(vsig, "ok1", affinity=["instance!=nosuch"]).status == 201
    assert _create(vsig, "ok2", affinity=["instance==~nosuch"]).status == 201
    assert vsig.get("/my/machines", query={"name": "x"}).json == []


def test_soft_rules_are_best_effort(vsig: SigClient) -> None:
    nodes = {_made(vsig, f"n{i}")["compute_node"] for i in range(4)}
    soft = _made(vsig, "soft", affinity=["instance!=~n*"])  # impossible: placed anyway
    assert soft["compute_node"] in nodes
    near = _made(vsig, "near", affinity=["instance==~n2"])
    assert near["compute_node"] == _node(vsig, "n2")
    # mixed hard and soft rules: the soft ones are dropped
    mixed = _made(vsig, "mixed", affinity=["instance==n1", "instance!=~n1"])
    assert mixed["compute_node"] == _node(vsig, "n1")


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            "foobar",
            'could not find operator in affinity rule: expected one of "==", "!=": "foobar"',
        ),
        (
            "a b==c",
            'invalid key in affinity rule: "a b==c": "a b" does not match'
            r" /^[a-z_][a-z0-9\-_.]+$/i",
        ),
        (
            "instance==db;0",
            'invalid value in affinity rule: "instance==db;0": "db;0" does not match'
            r" /^[-a-z0-9:_\s.*/()?+[\]\\^$|]+$/i",
        ),
    ],
)
def test_rule_syntax_errors_are_the_servers(vsig: SigClient, rule: str, message: str) -> None:
    assert _error(_create(vsig, "bad", affinity=[rule])) == (409, "InvalidArgument", message)


def test_locality_hints_and_their_checks(vsig: SigClient) -> None:
    db0 = _made(vsig, "db0")
    near = _made(vsig, "near", locality={"strict": True, "near": db0["id"]})
    assert near["compute_node"] == db0["compute_node"]
    far = _made(vsig, "far", locality={"strict": True, "far": [db0["id"]]})
    assert far["compute_node"] != db0["compute_node"]
    both = _create(vsig, "x", locality={"near": db0["id"]}, affinity=["instance==db0"])
    assert _error(both) == (
        409,
        "InvalidArgument",
        'cannot specify both "locality" (deprecated) and "affinity"',
    )
    bad = _create(vsig, "x", locality={"near": "db0"})
    assert _error(bad) == (409, "ValidationFailed", "Invalid VM parameters")
    assert bad.json["errors"] == [
        {"field": "locality", "code": "Invalid", "message": "locality contains malformed UUID"}
    ]
    missing = _create(
        vsig, "x", locality={"strict": True, "near": "0" * 8 + "-0000-4000-8000-" + "0" * 12}
    )
    assert _error(missing)[:2] == (409, "NoAllocatableServersError")
    assert "exclude: inst==00000000-0000-4000-8000-000000000000" in _error(missing)[2]


def test_volume_affinity_is_parsed_and_its_storage_vm_placed(vsig: SigClient) -> None:
    bad = vsig.post("/my/volumes", {"type": "tritonnfs", "affinity": ["foobar"]})
    assert _error(bad) == (
        409,
        "InvalidArgument",
        'could not find operator in affinity rule: expected one of "==", "!=": "foobar"',
    )
    _made(vsig, "db0")
    ok = vsig.post(
        "/my/volumes", {"type": "tritonnfs", "name": "v1", "affinity": ["instance==db0"]}
    )
    assert ok.status == 201, ok.json
    unmet = vsig.post(
        "/my/volumes", {"type": "tritonnfs", "name": "v2", "affinity": ["instance==nosuch"]}
    )
    # VOLAPI fails the storage VM and marks the volume failed; CloudAPI hides the cause
    assert _error(unmet) == (500, "CloudApiError", "Error when creating volume")
    failed = vsig.get("/my/volumes", query={"state": "failed"}).json
    assert [v["name"] for v in failed] == ["v2"]
