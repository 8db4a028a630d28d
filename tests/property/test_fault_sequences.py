"""For random sequences of simulator faults, a facade provisioning flow ends in success or a typed
error, within its deadline, and never sends CreateMachine twice."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from smartdc.errors import SmartDCError
from smartdc.testing import Simulator, VirtualClock

FAULTS: list[dict[str, Any]] = [
    {"status": 429},
    {"status": 429, "retry_after": 0},
    {"status": 420},
    {"status": 500},
    {"status": 502},
    {"status": 503},
    {"status": 504},
    {"html": True},
    {"reset_before": True},
    {"reset_after": True},
    {"hang": True},
    {"truncate": True},
    {"wrong_content_type": True},
    {"bad_md5": True},
]
ROUTES = st.sampled_from([None, "CreateMachine", "GetMachine", "ListMachines", "ListImages"])
SEQUENCES = st.lists(
    st.tuples(ROUTES, st.sampled_from(FAULTS), st.integers(1, 3)), min_size=1, max_size=5
)
WAIT_TIMEOUT = 300.0  # seconds of the virtual clock


@settings(max_examples=15, deadline=None)
@given(faults=SEQUENCES, seed=st.integers(0, 2**16))
def test_provisioning_ends_typed_within_deadline_and_creates_at_most_once(
    faults: list[tuple[str | None, dict[str, Any], int]], seed: int
) -> None:
    clock = VirtualClock()
    with Simulator(clock=clock, datacenters=("us-prop-1",)) as sim:
        dc = sim.datacenter(timeout=0.2, max_retries=2, retry_backoff=0.001, retry_deadline=2.0)
        image, package = dc.default_image(), dc.default_package()
        for route, effects, times in faults:
            sim.faults.add(route, times=times, **effects)
        started = clock.now()
        outcome: object
        try:
            machine = dc.create_machine(name=f"m-{seed}", image=image, package=package)
            machine.wait("running", timeout=WAIT_TIMEOUT)
            outcome = machine.state
        except SmartDCError as error:  # anything else fails the test
            outcome = error
        sim.faults.clear()
        assert clock.now() - started <= WAIT_TIMEOUT + 1e-6
        assert sim.request_count("CreateMachine") <= 1 + _throttles(faults)
        created = [m for m in dc.api.list_machines() if m.name == f"m-{seed}"]
        assert len(created) <= 1  # never two machines
        if isinstance(outcome, str):
            assert outcome == "running" and len(created) == 1
        dc.close()


def _throttles(faults: list[tuple[str | None, dict[str, Any], int]]) -> int:
    """Answers that are 420/429 for CreateMachine: the server did nothing, a retry is safe."""
    return sum(
        times
        for route, effects, times in faults
        if route in (None, "CreateMachine") and effects.get("status") in (420, 429)
    )
