"""Clocks for the simulator: state machines read ``clock.now()`` lazily when an object is read.

``RealClock`` follows wall time. ``VirtualClock`` only moves when told to (``advance``), so tests can
step a machine from ``provisioning`` to ``running`` without sleeping. It is also a client-side
``WaitClock`` (``monotonic``/``sleep``): clients a simulator makes wait on it, and each of their
sleeps advances simulated time at once instead of sleeping (``Simulator.client()``,
``Simulator.datacenter()``, or ``CloudAPI(..., clock=sim.clock)``). Signature ``Date`` headers are
always checked against real time (clients sign with their own wall clock), never against this clock.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch."""
        ...


class RealClock:
    """Wall-clock time."""

    def now(self) -> float:
        return time.time()

    def __repr__(self) -> str:
        return "RealClock()"


class VirtualClock:
    """A clock that stands still until ``advance`` is called (thread-safe)."""

    def __init__(self, start: float | None = None) -> None:
        self._now = time.time() if start is None else float(start)
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> float:
        """Move time forward by ``seconds`` (never backwards) and return the new time."""
        if seconds < 0:
            raise ValueError(f"a clock cannot go backwards (advance({seconds}))")
        with self._lock:
            self._now += seconds
            return self._now

    def monotonic(self) -> float:
        """The same time, for waits (``smartdc.runtime.waiting.WaitClock``)."""
        return self.now()

    def sleep(self, seconds: float) -> None:
        """A wait's sleep: advances the clock instead of sleeping."""
        self.advance(max(seconds, 0.0))

    def __repr__(self) -> str:
        return f"VirtualClock(now={self.now():.3f})"


def iso_time(epoch: float) -> str:
    """``2015-12-21T11:48:54.884Z``: the timestamp format CloudAPI answers with."""
    moment = datetime.fromtimestamp(epoch, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
