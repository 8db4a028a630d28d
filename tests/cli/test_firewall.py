"""Firewall commands as triton's, against the simulator."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.cli.conftest import Result

Cli = Callable[..., Result]


def _rule_id(done: Result) -> str:
    assert done.code == 0, done.err
    return done.out.split()[3]


def test_fwrule_lifecycle(cli: Cli, tmp_path: Path) -> None:
    created = cli(
        "fwrule", "create", "-D", "ssh in", "FROM any TO tag role = web ALLOW tcp PORT 22"
    )
    assert created.out.startswith("Created firewall rule ")
    rule_id = _rule_id(created)
    disabled = cli("fwrule", "create", "-d", "FROM any TO all vms ALLOW tcp PORT 80")
    assert disabled.out.rstrip().endswith("(disabled)")
    other_id = _rule_id(disabled)

    listed = cli("fwrule", "list", "-j").json_lines()
    assert {r["id"] for r in listed} >= {rule_id, other_id}
    table = cli("fwrule", "ls", "-o", "shortid,enabled", "-H")
    assert f"{rule_id[:8]}  true" in table.out and f"{other_id[:8]}  false" in table.out

    assert cli("fwrule", "enable", other_id[:8]).out == f"Enabled firewall rule {other_id}\n"
    assert cli("fwrule", "get", other_id, "-o", "enabled").out == "true\n"
    assert cli("fwrule", "disable", other_id).code == 0
    assert cli("fwrule", "get", other_id, "-o", "enabled").out == "false\n"

    updated = cli("fwrule", "update", rule_id, "description=ssh from anywhere", "log=true")
    assert updated.code == 0, updated.err
    got = json.loads(cli("fwrule", "get", rule_id, "-j").out)
    assert got["description"] == "ssh from anywhere" and got["log"] is True
    changes = tmp_path / "changes.json"
    changes.write_text('{"rule": "FROM any TO tag role = web ALLOW tcp PORT 2222"}')
    assert cli("fwrule", "update", rule_id, "-f", str(changes)).code == 0
    assert "PORT 2222" in cli("fwrule", "get", rule_id, "-o", "rule").out

    assert cli("fwrule", "delete", rule_id, other_id).code == 0
    assert cli("fwrule", "get", rule_id).code == 3


def test_fwrule_update_mistakes(cli: Cli) -> None:
    rule_id = _rule_id(cli("fwrule", "create", "FROM any TO all vms ALLOW tcp PORT 22"))
    for args, message in (
        (["colour=red"], "a firewall rule has no field 'colour'"),
        (["enabled=maybe"], "enabled must be true or false"),
        ([], "nothing to change"),
    ):
        done = cli("fwrule", "update", rule_id, *args)
        assert done.code == 2 and message in done.err, done.err


def test_instance_firewall_and_its_rules(cli: Cli) -> None:
    assert cli("instance", "create", "-n", "web", "-t", "role=web", "-w").code == 0
    rule_id = _rule_id(cli("fwrule", "create", "FROM any TO tag role = web ALLOW tcp PORT 22"))

    enabled = cli("instance", "enable-firewall", "web", "-w")
    assert enabled.code == 0, enabled.err
    assert "enable firewall: done for instance web" in enabled.err
    assert cli("instance", "get", "web", "-o", "firewall_enabled").out == "true\n"
    assert cli("instance", "disable-firewall", "web", "-w").code == 0
    assert cli("instance", "get", "web", "-o", "firewall_enabled").out == "false\n"

    rules = cli("instance", "fwrules", "web", "-j").json_lines()
    assert [r["id"] for r in rules] == [rule_id]
    machines = cli("fwrule", "instances", rule_id[:8], "-H", "-o", "name")
    assert machines.out == "web\n"
