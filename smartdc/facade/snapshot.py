"""``Snapshot``: a ZFS snapshot of a machine, with the actions on it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from smartdc._generated.views import SnapshotFields
from smartdc.facade.waiting import run_waiter, waiter_name

if TYPE_CHECKING:
    from smartdc._generated.client import CloudAPI
    from smartdc._generated.models import Snapshot as SnapshotModel
    from smartdc.facade.machine import BoundMachine


class BoundSnapshot(SnapshotFields):
    """A snapshot of ``machine``; every field of the model is a typed attribute."""

    def __init__(self, machine: BoundMachine, model: SnapshotModel) -> None:
        self.machine = machine
        self.model = model

    def __reduce__(self) -> tuple[Any, ...]:
        """Picklable, with its machine."""
        return (BoundSnapshot, (self.machine, self.model))

    def __repr__(self) -> str:
        return f"<BoundSnapshot {self.name!r} of {self.machine.id} state={str(self.state)!r}>"

    @property
    def _api(self) -> CloudAPI:
        return self.machine.datacenter.api

    def refresh(self) -> BoundSnapshot:
        """Fetch the current state of the snapshot."""
        self.model = self._api.get_machine_snapshot(id=self.machine.id, name=self.name)
        return self

    def start(self) -> None:
        """Boot the (stopped) machine from this snapshot, rolling it back."""
        self._api.start_machine_from_snapshot(id=self.machine.id, name=self.name)

    def delete(self, *, wait: bool = False, timeout: float | None = None) -> None:
        """Delete the snapshot; ``wait=True`` returns once it is gone."""
        self._api.delete_machine_snapshot(id=self.machine.id, name=self.name)
        if wait:
            self.poll_until("deleted", timeout=timeout)

    def poll_until(
        self,
        state: str = "created",
        *,
        timeout: float | None = None,
        interval: float | None = None,
    ) -> BoundSnapshot:
        """Wait until the snapshot is ``created`` (or ``deleted``: the states with a waiter in
        the spec); raises ``WaitFailed`` when it fails or is canceled."""
        params = {"id": self.machine.id, "name": self.name}
        found = run_waiter(
            self._api,
            waiter_name("Snapshot", state),
            params,
            timeout=timeout,
            interval=interval,
        )
        if found is not None and hasattr(found, "state"):
            self.model = found
        return self

    wait = poll_until
