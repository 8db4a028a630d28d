"""CLI tests: ``smartdc.cli.main.run`` in-process against the simulator, output captured.

The simulator runs on virtual time and the command line waits on the same clock, so ``--wait``
never sleeps.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from smartdc.cli.main import run
from smartdc.runtime.waiting import WaitClock
from smartdc.testing import Simulator, VirtualClock
from smartdc.testing.clock import Clock

CONFIG_VARIABLES = (
    "TRITON_URL",
    "SDC_URL",
    "TRITON_ACCOUNT",
    "SDC_ACCOUNT",
    "TRITON_USER",
    "SDC_USER",
    "TRITON_KEY_ID",
    "SDC_KEY_ID",
    "TRITON_PROFILE",
    "TRITON_TLS_INSECURE",
    "SDC_TLS_INSECURE",
    "SDC_TESTING",
    "TRITON_ROLE",
    "TRITON_ACT_AS",
    "SMARTDC_KEY_FILE",
)


@attrs.frozen
class Result:
    code: int
    out: str
    err: str

    def json_lines(self) -> list[Any]:
        return [json.loads(line) for line in self.out.splitlines() if line.strip()]


@pytest.fixture(autouse=True)
def no_outside_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Only what a test passes configures the CLI: no variables, no triton profile."""
    for name in CONFIG_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TRITON_CONFIG_DIR", str(tmp_path / "triton"))


@pytest.fixture
def cloudapi_sim_clock() -> Clock:
    return VirtualClock()


def invoke(argv: list[str], clock: WaitClock | None = None) -> Result:
    out, err = io.StringIO(), io.StringIO()
    code = run(argv, out, err, clock=clock)
    return Result(code, out.getvalue(), err.getvalue())


@pytest.fixture
def connection(cloudapi_sim: Simulator) -> list[str]:
    sim = cloudapi_sim
    return [
        "--url",
        sim.url,
        "--account",
        sim.account,
        "--key-id",
        sim.key_id,
        "--key-file",
        sim.key_path,
    ]


@pytest.fixture
def cli(connection: list[str], cloudapi_sim: Simulator) -> Iterator[Callable[..., Result]]:
    def call(*argv: str) -> Result:
        return invoke([*connection, *argv], cloudapi_sim.wait_clock)

    yield call
