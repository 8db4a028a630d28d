"""The ``smartdc`` command line."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """The ``smartdc`` command: 130 on Ctrl-C wherever it comes, quiet on a closed pipe."""
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
