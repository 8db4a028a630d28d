"""``smartdc completion``: the script completes commands, aliases and options, in bash."""

from __future__ import annotations

import shlex
import subprocess
from collections.abc import Callable
from pathlib import Path

from tests.cli.conftest import Result, invoke

Cli = Callable[..., Result]


def _complete(script: Path, *words: str) -> list[str]:
    """What bash offers for the last of ``words`` (``""``: a new word)."""
    line = " ".join(shlex.quote(w) for w in ("smartdc", *words))
    program = (
        f"source {shlex.quote(str(script))}; COMP_WORDS=({line}); "
        f"COMP_CWORD={len(words)}; _smartdc; printf '%s\\n' \"${{COMPREPLY[@]}}\""
    )
    done = subprocess.run(["bash", "-c", program], capture_output=True, text=True, check=True)
    return done.stdout.split()


def test_bash_completion_from_the_command_tree(tmp_path: Path) -> None:
    done = invoke(["completion", "bash"])
    assert done.code == 0
    script = tmp_path / "smartdc.bash"
    script.write_text(done.out)
    assert _complete(script, "inst") == ["inst", "instance", "instances", "insts"]
    assert "snapshot" in _complete(script, "instance", "")
    assert _complete(script, "inst", "snapshot", "") == [
        "boot",
        "create",
        "delete",
        "get",
        "list",
        "ls",
        "rm",
    ]
    assert _complete(script, "-a", "me", "instance", "create", "--fi") == ["--firewall"]
    assert "--deletion-protection" in _complete(script, "instance", "create", "--")
    assert _complete(script, "fwrule", "en") == ["enable"]


def test_zsh_completion_uses_bashcompinit() -> None:
    done = invoke(["completion", "zsh"])
    assert done.code == 0
    assert "bashcompinit" in done.out and "complete -o default -F _smartdc smartdc" in done.out
    assert invoke(["completion", "fish"]).code == 2


def test_names_are_completed_from_a_cache_filled_by_smartdc_complete(tmp_path: Path) -> None:
    script = tmp_path / "smartdc.bash"
    script.write_text(invoke(["completion", "bash"]).out)
    fake = tmp_path / "bin" / "smartdc"  # stands for `smartdc complete KIND`; counts its calls
    fake.parent.mkdir()
    fake.write_text(
        '#!/bin/sh\necho called >> "$HOME/calls"\n'
        'case "$2" in instances) printf "web-1\\nweb-2\\ndb\\n";; '
        'images) printf "base-64-lts\\nbase-64-lts@23.4.0\\n";; esac\n'
    )
    fake.chmod(0o755)
    env = {"HOME": str(tmp_path), "PATH": f"{fake.parent}:/usr/bin:/bin"}

    def complete(*words: str) -> list[str]:
        line = " ".join(shlex.quote(w) for w in ("smartdc", *words))
        program = (
            f"source {shlex.quote(str(script))}; COMP_WORDS=({line}); "
            f"COMP_CWORD={len(words)}; _smartdc; printf '%s\\n' \"${{COMPREPLY[@]}}\""
        )
        done = subprocess.run(
            ["bash", "-c", program], capture_output=True, text=True, check=True, env=env
        )
        return done.stdout.split()

    assert complete("instance", "get", "we") == ["web-1", "web-2"]
    assert complete("stop", "d") == ["db"]
    assert complete("create", "base") == ["base-64-lts", "base-64-lts@23.4.0"]
    assert complete("instance", "get", "w") == ["web-1", "web-2"]
    assert (tmp_path / "calls").read_text().count("called") == 2  # instances once, then cached
    assert complete("instances", "we") == []  # a listing takes filters, not names


def test_complete_lists_names_a_shell_can_take(cli: Cli) -> None:
    assert cli("create", "-n", "web-1").code == 0
    assert cli("complete", "instances").out.split() == ["web-1"]
    images = cli("complete", "images").out.split()
    assert "base-64-lts" in images and "base-64-lts@22.4.0" in images
    assert "g4-highcpu-128M" in cli("complete", "packages").out.split()


def test_only_shell_safe_names_are_offered() -> None:
    from smartdc.cli.completion import _SAFE_NAME

    assert _SAFE_NAME.fullmatch("base-64-lts@23.4.0")
    for hostile in ("$(reboot)", "a b", "-rf", "x;y", "`id`", "a\nb", "ab\n", ""):
        assert not _SAFE_NAME.fullmatch(hostile)
