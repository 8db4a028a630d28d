"""The ``smartdc`` command: parsing, dispatch and exit codes (0 ok, 1 API error, 2 usage error).

Heavy modules (the generated client, cryptography) are imported only by the command that runs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from smartdc._version import __version__
from smartdc.cli.context import Context
from smartdc.cli.output import terminal_safe

if TYPE_CHECKING:
    from smartdc.runtime.waiting import WaitClock

EXIT_OK, EXIT_API, EXIT_USAGE = 0, 1, 2
_MESSAGE_CHARS = 1000  # of a server message in the error line

Command = Callable[[Context], int]


class _Parser(argparse.ArgumentParser):
    """Raises instead of exiting, so ``main(argv)`` can be called from tests and scripts."""

    def error(self, message: str) -> Any:
        raise UsageError(f"{self.prog}: error: {message}", self.format_usage())

    def exit(self, status: int = 0, message: str | None = None) -> Any:
        if message:
            sys.stderr.write(message)
        raise _Exit(status)


class UsageError(Exception):
    def __init__(self, message: str, usage: str) -> None:
        super().__init__(message)
        self.usage = usage


class _Exit(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def _connection_flags(parser: argparse.ArgumentParser, top: bool) -> None:
    # Subcommands repeat the flags (so they may come after the command) with suppressed
    # defaults, so that a flag given before the command is not reset. Short forms only before
    # the command: subcommands use -i, -p, -a for their own options.
    default: Any = None if top else argparse.SUPPRESS
    flag = False if top else argparse.SUPPRESS

    def names(long: str, short: str) -> list[str]:
        return [long, short] if top else [long]

    group = parser.add_argument_group("connection (else TRITON_*/SDC_* variables, else profile)")
    group.add_argument(*names("--url", "-U"), default=default, help="CloudAPI URL")
    group.add_argument(*names("--account", "-a"), default=default, help="account login")
    group.add_argument(*names("--user", "-u"), default=default, help="RBAC sub-user login")
    group.add_argument(*names("--key-id", "-k"), default=default, help="key fingerprint or name")
    group.add_argument("--key-file", default=default, help="private key file")
    group.add_argument(*names("--profile", "-p"), default=default, help="triton profile name")
    group.add_argument(
        *names("--insecure", "-i"),
        action="store_true",
        default=flag,
        help="do not verify the TLS certificate",
    )
    out = parser.add_argument_group("output")
    out.add_argument(
        "-j",
        "--json",
        action="store_true",
        default=flag,
        help="JSON as the server sent it (one object per line for lists)",
    )
    out.add_argument("-o", "--output", default=default, metavar="FIELDS", help="columns: a,b,c")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="smartdc",
        description="Joyent Triton / SmartDataCenter CloudAPI client",
        epilog="`smartdc COMMAND --help` for details; `smartdc demo` for a guided tour.",
    )
    parser.add_argument("--version", action="version", version=f"smartdc {__version__}")
    _connection_flags(parser, top=True)
    top = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(
        name: str,
        func: Command | None,
        *,
        help: str,
        parent: Any = None,
        aliases: Sequence[str] = (),
        **kwargs: Any,
    ) -> argparse.ArgumentParser:
        target = parent if parent is not None else top
        sub: argparse.ArgumentParser = target.add_parser(
            name, help=help, aliases=list(aliases), **kwargs
        )
        _connection_flags(sub, top=False)
        if func is not None:
            sub.set_defaults(func=func)
        return sub

    from smartdc.cli import api, catalog, demo, instances

    catalog.add_commands(add)
    instances.add_commands(add)
    api.add_commands(add)
    demo.add_commands(add)
    top.add_parser("sim", help="run the embedded CloudAPI simulator (smartdc sim --help)")
    return parser


def _api_error_text(exc: BaseException) -> str:
    from smartdc.errors import CloudAPIError

    if isinstance(exc, CloudAPIError):
        request = f" (request id {exc.request_id})" if exc.request_id else ""
        message = exc.message or str(exc)
        if len(message) > _MESSAGE_CHARS:
            message = (
                f"{message[:_MESSAGE_CHARS]}... ({len(message) - _MESSAGE_CHARS} more characters)"
            )
        return f"{exc.error_code or 'error'}: {message}{exc.details()}{request}"
    return f"{type(exc).__name__}: {exc}"


def run(
    argv: Sequence[str],
    out: TextIO | None = None,
    err: TextIO | None = None,
    *,
    clock: WaitClock | None = None,
) -> int:
    """Run one command line; returns the exit code. ``clock``: what waits (``--wait``) run on,
    e.g. a simulator's ``VirtualClock`` so that they advance simulated time instead of sleeping
    (the simulated ``demo`` then runs its simulator on that clock too)."""
    out = out if out is not None else sys.stdout
    err = err if err is not None else sys.stderr
    argv = list(argv)
    if argv[:1] == ["sim"]:
        # The simulator's own command line lives with the simulator.
        from smartdc.testing.cli import sim_main

        return sim_main(argv[1:])
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        err.write(f"{exc.usage}{exc}\n")
        return EXIT_USAGE
    except _Exit as exc:
        return exc.status
    func: Command | None = getattr(args, "func", None)
    if func is None:
        parser.print_help(out)
        return EXIT_USAGE if args.command is None else EXIT_OK
    ctx = Context(args, out, err, clock=clock)
    try:
        return func(ctx)
    except KeyboardInterrupt:
        err.write("\ninterrupted\n")
        return 130
    except Exception as exc:
        return _report(exc, err)
    finally:
        ctx.close()


def _report(exc: Exception, err: TextIO) -> int:
    from smartdc.cli.output import ColumnError
    from smartdc.errors import ArgumentError, ConfigError, SmartDCError, UnknownOperationError

    # Messages may quote the server (names, error texts, request ids): printed terminal-safe.
    if isinstance(exc, (ConfigError, ArgumentError, UnknownOperationError, ColumnError)):
        err.write(f"smartdc: error: {terminal_safe(str(exc), keep_newlines=True)}\n")
        return EXIT_USAGE
    if isinstance(exc, SmartDCError):
        err.write(f"smartdc: {terminal_safe(_api_error_text(exc), keep_newlines=True)}\n")
        return EXIT_API
    if isinstance(exc, OSError):
        err.write(f"smartdc: {terminal_safe(str(exc), keep_newlines=True)}\n")
        return EXIT_API
    raise exc
