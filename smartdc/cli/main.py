"""The ``smartdc`` command: parsing, dispatch and exit codes (triton's: 0 ok, 1 error, 2 usage
error, 3 not found: no such name or id, ``ResourceNotFound``, a deleted instance).

Heavy modules (the generated client, cryptography) are imported only by the command that runs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TextIO, cast

from smartdc._version import __version__
from smartdc.cli.context import Context
from smartdc.cli.failures import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    cli_words,
    report,
)
from smartdc.cli.output import TerminalStream, terminal_safe

if TYPE_CHECKING:
    from smartdc.runtime.waiting import WaitClock


Command = Callable[[Context], int]


class _Parser(argparse.ArgumentParser):
    """Raises instead of exiting, so ``main(argv)`` can be called from tests and scripts."""

    def error(self, message: str) -> Any:
        raise UsageError(f"{self.prog}: error: {message}", self.format_usage())

    def exit(self, status: int = 0, message: str | None = None) -> Any:
        if message:
            sys.stderr.write(message)
        raise _Exit(status)

    def add_subparsers(self, **kwargs: Any) -> Any:
        group = super().add_subparsers(**kwargs)
        # how deep its commands are (1: `smartdc COMMAND`, 2: `smartdc instance COMMAND`)
        group._smartdc_depth = getattr(self, "_smartdc_depth", 0) + 1  # type: ignore[attr-defined]
        # the words that lead to its commands (`instance` for `smartdc instance get`)
        group._smartdc_words = getattr(self, "_smartdc_words", ())  # type: ignore[attr-defined]
        return group


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
    # The connection options are described in one place, `smartdc --help`; a command's own
    # help lists its own arguments (and says where the others are).
    default: Any = None if top else argparse.SUPPRESS
    flag = False if top else argparse.SUPPRESS

    def names(long: str, short: str) -> list[str]:
        return [long, short] if top else [long]

    def text(words: str) -> str:
        return words if top else argparse.SUPPRESS

    group = parser.add_argument_group("connection (else TRITON_*/SDC_* variables, else profile)")
    group.add_argument(*names("--url", "-U"), default=default, help=text("CloudAPI URL"))
    group.add_argument(*names("--account", "-a"), default=default, help=text("account login"))
    group.add_argument(*names("--user", "-u"), default=default, help=text("RBAC sub-user login"))
    group.add_argument(
        *names("--key-id", "-k"), default=default, help=text("key fingerprint or name")
    )
    group.add_argument("--key-file", default=default, help=text("private key file"))
    group.add_argument(*names("--profile", "-p"), default=default, help=text("triton profile name"))
    group.add_argument(
        *names("--insecure", "-i"),
        action="store_true",
        default=flag,
        help=text("do not verify the TLS certificate"),
    )
    group.add_argument(
        "--ca-certs", default=default, metavar="BUNDLE", help=text("CA bundle for a private CA")
    )
    group.add_argument(
        "--allow-plaintext",
        action="store_true",
        default=flag,
        help=text("allow http:// to a host that is not this machine (signatures can be replayed)"),
    )
    diagnosis = parser.add_argument_group("diagnosis")
    diagnosis.add_argument(
        *(["-v", "--verbose", "--debug"] if top else ["--verbose", "--debug"]),
        dest="verbose",
        action="store_true",
        default=flag,
        help=text("every request and answer on stderr (signatures and secrets masked)"),
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


class _Skipped(argparse.ArgumentParser):
    """A command not run this time: named (for ``--help`` and the usage) but not built: what
    is added to it is dropped, and its subcommands are all one such parser."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._smartdc_ready = True

    def add_argument(self, *args: Any, **kwargs: Any) -> Any:
        return None

    def add_argument_group(self, *args: Any, **kwargs: Any) -> Any:
        if getattr(self, "_smartdc_ready", False):
            return self
        return super().add_argument_group(*args, **kwargs)  # argparse's own, while made

    def add_mutually_exclusive_group(self, **kwargs: Any) -> Any:
        return self

    def add_subparsers(self, **kwargs: Any) -> Any:
        return _SKIPPED_GROUP


class _SkippedGroup:
    _smartdc_skipped = True

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        return _SKIPPED


_SKIPPED = _Skipped(prog="smartdc", add_help=False)
_SKIPPED_GROUP = _SkippedGroup()


def command_word(parser: argparse.ArgumentParser, argv: Sequence[str]) -> str | None:
    """The command an argument list runs (the first word that is neither an option nor an
    option's value), or None when there is none or it cannot be told."""
    actions = parser._option_string_actions
    skip = False
    for token in argv:
        if skip:
            skip = False
        elif token == "--":
            return None
        elif token.startswith("-") and token != "-":
            action = actions.get(token)
            skip = action is not None and action.nargs != 0
        else:
            return token
    return None


