"""Waits of the facade, all run by the runtime waiting engine (``smartdc.runtime.waiting``).

* A state with a waiter in the spec (``running`` -> MachineRunning ...) uses that waiter as is.
* Any other state reuses the machine waiter's delays, deadline and failure acceptors with a state
  matcher for the wanted value, so ``failed`` (or disappearing) still ends the wait at once.
* ``poll_while`` succeeds when the state differs from the one left, failures as above.
* ``wait_all`` polls one ListMachines per datacenter and round instead of one GetMachine per machine.
* Actions without a state change (reboot, rename) wait for their entry in the audit trail.

Delays, deadlines and failure states all come from the generated waiter table, never from here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from smartdc.errors import CloudAPIError, WaitFailed
from smartdc.facade.lookup import is_missing
from smartdc.runtime.waiting import AcceptorSpec, Poll, WaiterSpec, wait

if TYPE_CHECKING:
    from smartdc.facade.datacenter import DataCenter
    from smartdc.facade.machine import Machine, ProgressCallback

# Never matches (states are never None); listed first so the engine reports `.state` in progress
# and timeouts (it shows the attribute of the first path acceptor).
_SHOW_STATE = AcceptorSpec("retry", "path", None, "state")
# The waiter whose delays, deadline and failure acceptors ad-hoc machine waits borrow.
BASE_MACHINE_WAITER = "MachineRunning"


def text(value: object) -> str:
    """An enum member or a string as its wire text."""
    return str(getattr(value, "value", value))


def waiter_name(resource: str, state: str) -> str:
    """``("Machine", "running")`` -> ``"MachineRunning"`` (the spec's naming rule)."""
    return resource + "".join(part.capitalize() for part in state.split("_"))


def _poller(api: Any, operation: str, params: dict[str, Any]) -> Callable[[], tuple[int, Any]]:
    op = api.operation(operation)
    decode = api.RESULTS[op.name]

    def poll() -> tuple[int, Any]:
        response = api.call(op, params)
        return response.status, decode(response)

    return poll


def _run(
    dc: DataCenter,
    poll: Callable[[], tuple[int, Any]],
    spec: WaiterSpec,
    *,
    timeout: float | None,
    interval: float | None,
    progress: ProgressCallback | None,
    what: str,
) -> Any:
    on_poll: Callable[[Poll], None] | None = None
    if progress is not None:
        report = progress

        def on_poll(seen: Poll) -> None:
            report(text(seen.state) if seen.state is not None else "?", seen.elapsed)

    delays: dict[str, float] = {}
    if interval is not None:
        delays = {"min_delay": interval, "max_delay": interval}
    return wait(
        poll,
        spec,
        timeout=timeout,
        on_poll=on_poll,
        sleep=dc.sleep,
        clock=dc.clock,
        what=what,
        **delays,
    )


def _state_acceptors(spec: WaiterSpec, target: str) -> tuple[AcceptorSpec, ...]:
    """The base waiter's failure and retry acceptors, minus any that would reject ``target``."""
    kept: list[AcceptorSpec] = []
    for acceptor in spec.acceptors:
        if acceptor.state == "success":
            continue
        if acceptor.matcher == "path" and text(acceptor.expected) == target:
            continue
        kept.append(acceptor)
    return tuple(kept)


def machine_waiter(api: Any, target: str) -> WaiterSpec:
    """The spec's waiter for ``target`` when it has one, else one derived from the base waiter."""
    named = api.WAITERS.get(waiter_name("Machine", target))
    if named is not None:
        return named  # type: ignore[no-any-return]
    base: WaiterSpec = api.WAITERS[BASE_MACHINE_WAITER]
    path = base.state_path or "state"
    acceptors = (
        AcceptorSpec("success", "path", target, path),
        *_state_acceptors(base, target),
    )
    return attrs.evolve(base, name=f"Machine state {target}", acceptors=acceptors)


def wait_for_state(
    machine: Machine,
    target: str,
    *,
    timeout: float | None = None,
    interval: float | None = None,
    progress: ProgressCallback | None = None,
) -> None:
    dc = machine.datacenter
    spec = machine_waiter(dc.api, target)
    poll = _poller(dc.api, spec.operation, {"id": machine.id})
    value = _run(
        dc, poll, spec, timeout=timeout, interval=interval, progress=progress, what=machine.id
    )
    if value is not None and hasattr(value, "state"):
        machine.model = value


@attrs.frozen
class _Leaving:
    """A polled machine plus whether it has left the state being waited out."""

    model: Any
    left: bool

    @property
    def state(self) -> Any:
        return self.model.state


def wait_while_state(
    machine: Machine,
    current: str,
    *,
    timeout: float | None = None,
    interval: float | None = None,
    progress: ProgressCallback | None = None,
) -> None:
    dc = machine.datacenter
    base: WaiterSpec = dc.api.WAITERS[BASE_MACHINE_WAITER]
    inner = _poller(dc.api, base.operation, {"id": machine.id})
    path = base.state_path or "state"

    def poll() -> tuple[int, Any]:
        status, model = inner()
        return status, _Leaving(model, text(getattr(model, path)) != current)

    # failure acceptors first: leaving for `failed` must fail, not succeed
    acceptors = (*_state_acceptors(base, current), AcceptorSpec("success", "path", True, "left"))
    spec = attrs.evolve(base, name=f"Machine leaving {current}", acceptors=acceptors)
    found = _run(
        dc, poll, spec, timeout=timeout, interval=interval, progress=progress, what=machine.id
    )
    machine.model = found.model


# -- many machines ---------------------------------------------------------------------------


@attrs.frozen
class _Round:
    """What one round of ListMachines saw for the machines being waited on."""

    states: dict[str, str]
    done: bool
    failed: bool

    @property
    def state(self) -> str:
        counts: dict[str, int] = {}
        for value in self.states.values():
            counts[value] = counts.get(value, 0) + 1
        return ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))


