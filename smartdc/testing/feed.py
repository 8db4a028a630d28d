"""The changefeed's publishing side: every change to an instance, as VMAPI publishes it.

VMAPI publishes a change item each time it writes an existing VM (sdc-vmapi lib/apis/moray.js
putVm: not on creation), naming the fields that differ; CloudAPI (sdc-cloudapi lib/changefeed.js)
passes an item to each WebSocket of the VM's owner whose registration shares one of those
sub-resources (and lists the VM, when it lists any), with ``resourceObject`` translated as
GetMachine shows it and ``resourceState`` the untranslated VMAPI state.

The simulator's instances change in two ways: requests write them, and scheduled transitions
(:mod:`smartdc.testing.lazy`) come due. Each transition is published as it is applied, whoever
applies it (a lazy.step_observers hook); a sweeper thread, running while anyone listens, applies
those that came due (with a ``VirtualClock``, right after ``advance``); and the dispatcher compares
the watched instances after each request that changed something, so what a request did is
published before the next request is served.
"""

from __future__ import annotations

import copy
import queue
import threading
import time
from typing import TYPE_CHECKING, Any

import attrs

from smartdc.testing import lazy

if TYPE_CHECKING:
    from smartdc.testing.state import DatacenterState

# sdc-cloudapi lib/changefeed.js VM_SUB_RESOURCES: what a registration may name.
SUB_RESOURCES = (
    "alias",
    "customer_metadata",
    "destroyed",
    "nics",
    "owner_uuid",
    "server_uuid",
    "state",
    "tags",
)
SWEEP_SECONDS = 0.01  # how often (real time) due transitions are looked for while anyone listens


def vmapi_state(state: str) -> str:
    """A VMAPI state CloudAPI's translateState() (lib/machines.js) maps to ``state``. The map is
    many-to-one (stopping comes from halting, stopping or shutting_down; stopped from off, down,
    installed or stopped): the simulator keeps the CloudAPI name, which is also a VMAPI name,
    and only ``deleted`` differs (VMAPI's ``destroyed``)."""
    return "destroyed" if state == "deleted" else state


def _view(machine: dict[str, Any], owner_uuid: str) -> dict[str, Any]:
    """The VMAPI fields behind each sub-resource (copies: requests change them in place)."""
    state = str(machine.get("state", "unknown"))
    return copy.deepcopy(
        {
            "alias": machine.get("name"),
            "customer_metadata": machine.get("metadata"),
            "destroyed": state == "deleted",
            "nics": [
                {k: v for k, v in nic.items() if not k.startswith("_sim")}
                for nic in machine.get("nics", [])
            ],
            "owner_uuid": owner_uuid,
            "server_uuid": machine.get("compute_node"),
            "state": state,
            "tags": machine.get("tags"),
        }
    )


@attrs.define(eq=False)
class Listener:
    """One WebSocket: nothing is sent to it until it has registered."""

    login: str
    messages: queue.SimpleQueue[dict[str, Any] | None] = attrs.Factory(queue.SimpleQueue)
    registration: dict[str, Any] | None = None

    def register(self, message: object) -> bool:
        """Take a registration as the server validates it; an invalid one is ignored (the
        server only logs it)."""
        if not isinstance(message, dict) or message.get("resource") != "vm":
            return False
        subs = message.get("subResources")
        if not isinstance(subs, list) or any(s not in SUB_RESOURCES for s in subs):
            return False
        vms = message.get("vms")
        if vms is not None and (not isinstance(vms, list) or not all(_is_uuid(v) for v in vms)):
            return False
        self.registration = message
        return True

    def wants(self, machine_id: str, changed: list[str]) -> bool:
        reg = self.registration
        if reg is None or not any(s in reg["subResources"] for s in changed):
            return False
        vms = reg.get("vms")
        return not vms or machine_id in vms


def _is_uuid(value: object) -> bool:
    import uuid

    if not isinstance(value, str):
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return len(value) == 36


