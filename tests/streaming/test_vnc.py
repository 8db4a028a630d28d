"""ConnectMachineVNC end to end: a ByteStream to the simulator's RFB console, the server's checks
and its route version."""

from __future__ import annotations

import struct
from typing import Any

import pytest

from smartdc import CloudAPI, DataCenter
from smartdc.errors import CloudAPIError
from smartdc.testing import Simulator

HVM: dict[str, Any] = {"image": "ubuntu-certified-22.04", "package": "b1-flexible-2G"}


def test_the_console_speaks_rfb_from_a_running_hardware_vm(
    sim: Simulator, dc: DataCenter, api: CloudAPI
) -> None:
    machine = dc.create_machine(name="console", **HVM)
    sim.advance(60)
    with api.connect_machine_vnc(machine.id) as vnc:
        assert vnc.read(12, timeout=5) == b"RFB 003.008\n"
        vnc.send(b"RFB 003.008\n")
        assert vnc.read(2, timeout=5) == bytes([1, 1])  # one security type: None
        vnc.send(bytes([1]))
        assert vnc.read(4, timeout=5) == b"\x00\x00\x00\x00"  # SecurityResult: OK
        vnc.send(bytes([1]))  # ClientInit, shared
        width, height = struct.unpack(">HH", vnc.read(4, timeout=5))
        vnc.read(16, timeout=5)  # pixel format
        (length,) = struct.unpack(">I", vnc.read(4, timeout=5))
        assert vnc.read(length, timeout=5) == b"console"
    assert (width, height) > (0, 0)


def test_the_route_is_asked_for_at_its_own_version(sim: Simulator, dc: DataCenter) -> None:
    # lib/endpoints/vnc.js registers the route at 8.4.0 only: a client configured for ~9 still
    # reaches it, because the operation asks for the route's version.
    machine = dc.create_machine(name="versioned", **HVM)
    sim.advance(60)
    nine = sim.client(accept_version="~9")
    with nine.connect_machine_vnc(machine.id) as vnc:
        assert vnc.read(12, timeout=5) == b"RFB 003.008\n"
    with pytest.raises(CloudAPIError) as caught:
        nine.meta.transport.request(
            "GET", f"/{sim.account}/machines/{machine.id}/vnc", headers={"Upgrade": "websocket"}
        )
    assert caught.value.error_code == "InvalidVersion"
    # a plain request of the operation (no upgrade) also asks for the route's version: it reaches
    # the route and gets the route's own refusal
    with pytest.raises(CloudAPIError) as plain:
        nine.meta.call(nine.meta.operation("ConnectMachineVNC"), {"id": machine.id})
    assert plain.value.error_code == "UpgradeRequiredError"


@pytest.mark.parametrize(
    ("what", "code", "message"),
    [
        ("zone", "MachineHasNoVNCError", "Instance type joyent does not support VNC connections"),
        ("stopped", "MachineStoppedError", "Cannot connect to a stopped machine"),
    ],
)
def test_the_servers_checks_come_before_the_upgrade(
    sim: Simulator, dc: DataCenter, api: CloudAPI, what: str, code: str, message: str
) -> None:
    machine = dc.create_machine(name=what, **({} if what == "zone" else HVM))
    sim.advance(60)
    if what == "stopped":
        api.stop_machine(machine.id)
        sim.advance(60)
    with pytest.raises(CloudAPIError) as caught:
        api.connect_machine_vnc(machine.id)
    assert (caught.value.status, caught.value.error_code) == (400, code)
    assert caught.value.message == message


def test_a_plain_request_is_told_to_upgrade(sim: Simulator, dc: DataCenter, api: CloudAPI) -> None:
    machine = dc.create_machine(name="plain", **HVM)
    sim.advance(60)
    with pytest.raises(CloudAPIError) as caught:
        api.meta.transport.request(
            "GET",
            f"/{sim.account}/machines/{machine.id}/vnc",
            headers={"Accept-Version": "8.4.0"},
        )
    assert caught.value.error_code == "UpgradeRequiredError"
    assert caught.value.status == 400
