"""The waiter engine: poll an operation until an acceptor says success or failure, or time is up.

It is the only one: the generated ``wait_*`` methods and the facade's waits (``Machine.wait``,
``poll_while``, ``wait_all``, audit-trail waits) all run it, with the time source (``WaitClock``)
their client carries, so a simulation with a virtual clock never sleeps.

Waiters are data generated from the spec (botocore/Smithy style): acceptors match a response
attribute (``path``), an HTTP status or an error code, with ``success``, ``retry`` or ``failure``.
There is always a deadline. Delays grow exponentially from the waiter's minimum to its maximum,
jittered, and never exceed ``1 s + 5%`` of the time waited so far, so that a state change is seen
promptly even on long waits. Transient errors (throttling, 5xx, connection problems) keep polling.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from smartdc.clock import SYSTEM_CLOCK, Clock
from smartdc.errors import CloudAPIError, ResponseError, TransportError, WaitFailed, WaitTimeout
from smartdc.transient import transient

log = logging.getLogger("smartdc")

# With a stream announcing changes (WaiterSpec.wake), a wait polls when told and otherwise only
# this often (seconds): a safety net for a change the stream did not carry.
WAKE_POLL_SECONDS = 60.0


class WakeUnavailable(Exception):
    """The wake stream is gone: the wait polls on its timer from then on."""


# The one clock (smartdc.clock); WaitClock is its name here.
WaitClock = Clock


@dataclass(frozen=True, slots=True)
class AcceptorSpec:
    state: str  # success | retry | failure
    matcher: str  # path | status | error
    expected: object
    argument: str | None = None


@dataclass(frozen=True, slots=True)
class WakeSpec:
    """A stream that tells a waiter when to poll again (the changefeed for instances): a message
    whose ``match`` field holds a watched value (the waiter's ``param``) wakes it."""

    operation: str
    params: tuple[tuple[str, object], ...]
    match: str  # message field (JSON name) holding the id of what changed
    param: str  # the polled operation's parameter whose value is watched
    filter: str | None = None  # the stream parameter limiting messages to the watched values


@dataclass(frozen=True, slots=True)
class WaiterSpec:
    name: str
    operation: str
    description: str
    min_delay: float
    max_delay: float
    timeout: float
    acceptors: tuple[AcceptorSpec, ...]
    # the attribute progress and timeouts show; default: the first path acceptor's
    shown: str | None = None
    wake: WakeSpec | None = None  # a stream saying when to poll again, instead of a timer

    @property
    def state_path(self) -> str | None:
        """The attribute the waiter watches (what progress displays show)."""
        if self.shown is not None:
            return self.shown
        return next((a.argument for a in self.acceptors if a.matcher == "path"), None)


@dataclass(frozen=True, slots=True)
class Checked:
    """One poll of a derived wait (a condition no spec acceptor states, such as "left its state"
    or "the audit trail has the entry"): the value fetched, whether it is what is awaited
    (``done``) or a failure (``failed``), and the state progress and errors show. The acceptors
    of :func:`derived_waiter` read these fields: the one adapter every derived wait uses."""

    value: Any
    done: bool
    failed: bool = False
    state: str = ""


def derived_waiter(
    base: WaiterSpec, name: str, kept: Iterable[AcceptorSpec] = (), **changes: Any
) -> WaiterSpec:
    """A waiter on :class:`Checked` polls with ``base``'s delays and deadline (``changes``
    overrides them): failure when ``failed``, then ``kept`` (the base's own failure or retry
    acceptors that still apply; a path one reads ``Checked.state``), then success when ``done``."""
    acceptors = (
        AcceptorSpec("failure", "path", True, "failed"),
        *kept,
        AcceptorSpec("success", "path", True, "done"),
    )
    return replace(base, name=name, acceptors=acceptors, shown="state", **changes)


@dataclass(frozen=True, slots=True)
class Poll:
    """What one poll saw, given to ``on_poll`` callbacks."""

    attempt: int
    elapsed: float
    state: object
    status: int | None
    error: BaseException | None = None


def read_path(value: Any, path: str) -> Any:
    for part in path.split("."):
        value = getattr(value, part, None) if not isinstance(value, dict) else value.get(part)
        if value is None:
            return None
    return getattr(value, "value", value)


def _matches(
    acceptor: AcceptorSpec, status: int | None, value: Any, error: BaseException | None
) -> bool:
    if acceptor.matcher == "status":
        return status == acceptor.expected
    if acceptor.matcher == "error":
        return isinstance(error, CloudAPIError) and error.error_code == acceptor.expected
    if error is not None or value is None or acceptor.argument is None:
        return False
    return bool(read_path(value, acceptor.argument) == acceptor.expected)


def next_delay(attempt: int, elapsed: float, min_delay: float, max_delay: float) -> float:
    """Exponential from min to max, bounded by 1 s + 5% of the time waited, jittered down by <20%."""
    grown = min(max_delay, min_delay * (2 ** max(attempt - 1, 0)))
    bounded = max(min(grown, 1.0 + 0.05 * elapsed), min(min_delay, max_delay))
    return float(bounded * random.uniform(0.8, 1.0))


def timer_delay(attempt: int, elapsed: float, min_delay: float, max_delay: float) -> float:
    """:func:`next_delay` without its jitter: the longest delay the timer may take."""
    grown = min(max_delay, min_delay * (2 ** max(attempt - 1, 0)))
    return float(max(min(grown, 1.0 + 0.05 * elapsed), min(min_delay, max_delay)))


def wait(
    poll: Callable[[], tuple[int, Any]],
    spec: WaiterSpec,
    *,
    timeout: float | None = None,
    min_delay: float | None = None,
    max_delay: float | None = None,
    on_poll: Callable[[Poll], None] | None = None,
    clock: WaitClock = SYSTEM_CLOCK,
    what: str = "",
    wake: Callable[[float], bool] | None = None,
) -> Any:
    """Poll until success (returns the last value), failure (WaitFailed) or the deadline (WaitTimeout).

    ``min_delay``/``max_delay`` override the waiter's delays (equal values poll at a fixed interval).
    ``wake(seconds)``, when given, replaces the sleep between polls: it returns True as soon as the
    resource may have changed, False when ``seconds`` (at most ``WAKE_POLL_SECONDS``) passed
    without a word, and raises :class:`WakeUnavailable` to fall back to the timer. A state change
    found by a poll the stream did not announce also falls back to the timer: a silent stream
    costs one ``WAKE_POLL_SECONDS`` at most. A stream that announces changes without end costs
    no more polls than the timer would have made by then: a poll it wakes comes at once while
    the wait is within the timer's count, else when the timer would have polled.
    """
    limit = spec.timeout if timeout is None else timeout
    low = spec.min_delay if min_delay is None else min_delay
    high = spec.max_delay if max_delay is None else max(max_delay, low)
    started = clock.monotonic()
    deadline = started + limit
    attempt = 0
    last_state: object = None
    label = f"{spec.name}{f' ({what})' if what else ''}"
    unannounced = False  # this poll came on the safety timer, not on a change the stream sent
    schedule = [0.0]  # when (seconds after the start) the timer would make its polls

    def timer_poll(n: int) -> float:
        while len(schedule) <= n:
            schedule.append(schedule[-1] + timer_delay(len(schedule), schedule[-1], low, high))
        return schedule[n]

    while True:
        attempt += 1
        before = last_state
        status: int | None = None
        value: Any = None
        error: BaseException | None = None
        try:
            status, value = poll()
        except (CloudAPIError, TransportError, ResponseError) as exc:
            error = exc
            status = exc.status if isinstance(exc, CloudAPIError) else None
        if value is not None and spec.state_path:
            last_state = read_path(value, spec.state_path)
        if unannounced and attempt > 1 and last_state != before and wake is not None:
            # the state changed and the stream did not say so: it is not to be trusted (a proxy
            # that keeps the socket but not the feed, a server whose feed is down)
            log.info("%s: a change the stream did not announce; polling on the timer", label)
            wake = None
        elapsed = clock.monotonic() - started
        if on_poll is not None:
            on_poll(Poll(attempt, elapsed, last_state, status, error))
        verdict = next((a.state for a in spec.acceptors if _matches(a, status, value, error)), None)
        if verdict == "success":
            return value
        if verdict == "failure":
            reason = f"error {error}" if error is not None else f"state {last_state!r}"
            raise WaitFailed(
                f"{label}: stopped on {reason} after {elapsed:.1f} s", state=last_state, error=error
            )
        if error is not None and verdict is None and not transient(error):
            raise error
        remaining = deadline - clock.monotonic()
        if remaining <= 0:
            raise WaitTimeout(
                f"{label}: not done after {limit:g} s (last state {last_state!r}, {attempt} polls)",
                last_state=last_state,
                elapsed=clock.monotonic() - started,
            )
        if wake is not None:
            try:
                unannounced = not wake(min(WAKE_POLL_SECONDS, remaining))
            except WakeUnavailable:
                wake = None  # the stream is gone: poll on the timer from now on
            else:
                # however often the stream announces, polls keep to the timer's count
                hold = started + timer_poll(attempt) - clock.monotonic()
                if hold > 0:
                    clock.sleep(min(hold, max(0.0, deadline - clock.monotonic())))
                continue
        clock.sleep(min(next_delay(attempt, elapsed, low, high), remaining))