class ChangeFeed:
    """The feed of one datacenter: listeners, what was last published per instance, the sweeper."""

    def __init__(self, dc: DatacenterState) -> None:
        self.dc = dc
        self._listeners: list[Listener] = []
        self._published: dict[str, dict[str, Any]] = {}
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._closed = False

    def subscribe(self, login: str) -> Listener:
        listener = Listener(login)
        with self.dc.sim.lock:
            self._closed = False
            if not any(other.login == login for other in self._listeners):
                self._remember(login)  # changes from now on are news
            if not self._listeners:
                lazy.step_observers.append(self._on_step)
            self._listeners.append(listener)
            if self._thread is None or not self._thread.is_alive():
                self._wake.clear()
                self._thread = threading.Thread(
                    target=self._sweep_loop, name=f"sim-changefeed-{self.dc.name}", daemon=True
                )
                self._thread.start()
        return listener

    def registered(self) -> int:
        """How many listeners have registered (tests wait for this before making changes: the
        server sends no answer to a registration)."""
        with self.dc.sim.lock:
            return sum(1 for listener in self._listeners if listener.registration is not None)

    def unsubscribe(self, listener: Listener) -> None:
        with self.dc.sim.lock:
            if listener in self._listeners:
                self._listeners.remove(listener)
                if not self._listeners:
                    self._stop_observing()

    def close(self) -> None:
        """End every feed (the simulator is closing)."""
        with self.dc.sim.lock:
            self._closed = True
            for listener in self._listeners:
                listener.messages.put(None)
            if self._listeners:
                self._stop_observing()
            self._listeners.clear()
        self._wake.set()

    def sweep(self) -> None:
        """Apply due transitions step by step and publish every difference (under the lock)."""
        if not self._listeners:
            return
        sim = self.dc.sim
        with sim.lock:
            logins = {listener.login for listener in self._listeners}
            now = sim.clock.now()
            for login in logins:
                account = sim.account(login)
                owner = account.uuid if account is not None else ""
                for machine in list(self.dc.table("machines", login).values()):
                    lazy.settle(machine, now)  # each step is published by _on_step
                    self._publish(machine, owner, now)  # what requests changed

    def _on_step(self, obj: dict[str, Any]) -> None:
        """A scheduled transition was applied to ``obj`` (by any reader): publish it if it is a
        watched instance of this datacenter."""
        before = self._published.get(str(obj.get("id")))
        if before is not None and "state" in obj:
            self._publish(obj, str(before["owner_uuid"]), self.dc.sim.clock.now())

    def _stop_observing(self) -> None:
        if self._on_step in lazy.step_observers:
            lazy.step_observers.remove(self._on_step)

    def _remember(self, login: str) -> None:
        sim = self.dc.sim
        account = sim.account(login)
        owner = account.uuid if account is not None else ""
        for machine in self.dc.table("machines", login).values():
            self._published[str(machine["id"])] = _view(machine, owner)

    def _publish(self, machine: dict[str, Any], owner: str, now: float) -> None:
        machine_id = str(machine["id"])
        view = _view(machine, owner)
        before = self._published.get(machine_id)
        self._published[machine_id] = view
        if before is None:
            return  # created since: VMAPI publishes updates, not the creation
        changed = [name for name in SUB_RESOURCES if view[name] != before[name]]
        if not changed:
            return
        from smartdc.testing.resources.machines import shown

        message = {
            "changeKind": {"resource": "vm", "subResources": changed},
            "changedResourceId": machine_id,
            # node-sdc-changefeed lib/publisher.js: published = Date.now().toString()
            "published": str(int(now * 1000)),
            "resourceObject": shown(machine),
            "resourceState": vmapi_state(view["state"]),
        }
        for listener in self._listeners:
            if listener.wants(machine_id, changed):
                listener.messages.put(message)

    def _sweep_loop(self) -> None:
        while not self._closed:
            with self.dc.sim.lock:
                if not self._listeners:
                    self._thread = None
                    return
            started = time.monotonic()
            self.sweep()
            # A sweep reads every watched instance: with many, look less often (at most a fifth
            # of the time is spent sweeping).
            self._wake.wait(max(SWEEP_SECONDS, 4 * (time.monotonic() - started)))
