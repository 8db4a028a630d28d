"""The one clock everything that waits reads: the transport's retry pauses and retry deadline, the
waiter engine's polls and deadlines, and the streams' reconnection backoff.

``SYSTEM_CLOCK`` is real time. A client is given one clock (``CloudAPI(clock=...)``) and passes it
to its transport, waits and streams alike; a simulator's ``VirtualClock`` is a :class:`Clock`, so
with it nothing of a client sleeps: time advances instead. (A single network attempt is still
bounded in real time: sockets do not run on a simulated clock.)
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """What waits measure time and sleep with (``SYSTEM_CLOCK``, or a simulator's virtual clock)."""

    def monotonic(self) -> float:
        """Seconds from an arbitrary start; never goes back."""
        ...

    def sleep(self, seconds: float) -> None:
        """Let ``seconds`` pass."""
        ...


class SystemClock:
    """Real time: ``time.monotonic`` and ``time.sleep``."""

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def __repr__(self) -> str:
        return "SystemClock()"


SYSTEM_CLOCK = SystemClock()