def wait_all(
    machines: Sequence[Machine],
    state: str,
    *,
    timeout: float | None = None,
    interval: float | None = None,
    progress: ProgressCallback | None = None,
) -> list[Machine]:
    """Wait until every machine is in ``state``: one ListMachines per datacenter and round.

    Raises ``WaitFailed`` as soon as one machine fails (or vanishes while another state is
    awaited; for ``deleted``, vanishing from the list is success), ``WaitTimeout`` at the
    deadline of the machine waiter for ``state``.
    """
    if not machines:
        return []
    first = machines[0].datacenter
    spec = machine_waiter(first.api, state)
    failing = {
        text(a.expected) for a in spec.acceptors if a.state == "failure" and a.matcher == "path"
    }
    # A machine missing from the list is gone: success when the waiter takes a 404/410 as
    # success (MachineDeleted), else a failure.
    gone_is_success = any(
        a.state == "success" and a.matcher in ("status", "error") for a in spec.acceptors
    )
    groups: dict[str, list[Machine]] = {}
    for machine in machines:
        groups.setdefault(machine.datacenter.url, []).append(machine)
    latest: dict[str, Any] = {}

    def poll() -> tuple[int, _Round]:
        states: dict[str, str] = {}
        status = 200
        for members in groups.values():
            dc = members[0].datacenter
            wanted = {m.id for m in members}
            for model in dc.api.iter_list_machines():
                if str(model.id) in wanted:
                    latest[str(model.id)] = model
                    states[str(model.id)] = text(model.state)
        for machine in machines:
            if machine.id in states:
                continue
            # Not listed: the default listing hides failed and destroyed machines, so ask for
            # this one directly (rare: one request per machine that left the list).
            try:
                model = machine.datacenter.api.get_machine(machine.id)
            except CloudAPIError as exc:
                if not is_missing(exc):
                    raise
                states[machine.id] = "gone"
                continue
            latest[machine.id] = model
            found = text(model.state)
            states[machine.id] = "gone" if found == "deleted" else found
        missing = [m.id for m in machines if states[m.id] == "gone"]
        done = all(value == state or value == "gone" for value in states.values()) and (
            gone_is_success or not missing
        )
        failed = any(value in failing for value in states.values()) or (
            bool(missing) and not gone_is_success
        )
        return status, _Round(states, done, failed)

    acceptors = (
        _SHOW_STATE,
        AcceptorSpec("failure", "path", True, "failed"),
        AcceptorSpec("success", "path", True, "done"),
        *(a for a in spec.acceptors if a.state == "retry"),
    )
    round_spec = attrs.evolve(spec, name=f"{len(machines)} machines {state}", acceptors=acceptors)
    try:
        _run(
            first,
            poll,
            round_spec,
            timeout=timeout,
            interval=interval,
            progress=progress,
            what=state,
        )
    except WaitFailed as exc:
        raise WaitFailed(f"{exc} ({_describe(latest, machines, state)})", state=exc.state)
    for machine in machines:
        if machine.id in latest:
            machine.model = latest[machine.id]
    return list(machines)


def _describe(latest: dict[str, Any], machines: Iterable[Machine], state: str) -> str:
    off = [
        f"{m.id} is {text(latest[m.id].state) if m.id in latest else 'gone'}"
        for m in machines
        if m.id not in latest or text(latest[m.id].state) != state
    ]
    return "; ".join(off) or "all done"


# -- the audit trail ---------------------------------------------------------------------------


@attrs.frozen
class _AuditSeen:
    state: str
    done: bool
    failed: bool


def wait_for_audit(
    machine: Machine,
    action: str,
    before: Sequence[Any],
    *,
    timeout: float | None = None,
    interval: float | None = None,
) -> None:
    """Wait for a new audit entry of ``action`` (one not among ``before``)."""
    dc = machine.datacenter
    base: WaiterSpec = dc.api.WAITERS[BASE_MACHINE_WAITER]
    seen = {(e.action, e.time) for e in before}

    def poll() -> tuple[int, _AuditSeen]:
        fresh = [
            e for e in machine.audit() if e.action == action and (e.action, e.time) not in seen
        ]
        if not fresh:
            return 200, _AuditSeen(f"{action} pending", False, False)
        ok = text(fresh[0].success) != "no"
        return 200, _AuditSeen(f"{action} {'done' if ok else 'failed'}", ok, not ok)

    acceptors = (
        _SHOW_STATE,
        AcceptorSpec("failure", "path", True, "failed"),
        AcceptorSpec("success", "path", True, "done"),
        *(a for a in base.acceptors if a.state == "retry"),
    )
    spec = attrs.evolve(base, name=f"Machine {action}", acceptors=acceptors)
    _run(dc, poll, spec, timeout=timeout, interval=interval, progress=None, what=machine.id)


def run_waiter(
    dc: DataCenter,
    name: str,
    params: dict[str, Any],
    *,
    timeout: float | None = None,
    interval: float | None = None,
    progress: ProgressCallback | None = None,
) -> Any:
    """Run the spec's waiter ``name`` with the operation's ``params``; returns the last result."""
    spec: WaiterSpec | None = dc.api.WAITERS.get(name)
    if spec is None:
        known = ", ".join(sorted(dc.api.WAITERS))
        raise ValueError(f"no waiter named {name!r} (known: {known})")
    poll = _poller(dc.api, spec.operation, params)
    what = ", ".join(f"{k}={v}" for k, v in params.items())
    return _run(dc, poll, spec, timeout=timeout, interval=interval, progress=progress, what=what)
