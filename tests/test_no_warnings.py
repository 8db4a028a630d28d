"""Nothing smartdc does prints a warning the user did not cause: importing it, using the client,
the facade and the simulator, and a project's tests on our pytest plugin all run under
``-W error`` (cryptography's DSA deprecation was printed three times per simulator use)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROGRAM = """
import smartdc, smartdc.testing, smartdc.cli.main, smartdc.error_codes, smartdc.models
from smartdc.testing import Simulator, VirtualClock

with Simulator(clock=VirtualClock()) as sim:
    api = sim.client()
    api.list_machines()
    dc = sim.datacenter()
    machine = dc.create_machine(name="w")
    machine.wait("running")
    dc.keys()
print("quiet")
"""

PLUGIN_TEST = """
def test_uses_the_plugin(cloudapi):
    assert cloudapi.list_machines() == []
"""


def test_import_and_use_are_quiet_under_w_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", PROGRAM],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "quiet"
    assert "Warning" not in result.stderr


def test_a_project_on_the_pytest_plugin_collects_under_w_error(tmp_path: Path) -> None:
    (tmp_path / "test_project.py").write_text(PLUGIN_TEST)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-W", "error", "-p", "no:cacheprovider", "."],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
    assert "Warning" not in result.stdout
