"""Helpers for bound checks: run a call in a thread and say whether it ended and how."""

from __future__ import annotations

import threading
from collections.abc import Callable

import attrs

GENEROUS = 20.0  # seconds: far past every deadline the tests set, so only a hang reaches it


@attrs.define
class Outcome:
    ended: bool
    value: object = None
    error: BaseException | None = None


def run_bounded(call: Callable[[], object], within: float = GENEROUS) -> Outcome:
    """Run ``call``; ``ended`` is False when it was still running after ``within`` seconds."""
    outcome = Outcome(ended=False)

    def target() -> None:
        try:
            outcome.value = call()
        except BaseException as exc:  # the test inspects whatever was raised
            outcome.error = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(within)
    outcome.ended = not thread.is_alive()
    return outcome
