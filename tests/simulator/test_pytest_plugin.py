"""The `cloudapi_sim` fixture reaches a test through the installed pytest11 plugin."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from smartdc.testing.pytest_plugin import VIRTUAL_CLOCK_ENV, virtual_time_wanted

SAMPLE = """
import urllib3

def test_uses_the_fixture(cloudapi_sim):
    assert cloudapi_sim.settings.provision_seconds == 0.2
    reply = urllib3.request("GET", cloudapi_sim.url + "/--ping", timeout=10)
    assert reply.status == 200
    assert cloudapi_sim.request_count("Ping") == 1
"""


def test_fixture_is_available_to_any_project(tmp_path: Path) -> None:
    (tmp_path / "test_sample.py").write_text(SAMPLE)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


VIRTUAL_SAMPLE = """
import pytest
from smartdc.testing import Settings, VirtualClock

@pytest.fixture
def cloudapi_sim_settings():
    return Settings(provision_seconds=600)

def test_waits_advance_virtual_time(cloudapi_sim, cloudapi):
    assert isinstance(cloudapi_sim.clock, VirtualClock)
    started = cloudapi_sim.clock.now()
    image = cloudapi.list_images()[0]
    package = cloudapi.list_packages()[0]
    made = cloudapi.create_machine(image=image.id, package=package.name)
    assert cloudapi.wait_machine_running(made.id).state == "running"
    assert cloudapi_sim.clock.now() - started >= 600
"""


def test_virtual_time_from_the_ini_option(tmp_path: Path) -> None:
    (tmp_path / "test_virtual.py").write_text(VIRTUAL_SAMPLE)
    (tmp_path / "pytest.ini").write_text("[pytest]\nsmartdc_sim_virtual_clock = true\n")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def test_virtual_time_from_the_environment(
    pytestconfig: pytest.Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(VIRTUAL_CLOCK_ENV, raising=False)
    assert not virtual_time_wanted(pytestconfig)
    monkeypatch.setenv(VIRTUAL_CLOCK_ENV, "1")
    assert virtual_time_wanted(pytestconfig)


def test_advance_moves_virtual_time_only() -> None:
    from smartdc.testing import Simulator, VirtualClock
    from smartdc.testing.simulator import SimulatorError

    clock = VirtualClock(start=1000.0)
    with Simulator(clock=clock, datacenters=("dc1",)) as sim:
        assert sim.advance(30) == 1030.0 == clock.now()
    with Simulator(datacenters=("dc1",)) as real, pytest.raises(SimulatorError):
        real.advance(1)
