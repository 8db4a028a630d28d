"""The Ansible collection (ansible/) run by a real ansible-core against the simulator.

ansible-core comes with the dev extra (``make test`` installs it); without it every test here is
skipped with a message. Commands run as subprocesses (``ansible-inventory``, ``ansible-playbook``
of this Python's environment) with a home of their own, the collection found through
``ANSIBLE_COLLECTIONS_PATH``, and the settings ``smartdc sim`` prints; they reach only the
simulator on 127.0.0.1.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shlex
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from smartdc.testing import Settings, Simulator
from smartdc.testing.cli import export_lines

REPO_ROOT = Path(__file__).resolve().parents[2]
COLLECTIONS = REPO_ROOT / "ansible"
COLLECTION = COLLECTIONS / "ansible_collections" / "smartdc" / "triton"
BIN = Path(sys.executable).parent
# ansible-playbook answers within seconds here; this only stops a hung run from hanging the suite
RUN_TIMEOUT = 240.0


def ansible_missing() -> str | None:
    if importlib.util.find_spec("ansible") is None or not (BIN / "ansible-playbook").exists():
        return (
            "ansible-core is not installed in this environment "
            "(make test installs it with the dev extra: pip install -e '.[dev]')"
        )
    return None


def fast_settings() -> Settings:
    """Short state changes, as the pytest plugin's simulator has them."""
    return Settings(
        provision_seconds=0.2,
        stop_seconds=0.1,
        start_seconds=0.1,
        reboot_seconds=0.1,
        delete_seconds=0.1,
        snapshot_seconds=0.1,
        job_seconds=0.1,
    )


def sim_environment(sim: Simulator) -> dict[str, str]:
    """The variables ``smartdc sim`` prints (``export NAME=VALUE`` lines), as a mapping."""
    found = {}
    for line in export_lines(sim):
        name, _, value = line.removeprefix("export ").partition("=")
        found[name] = shlex.split(value)[0]
    return found


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    reason = ansible_missing()
    if reason:
        pytest.skip(reason)
    with Simulator(settings=fast_settings()) as simulator:
        yield simulator


@pytest.fixture(scope="module")
def ansible_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ansible-home")


class Ansible:
    """Runs the ansible commands with the simulator's settings in a directory of its own."""

    def __init__(self, sim: Simulator, home: Path, workdir: Path) -> None:
        self.sim = sim
        self.workdir = workdir
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("TRITON_", "SDC_", "SMARTDC_KEY", "ANSIBLE_"))
        }
        self.env.update(sim_environment(sim))
        self.env.update(
            HOME=str(home),
            ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS),
            ANSIBLE_LOCAL_TEMP=str(home / "tmp"),
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_FORCE_COLOR="0",
            ANSIBLE_DEPRECATION_WARNINGS="0",
            ANSIBLE_PYTHON_INTERPRETER=sys.executable,
            ANSIBLE_LOCALHOST_WARNING="0",
            ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
            ANSIBLE_PIPELINING="1",
            PYTHONWARNINGS="ignore",
        )

    def write(self, name: str, text: str) -> Path:
        path = self.workdir / name
        path.write_text(text, encoding="utf-8")
        return path

    def run(
        self, *argv: str, env: Mapping[str, str] | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [str(BIN / argv[0]), *argv[1:]],
            cwd=self.workdir,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            check=False,
        )
        if check and done.returncode != 0:
            raise AssertionError(
                f"{' '.join(argv)} exited {done.returncode}\n"
                f"stdout:\n{done.stdout[-6000:]}\nstderr:\n{done.stderr[-6000:]}"
            )
        return done

    def inventory(self, source: str, *args: str, env: Mapping[str, str] | None = None) -> Any:
        """``ansible-inventory -i SOURCE --list`` as JSON (strings marked unsafe unwrapped)."""
        done = self.run("ansible-inventory", "-i", source, "--list", *args, env=env)
        return unwrap(json.loads(done.stdout))

    def playbook(self, playbook: str, *args: str, check: bool = True) -> PlaybookRun:
        """``ansible-playbook`` with the JSON callback: every task's result, and the recap."""
        done = self.run(
            "ansible-playbook",
            playbook,
            *args,
            env={
                "ANSIBLE_CALLBACK_PLUGINS": str(
                    Path(__file__).resolve().parent / "callback_plugins"
                ),
                "ANSIBLE_STDOUT_CALLBACK": "record",
            },
            check=check,
        )
        return PlaybookRun(done)


def unwrap(value: Any) -> Any:
    """JSON as ``ansible-inventory --list`` writes it, with ``{"__ansible_unsafe": text}`` (a
    string Ansible will not template: it came from the server) as the text."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {k: unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    return value


class PlaybookRun:
    def __init__(self, done: subprocess.CompletedProcess[str]) -> None:
        self.returncode = done.returncode
        self.stderr = done.stderr
        self.stdout = done.stdout
        try:
            self.output = json.loads(done.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            raise AssertionError(
                f"no JSON from the run:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
            ) from None

    @property
    def stats(self) -> dict[str, int]:
        return dict(self.output["stats"]["localhost"])

    @property
    def changed(self) -> int:
        return int(self.stats["changed"])

    def results(self) -> dict[str, dict[str, Any]]:
        """Task name -> its result on localhost."""
        return {t["task"]: t["result"] for t in self.output["tasks"] if t["host"] == "localhost"}


@pytest.fixture
def ansible(sim: Simulator, ansible_home: Path, tmp_path: Path) -> Ansible:
    return Ansible(sim, ansible_home, tmp_path)
