"""``smartdc demo``: the embedded-simulator tour, and its guard against touching a real cloud."""

from __future__ import annotations

from smartdc.testing import Simulator, VirtualClock

from .conftest import invoke


def test_demo_runs_the_seed_flow_on_the_embedded_simulator() -> None:
    result = invoke(["demo"], VirtualClock())  # the demo's simulator runs on it: no sleeping
    assert result.code == 0, result.err
    out = result.out
    for code in (
        "sdc.keys()",
        "sdc.datasets()",
        "sdc.datacenter(",
        "default_package()",
        "create_machine(",
        "poll_while('provisioning')",
        "create_snapshot(",
        "poll_until('stopped')",
        "delete(wait=True)",
    ):
        assert code in out
    assert "provisioning: running" in out
    assert "snapshot before-stop: created" in out
    for section in ("Using the library", "Command line", "Testing with the simulator"):
        assert section in out


def test_demo_refuses_a_configured_cloud_without_yes(
    cloudapi_sim: Simulator, connection: list[str]
) -> None:
    result = invoke([*connection, "demo"])
    assert result.code == 2
    assert "--yes" in result.err
    assert cloudapi_sim.request_count() == 0  # nothing was sent


def test_demo_with_yes_creates_and_deletes_one_machine(
    cloudapi_sim: Simulator, connection: list[str]
) -> None:
    result = invoke([*connection, "demo", "--yes"], cloudapi_sim.wait_clock)
    assert result.code == 0, result.err
    assert cloudapi_sim.request_count("CreateMachine") == 1
    assert cloudapi_sim.client().list_machines() == []
