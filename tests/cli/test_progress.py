"""The status line of a wait on a terminal keeps counting between polls (no timing: the ticker's
clock is the test's, and the test ticks it)."""

from __future__ import annotations

import io

from smartdc.cli.context import Progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_line_keeps_counting_while_nothing_changes() -> None:
    moment = [100.0]
    stream = _Terminal()
    progress = Progress(
        stream, "waiting for web", tty=True, now=lambda: moment[0], tick_seconds=3600
    )
    progress("provisioning", 2.0)  # a poll: 2 s waited so far
    moment[0] += 7  # no poll for 7 s (a long backoff)
    progress.tick()
    assert stream.getvalue().endswith("waiting for web: provisioning, 9 s")
    progress("running", 12.0)
    progress.done("running")
    assert stream.getvalue().endswith("\r\x1b[K")  # cleared at the end
    moment[0] += 5
    progress.tick()  # the ticker has stopped: nothing is drawn after the end
    assert stream.getvalue().endswith("\r\x1b[K")


def test_no_ticker_without_a_terminal() -> None:
    stream = io.StringIO()
    progress = Progress(stream, "waiting", tty=False, now=lambda: 0.0)
    progress("provisioning", 0.0)
    progress.tick()
    assert stream.getvalue() == "waiting: provisioning (0 s)\n"
    progress.done("running")
