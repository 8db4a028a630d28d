"""The ``smartdc`` command line."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """The ``smartdc`` command: 130 on Ctrl-C wherever it comes, quiet on a closed pipe."""
    if argv is None:  # the smartdc process itself (the console script, python -m smartdc.cli)
        # The command's other threads only wait on sockets (the next page of a listing, the
        # image names of its img column): one whose answer has come gets the interpreter within
        # 0.5 ms instead of Python's default 5 ms while this thread formats rows (a 10,000-
        # instance listing: about 10 ms less per page). The process's own setting: never set
        # by main(argv) called from a script or a test, nor by the library.
        sys.setswitchinterval(0.0005)
    try:
        from smartdc.cli.main import run

        code = run(sys.argv[1:] if argv is None else argv)
        sys.stdout.flush()  # here, where a reader that went away can still be handled
    except KeyboardInterrupt:
        sys.stderr.write("\ninterrupted\n")
        return 130
    except BrokenPipeError:
        from smartdc.cli.main import closed_pipe

        return closed_pipe(sys.stdout)
    if argv is None:  # the smartdc process itself (the console script, python -m smartdc.cli)
        _exit_without_teardown(code)
    return code


def _exit_without_teardown(code: int) -> None:
    """End the process now with ``code``, as a normal exit would, minus the interpreter's
    teardown of its modules and objects: 15-30 ms after each command (urllib3, cryptography and
    the rest), a tenth of a short command's time. Every exit handler still runs (logging's,
    finalizers' such as temporary directories'), and the output is flushed first. A non-daemon
    thread still running (none of ours is) or output that cannot be flushed gets the normal
    exit instead."""
    import atexit
    import os
    import threading

    main_thread = threading.main_thread()
    if any(t is not main_thread and not t.daemon and t.is_alive() for t in threading.enumerate()):
        return
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe or stream: the normal exit deals with it
        return
    os._exit(code)
