"""The waiter engine: verdicts from acceptors, deadlines, transient errors, delay bounds."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from smartdc.errors import CloudAPIError, ConnectError, WaitFailed, WaitTimeout
from smartdc.runtime.waiting import AcceptorSpec, Poll, WaiterSpec, next_delay, wait

SPEC = WaiterSpec(
    name="ThingReady",
    operation="GetThing",
    description="",
    min_delay=1.0,
    max_delay=15.0,
    timeout=60.0,
    acceptors=(
        AcceptorSpec("success", "path", "ready", "state"),
        AcceptorSpec("failure", "path", "failed", "state"),
        AcceptorSpec("failure", "status", 410),
        AcceptorSpec("retry", "error", "RequestThrottled"),
    ),
)


class FakeTime:
    """A WaitClock that records the sleeps asked for."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def _poller(outcomes: list[Any]) -> Any:
    def poll() -> tuple[int, Any]:
        outcome = outcomes.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        status, value = outcome
        return int(status), value

    return poll


def _error(status: int, code: str) -> CloudAPIError:
    return CloudAPIError.class_for(code)("x", status=status, code=code)


def test_success_after_retries_returns_the_last_value() -> None:
    t = FakeTime()
    seen: list[Poll] = []
    outcomes = [
        (200, {"state": "provisioning"}),
        _error(429, "RequestThrottled"),
        ConnectError("down"),
        (200, {"state": "ready"}),
    ]
    result = wait(_poller(outcomes), SPEC, clock=t, on_poll=seen.append)
    assert result == {"state": "ready"}
    assert [p.attempt for p in seen] == [1, 2, 3, 4] and seen[-1].state == "ready"
    assert len(t.sleeps) == 3


def test_terminal_state_and_status_fail_at_once() -> None:
    t = FakeTime()
    with pytest.raises(WaitFailed, match="state 'failed'") as info:
        wait(_poller([(200, {"state": "failed"})]), SPEC, clock=t)
    assert info.value.state == "failed" and t.sleeps == []
    with pytest.raises(WaitFailed):
        wait(_poller([(410, {"state": "deleted"})]), SPEC, clock=t)


def test_unexpected_error_is_raised_not_swallowed() -> None:
    t = FakeTime()
    with pytest.raises(CloudAPIError) as info:
        wait(_poller([_error(401, "InvalidCredentials")]), SPEC, clock=t)
    assert info.value.status == 401


def test_deadline_gives_wait_timeout_with_the_last_state() -> None:
    t = FakeTime()
    outcomes = [(200, {"state": "provisioning"})] * 1000
    with pytest.raises(WaitTimeout) as info:
        wait(_poller(outcomes), SPEC, timeout=30, clock=t)
    assert info.value.last_state == "provisioning"
    assert t.now == pytest.approx(30.0)


@pytest.mark.parametrize("elapsed", [0.0, 10.0, 60.0, 600.0])
def test_delay_grows_but_stays_within_one_second_plus_five_percent(elapsed: float) -> None:
    for attempt in range(1, 20):
        delay = next_delay(attempt, elapsed, 1.0, 15.0)
        assert 0.8 <= delay <= min(15.0, max(1.0, 1.0 + 0.05 * elapsed))
    assert next_delay(10, 600.0, 1.0, 15.0) > next_delay(1, 600.0, 1.0, 15.0)


def test_a_wake_stream_replaces_the_timer_until_it_misses_a_change() -> None:
    t = FakeTime()
    calls: list[float] = []
    answers = [True, False, False]  # announced; then silent twice

    def wake(seconds: float) -> bool:
        calls.append(seconds)
        t.now += 0.1 if answers[0] else seconds
        return answers.pop(0)

    outcomes = [
        (200, {"state": "provisioning"}),
        (200, {"state": "provisioning"}),  # after the announcement (nothing new yet)
        (200, {"state": "provisioning"}),  # silent: unchanged, the stream is still trusted
        (200, {"state": "stopped"}),  # silent, but changed: the stream missed it
        (200, {"state": "stopped"}),
        (200, {"state": "ready"}),
    ]
    result = wait(_poller(outcomes), dataclasses.replace(SPEC, timeout=3600.0), clock=t, wake=wake)
    assert result == {"state": "ready"}
    assert len(calls) == 3  # the stream was asked three times, then dropped
    # the announced poll waited for the timer's second poll (1 s), as polling would have
    assert t.sleeps[0] == pytest.approx(0.9)
    assert len(t.sleeps) == 3  # and the last two polls came on the timer


@pytest.mark.parametrize("seconds", [10.0, 120.0, 3600.0])
def test_a_stream_that_announces_without_end_costs_no_more_polls_than_the_timer(
    seconds: float,
) -> None:
    def count(wake: object) -> int:
        t = FakeTime()
        polls = 0

        def poll() -> tuple[int, object]:
            nonlocal polls
            polls += 1
            return 200, {"state": "provisioning"}

        def lying(timeout: float) -> bool:
            t.now += 0.001  # "it changed!" a thousand times a second
            return True

        with pytest.raises(WaitTimeout):
            wait(poll, SPEC, timeout=seconds, clock=t, wake=lying if wake else None)
        return polls

    assert count(wake=True) <= count(wake=False) + 1
