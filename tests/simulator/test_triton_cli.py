"""The official triton CLI (npm package `triton`) works against the simulator for everyday flows.

Skipped with a message where node or the CLI is missing (`make test` installs it where it can).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from smartdc.testing.simulator import Simulator
from smartdc.testing.state import Settings

REPO_ROOT = Path(__file__).resolve().parents[2]
TRITON = Path(
    os.environ.get("SMARTDC_TRITON_CLI", REPO_ROOT / ".cache/node/node_modules/triton/bin/triton")
)

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or not TRITON.exists(),
    reason=f"node or the triton CLI is not installed (looked for {TRITON}); run `make node-tools`",
)


@pytest.fixture(scope="module")
def triton_env(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Simulator, dict[str, str]]]:
    settings = Settings(
        provision_seconds=0.5,
        stop_seconds=0.3,
        start_seconds=0.3,
        delete_seconds=0.3,
        snapshot_seconds=0.3,
    )
    with Simulator(settings=settings) as sim:
        home = tmp_path_factory.mktemp("triton-home")
        ssh = home / ".ssh"
        ssh.mkdir()
        shutil.copy(sim.key_path, ssh / "id_rsa")
        (ssh / "id_rsa").chmod(0o600)
        shutil.copy(str(sim.key_path) + ".pub", ssh / "id_rsa.pub")
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


def test_account_datacenters_catalogue(triton_env: tuple[Simulator, dict[str, str]]) -> None:
    sim, env = triton_env
    assert json.loads(triton(env, "account", "get", "-j"))["login"] == sim.account
    assert set(sim.urls) <= set(triton(env, "datacenters").split())
    assert "base-64-lts" in triton(env, "image", "list")
    assert "g4-highcpu-1G" in triton(env, "package", "list")
    keys = [json.loads(line) for line in triton(env, "key", "list", "-j").splitlines()]
    assert sim.key_id in [k["fingerprint"] for k in keys]


def test_instance_lifecycle(triton_env: tuple[Simulator, dict[str, str]]) -> None:
    sim, env = triton_env
    triton(env, "instance", "create", "-w", "-n", "cli1", "base-64-lts", "g4-highcpu-1G")
    listed = [json.loads(line) for line in triton(env, "instance", "list", "-j").splitlines()]
    assert [(m["name"], m["state"]) for m in listed] == [("cli1", "running")]
    assert json.loads(triton(env, "instance", "get", "-j", "cli1"))["primaryIp"]

    triton(env, "instance", "tag", "set", "cli1", "team=blue")
    assert json.loads(triton(env, "instance", "tag", "list", "cli1")) == {"team": "blue"}

    triton(env, "instance", "snapshot", "create", "-n", "snap1", "cli1")
    assert "snap1" in triton(env, "instance", "snapshot", "list", "cli1")

    triton(env, "instance", "stop", "-w", "cli1")
    assert json.loads(triton(env, "instance", "get", "-j", "cli1"))["state"] == "stopped"
    triton(env, "instance", "start", "-w", "cli1")
    assert json.loads(triton(env, "instance", "get", "-j", "cli1"))["state"] == "running"

    triton(env, "instance", "delete", "-w", "-f", "cli1")
    assert triton(env, "instance", "list", "-j").strip() == ""
    assert sim.request_count("CreateMachine") == 1
