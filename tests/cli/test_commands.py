"""Every command of ``smartdc`` in-process: tables, JSON lines, chosen columns, exit codes."""

from __future__ import annotations

import dataclasses
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from smartdc._generated.service import SERVICE
from smartdc.cli.main import run
from smartdc.testing import Simulator

from .conftest import Result, invoke

Cli = Callable[..., Result]


def _ok(result: Result) -> Result:
    assert result.code == 0, result.err
    return result


def test_account_table_and_json(cli: Cli, cloudapi_sim: Simulator) -> None:
    table = _ok(cli("account"))
    assert any(
        line.split()[:2] == ["login", cloudapi_sim.account] for line in table.out.splitlines()
    )
    (record,) = _ok(cli("account", "-j")).json_lines()
    assert record["login"] == cloudapi_sim.account


def test_datacenters(cli: Cli, cloudapi_sim: Simulator) -> None:
    out = _ok(cli("datacenters")).out
    for name, url in cloudapi_sim.urls.items():
        assert any(line.split() == [name, url] for line in out.splitlines())
    assert _ok(cli("datacenters", "-j")).json_lines() == [cloudapi_sim.urls]


def test_images_filters_json_lines_and_columns(cli: Cli) -> None:
    records = _ok(cli("images", "-j")).json_lines()
    assert len(records) > 2 and all("id" in r and "name" in r for r in records)
    base = _ok(cli("images", "-j", "name=base-64-lts")).json_lines()
    assert base and {r["name"] for r in base} == {"base-64-lts"}
    table = _ok(cli("images", "-o", "name,version", "name=base-64-lts")).out.splitlines()
    assert table[0].split() == ["NAME", "VERSION"]
    assert sorted(line.split()[1] for line in table[1:]) == sorted(r["version"] for r in base)


def test_packages(cli: Cli) -> None:
    records = _ok(cli("packages", "-j")).json_lines()
    default = [r for r in records if r.get("default")]
    assert len(default) == 1
    table = _ok(cli("packages", "memory=" + str(default[0]["memory"]))).out
    assert default[0]["name"] in table


def test_keys_add_and_delete(cli: Cli, tmp_path: Path, cloudapi_sim: Simulator) -> None:
    assert cloudapi_sim.key_id in _ok(cli("keys")).out
    public = ed25519.Ed25519PrivateKey.generate().public_key()
    line = public.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    path = tmp_path / "extra.pub"
    path.write_bytes(line + b" extra\n")
    added = _ok(cli("key", "add", "extra", str(path), "-j")).json_lines()[0]
    assert added["name"] == "extra"
    names = [r["name"] for r in _ok(cli("keys", "-j")).json_lines()]
    assert "extra" in names
    _ok(cli("key", "delete", "extra"))
    assert "extra" not in _ok(cli("keys")).out


def test_networks_fwrules_volumes(cli: Cli) -> None:
    networks = _ok(cli("networks", "-j")).json_lines()
    assert networks and all("id" in n for n in networks)
    assert _ok(cli("networks")).out.splitlines()[0].split()[:2] == ["SHORTID", "NAME"]
    rule = json.loads(
        _ok(cli("api", "CreateFirewallRule", "rule=FROM any TO all vms ALLOW tcp PORT 22")).out
    )
    fwrules = _ok(cli("fwrules")).out.splitlines()
    assert fwrules[0].split()[0] == "SHORTID"
    assert fwrules[1].split()[0] == rule["id"].split("-")[0]
    _ok(cli("api", "CreateVolume", "type=tritonnfs", "name=vol1"))
    assert [v["name"] for v in _ok(cli("volumes", "-j")).json_lines()] == ["vol1"]
    assert _ok(cli("volumes", "-j", "name=none")).json_lines() == []


