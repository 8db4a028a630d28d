"""The ``smartdc`` command line."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """The ``smartdc`` command: 130 on Ctrl-C wherever it comes, quiet on a closed pipe."""
    # The command's other threads only wait on sockets (the next page of a listing, the image
    # names of its img column): one whose answer has come gets the interpreter within 0.5 ms
    # instead of Python's default 5 ms while this thread formats rows (a 10,000-instance
    # listing: about 10 ms less per page). This process's own setting, not the library's.
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
    return code
