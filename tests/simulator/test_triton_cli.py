"""The official triton CLI (npm package `triton`) works against the simulator, flow by flow.

One instance is created by the first lifecycle test and used by the following ones (pytest runs a
module's tests in file order). Skipped with a message where node or the CLI is missing
(`make node-tools` installs it).
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from smartdc.testing.simulator import Simulator
from smartdc.testing.state import Settings
from tests.triton_home import triton_home

REPO_ROOT = Path(__file__).resolve().parents[2]
TRITON = Path(
    os.environ.get("SMARTDC_TRITON_CLI", REPO_ROOT / ".cache/node/node_modules/triton/bin/triton")
)

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or not TRITON.exists(),
    reason=f"node or the triton CLI is not installed (looked for {TRITON}); run `make node-tools`",
)

Env = tuple[Simulator, dict[str, str]]


@pytest.fixture(scope="module")
def triton_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    # short delays: the CLI polls on the real clock (about once a second)
    settings = Settings(
        provision_seconds=0.5,
        stop_seconds=0.3,
        start_seconds=0.3,
        reboot_seconds=0.3,
        delete_seconds=0.3,
        snapshot_seconds=0.3,
        volume_create_seconds=0.3,
    )
    with Simulator(settings=settings) as sim:
        home = triton_home(sim, tmp_path_factory.mktemp("triton-home"))
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(home),
            "SDC_TESTING": "1",
            **sim.env(),
        }
        yield sim, env


def triton(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        ["node", str(TRITON), *args], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"triton {' '.join(args)} failed: {result.stderr}"
    return result.stdout


def triton_fails(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        ["node", str(TRITON), *args], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0, f"triton {' '.join(args)} should have failed"
    return result.stderr


def lines(text: str) -> list[Any]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_account_get(triton_env: Env) -> None:
    sim, env = triton_env
    assert json.loads(triton(env, "account", "get", "-j"))["login"] == sim.account


def test_datacenters(triton_env: Env) -> None:
    sim, env = triton_env
    assert set(sim.urls) <= set(triton(env, "datacenters").split())


def test_image_and_package_lists(triton_env: Env) -> None:
    _, env = triton_env
    assert "base-64-lts" in triton(env, "image", "list")
    assert "g4-highcpu-1G" in triton(env, "package", "list")


def test_key_list(triton_env: Env) -> None:
    sim, env = triton_env
    assert sim.key_id in [k["fingerprint"] for k in lines(triton(env, "key", "list", "-j"))]


def test_instance_create_wait_list_get(triton_env: Env) -> None:
    sim, env = triton_env
    made = lines(triton(env, "instance", "create", "-w", "-j", "base-64-lts", "g4-highcpu-1G"))
    assert made[-1]["state"] == "running"
    name = made[-1]["name"]
    assert name == made[-1]["id"][:8]  # the server's default name
    triton(env, "instance", "rename", name, "cli1")
    listed = lines(triton(env, "instance", "list", "-j"))
    assert [(m["name"], m["state"]) for m in listed] == [("cli1", "running")]
    got = json.loads(triton(env, "instance", "get", "-j", "cli1"))
    assert got["primaryIp"] in got["ips"]
    assert triton(env, "instance", "ip", "cli1").strip() == got["primaryIp"]
    assert sim.request_count("CreateMachine") == 1


def test_instance_tags(triton_env: Env) -> None:
    _, env = triton_env
    triton(env, "instance", "tag", "set", "-w", "cli1", "team=blue", "tier=2")
    assert json.loads(triton(env, "instance", "tag", "list", "cli1")) == {
        "team": "blue",
        "tier": 2,  # the CLI sends numbers as numbers
    }
    assert triton(env, "instance", "tag", "get", "cli1", "team").strip() == "blue"
    triton(env, "instance", "tag", "delete", "-w", "cli1", "tier")
    assert json.loads(triton(env, "instance", "tag", "list", "cli1")) == {"team": "blue"}


def test_instance_metadata(triton_env: Env) -> None:
    _, env = triton_env
    triton(env, "instance", "metadata", "set", "-w", "cli1", "role=web")
    assert triton(env, "instance", "metadata", "get", "cli1", "role").strip() == "web"
    assert json.loads(triton(env, "instance", "metadata", "list", "cli1"))["role"] == "web"
    triton(env, "instance", "metadata", "delete", "-w", "-f", "cli1", "role")
    assert "role" not in json.loads(triton(env, "instance", "metadata", "list", "cli1"))


def test_instance_snapshots(triton_env: Env) -> None:
    _, env = triton_env
    triton(env, "instance", "snapshot", "create", "-w", "-n", "snap1", "cli1")
    listed = lines(triton(env, "instance", "snapshot", "list", "-j", "cli1"))
    assert [(s["name"], s["state"]) for s in listed] == [("snap1", "created")]
    got = json.loads(triton(env, "instance", "snapshot", "get", "cli1", "snap1"))
    assert got["state"] == "created"
    triton(env, "instance", "snapshot", "delete", "-w", "-f", "cli1", "snap1")
    assert triton(env, "instance", "snapshot", "list", "-j", "cli1").strip() == ""


def test_instance_stop_start_reboot(triton_env: Env) -> None:
    _, env = triton_env
    triton(env, "instance", "stop", "-w", "cli1")
    assert json.loads(triton(env, "instance", "get", "-j", "cli1"))["state"] == "stopped"
    triton(env, "instance", "start", "-w", "cli1")
    assert json.loads(triton(env, "instance", "get", "-j", "cli1"))["state"] == "running"
    triton(env, "instance", "reboot", "-w", "cli1")
    actions = [e["action"] for e in lines(triton(env, "instance", "audit", "-j", "cli1"))]
    assert actions[:3] == ["reboot", "start", "stop"] and actions[-1] == "provision"


def test_instance_firewall_and_nics(triton_env: Env) -> None:
    _, env = triton_env
    triton(env, "fwrule", "create", "FROM any TO tag team=blue ALLOW tcp PORT 22")
    rules = lines(triton(env, "instance", "fwrules", "-j", "cli1"))
    assert [r["rule"] for r in rules] == ["FROM any TO tag team=blue ALLOW tcp PORT 22"]
    triton(env, "instance", "enable-firewall", "-w", "cli1")
    assert json.loads(triton(env, "instance", "get", "-j", "cli1"))["firewall_enabled"] is True
    nics = lines(triton(env, "instance", "nic", "list", "-j", "cli1"))
    assert len(nics) == 2 and sum(n["primary"] for n in nics) == 1
    networks = lines(triton(env, "network", "list", "-j"))
    assert {"external", "internal"} <= {n["name"] for n in networks}


def test_instance_deletion_protection_and_delete(triton_env: Env) -> None:
    _, env = triton_env
    triton(env, "instance", "enable-deletion-protection", "-w", "cli1")
    assert "deletion_protection" in triton_fails(env, "instance", "delete", "-w", "-f", "cli1")
    triton(env, "instance", "disable-deletion-protection", "-w", "cli1")
    triton(env, "instance", "delete", "-w", "-f", "cli1")
    assert triton(env, "instance", "list", "-j").strip() == ""


def test_volumes(triton_env: Env) -> None:
    _, env = triton_env
    triton(env, "volume", "create", "-w", "-n", "data", "-s", "20G")
    listed = lines(triton(env, "volume", "list", "-j"))
    assert [(v["name"], v["state"], v["size"]) for v in listed] == [("data", "ready", 20480)]
    triton(env, "volume", "delete", "-w", "-f", "data")
    assert triton(env, "volume", "list", "-j").strip() == ""


def _lines_of(process: subprocess.Popen[str]) -> queue.Queue[str]:
    """Each line the process prints, as it prints it."""
    found: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            found.put(line)

    threading.Thread(target=read, daemon=True).start()
    return found


def test_changefeed(triton_env: Env) -> None:
    sim, env = triton_env
    feed = sim.state.datacenters[sim.datacenter_names[0]].feed
    process = subprocess.Popen(
        ["node", str(TRITON), "changefeed", "-j"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        printed = _lines_of(process)
        deadline = time.monotonic() + 30
        while feed.registered() < 1:  # the server never answers the registration
            assert time.monotonic() < deadline, "triton changefeed never registered"
            time.sleep(0.02)
        machine = sim.datacenter().create_machine(name="feed-cli")
        changes: list[dict[str, Any]] = []
        while not any(c["resourceState"] == "running" for c in changes):
            line = printed.get(timeout=30)
            change = json.loads(line)
            assert change["changedResourceId"] == machine.id
            changes.append(change)
        assert "state" in changes[-1]["changeKind"]["subResources"]
        assert changes[-1]["resourceObject"]["name"] == "feed-cli"
    finally:
        process.terminate()
        process.wait(10)


def test_instance_vnc(triton_env: Env) -> None:
    sim, env = triton_env
    machine = sim.datacenter().create_machine(
        name="vnc-cli", image="ubuntu-certified-22.04", package="b1-flexible-2G"
    )
    machine.wait("running", timeout=30)
    process = subprocess.Popen(
        ["node", str(TRITON), "instance", "vnc", "vnc-cli"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        listening = _lines_of(process).get(timeout=30)
        port = int(listening.strip().rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=30) as viewer:
            assert viewer.recv(12) == b"RFB 003.008\n"
            viewer.sendall(b"RFB 003.008\n")
            assert viewer.recv(2) == b"\x01\x01"
    finally:
        # triton keeps the WebSocket open after the viewer leaves (do_vnc.js), as with a real
        # server: it runs until stopped
        process.kill()
        process.wait(10)
