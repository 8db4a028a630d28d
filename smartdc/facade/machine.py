"""``Machine``: one instance, with its actions, live tags and metadata, snapshots and waits.

Attributes of the generated ``Machine`` model are readable on the object (``machine.primary_ip``,
``machine.memory``...; the model itself is ``machine.model``). They are as of the last fetch:
``refresh()`` and every wait update them. ``machine.tags`` and ``machine.metadata`` are live
mappings instead (the fetched values stay in ``machine.model.tags``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Union

from smartdc._generated.enums import MachineState, MachineStateValue
from smartdc._generated.views import MachineFields
from smartdc.errors import GoneError, InvalidResponseError
from smartdc.facade import waiting
from smartdc.facade.live_maps import MachineMetadata, MachineTags
from smartdc.facade.resources import BoundFirewallRule, BoundImage
from smartdc.facade.snapshot import BoundSnapshot
from smartdc.facade.waiting import ProgressCallback

if TYPE_CHECKING:
    from smartdc._generated.client import CloudAPI
    from smartdc._generated.models import (
        AuditEntry,
        Disk,
        Migration,
        Nic,
        Package,
    )
    from smartdc._generated.models import Machine as MachineModel
    from smartdc.facade.datacenter import DataCenter


def fetch_machine(api: CloudAPI, machine_id: str) -> MachineModel:
    """GetMachine, which always answers with a body (also for a destroyed machine)."""
    model = api.get_machine(id=machine_id)
    if model is None:
        raise InvalidResponseError(f"GetMachine {machine_id}: the answer had no body")
    return model


State = Union[MachineState, MachineStateValue]  # noqa: UP007 (a runtime alias)
"""An instance state: the enum member or its string (checked: a typo is an ``ArgumentError``)."""


class BoundMachine(MachineFields):
    """An instance in a datacenter (python-smartdc's ``Machine``).

    Every field of the model is a typed attribute (``machine.state``, ``machine.primary_ip``,
    ``machine.brand``...), as of the last fetch; ``tags`` and ``metadata`` are live mappings.
    """

    def __init__(self, datacenter: DataCenter, model: MachineModel) -> None:
        self.datacenter = datacenter
        self.model = model
        self._tags = MachineTags(datacenter.api, model.id)
        self._metadata = MachineMetadata(datacenter.api, model.id)

    # The fetched values stay in ``model.tags`` / ``model.metadata``; these read and write the
    # machine's current ones (each change is an API call), hence the narrower override.
    @property
    def tags(self) -> MachineTags:  # type: ignore[override]
        """The machine's tags, live: reading and writing call the API."""
        return self._tags

    @property
    def metadata(self) -> MachineMetadata:  # type: ignore[override]
        """The machine's metadata, live: reading and writing call the API."""
        return self._metadata

    def __reduce__(self) -> tuple[Any, ...]:
        """Picklable (for process pools): its datacenter and its model as last fetched."""
        return (BoundMachine, (self.datacenter, self.model))

    def __repr__(self) -> str:
        return f"<BoundMachine {self.id} name={self.name!r} state={str(self.state)!r}>"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, BoundMachine):
            return self.id == other.id and self.datacenter.url == other.datacenter.url
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.id)

    @property
    def _api(self) -> CloudAPI:
        return self.datacenter.api

    def refresh(self) -> BoundMachine:
        """Fetch the current state."""
        self.model = fetch_machine(self._api, self.id)
        return self

    # -- actions ---------------------------------------------------------------------------

    def start(self, *, wait: bool = False, timeout: float | None = None) -> BoundMachine:
        """Start the machine; ``wait=True`` returns once it is running (refreshed)."""
        self._api.start_machine(id=self.id)
        return self.wait("running", timeout=timeout) if wait else self

    def stop(self, *, wait: bool = False, timeout: float | None = None) -> BoundMachine:
        """Stop the machine; ``wait=True`` returns once it is stopped (refreshed)."""
        self._api.stop_machine(id=self.id)
        return self.wait("stopped", timeout=timeout) if wait else self

    def reboot(self, *, wait: bool = False, timeout: float | None = None) -> BoundMachine:
        """Reboot. The state does not change, so ``wait=True`` waits for the audit trail to
        record the finished reboot."""
        return self._audited("reboot", lambda: self._api.reboot_machine(id=self.id), wait, timeout)

    def resize(
        self, package: str | Package, *, wait: bool = False, timeout: float | None = None
    ) -> BoundMachine:
        """Resize to another package; ``wait=True`` waits for the audit trail to record it."""
        ref = self.datacenter._package_ref(package)  # a wildcard name resolved exactly
        return self._audited(
            "resize", lambda: self._api.resize_machine(id=self.id, package=ref), wait, timeout
        )

    def rename(
        self, name: str, *, wait: bool = False, timeout: float | None = None
    ) -> BoundMachine:
        """Rename; ``wait=True`` waits for the audit trail to record it."""
        return self._audited(
            "rename", lambda: self._api.rename_machine(id=self.id, name=name), wait, timeout
        )

    def delete(self, *, wait: bool = False, timeout: float | None = None) -> None:
        """Destroy the machine. One already destroyed is not an error here: the server answers
        410 (GoneError), and the machine is refreshed to show it."""
        try:
            self._api.delete_machine(id=self.id)
        except GoneError:
            self.refresh()
            return
        if wait:
            self.wait("deleted", timeout=timeout)

    def enable_firewall(self, *, wait: bool = True, timeout: float | None = None) -> BoundMachine:
        """Enable the firewall. The server applies it in a job: by default this waits until the
        machine shows ``firewall_enabled`` true and returns it refreshed; ``wait=False`` returns
        at once, the object as it was."""
        self._api.enable_machine_firewall(id=self.id)
        return self._await_field("firewall_enabled", True, wait, timeout)

    def disable_firewall(self, *, wait: bool = True, timeout: float | None = None) -> BoundMachine:
        """Disable the firewall; waits as :meth:`enable_firewall` does."""
        self._api.disable_machine_firewall(id=self.id)
        return self._await_field("firewall_enabled", False, wait, timeout)

    def enable_deletion_protection(
        self, *, wait: bool = True, timeout: float | None = None
    ) -> BoundMachine:
        """Protect the machine from deletion; waits as :meth:`enable_firewall` does."""
        self._api.enable_machine_deletion_protection(id=self.id)
        return self._await_field("deletion_protection", True, wait, timeout)

    def disable_deletion_protection(
        self, *, wait: bool = True, timeout: float | None = None
    ) -> BoundMachine:
        """Allow deleting the machine again; waits as :meth:`enable_firewall` does."""
        self._api.disable_machine_deletion_protection(id=self.id)
        return self._await_field("deletion_protection", False, wait, timeout)

    def _await_field(
        self, attribute: str, expected: object, wait: bool, timeout: float | None
    ) -> BoundMachine:
        if wait:
            self.model = waiting.wait_for_field(
                self._api, self.id, attribute, expected, timeout=timeout
            )
        return self

    def _audited(
        self,
        action: str,
        call: Callable[[], object],
        wait: bool,
        timeout: float | None,
    ) -> BoundMachine:
        before = self.audit() if wait else []
        call()
        if wait:
            waiting.wait_for_audit(self._api, self.id, action, before, timeout=timeout)
            self.refresh()
        return self

    # -- related resources -----------------------------------------------------------------

    def audit(self) -> list[AuditEntry]:
        """Actions performed on the machine, newest first."""
        return list(self._api.machine_audit(id=self.id))

    def snapshots(self) -> list[BoundSnapshot]:
        """The machine's snapshots."""
        return [BoundSnapshot(self, s) for s in self._api.list_machine_snapshots(id=self.id)]

    def snapshot(self, name: str) -> BoundSnapshot:
        """One snapshot, by name."""
        return BoundSnapshot(self, self._api.get_machine_snapshot(id=self.id, name=name))

    def create_snapshot(self, name: str | None = None) -> BoundSnapshot:
        """Start a snapshot (state ``queued``); ``.poll_until('created')`` waits for it."""
        params = {"name": name} if name is not None else {}
        return BoundSnapshot(self, self._api.create_machine_snapshot(id=self.id, **params))

    # nics() and disks() fetch the current lists; the fetched ones stay in model.nics/model.disks.
    def nics(self) -> list[Nic]:  # type: ignore[override]
        """The machine's NICs now (ListNics)."""
        return list(self._api.list_nics(id=self.id))

    def disks(self) -> list[Disk]:  # type: ignore[override]
        """The machine's disks now (ListMachineDisks)."""
        return list(self._api.list_machine_disks(id=self.id))

    def firewall_rules(self) -> list[BoundFirewallRule]:
        """The firewall rules that apply to the machine."""
        return [
            BoundFirewallRule(self.datacenter, r)
            for r in self._api.list_machine_firewall_rules(id=self.id)
        ]

    def migrate(self, action: str = "automatic", **params: Any) -> Migration | None:
        """Begin, sync, switch, pause, abort or finalize a migration (``automatic``: all steps)."""
        return self._api.migrate(id=self.id, action=action, **params)

    def create_image(self, name: str, version: str, **params: Any) -> BoundImage:
        """Create an image from this (stopped, prepared) machine; it starts ``creating``."""
        return BoundImage(
            self.datacenter,
            self._api.create_image_from_machine(
                machine=self.id, name=name, version=version, **params
            ),
        )

    # -- waiting -----------------------------------------------------------------------------

    def wait(
        self,
        state: State | Sequence[State],
        *,
        timeout: float | None = None,
        interval: float | None = None,
        progress: ProgressCallback | None = None,
    ) -> BoundMachine:
        """Poll until the machine is in ``state`` (or any of several) and return it (refreshed).

        A name that is not an instance state raises ``ArgumentError`` at once (with the closest
        one). Uses the spec's waiter for ``running``, ``stopped`` and ``deleted``, else the same engine
        with a state matcher. Raises ``WaitFailed`` at once when the machine reaches ``failed``
        (or disappears while another state is awaited), ``WaitTimeout`` (with the last state)
        when the deadline passes. ``interval`` fixes the delay between polls (default: jittered
        exponential backoff). ``progress(state, elapsed)`` is called after each poll.
        """
        found = waiting.wait_for_state(
            self._api, self.id, state, timeout=timeout, interval=interval, progress=progress
        )
        if found is not None:
            self.model = found
        return self

    def poll_until(
        self, state: State, *, timeout: float | None = None, interval: float | None = None
    ) -> BoundMachine:
        """python-smartdc's name for :meth:`wait`."""
        return self.wait(state, timeout=timeout, interval=interval)

    def poll_while(
        self,
        state: State,
        *,
        timeout: float | None = None,
        interval: float | None = None,
        progress: ProgressCallback | None = None,
    ) -> BoundMachine:
        """Poll as long as the machine is in ``state`` (e.g. ``provisioning``) and return it.

        Raises ``WaitFailed`` when it leaves ``state`` for ``failed``.
        """
        self.model = waiting.wait_while_state(
            self._api, self.id, state, timeout=timeout, interval=interval, progress=progress
        )
        return self


def wait_all(
    machines: Iterable[BoundMachine],
    state: State,
    *,
    timeout: float | None = None,
    interval: float | None = None,
    progress: ProgressCallback | None = None,
) -> list[BoundMachine]:
    """Wait until every machine is in ``state``, polling one ListMachines per datacenter and
    round, and return them (refreshed).

    Raises ``WaitFailed`` as soon as one machine fails (or vanishes while another state is
    awaited; for ``deleted``, vanishing is success), ``WaitTimeout`` at the deadline of the
    machine waiter for ``state``.
    """
    listed: Sequence[BoundMachine] = list(machines)
    latest = waiting.wait_for_machines(
        [(m.datacenter.api, m.id) for m in listed],
        state,
        timeout=timeout,
        interval=interval,
        progress=progress,
    )
    for machine in listed:
        if machine.id in latest:
            machine.model = latest[machine.id]
    return list(listed)
