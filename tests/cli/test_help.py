"""Help that helps: each command's help has a line for each of its arguments and an example;
the connection options are described once, in ``smartdc --help``."""

from __future__ import annotations

import argparse

import pytest

from smartdc.cli.examples import EXAMPLES
from smartdc.cli.main import build_parser, run


def _leaves(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> list[tuple[str, argparse.ArgumentParser]]:
    children: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            children = dict(action.choices)
    if not children:
        return [(" ".join(path), parser)] if path else []
    found: list[tuple[str, argparse.ArgumentParser]] = []
    seen: set[int] = set()
    for name, child in children.items():
        if id(child) not in seen:  # an alias is the same parser
            seen.add(id(child))
            found += _leaves(child, (*path, name))
    return found


LEAVES = [leaf for leaf in _leaves(build_parser()) if leaf[0] not in ("sim", "help")]


@pytest.mark.parametrize(("path", "parser"), LEAVES, ids=[p for p, _ in LEAVES])
def test_each_command_has_an_example_and_a_line_per_argument(
    path: str, parser: argparse.ArgumentParser
) -> None:
    text = parser.format_help()
    assert f"example: {EXAMPLES[path]}" in text
    assert EXAMPLES[path].startswith(("smartdc ", "eval ", "ssh ", "source "))
    for action in parser._actions:
        if not action.option_strings:
            assert action.help, f"{path}: argument {action.dest} has no help line"
    assert "--key-file" not in text  # the connection options live in `smartdc --help`
    assert "smartdc --help" in text


def test_connection_options_are_described_once_and_still_taken_after_the_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(["--help"]) == 0
    assert "--key-file" in capsys.readouterr().out
    # given after the command, the flag still counts (no connection: a clear usage error)
    assert run(["instances", "--url", "not a url"]) != 0


def test_every_example_names_a_command() -> None:
    assert set(EXAMPLES) <= {path for path, _ in LEAVES}


def test_a_nested_command_builds_only_its_own_parser() -> None:
    from smartdc.cli.main import _SKIPPED, _parse

    parser, args = _parse(["instance", "get", "web"])
    assert args.instance == "web"
    instance = next(
        a for a in parser._actions if isinstance(a, argparse._SubParsersAction)
    ).choices["instance"]
    commands = next(
        a for a in instance._actions if isinstance(a, argparse._SubParsersAction)
    ).choices
    assert commands["create"] is _SKIPPED and commands["get"] is not _SKIPPED
    # an option's value before the command word: the whole tree is built, the parse is the same
    parser, args = _parse(["instance", "-o", "state", "get", "web"])
    assert (args.instance, args.output) == ("web", "state")
