"""``smartdc completion bash|zsh``: a completion script made from the command tree itself, so it
always knows every command, alias and option.

Install: ``smartdc completion bash > /etc/bash_completion.d/smartdc`` (or ``source <(smartdc
completion bash)`` in ``~/.bashrc``); zsh: ``source <(smartdc completion zsh)`` in ``~/.zshrc``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator

from smartdc.cli.context import Context

Adder = Callable[..., argparse.ArgumentParser]


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _options(parser: argparse.ArgumentParser) -> list[str]:
    return sorted(
        {
            option
            for action in parser._actions
            if action.help is not argparse.SUPPRESS
            for option in action.option_strings
        }
    )


def tree(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], list[str], list[str]]]:
    """(command path, its subcommands, its options) for every command, depth first."""
    children = _subcommands(parser)
    yield path, sorted(children), _options(parser)
    for name, child in children.items():  # an alias is a path of its own, with the same words
        yield from tree(child, (*path, name))


BASH = """\
# bash completion for smartdc (made by `smartdc completion bash`)
_smartdc_words() {
    case "$1" in
%(cases)s
    esac
}

_smartdc() {
    local cur path word i
    cur="${COMP_WORDS[COMP_CWORD]}"
    path=""
    for ((i = 1; i < COMP_CWORD; i++)); do
        word="${COMP_WORDS[i]}"
        case "$word" in
            -*) ;;
            *) if [[ " $(_smartdc_words "$path" subcommands) " == *" $word "* ]]; then
                   path="${path:+$path }$word"
               fi ;;
        esac
    done
    if [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "$(_smartdc_words "$path" options)" -- "$cur"))
    else
        COMPREPLY=($(compgen -W "$(_smartdc_words "$path" subcommands)" -- "$cur"))
    fi
}
complete -o default -F _smartdc smartdc
"""

ZSH = """\
# zsh completion for smartdc (made by `smartdc completion zsh`): the bash completion, through
# zsh's bashcompinit
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
"""


def bash_script(parser: argparse.ArgumentParser) -> str:
    cases = []
    for path, subcommands, options in tree(parser):
        key = " ".join(path)
        cases.append(
            f'        "{key}")\n'
            f'            if [[ "$2" == subcommands ]]; then echo "{" ".join(subcommands)}"; '
            f'else echo "{" ".join(options)}"; fi ;;'
        )
    return BASH % {"cases": "\n".join(cases)}


def cmd_completion(ctx: Context) -> int:
    from smartdc.cli.main import build_parser

    script = bash_script(build_parser())
    if ctx.args.shell == "zsh":
        script = ZSH + script
    ctx.out.write(script)
    return 0


def add_commands(add: Adder) -> None:
    parser = add(
        "completion",
        cmd_completion,
        help="print a shell completion script (bash or zsh)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("shell", nargs="?", default="bash", choices=("bash", "zsh"))
