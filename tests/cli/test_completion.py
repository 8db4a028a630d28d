"""``smartdc completion``: the script completes commands, aliases and options, in bash."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

from tests.cli.conftest import invoke


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