def test_instance_lifecycle(cli: Cli) -> None:
    created = _ok(cli("instance", "create", "-n", "web-1", "-t", "role=web", "-m", "motd=hi", "-w"))
    assert "running" in created.out
    listed = _ok(cli("instances", "-j")).json_lines()
    assert [(r["name"], r["state"]) for r in listed] == [("web-1", "running")]
    machine_id = listed[0]["id"]
    for ref in ("web-1", machine_id, machine_id[:8]):
        (got,) = _ok(cli("instance", "get", ref, "-j")).json_lines()
        assert got["id"] == machine_id
        assert got["tags"] == {"role": "web"}
    table = _ok(cli("instances", "-o", "name,state,primaryIp")).out.splitlines()
    assert table[0].split() == ["NAME", "STATE", "PRIMARYIP"]
    assert table[1].split()[:2] == ["web-1", "running"]
    assert _ok(cli("instances", "-j", "tag.role=web")).json_lines()[0]["id"] == machine_id
    assert _ok(cli("instances", "-j", "tag.role=db")).json_lines() == []

    stopped = _ok(cli("instance", "stop", "web-1", "--wait"))
    assert "stopped" in stopped.out
    _ok(cli("instance", "start", "web-1", "-w"))
    assert _ok(cli("instance", "get", "web-1", "-j")).json_lines()[0]["state"] == "running"
    _ok(cli("instance", "reboot", "web-1", "-w"))
    _ok(cli("instance", "rename", "web-1", "web-2", "-w"))
    _ok(cli("instance", "resize", "web-2", "g4-highcpu-2G", "-w"))
    (got,) = _ok(cli("instance", "get", "web-2", "-j")).json_lines()
    assert (got["name"], got["package"]) == ("web-2", "g4-highcpu-2G")
    _ok(cli("instance", "stop", "web-2"))
    assert "stopped" in _ok(cli("instance", "wait", "web-2", "-s", "stopped")).out
    _ok(cli("instance", "delete", "web-2", "-w"))
    assert _ok(cli("instances", "-j")).json_lines() == []


def test_instance_create_with_image_and_package_arguments(cli: Cli) -> None:
    made = _ok(cli("instance", "create", "-n", "small", "-j", "minimal-64-lts", "g4-highcpu-512M"))
    (record,) = made.json_lines()
    (image,) = _ok(cli("images", "-j", "name=minimal-64-lts")).json_lines()
    assert (record["image"], record["package"]) == (image["id"], "g4-highcpu-512M")
    assert cli("instance", "create", "-i", "x", "minimal-64-lts").code == 2


def test_instance_tags_and_metadata(cli: Cli) -> None:
    _ok(cli("instance", "create", "-n", "db"))
    shown = _ok(cli("instance", "tag", "set", "db", "role=db", "weight=3", "-j")).json_lines()
    assert shown == [{"role": "db", "weight": 3}]
    assert _ok(cli("instance", "tag", "list", "db", "-j")).json_lines() == shown
    _ok(cli("instance", "tag", "delete", "db", "weight"))
    assert _ok(cli("instance", "tag", "list", "db", "-j")).json_lines() == [{"role": "db"}]
    _ok(cli("instance", "tag", "delete", "db", "--all"))
    assert _ok(cli("instance", "tag", "list", "db", "-j")).json_lines() == [{}]

    _ok(cli("instance", "metadata", "set", "db", "motd=hello", "n=1", 'cfg={"a": 1}'))
    (meta,) = _ok(cli("instance", "metadata", "list", "db", "-j")).json_lines()
    # as `create -m`: numbers and booleans typed (VMAPI keeps them), anything else text
    assert (meta["motd"], meta["n"], meta["cfg"]) == ("hello", 1, '{"a": 1}')
    assert _ok(cli("instance", "metadata", "get", "db", "n")).out.strip() == "1"
    _ok(cli("instance", "metadata", "delete", "db", "motd"))
    (meta,) = _ok(cli("instance", "metadata", "list", "db", "-j")).json_lines()
    assert "motd" not in meta
    missing = cli("instance", "metadata", "delete", "db", "motd")
    assert missing.code == 3  # triton's exit status for what does not exist


