"""Waits of the facade, all run by the client's waiter engine (``client.meta.run_waiter``).

Each wait takes the generated client and returns what it last saw (models); the facade objects
(``Machine``, ``Snapshot``) keep it. Delays, deadlines and failure states all come from the
generated waiter table, never from here:

* A state with a waiter in the spec (``running`` -> MachineRunning ...) uses that waiter as is.
* Any other state reuses the machine waiter's delays, deadline and failure acceptors with a state
  matcher for the wanted value, so ``failed`` (or disappearing) still ends the wait at once.
* ``wait_while_state`` succeeds when the state differs from the one left, failures as above.
* ``wait_for_machines`` polls one ListMachines per datacenter and round instead of one GetMachine
  per machine.
* Actions without a state change (reboot, rename) wait for their entry in the audit trail.

The conditions no spec acceptor states (left a state, a field's value, a round of many, an audit
entry) are polled as ``runtime.waiting.Checked`` values under ``derived_waiter``: one adapter and
one rule for building their acceptors from the base waiter, shared with the CLI's ``poll_until``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from smartdc.errors import ArgumentError, CloudAPIError, WaitFailed
from smartdc.facade.lookup import is_missing
from smartdc.runtime.waiting import AcceptorSpec, Checked, Poll, WaiterSpec, derived_waiter

if TYPE_CHECKING:
    from smartdc._generated.client import CloudAPI
    from smartdc._generated.models import AuditEntry
    from smartdc._generated.models import Machine as MachineModel

ProgressCallback = Callable[[str, float], None]  # (current state, seconds elapsed)

# The waiter whose delays, deadline and failure acceptors ad-hoc machine waits borrow.
BASE_MACHINE_WAITER = "MachineRunning"


def text(value: object) -> str:
    """An enum member or a string as its wire text."""
    return str(getattr(value, "value", value))


def waiter_name(resource: str, state: str) -> str:
    """``("Machine", "running")`` -> ``"MachineRunning"`` (the spec's naming rule)."""
    return resource + "".join(part.capitalize() for part in state.split("_"))


def _on_poll(progress: ProgressCallback | None) -> Callable[[Poll], None] | None:
    if progress is None:
        return None
    report = progress

    def on_poll(seen: Poll) -> None:
        report(text(seen.state) if seen.state is not None else "?", seen.elapsed)

    return on_poll


def _state_acceptors(spec: WaiterSpec, targets: Sequence[str]) -> tuple[AcceptorSpec, ...]:
    """The base waiter's failure and retry acceptors, minus any that would reject a target."""
    kept: list[AcceptorSpec] = []
    for acceptor in spec.acceptors:
        if acceptor.state == "success":
            continue
        if acceptor.matcher == "path" and text(acceptor.expected) in targets:
            continue
        kept.append(acceptor)
    return tuple(kept)


def machine_states() -> tuple[str, ...]:
    """Every state an instance can be in (the spec's MachineState)."""
    from smartdc.enums import MachineState

    return tuple(str(member.value) for member in MachineState)


def checked_states(states: str | Sequence[str]) -> tuple[str, ...]:
    """``states`` as strings, each a state an instance can be in, else ``ArgumentError`` with
    the closest name: a typo must not turn into a wait that cannot end."""
    import difflib

    wanted = (states,) if isinstance(states, str) else tuple(states)
    if not wanted:
        raise ArgumentError("name at least one instance state to wait for")
    known = machine_states()
    out = []
    for state in wanted:
        value = text(state)
        if value not in known:
            close = difflib.get_close_matches(value, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ArgumentError(
                f"{value!r} is not an instance state{hint} (states: {', '.join(known)})"
            )
        out.append(value)
    return tuple(out)


def waiter_state(api: CloudAPI, name: str) -> str:
    """The instance state the spec's machine waiter ``name`` succeeds on (MachineStopped ->
    ``stopped``): the one success acceptor on the state path."""
    spec = api.meta.waiter(name)
    path = spec.state_path or "state"
    found = [
        text(a.expected)
        for a in spec.acceptors
        if a.state == "success" and a.matcher == "path" and a.argument == path
    ]
    if len(found) != 1:
        raise ArgumentError(f"waiter {name} does not succeed on one {path}")
    return checked_states(found[0])[0]


def machine_waiter(api: CloudAPI, targets: str | Sequence[str]) -> WaiterSpec:
    """The spec's waiter for one target when it has one, else one derived from the base waiter
    that succeeds on any of ``targets``."""
    wanted = checked_states(targets)
    if len(wanted) == 1:
        named = api.meta.service_model.waiters.get(waiter_name("Machine", wanted[0]))
        if named is not None:
            return named
    base = api.meta.waiter(BASE_MACHINE_WAITER)
    path = base.state_path or "state"
    acceptors = (
        *(AcceptorSpec("success", "path", target, path) for target in wanted),
        *_state_acceptors(base, wanted),
    )
    return replace(base, name=f"Machine state {' or '.join(wanted)}", acceptors=acceptors)


def wait_for_state(
    api: CloudAPI,
    machine_id: str,
    target: str | Sequence[str],
    *,
    timeout: float | None = None,
    interval: float | None = None,
    progress: ProgressCallback | None = None,
) -> MachineModel | None:
    """The machine once in ``target`` (or one of them; None when that is ``deleted`` and it is
    gone)."""
    spec = machine_waiter(api, target)
    found = api.meta.run_waiter(
        spec,
        api.meta.poller(spec.operation, {"id": machine_id}),
        timeout=timeout,
        interval=interval,
        on_poll=_on_poll(progress),
        what=machine_id,
        watch=[machine_id],
    )
    return found if found is not None and hasattr(found, "state") else None


def wait_while_state(
    api: CloudAPI,
    machine_id: str,
    current: str,
    *,
    timeout: float | None = None,
    interval: float | None = None,
    progress: ProgressCallback | None = None,
) -> MachineModel:
    """The machine once it has left ``current`` (``WaitFailed`` if it left it for ``failed``)."""
    (current,) = checked_states(current)
    base = api.meta.waiter(BASE_MACHINE_WAITER)
    inner = api.meta.poller(base.operation, {"id": machine_id})
    path = base.state_path or "state"

    def poll() -> tuple[int, Checked]:
        status, model = inner()
        state = text(getattr(model, path))
        return status, Checked(model, state != current, state=state)

    # the base's failures first (on Checked.state): leaving for `failed` must fail, not succeed
    spec = derived_waiter(base, f"Machine leaving {current}", _state_acceptors(base, (current,)))
    found: Checked = api.meta.run_waiter(
        spec,
        poll,
        timeout=timeout,
        interval=interval,
        on_poll=_on_poll(progress),
        what=machine_id,
        watch=[machine_id],
    )
    return found.value  # type: ignore[no-any-return]


def wait_for_field(
    api: CloudAPI,
    machine_id: str,
    attribute: str,
    expected: object,
    *,
    timeout: float | None = None,
    interval: float | None = None,
) -> MachineModel:
    """The machine once ``attribute`` equals ``expected`` (an update the server makes in a job,
    such as the firewall or deletion protection). Polls on the timer: the changefeed does not
    carry these fields."""
    base = api.meta.waiter(BASE_MACHINE_WAITER)
    inner = api.meta.poller(base.operation, {"id": machine_id})

    def poll() -> tuple[int, Checked]:
        status, model = inner()
        value = getattr(model, attribute)
        return status, Checked(model, value == expected, state=f"{attribute}={text(value)}")

    kept = (a for a in base.acceptors if a.state != "success" and a.matcher != "path")
    spec = derived_waiter(base, f"Machine {attribute}={text(expected)}", kept)
    found: Checked = api.meta.run_waiter(
        spec, poll, timeout=timeout, interval=interval, what=machine_id
    )
    return found.value  # type: ignore[no-any-return]


# -- many machines ---------------------------------------------------------------------------


def wait_for_machines(
    targets: Sequence[tuple[CloudAPI, str]],
    state: str,
    *,
    timeout: float | None = None,
    interval: float | None = None,
    progress: ProgressCallback | None = None,
) -> dict[str, MachineModel]:
    """Wait until every (client, machine id) is in ``state``: one ListMachines per client and
    round. Returns the last model seen of each machine (a machine gone for good has none).

    Raises ``WaitFailed`` as soon as one machine fails (or vanishes while another state is
    awaited; for ``deleted``, vanishing from the list is success), ``WaitTimeout`` at the
    deadline of the machine waiter for ``state``. The first client's clock keeps the time.
    """
    if not targets:
        return {}
    first = targets[0][0]
    spec = machine_waiter(first, state)
    failing = {
        text(a.expected) for a in spec.acceptors if a.state == "failure" and a.matcher == "path"
    }
    # A machine missing from the list is gone: success when the waiter takes a 404/410 as
    # success (MachineDeleted), else a failure.
    gone_is_success = any(
        a.state == "success" and a.matcher in ("status", "error") for a in spec.acceptors
    )
    groups: dict[int, tuple[CloudAPI, set[str]]] = {}
    for api, machine_id in targets:
        groups.setdefault(id(api), (api, set()))[1].add(machine_id)
    latest: dict[str, MachineModel] = {}

    def poll() -> tuple[int, Checked]:
        states: dict[str, str] = {}
        for api, wanted in groups.values():
            for model in api.iter_list_machines():
                if str(model.id) in wanted:
                    latest[str(model.id)] = model
                    states[str(model.id)] = text(model.state)
        for api, machine_id in targets:
            if machine_id in states:
                continue
            # Not listed: the default listing hides failed and destroyed machines, so ask for
            # this one directly (rare: one request per machine that left the list).
            try:
                model = api.get_machine(id=machine_id)
            except CloudAPIError as exc:
                if not is_missing(exc):
                    raise
                states[machine_id] = "gone"
                continue
            latest[machine_id] = model
            found = text(model.state)
            states[machine_id] = "gone" if found == "deleted" else found
        missing = [m for _, m in targets if states[m] == "gone"]
        done = all(value == state or value == "gone" for value in states.values()) and (
            gone_is_success or not missing
        )
        failed = any(value in failing for value in states.values()) or (
            bool(missing) and not gone_is_success
        )
        counts: dict[str, int] = {}
        for value in states.values():
            counts[value] = counts.get(value, 0) + 1
        shown = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
        return 200, Checked(states, done, failed, shown)

    retries = (a for a in spec.acceptors if a.state == "retry")
    round_spec = derived_waiter(spec, f"{len(targets)} machines {state}", retries)
    try:
        first.meta.run_waiter(
            round_spec,
            poll,
            timeout=timeout,
            interval=interval,
            on_poll=_on_poll(progress),
            what=state,
            # one stream announces the changes of all of them (one client's machines)
            watch=[m for _, m in targets] if len(groups) == 1 else None,
        )
    except WaitFailed as exc:
        off = [
            f"{m} is {text(latest[m].state) if m in latest else 'gone'}"
            for _, m in targets
            if m not in latest or text(latest[m].state) != state
        ]
        raise WaitFailed(f"{exc} ({'; '.join(off) or 'all done'})", state=exc.state) from exc
    return latest


# -- the audit trail ---------------------------------------------------------------------------


def wait_for_audit(
    api: CloudAPI,
    machine_id: str,
    action: str,
    before: Sequence[AuditEntry],
    *,
    timeout: float | None = None,
    interval: float | None = None,
) -> None:
    """Wait for a new audit entry of ``action`` (one not among ``before``)."""
    base = api.meta.waiter(BASE_MACHINE_WAITER)
    seen = {(e.action, e.time) for e in before}

    def poll() -> tuple[int, Checked]:
        fresh = [
            e
            for e in api.machine_audit(id=machine_id)
            if e.action == action and (e.action, e.time) not in seen
        ]
        if not fresh:
            return 200, Checked(None, False, False, f"{action} pending")
        ok = text(fresh[0].success) != "no"
        return 200, Checked(fresh[0], ok, not ok, f"{action} {'done' if ok else 'failed'}")

    retries = (a for a in base.acceptors if a.state == "retry")
    spec = derived_waiter(base, f"Machine {action}", retries)
    api.meta.run_waiter(spec, poll, timeout=timeout, interval=interval, what=machine_id)


def run_waiter(
    api: CloudAPI,
    name: str,
    params: dict[str, Any],
    *,
    timeout: float | None = None,
    interval: float | None = None,
    progress: ProgressCallback | None = None,
) -> Any:
    """Run the spec's waiter ``name`` with the operation's ``params``; returns the last result
    (the client's ``meta.wait``, with the facade's progress callback)."""
    return api.meta.wait(
        name, timeout=timeout, interval=interval, on_poll=_on_poll(progress), **params
    )
