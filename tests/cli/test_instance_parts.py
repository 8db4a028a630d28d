"""More instance work as triton's: ip, ssh (the command it builds), audit, deletion protection,
NICs, disks, migrations."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from smartdc.testing import Simulator
from tests.cli.conftest import Result

Cli = Callable[..., Result]
REPO = Path(__file__).resolve().parents[2]


def _ssh(connection: list[str], tmp_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """``instance ssh`` in a subprocess with SMARTDC_SSH=echo: prints the command it would run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRITON_", "SDC_"))}
    env.update(TRITON_CONFIG_DIR=str(tmp_path), SMARTDC_SSH="echo ssh")
    return subprocess.run(
        [sys.executable, "-m", "smartdc.cli", *connection, "instance", "ssh", *argv],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=60,
        check=False,
    )


def test_ip_and_ssh_command(
    cli: Cli, connection: list[str], cloudapi_sim: Simulator, tmp_path: Path
) -> None:
    assert cli("instance", "create", "-n", "web", "-w").code == 0
    ip = cli("instance", "ip", "web").out.strip()
    assert ip == json.loads(cli("instance", "get", "web", "-j").out)["primaryIp"]

    done = _ssh(connection, tmp_path, "web", "uptime", "-x")
    assert done.returncode == 0, done.stderr
    prefix = "ssh -o ControlMaster=no -o ControlPath=none"
    assert done.stdout == f"{prefix} -p 22 -l root -- {ip} uptime -x\n"

    done = _ssh(connection, tmp_path, "admin@web")
    assert done.stdout == f"{prefix} -p 22 -l admin -- {ip}\n"


def test_ssh_follows_triton_tags_and_the_image_user(
    cli: Cli, connection: list[str], tmp_path: Path
) -> None:
    # an image whose default_user tag names the login, as triton reads it
    assert cli("instance", "create", "-n", "base", "-w").code == 0
    base_id = json.loads(cli("instance", "get", "base", "-j").out)["id"]
    made = cli("api", "CreateImageFromMachine", f"machine={base_id}", "name=img", "version=1", "-j")
    assert made.code == 0, made.err
    image_id = json.loads(made.out)["id"]
    assert cli("api", "UpdateImage", f"id={image_id}", 'tags={"default_user": "ubuntu"}').code == 0

    hop = ("-t", "tritoncli.ssh.proxyuser=hop")
    assert cli("instance", "create", "-n", "jump", "-w", *hop).code == 0
    created = cli(
        "instance", "create", "-n", "app", "-w", "-i", image_id,
        "-t", "tritoncli.ssh.port=2222", "-t", "tritoncli.ssh.proxy=jump",
    )  # fmt: skip
    assert created.code == 0, created.err
    app_ip = cli("instance", "ip", "app").out.strip()
    jump_ip = cli("instance", "ip", "jump").out.strip()

    done = _ssh(connection, tmp_path, "app")
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        "ssh -o ControlMaster=no -o ControlPath=none -p 2222 "
        f"-o ProxyJump=hop@{jump_ip} -l ubuntu -- {app_ip}\n"
    )
    direct = _ssh(connection, tmp_path, "--no-proxy", "app")
    assert "ProxyJump" not in direct.stdout


def test_audit_and_deletion_protection(cli: Cli) -> None:
    assert cli("instance", "create", "-n", "keep", "-w").code == 0
    assert cli("instance", "enable-deletion-protection", "keep", "-w").code == 0
    assert cli("instance", "get", "keep", "-o", "deletion_protection").out == "true\n"
    refused = cli("instance", "delete", "keep")
    assert refused.code == 1
    assert cli("instance", "disable-deletion-protection", "keep", "-w").code == 0
    audit = cli("instance", "audit", "keep", "-H", "-o", "action,success")
    assert audit.code == 0, audit.err
    actions = [line.split()[0] for line in audit.out.splitlines()]
    assert "provision" in actions
    # as CloudAPI's audit names them (lib/audit.js translateAction), not VMAPI's "update"
    assert {"enable_deletion_protection", "disable_deletion_protection"} <= set(actions)


def test_nics(cli: Cli) -> None:
    assert cli("instance", "create", "-n", "n1", "-w").code == 0
    listed = cli("instance", "nic", "list", "n1", "-j").json_lines()
    assert len(listed) >= 1
    got = cli("instance", "nic", "get", "n1", listed[0]["mac"], "-o", "mac")
    assert got.out == listed[0]["mac"] + "\n"
    networks = cli("networks", "-j").json_lines()
    unused = [n for n in networks if n["id"] not in {x["network"] for x in listed}]
    added = cli("instance", "nic", "add", "n1", unused[0]["name"], "-w", "-j")
    assert added.code == 0, added.err
    mac = json.loads(added.out)["mac"]
    assert json.loads(added.out)["state"] in ("running", "stopped")
    assert len(cli("instance", "nic", "ls", "n1", "-j").json_lines()) == len(listed) + 1
    again = cli("instance", "nic", "add", "n1", unused[0]["name"])  # the server answers 302
    assert again.code == 1 and "already has a NIC on that network" in again.err
    assert cli("instance", "nic", "delete", "n1", mac).out == f"Deleted NIC {mac}\n"


def test_disks(cli: Cli) -> None:
    flexible = ("ubuntu-certified-22.04", "b1-flexible-2G")
    assert cli("instance", "create", "-n", "vm2", "-w", *flexible).code == 0
    disks = cli("instance", "disk", "list", "vm2", "-j").json_lines()
    assert disks
    assert cli("instance", "stop", "vm2", "-w").code == 0
    added = cli("instance", "disk", "add", "vm2", "1024", "-w", "-j")
    assert added.code == 0, added.err
    disk = json.loads(added.out)
    assert disk["size"] == 1024
    short = disk["id"][:8]
    assert cli("instance", "disk", "get", "vm2", short, "-o", "size").out == "1024\n"
    resized = cli("instance", "disk", "resize", "vm2", short, "2048", "-w")
    assert resized.code == 0, resized.err
    assert cli("instance", "disk", "get", "vm2", short, "-o", "size").out == "2048\n"
    assert cli("instance", "disk", "delete", "vm2", short).code == 0


def test_migrations(cli: Cli) -> None:
    assert cli("instance", "create", "-n", "mover", "-w").code == 0
    begun = cli("instance", "migration", "begin", "mover", "-w")
    assert begun.code == 0, begun.err
    got = cli("instance", "migration", "get", "mover", "-j")
    assert got.code == 0, got.err
    assert json.loads(got.out)["state"] == "paused"
    listed = cli("instance", "migration", "list", "-H", "-o", "shortid,phase")
    assert listed.out.split()[0] == json.loads(got.out)["machine"][:8]
    assert cli("instance", "migration", "abort", "mover", "-w").code == 0


def test_migration_wait_runs_the_spec_waiter(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """migration begin -w waits as the spec's MigrationActionDone waiter says, not as the CLI
    would guess: with that waiter made to succeed on ``running``, it returns at once."""
    import dataclasses

    from smartdc._generated.service import SERVICE
    from smartdc.runtime.waiting import AcceptorSpec

    changed = dataclasses.replace(
        SERVICE.waiters["MigrationActionDone"],
        acceptors=(AcceptorSpec("success", "path", "running", "state"),),
    )
    monkeypatch.setitem(SERVICE.waiters, "MigrationActionDone", changed)
    assert cli("instance", "create", "-n", "mover", "-w").code == 0
    begun = cli("instance", "migration", "begin", "mover", "-w")
    assert begun.code == 0, begun.err
    assert "begin running" in begun.err
