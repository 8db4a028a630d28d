"""One simulator, two command lines: the official ``triton`` (node-triton, as ``make node-tools``
installs it) and ``smartdc``, each run as its own process with a throwaway HOME holding the
simulator's key in ``~/.ssh`` (where triton finds keys).

The world both tools see (made once per module, through the library, not through either CLI):

- ``web`` and ``db`` running (``db`` on ``base-64-lts@22.4.0``), ``off`` stopped;
- two bulk machines whose ids share the prefix ``0000000`` (an ambiguous short id);
- a deleted instance (its id in ``{deleted}``);
- for each tool its own instances to act on (``t-...`` for triton, ``s-...`` for smartdc: a
  case names them ``{me}-run``, ``{me}-off`` ...), so both start from the same state.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from smartdc.testing.simulator import Simulator
from smartdc.testing.state import Settings
from tests.triton_home import triton_home

REPO_ROOT = Path(__file__).resolve().parents[2]
TRITON = Path(
    os.environ.get("SMARTDC_TRITON_CLI", REPO_ROOT / ".cache/node/node_modules/triton/bin/triton")
)
TRITON_MISSING = shutil.which("node") is None or not TRITON.exists()
TIMEOUT = 120.0  # seconds one command may take at most (a wait polls about once a second)
# each tool's own instances, by role (the name is PREFIX-ROLE)
OWN_INSTANCES = {"run": "running", "off": "stopped", "tgt": "running", "gone": "running"}


@attrs.frozen
class Ran:
    code: int
    out: str
    err: str


@attrs.define
class World:
    sim: Simulator
    env: dict[str, str]
    values: dict[str, str]  # what {placeholders} in a case stand for

    def run(self, tool: str, argv: tuple[str, ...]) -> Ran:
        me = "t" if tool == "triton" else "s"
        args = [a.format(me=me, **self.values) for a in argv]
        command = (
            ["node", str(TRITON), *args]
            if tool == "triton"
            else [sys.executable, "-m", "smartdc.cli", *args]
        )
        done = subprocess.run(
            command,
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
        return Ran(done.returncode, done.stdout, done.stderr)


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    if TRITON_MISSING:
        pytest.skip(
            f"node or the triton CLI is not installed (looked for {TRITON}); run `make node-tools`"
        )
    # short delays: both CLIs poll on the real clock (about once a second)
    settings = Settings(
        provision_seconds=0.3,
        stop_seconds=0.2,
        start_seconds=0.2,
        reboot_seconds=0.2,
        delete_seconds=0.2,
        snapshot_seconds=0.2,
        job_seconds=0.1,
    )
    with Simulator(settings=settings) as sim:
        home = triton_home(sim, tmp_path_factory.mktemp("parity-home"))
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(home),
            "SDC_TESTING": "1",
            "PYTHONWARNINGS": "ignore",
            **sim.env(),
        }
        values = _populate(sim)
        yield World(sim, env, values)


def _new_keys(directory: Path) -> Path:
    """A new public key for each tool to add (``t.pub``, ``s.pub``): one key can be added once."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    keys = directory / "parity-keys"
    keys.mkdir(exist_ok=True)
    for me in ("t", "s"):
        public = ed25519.Ed25519PrivateKey.generate().public_key()
        text = public.public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        )
        (keys / f"{me}.pub").write_text(f"{text.decode()} {me}-key\n")
    return keys


def _populate(sim: Simulator) -> dict[str, str]:
    dc = sim.datacenter()
    try:
        sim.populate_machines(2)  # ids 00000000-... and 00000001-...
        made = {
            "web": dc.create_machine(name="web", image="base-64-lts", package="g4-highcpu-128M"),
            "db": dc.create_machine(
                name="db",
                image=str(dc.image("base-64-lts", "22.4.0").id),
                package="g4-highcpu-128M",
            ),
            "off": dc.create_machine(name="off", image="base-64-lts", package="g4-highcpu-128M"),
            "dead": dc.create_machine(name="dead", image="base-64-lts", package="g4-highcpu-128M"),
        }
        for prefix in ("t", "s"):
            for role in OWN_INSTANCES:
                made[f"{prefix}-{role}"] = dc.create_machine(
                    name=f"{prefix}-{role}", image="base-64-lts", package="g4-highcpu-128M"
                )
        for machine in made.values():
            machine.wait("running", timeout=60)
        for name, machine in made.items():
            if name == "off" or name.endswith("-off"):
                machine.stop(wait=True, timeout=60)
        made["dead"].delete(wait=True, timeout=60)
        for prefix in ("t", "s"):
            made[f"{prefix}-gone"].delete(wait=True, timeout=60)
        image = dc.image("base-64-lts", "22.4.0")
        package = dc.package("g4-highcpu-128M")
        network = dc.networks()[0]
        return {
            "deleted": made["dead"].id,
            "web_id": made["web"].id,
            "web_short": made["web"].id.split("-")[0],
            "img_short": str(image.id).split("-")[0],
            "img_id": str(image.id),
            "pkg_short": str(package.id).split("-")[0],
            "pkg_id": str(package.id),
            "net_name": str(network.name),
            "net_short": str(network.id).split("-")[0],
            "keys": str(_new_keys(Path(sim.key_path).parent)),
        }
    finally:
        dc.close()
