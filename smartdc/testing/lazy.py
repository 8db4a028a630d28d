"""Lazily evaluated state machines: transitions are stored on the object and applied when read.

An object keeps ``_sim_pending: [{"at": epoch_seconds, "state": "running", ...}, ...]``; :func:`settle`
applies (in time order) every transition whose time has come, copying its fields (all but ``at``)
onto the object. Nothing runs in the background, so a ``VirtualClock`` fully controls progress.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

PENDING_KEY = "_sim_pending"


def schedule(obj: dict[str, Any], at: float, **fields: Any) -> None:
    """Add a transition: at clock time ``at``, set ``fields`` on ``obj``."""
    pending = obj.setdefault(PENDING_KEY, [])
    pending.append({"at": at, **fields})
    pending.sort(key=lambda step: step["at"])


def cancel(obj: dict[str, Any]) -> None:
    obj.pop(PENDING_KEY, None)


# Called with the object after each transition is applied, whoever settles it: the changefeed
# publishes every step of an instance, not only where it ended up (smartdc.testing.feed).
step_observers: list[Callable[[dict[str, Any]], None]] = []


def settle(obj: dict[str, Any], now: float) -> dict[str, Any]:
    """Apply the transitions due at ``now``; returns ``obj`` for convenience."""
    pending = obj.get(PENDING_KEY)
    if not pending:
        return obj
    while pending and pending[0]["at"] <= now:
        step = pending.pop(0)
        obj.update({k: v for k, v in step.items() if k != "at"})
        if not pending:
            obj.pop(PENDING_KEY, None)
        for observer in step_observers:
            observer(obj)
    return obj