def test_instance_snapshots(cli: Cli) -> None:
    _ok(cli("instance", "create", "-n", "snappy", "-w"))
    made = _ok(cli("instance", "snapshot", "create", "snappy", "first", "-w"))
    assert "created" in made.out
    _ok(cli("instance", "snapshot", "create", "-n", "second", "snappy"))
    _ok(cli("instance", "snapshot", "delete", "snappy", "second", "-w"))
    listed = _ok(cli("instance", "snapshot", "list", "snappy", "-j")).json_lines()
    assert [(s["name"], s["state"]) for s in listed] == [("first", "created")]
    _ok(cli("instance", "stop", "snappy", "-w"))
    assert "running" in _ok(cli("instance", "snapshot", "boot", "snappy", "first", "-w")).out
    _ok(cli("instance", "snapshot", "delete", "snappy", "first", "-w"))
    assert _ok(cli("instance", "snapshot", "list", "snappy", "-j")).json_lines() == []


def test_several_instances_wait_together(cli: Cli, cloudapi_sim: Simulator) -> None:
    for name in ("a1", "a2", "a3"):
        _ok(cli("instance", "create", "-n", name))
    _ok(cli("instance", "wait", "a3"))  # made last: a1 and a2 are running too
    gets = cloudapi_sim.request_count("GetMachine")
    lists = cloudapi_sim.request_count("ListMachines")
    stopped = _ok(cli("instance", "stop", "a1", "a2", "a3", "-w", "-j")).json_lines()
    assert {(r["name"], r["state"]) for r in stopped} == {
        ("a1", "stopped"),
        ("a2", "stopped"),
        ("a3", "stopped"),
    }
    # the three were polled together with ListMachines, never one GetMachine each
    assert cloudapi_sim.request_count("GetMachine") == gets
    assert cloudapi_sim.request_count("ListMachines") > lists + 3


def test_api_error_exit_code_names_code_and_request_id(cli: Cli) -> None:
    result = cli("api", "GetMachine", "id=00000000-0000-0000-0000-000000000000")
    assert result.code == 3  # ResourceNotFound: triton's exit status 3
    assert "ResourceNotFound" in result.err
    assert "request id" in result.err
    assert "Signature" not in result.err  # no Authorization header in messages


def test_unknown_instance_is_exit_3(cli: Cli) -> None:
    result = cli("instance", "get", "nobody")
    assert result.code == 3  # as triton's ResourceNotFound
    assert "nobody" in result.err


def test_usage_errors_exit_2(cli: Cli) -> None:
    assert cli("no-such-command").code == 2
    assert cli("instance").code == 2
    assert cli("instance", "get").code == 2
    bad = cli("instance", "tag", "set", "x", "novalue")
    assert bad.code == 2 and "NAME=VALUE" in bad.err
    assert cli("api", "NoSuchOperation").code == 2
    assert cli("images", "public=maybe").code == 2


def test_missing_configuration_is_a_usage_error() -> None:
    result = invoke(["account"])
    assert result.code == 2
    assert "TRITON_URL" in result.err


def test_flags_before_or_after_the_command(cloudapi_sim: Simulator, connection: list[str]) -> None:
    before = invoke([*connection, "account", "-j"])
    after = invoke(["account", *connection, "-j"])
    assert before.code == after.code == 0
    assert before.json_lines() == after.json_lines()


