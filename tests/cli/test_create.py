"""``instance create`` with node-triton's options, against the simulator."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from smartdc.testing import Simulator
from tests.cli.conftest import Result

Cli = Callable[..., Result]
REPO = Path(__file__).resolve().parents[2]


def _machine(cli: Cli, ref: str) -> dict[str, Any]:
    done = cli("instance", "get", ref, "-j")
    assert done.code == 0, done.err
    return dict(json.loads(done.out))


def test_metadata_from_values_json_files_and_scripts(cli: Cli, tmp_path: Path) -> None:
    script = tmp_path / "setup.sh"
    script.write_text("#!/bin/sh\necho hello\n")
    pairs = tmp_path / "pairs.txt"
    pairs.write_text("colour=blue\nsize=3\n")
    motd = tmp_path / "motd"
    motd.write_text("welcome\n")
    done = cli(
        "instance", "create", "-n", "m1", "--script", str(script), "-m", "role=web",
        "-m", '{"tier": "front", "replicas": 2}', "-m", f"@{pairs}", "-M", f"motd={motd}",
        "-m", "role=db",
    )  # fmt: skip
    assert done.code == 0, done.err
    metadata = _machine(cli, "m1")["metadata"]
    assert metadata["user-script"] == "#!/bin/sh\necho hello\n"
    # values keep their JSON types, as triton sends them (sdc-cloudapi getCreateOptions())
    assert metadata["tier"] == "front" and metadata["replicas"] == 2
    assert metadata["colour"] == "blue" and metadata["size"] == 3
    assert metadata["motd"] == "welcome\n"
    assert metadata["role"] == "db"  # the later option wins, with a warning
    assert "'role' replaces its earlier value" in done.err


def test_tags_typed_as_triton_types_them(cli: Cli, tmp_path: Path) -> None:
    file = tmp_path / "tags.json"
    file.write_text('{"from_file": "yes"}')
    done = cli("instance", "create", "-n", "t1", "-t", "n=1", "-t", "on=true", "-t", f"@{file}")
    assert done.code == 0, done.err
    assert _machine(cli, "t1")["tags"] == {"n": 1, "on": True, "from_file": "yes"}


def test_flags_reach_the_machine(cli: Cli) -> None:
    assert cli("instance", "create", "-n", "first").code == 0
    done = cli(
        "instance", "create", "-n", "second", "--firewall", "--deletion-protection",
        "-a", "instance!=first", "-j",
    )  # fmt: skip
    assert done.code == 0, done.err
    created = done.json_lines()[0]
    assert "created instance second" in done.err and created["id"] in done.err
    machine = _machine(cli, "second")
    assert machine["firewall_enabled"] is True
    assert machine["deletion_protection"] is True


def test_network_by_name_short_id_or_id(cli: Cli) -> None:
    networks = cli("networks", "-j").json_lines()
    first, second = networks[0], networks[1]
    refs = f"{first['name']},{second['id'][:8]}"
    done = cli("instance", "create", "-n", "nets", "-w", "-N", refs)
    assert done.code == 0, done.err
    assert set(_machine(cli, "nets")["networks"]) == {first["id"], second["id"]}
    missing = cli("instance", "create", "-n", "nope", "-N", "no-such-network")
    assert missing.code == 3
    assert "no network with id, name or short id 'no-such-network'" in missing.err


def test_brand_and_disks(cli: Cli) -> None:
    done = cli(
        "instance", "create", "-n", "disky", "-w", "-b", "bhyve", "ubuntu-certified-22.04",
        "b1-flexible-2G", "--disk", "{}", "--disk", '{"size": 2048}',
        "--disk", '{"size": "remaining"}',
    )  # fmt: skip
    assert done.code == 0, done.err
    machine = _machine(cli, "disky")
    assert machine["brand"] == "bhyve"
    disks = cli("api", "ListMachineDisks", f"id={machine['id']}", "-j").json_lines()
    assert len(disks) == 3
    assert 2048 in [d["size"] for d in disks]


def test_volume_mounts(cli: Cli) -> None:
    assert cli("api", "CreateVolume", "name=data", "type=tritonnfs").code == 0
    done = cli("instance", "create", "-n", "vol", "-v", "data:/data:ro")
    assert done.code == 0, done.err
    bad = cli("instance", "create", "-n", "vol2", "-v", "data:relative")
    assert bad.code == 2
    assert "invalid volume mountpoint" in bad.err


def test_option_mistakes_are_usage_errors(cli: Cli, tmp_path: Path) -> None:
    for argv, message in (
        (["-m", "novalue"], "invalid KEY=VALUE metadata argument: novalue"),
        (["-M", f"k={tmp_path / 'missing'}"], "is not an existing file"),
        (["--script", str(tmp_path / "missing")], "is not an existing file"),
        (["-t", "{not json"], "tag ({not json) is not valid JSON"),
        (["--disk", "[1]"], "must be a JSON object"),
    ):
        done = cli("instance", "create", "-n", "x", *argv)
        assert done.code == 2, argv
        assert message in done.err, done.err
    assert cli("instances", "-j").out == ""  # nothing was created


def test_ctrl_c_while_waiting_names_the_machine(
    cloudapi_sim: Simulator, connection: list[str], tmp_path: Path
) -> None:
    # The simulator runs on virtual time: the machine stays provisioning while the real-time
    # subprocess waits, until it is interrupted.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRITON_", "SDC_"))}
    env["TRITON_CONFIG_DIR"] = str(tmp_path)
    argv = [sys.executable, "-m", "smartdc.cli", *connection, "instance", "create", "-n", "slow"]
    proc = subprocess.Popen(
        [*argv, "-w"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env=env,
    )
    assert proc.stderr is not None and proc.stdout is not None
    first = proc.stderr.readline()
    assert first.startswith("created instance slow"), first
    machine_id = first.rsplit(": ", 1)[1].strip()
    proc.send_signal(signal.SIGINT)
    rest = proc.stderr.read()
    assert proc.wait(timeout=60) == 130
    assert f"wait for it with: smartdc instance wait {machine_id}" in rest
    assert proc.stdout.read() == ""


def test_nics_as_triton_takes_them(cli: Cli) -> None:
    networks = [n for n in cli("networks", "-j").json_lines() if n.get("subnet")]
    network = networks[-1]
    base = network["subnet"].split("/")[0].rsplit(".", 1)[0]
    address = f"{base}.77"
    done = cli(
        "instance",
        "create",
        "-n",
        "nic1",
        "-w",
        "--nic",
        f"ipv4_uuid={network['id']},ipv4_ips={address}",
    )
    assert done.code == 0, done.err
    nics = cli("instance", "nic", "list", "nic1", "-j").json_lines()
    assert [(n["network"], n["ip"]) for n in nics] == [(network["id"], address)]
    for args, message in (
        (["--nic", "ipv4_ips=10.0.0.1"], "ipv4_uuid must be specified"),
        (["--nic", "ipv4_uuid=abc"], "must be a network uuid"),
        (["--nic", f"ipv4_uuid={network['id']},ipv4_ips=1.1.1.1|1.1.1.2"], "only 1 ipv4_ip"),
        (
            ["--nic", f"ipv4_uuid={network['id']}", "--nic", f"ipv4_uuid={network['id']}"],
            "only 1 ip on a network",
        ),
        (
            ["--nic", f"ipv4_uuid={network['id']}", "-N", network["name"]],
            "cannot be given together",
        ),
        (["--nic", "colour=red"], "invalid NIC option"),
    ):
        bad = cli("instance", "create", "-n", "nic2", *args)
        assert bad.code == 2 and message in bad.err, (args, bad.err)


def test_dry_run_creates_nothing(cli: Cli) -> None:
    done = cli("instance", "create", "--dry-run", "-n", "dry", "-t", "n=1", "-m", "a=b", "-j")
    assert done.code == 0, done.err
    shown = json.loads(done.out)
    image = json.loads(cli("image", "get", shown["image"], "-j").out)
    assert shown["name"] == "dry" and shown["tags"] == {"n": 1} and shown["metadata"] == {"a": "b"}
    assert f"from {image['name']}@{image['version']}" in done.err and "nothing was sent" in done.err
    assert cli("instances", "-j").out == ""