def build_parser(only: str | None = None, then: str | None = None) -> argparse.ArgumentParser:
    """The whole command tree; with ``only``, just that top-level command's subtree (the others
    are named but not built: ``smartdc --help`` and each command start faster); with ``then``
    too, of that command's own commands just ``then`` (``instance get`` builds no other
    ``instance`` command)."""
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
        words: Sequence[str] = (),
        **kwargs: Any,
    ) -> argparse.ArgumentParser:
        """``words``: what the command's error lines call it, when not its own place in the tree
        (triton's shortcuts: ``smartdc create`` fails as ``instance create``)."""
        target = parent if parent is not None else top
        if getattr(target, "_smartdc_skipped", False):
            return _SKIPPED
        depth = getattr(target, "_smartdc_depth", 1)
        wanted = only if depth == 1 else then if depth == 2 else None
        if wanted is not None and wanted != name and wanted not in aliases:
            # listed in `--help` (argparse's own entry for it), never built
            target._choices_actions.append(target._ChoicesPseudoAction(name, list(aliases), help))
            for word in (name, *aliases):
                target._name_parser_map[word] = _SKIPPED
            return _SKIPPED
        sub: argparse.ArgumentParser = target.add_parser(
            name, help=help, aliases=list(aliases), **kwargs
        )
        sub._smartdc_depth = depth  # type: ignore[attr-defined]
        words = tuple(words) or (*getattr(target, "_smartdc_words", ()), name)
        sub._smartdc_words = words  # type: ignore[attr-defined]
        _connection_flags(sub, top=False)
        if func is not None:  # the command's own words, as its error lines name it
            sub.set_defaults(func=func, command_words=" ".join(words))
        return sub

    from smartdc.cli import api, catalog, completion, demo, instances, profiles

    catalog.add_commands(add)
    profiles.add_commands(add)
    instances.add_commands(add)
    api.add_commands(add)
    demo.add_commands(add)
    completion.add_commands(add, build_parser)
    top.add_parser("sim", help="run the embedded CloudAPI simulator (smartdc sim --help)")
    top.add_parser("help", help="help on a command (smartdc help instance create)")
    from smartdc.cli.examples import finish_help

    finish_help(parser)
    return parser


def _sort_values(argv: list[str]) -> list[str]:
    """``-s -created`` as triton reads it (a leading ``-`` reverses the sort): argparse would
    take ``-created`` for an option, so it is passed as ``-s=-created``."""
    joined: list[str] = []
    tokens = iter(argv)
    for token in tokens:
        if token in ("-s", "--sort"):
            value = next(tokens, None)
            if value is not None and value.startswith("-") and len(value) > 1:
                joined.append(f"{token}={value}")
                continue
            joined.append(token)
            if value is not None:
                joined.append(value)
            continue
        joined.append(token)
    return joined


def _parse(argv: list[str]) -> tuple[argparse.ArgumentParser, argparse.Namespace]:
    """Parses with only the command's own subtree built; anything unexpected (no command, a
    usage error) is parsed again with the whole tree, so that the outcome is the same."""
    argv = _sort_values(argv)
    probe = build_parser(only="")
    word = command_word(probe, argv)
    if word == "help":
        # triton's `help [COMMAND...]`: that command's --help
        at = argv.index(word)
        argv = [*argv[:at], *argv[at + 1 :], "--help"]
        word = command_word(probe, argv)
    if word is not None:
        # the word after the command, when it is one of that command's own commands (a guess:
        # an option's value in between makes the parse fail, and the whole tree is built)
        after = argv[argv.index(word) + 1 :]
        then = next((t for t in after if not t.startswith("-")), None)
        parser = build_parser(only=word, then=then)
        try:
            args = parser.parse_args(argv)
        except UsageError:
            pass
        else:
            return parser, args
    elif "-h" in argv or "--help" in argv or "--version" in argv or not argv:
        return probe, probe.parse_args(argv)
    parser = build_parser()
    return parser, parser.parse_args(argv)


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
    # Server text is escaped where it is printed (terminal_safe); these catch what is not.
    out, err = cast(TextIO, TerminalStream(out)), cast(TextIO, TerminalStream(err))
    try:
        parser, args = _parse(argv)
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
    with _diagnosis(err, verbose=bool(getattr(args, "verbose", False))):
        try:
            return func(ctx)
        except KeyboardInterrupt:
            err.write("\ninterrupted\n")
            return EXIT_INTERRUPTED
        except BrokenPipeError:
            return closed_pipe(out)
        except Exception as exc:
            return report(exc, err, getattr(args, "command_words", ""))
        finally:
            ctx.close()


@contextmanager
def _diagnosis(err: TextIO, *, verbose: bool) -> Iterator[None]:
    """While a command runs: warnings as one ``smartdc: warning:`` line each (no source path),
    and with ``-v`` the ``smartdc`` logger's DEBUG records (every request and answer) on
    ``err``."""
    import logging
    import warnings

    def show(message: Any, category: Any, *_: Any, **__: Any) -> None:
        err.write(f"smartdc: warning: {terminal_safe(cli_words(str(message)))}\n")

    logger = logging.getLogger("smartdc")
    handler: logging.Handler | None = None
    level = logger.level
    if verbose:
        handler = logging.StreamHandler(err)
        handler.setFormatter(logging.Formatter("smartdc: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        warnings.showwarning = show
        try:
            yield
        finally:
            if handler is not None:
                logger.removeHandler(handler)
                logger.setLevel(level)


def closed_pipe(out: TextIO) -> int:
    """The reader went away (``smartdc ... | head -1``): stop quietly, as ``cat`` does. Later
    writes and the interpreter's final flush go to /dev/null instead of raising again."""
    import os

    try:
        fileno = out.fileno()
    except (AttributeError, OSError, ValueError):
        return EXIT_OK
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fileno)
    os.close(devnull)
    return EXIT_OK
