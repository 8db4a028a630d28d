"""The watchdog that bounds each HTTP attempt (smartdc.deadlines)."""

from __future__ import annotations

import os
import socket
import sys
import time
import warnings

import pytest

from smartdc.deadlines import WATCHDOG


def _cut_in_time() -> bool:
    """Arm a watch 50 ms ahead on one end of a socket pair; True when it cut the blocked read."""
    left, right = socket.socketpair()
    with left, right:
        left.settimeout(5)
        with WATCHDOG.watch(time.monotonic() + 0.05) as watch:
            watch.attach(left)
            started = time.monotonic()
            try:
                data = left.recv(1)
            except OSError:
                data = b""
            return data == b"" and watch.expired and time.monotonic() - started < 4


def test_a_watch_cuts_a_blocked_read_at_its_deadline() -> None:
    assert _cut_in_time()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_forked_child_has_a_watchdog_of_its_own() -> None:
    assert _cut_in_time()  # the parent's watchdog thread is running
    with warnings.catch_warnings():  # 3.12+: "multi-threaded, fork() may deadlock": not here
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child: the parent's thread is not here
        code = 0 if _cut_in_time() else 1
        sys.stdout.flush()
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
