"""``smartdc completion bash|zsh``: a completion script made from the command tree itself, so it
always knows every command, alias and option; and, as triton's, the names of instances, images
and packages where a command takes one.

Start-up stays as it is: the script holds the command tree, and names are asked for only when
an argument that takes them is completed, by ``smartdc complete KIND``, whose answer is kept in
``~/.cache/smartdc/complete-KIND`` for five minutes (triton keeps its own for the same purpose).
Only names made of letters, digits and ``-_.@:`` are offered: nothing else from the server
reaches the shell.

Install: ``smartdc completion bash > /etc/bash_completion.d/smartdc`` (or ``source <(smartdc
completion bash)`` in ``~/.bashrc``); zsh: ``source <(smartdc completion zsh)`` in ``~/.zshrc``.
"""

from __future__ import annotations

import argparse
import re
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


# a positional argument's dest -> the names it takes
NAME_KINDS = {
    "instance": "instances",
    "instances": "instances",
    "image": "images",
    "images": "images",
    "image_arg": "images",
    "package": "packages",
    "package_arg": "packages",
}


def _names(parser: argparse.ArgumentParser) -> str:
    """What names a command's first positional argument takes (``instances``...), or ""."""
    for action in parser._actions:
        if not action.option_strings and not isinstance(action, argparse._SubParsersAction):
            return NAME_KINDS.get(action.dest, "")
    return ""


def tree(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], list[str], list[str], str]]:
    """(command path, its subcommands, its options, the names its argument takes) for every
    command, depth first."""
    children = _subcommands(parser)
    yield path, sorted(children), _options(parser), _names(parser)
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
        local kind words
        words="$(_smartdc_words "$path" subcommands)"
        kind="$(_smartdc_words "$path" names)"
        if [[ -z "$words" && -n "$kind" ]]; then
            words="$(_smartdc_names "$kind")"
        fi
        COMPREPLY=($(compgen -W "$words" -- "$cur"))
    fi
}

# names of instances, images or packages: from a cache of five minutes, else `smartdc complete`
_smartdc_names() {
    local dir file
    dir="${XDG_CACHE_HOME:-$HOME/.cache}/smartdc"
    file="$dir/complete-$1"
    if [[ ! -s "$file" || -n "$(find "$file" -mmin +5 2>/dev/null)" ]]; then
        mkdir -p "$dir" 2>/dev/null
        smartdc complete "$1" > "$file.$$" 2>/dev/null && mv -f "$file.$$" "$file"
        rm -f "$file.$$"
    fi
    cat "$file" 2>/dev/null
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
    for path, subcommands, options, names in tree(parser):
        key = " ".join(path)
        cases.append(
            f'        "{key}")\n'
            f'            if [[ "$2" == subcommands ]]; then echo "{" ".join(subcommands)}"; '
            f'elif [[ "$2" == names ]]; then echo "{names}"; '
            f'else echo "{" ".join(options)}"; fi ;;'
        )
    return BASH % {"cases": "\n".join(cases)}


def cmd_completion(ctx: Context) -> int:
    # the whole parser, built by smartdc.cli.main (handed in: this module never imports it)
    script = bash_script(ctx.args.build_parser())
    if ctx.args.shell == "zsh":
        script = ZSH + script
    ctx.out.write(script)
    return 0


_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@:-]*")


def cmd_complete(ctx: Context) -> int:
    """``smartdc complete KIND``: the names the completion script offers, one per line."""
    from smartdc.cli.answers import answer_json

    kind = ctx.args.kind
    found: set[str] = set()
    if kind == "instances":
        api = ctx.api()
        for item, _ in api.meta.paginate_json("ListMachines", {}):
            if isinstance(item, dict):
                found.add(str(item.get("name") or ""))
    elif kind == "images":
        for image in answer_json(ctx, "ListImages", {}):
            if isinstance(image, dict):
                found.add(str(image.get("name") or ""))
                found.add(f"{image.get('name')}@{image.get('version')}")
    else:
        for package in answer_json(ctx, "ListPackages", {}):
            if isinstance(package, dict):
                found.add(str(package.get("name") or ""))
    for name in sorted(n for n in found if _SAFE_NAME.fullmatch(n)):
        ctx.out.write(f"{name}\n")
    return 0


def add_commands(add: Adder, build_parser: Callable[[], argparse.ArgumentParser]) -> None:
    """``build_parser``: the whole command line's parser (what the completion script covers)."""
    complete = add(
        "complete", cmd_complete, help="names for the completion script (instances, images...)"
    )
    complete.add_argument("kind", choices=("instances", "images", "packages"))
    parser = add(
        "completion",
        cmd_completion,
        help="print a shell completion script (bash or zsh)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("shell", nargs="?", default="bash", choices=("bash", "zsh"))
    parser.set_defaults(build_parser=build_parser)