def test_environment_configures_the_cli(
    cloudapi_sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in cloudapi_sim.env().items():
        monkeypatch.setenv(name, value)
    result = invoke(["--key-file", cloudapi_sim.key_path, "account", "-j"])
    assert result.code == 0, result.err
    assert result.json_lines()[0]["login"] == cloudapi_sim.account


def test_api_list_and_describe() -> None:
    listing = invoke(["api", "--list"])
    assert listing.code == 0
    names = [line.split()[0] for line in listing.out.splitlines()]

    assert sorted(names) == sorted(SERVICE.operations)
    described = invoke(["api", "CreateMachine", "--help"])
    assert described.code == 0
    for param in SERVICE.operations["CreateMachine"].params:
        assert f"  {param.name}  (" in described.out


def test_api_calls_any_operation(cli: Cli) -> None:
    image = _ok(cli("api", "ListImages", "name=base-64-lts", "-j")).json_lines()[0]
    made = json.loads(
        _ok(
            cli(
                "api",
                "CreateMachine",
                f"image={image['id']}",
                "package=g4-highcpu-1G",
                "name=raw",
                "tag.role=raw",
                "metadata.motd=hi",
                "firewall_enabled=true",
            )
        ).out
    )
    assert made["name"] == "raw" and made["tags"] == {"role": "raw"}
    assert made["firewall_enabled"] is True
    got = _ok(cli("api", "GetMachine", f"id={made['id']}", "-j")).json_lines()
    assert got[0]["id"] == made["id"]
    _ok(cli("instance", "wait", made["id"]))
    done = _ok(cli("api", "StopMachine", f"id={made['id']}"))
    assert done.out == "" and "StopMachine" in done.err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_wait_shows_progress_on_a_terminal(connection: list[str], cloudapi_sim: Simulator) -> None:
    out, err = io.StringIO(), _Terminal()
    clock = cloudapi_sim.wait_clock
    code = run([*connection, "instance", "create", "-n", "shown", "--wait"], out, err, clock=clock)
    assert code == 0
    progress = err.getvalue().split("\n", 1)[1]  # after the line naming the new machine
    assert "\r\x1b[K" in progress
    assert "provisioning, " in progress and " s" in progress  # state and elapsed seconds
    assert progress.endswith("\r\x1b[K")  # the status line clears itself at the end
    assert "running" not in err.getvalue().split("\n", 1)[0]
    assert "shown" in out.getvalue() and "\r" not in out.getvalue()  # nothing on stdout


def test_wait_without_a_terminal_logs_each_change(
    connection: list[str], cloudapi_sim: Simulator
) -> None:
    clock = cloudapi_sim.wait_clock
    create = [*connection, "instance", "create", "-n", "logged"]
    assert run(create, io.StringIO(), io.StringIO(), clock=clock) == 0
    out, err = io.StringIO(), io.StringIO()
    code = run([*connection, "instance", "wait", "logged"], out, err, clock=clock)
    assert code == 0
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("waiting for logged (") and ": provisioning (" in lines[0]
    assert lines[-1].startswith("waiting for logged (") and ": running (" in lines[-1]
    assert len(lines) == len(set(lines))  # one line per change, not per poll
    assert "\r" not in err.getvalue()


def test_wait_on_several_counts_those_done(connection: list[str], cloudapi_sim: Simulator) -> None:
    clock = cloudapi_sim.wait_clock
    for name in ("c1", "c2", "c3"):
        create = [*connection, "instance", "create", "-n", name]
        assert run(create, io.StringIO(), io.StringIO(), clock=clock) == 0
    err = _Terminal()
    wait = [*connection, "instance", "wait", "c1", "c2", "c3", "-s", "running"]
    assert run(wait, io.StringIO(), err, clock=clock) == 0
    assert "waiting for 3 instances to be running: 3 provisioning, " in err.getvalue()
    assert "0/3 done" in err.getvalue()


def test_triton_profile_configures_the_cli(cloudapi_sim: Simulator, tmp_path: Path) -> None:
    profiles = tmp_path / "triton" / "profiles.d"
    profiles.mkdir(parents=True)
    profile = {
        "url": cloudapi_sim.url,
        "account": cloudapi_sim.account,
        "keyId": cloudapi_sim.key_id,
    }
    (profiles / "sim.json").write_text(json.dumps(profile))
    result = invoke(["--profile", "sim", "--key-file", cloudapi_sim.key_path, "account", "-j"])
    assert result.code == 0, result.err
    assert result.json_lines()[0]["login"] == cloudapi_sim.account
    # an explicit flag wins over the profile
    flags = ["--profile", "sim", "--account", "nobody", "--key-file", cloudapi_sim.key_path]
    wrong = invoke([*flags, "account"])
    assert wrong.code == 1
    assert "nobody" in wrong.err, wrong.err


def test_instance_delete_by_name_never_acts_on_a_longer_name(cli: Cli) -> None:
    # ListMachines?name=db also lists db-primary (a prefix match): only "db" itself may be deleted
    _ok(cli("instance", "create", "-n", "db-primary", "-w"))
    refused = cli("instance", "delete", "-w", "db")
    assert refused.code == 1 and "db-primary" in refused.err  # triton: "command failure"
    assert [m["name"] for m in _ok(cli("instances", "-j")).json_lines()] == ["db-primary"]
    _ok(cli("instance", "create", "-n", "db", "-w"))
    _ok(cli("instance", "delete", "-w", "db"))
    assert [m["name"] for m in _ok(cli("instances", "-j")).json_lines()] == ["db-primary"]


def test_bookkeeping_attributes_are_not_columns(cli: Cli) -> None:
    _ok(cli("instance", "create", "-n", "web"))
    for name in ("decodeProblems", "jsonNulls", "extra"):
        refused = cli("instances", "-o", f"name,{name}")
        assert refused.code == 2 and "unknown column" in refused.err
        assert "decodeProblems" not in refused.err.split("valid:", 1)[1]


def test_kind_list_as_triton(cli: Cli) -> None:
    """``package list``, ``network ls``, ``key list``: the plural commands under triton's names."""
    for kind, plural in (("package", "packages"), ("network", "networks"), ("key", "keys")):
        listed = cli(kind, "list", "-j")
        assert listed.code == 0, listed.err
        assert listed.out == cli(plural, "-j").out != ""
        assert cli(kind, "ls", "-H").out == cli(plural, "-H").out
    assert cli("package", "list", "name=g4-highcpu-1G", "-H", "-o", "name").out == "g4-highcpu-1G\n"


def test_snapshot_get(cli: Cli) -> None:
    assert cli("instance", "create", "-n", "snappy", "-w").code == 0
    assert cli("instance", "snapshot", "create", "-n", "s1", "snappy", "-w").code == 0
    assert cli("instance", "snapshot", "get", "snappy", "s1", "-o", "name").out == "s1\n"
    assert cli("instance", "snapshot", "get", "snappy", "nope").code == 3


def test_triton_top_level_shortcuts(cli: Cli) -> None:
    """triton create/start/stop/reboot/delete/ip/ssh: the same commands at the top level."""
    created = cli("create", "-n", "short", "-w", "-j")
    assert created.code == 0, created.err
    creating, running = created.json_lines()  # as triton's -w -j: as created, then as running
    assert (creating["state"], running["state"]) == ("provisioning", "running")
    assert cli("ip", "short").out.strip() == running["primaryIp"]
    assert cli("stop", "short", "-w").code == 0
    assert cli("instance", "get", "short", "-o", "state").out == "stopped\n"
    assert cli("start", "short", "-w").code == 0
    assert cli("reboot", "short", "-w").code == 0
    assert cli("delete", "short", "-w").code == 0


@pytest.mark.parametrize("count", [1, 2])
def test_action_waits_run_the_waiter_the_spec_names(
    cli: Cli, cloudapi_sim: Simulator, monkeypatch: pytest.MonkeyPatch, count: int
) -> None:
    """stop -w waits as the spec's StopMachine says (its waiter), not as the CLI would guess:
    with the operation's waiter switched to MachineRunning, a stopped instance never satisfies
    it and the wait ends at --timeout."""

    names = [f"s{i}" for i in range(count)]
    for name in names:
        _ok(cli("instance", "create", "-n", name))
    _ok(cli("instance", "wait", *names))
    stop = SERVICE.operations["StopMachine"]
    monkeypatch.setitem(
        SERVICE.operations, "StopMachine", dataclasses.replace(stop, waiter="MachineRunning")
    )
    result = cli("instance", "stop", *names, "-w", "--timeout", "60")
    assert result.code == 1, result.err
    assert "60" in result.err
