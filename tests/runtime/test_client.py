"""The generated client against the simulator: typed calls, argument checks before any request,
version gating, waiters, paging and HEAD forms."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from smartdc import CloudAPI
from smartdc.errors import (
    ArgumentError,
    OperationNotSupportedError,
    UnknownOperationError,
    WaitFailed,
)
from smartdc.runtime.waiting import Poll
from smartdc.testing import Simulator, VirtualClock
from smartdc.testing.state import Settings


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    # virtual time: waits advance it instead of sleeping (state changes take their default time)
    with Simulator(clock=VirtualClock()) as simulator:
        yield simulator


@pytest.fixture
def client(sim: Simulator) -> CloudAPI:
    return sim.client()


def _image(client: CloudAPI) -> str:
    return client.list_images(name="base-64-lts")[-1].id


def test_bad_arguments_never_reach_the_server(sim: Simulator, client: CloudAPI) -> None:
    before = sim.request_count()
    with pytest.raises(ArgumentError, match="'id'"):
        client.get_machine("")
    with pytest.raises(ArgumentError, match="unknown parameter"):
        client.meta.call_operation("GetMachine", id="x", colour="red")
    with pytest.raises(ArgumentError, match="'memory' must be an integer"):
        client.meta.call_operation("ListMachines", memory="big")
    with pytest.raises(UnknownOperationError, match="did you mean GetMachine"):
        client.meta.call_operation("getmachine", id="x")
    assert sim.request_count() == before


def test_operation_newer_than_the_server_is_refused(sim: Simulator) -> None:
    old = Simulator(settings=Settings(server_version="9.0.0"))
    with old:
        client = old.client()
        client.get_account()  # learns the server version from the Server header
        assert client.meta.server_version == "9.0.0"
        with pytest.raises(
            OperationNotSupportedError, match=r"GetAccountLimits needs CloudAPI 9\.8\.0"
        ):
            client.get_account_limits()


def test_provision_wait_stop_delete(client: CloudAPI) -> None:
    machine = client.create_machine(
        image=_image(client), package="g4-highcpu-1G", name="rt-1", tags={"team": "a"}
    )
    assert machine.state == "provisioning"
    polls: list[Poll] = []
    running = client.wait_machine_running(machine.id, timeout=30, on_poll=polls.append)
    assert running.state == "running" and running.primary_ip and len(polls) >= 2
    client.stop_machine(machine.id)
    assert client.wait_machine_stopped(machine.id, timeout=30).state == "stopped"
    client.delete_machine(machine.id)
    client.wait_machine_deleted(machine.id, timeout=30)
    with pytest.raises(WaitFailed):
        client.wait_machine_running(machine.id, timeout=30)


def test_paging_and_head(sim: Simulator, client: CloudAPI) -> None:
    sim.populate_machines(2500)
    names = [m.name for m in client.iter_list_machines(limit=1000)]
    assert len(names) >= 2500 and len(set(names)) == len(names)
    assert client.head_list_machines(limit=10)["x-resource-count"] == "10"


def test_a_plain_call_of_a_paginated_operation_returns_every_item(
    sim: Simulator, client: CloudAPI
) -> None:
    before = len(list(client.iter_list_machines()))
    sim.populate_machines(2501)
    everything = client.list_machines()
    total = before + 2501
    assert len(everything) == total and len({m.id for m in everything}) == total
    # one page only when offset or limit is given
    assert len(client.list_machines(limit=1000)) == 1000
    assert len(client.list_machines(offset=total - 501)) == 501
    assert [m.id for m in client.iter_list_machines(offset=total - 101, limit=50)] == [
        m.id for m in everything[total - 101 :]
    ]


def test_text_and_map_answers(client: CloudAPI) -> None:
    machine = client.create_machine(
        image=_image(client), package="g4-highcpu-1G", metadata={"k": "v"}
    )
    assert client.get_machine_metadata(machine.id, "k") == "v"
    assert client.add_machine_tags(machine.id, tags={"a": 1}) == {"a": 1}
    assert set(client.list_datacenters()) >= {"us-sim-1"}


@pytest.mark.parametrize("bad", ["ops\r\nX-Injected: 1", "ops\n", "\x7f"])
def test_a_control_character_bound_for_a_header_is_an_argument_error(
    sim: Simulator, client: CloudAPI, bad: str
) -> None:
    """Refused before sending, as every bad argument is: ArgumentError exactly (a ValueError
    that is not one survived as a mutant; callers catch ArgumentError)."""
    before = sim.request_count()
    with pytest.raises(ArgumentError) as operation:
        client.update_account(role_tag=[bad])
    assert "role_tag" in str(operation.value) and "control character" in str(operation.value)
    with pytest.raises(ArgumentError) as header:
        client.meta.transport.request("GET", f"/{sim.account}", headers={"X-Note": bad})
    assert "X-Note" in str(header.value)
    with pytest.raises(ArgumentError):
        client.meta.transport.request("GET", f"/{sim.account}", headers={bad: "v"})
    with pytest.raises(ArgumentError):
        client.meta.transport.request("GET", f"/{sim.account}", accept=f"text/plain{bad}")
    assert sim.request_count() == before


def test_an_unknown_waiter_is_one_error_type_wherever_it_is_asked_for(
    sim: Simulator, client: CloudAPI
) -> None:
    from smartdc.errors import UnknownWaiterError
    from smartdc.facade.waiting import run_waiter

    with pytest.raises(UnknownWaiterError, match="did you mean MachineRunning"):
        client.meta.wait("machinerunning", id="x")
    with pytest.raises(UnknownWaiterError, match="known: "):
        run_waiter(client, "MachineFlying", {"id": "x"})


def test_one_clock_for_the_transport_waits_and_streams() -> None:
    """A throttled request's Retry-After is waited on the client's clock, as waits and stream
    backoffs are: with a simulator's virtual clock, 30 s pass without sleeping them."""
    clock = VirtualClock()
    with Simulator(clock=clock) as simulator, simulator.client() as api:
        assert api.meta.transport.clock is api.meta.clock
        simulator.faults.throttle("ListPackages", retry_after=30)
        started = clock.now()
        assert api.list_packages()
        assert clock.now() - started >= 30  # simulated seconds: the pause advanced the clock
        assert simulator.request_count("ListPackages") == 2


def test_a_nic_that_follows_a_stopped_instance_is_ready(client: CloudAPI) -> None:
    """NAPI sets a stopped instance's new NIC to stopped: the spec's NicReady (what AddNic and the
    CLI's `nic add -w` wait with) accepts it; NicRunning alone would run to its deadline."""
    from types import SimpleNamespace

    from smartdc.runtime.waiting import wait

    spec = client.meta.waiter("NicReady")
    stopped = SimpleNamespace(state="stopped")
    assert wait(lambda: (200, stopped), spec, clock=client.meta.clock) is stopped
    assert client.meta.operation("AddNic").waiter == "NicReady"
    machine = client.create_machine(image=_image(client), package=client.list_packages()[0].id)
    client.wait_machine_running(machine.id)
    network = next(n for n in client.list_networks() if not n.public)
    nic = client.add_nic(machine.id, network=network.id)
    ready = client.wait_nic_ready(machine.id, nic.mac.replace(":", ""))
    assert ready.state in ("running", "stopped")
