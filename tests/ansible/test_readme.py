"""The README's Ansible example, exactly as written: its two files, the collection installed with
its ansible-galaxy line, and its shell block run by bash against ``smartdc sim --background``.

The run has a home and a temporary directory of its own (the simulator's pid file is there), and
this environment's ``bin`` first on PATH; the README's ``pip install`` line is what the dev
environment already did.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.ansible.conftest import BIN, REPO_ROOT, RUN_TIMEOUT, ansible_missing


def section() -> str:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    return text.split("\n## Ansible\n", 1)[1].split("\n## ", 1)[0]


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", section(), flags=re.S)


def test_readme_example_runs_as_written(tmp_path: Path) -> None:
    reason = ansible_missing()
    if reason:
        pytest.skip(reason)
    install, run = blocks("sh")
    files = {b.splitlines()[0].removeprefix("# "): b for b in blocks("yaml")}
    assert set(files) == {"triton.yml", "site.yml"}
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    home, temp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    temp.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TRITON_", "SDC_", "SMARTDC_", "ANSIBLE_"))
    }
    env.update(
        HOME=str(home),
        TMPDIR=str(temp),
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        PYTHONWARNINGS="ignore",
        ANSIBLE_NOCOLOR="1",
    )

    def bash(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-e", "-c", script],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            check=False,
        )

    galaxy = [line for line in install.splitlines() if line.startswith("ansible-galaxy ")]
    assert len(galaxy) == 1
    done = bash(galaxy[0], REPO_ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    try:
        done = bash(run, tmp_path)
    finally:
        bash("smartdc sim --stop >/dev/null 2>&1 || true", tmp_path)
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-5000:]
    recaps = [int(n) for n in re.findall(r"localhost\s*:.*?changed=(\d+)", done.stdout)]
    assert len(recaps) == 4, done.stdout
    created, again, dry, deleted = recaps
    assert created == 2  # the instances (two, one task) and the rule
    assert again == 0
    assert dry == 1  # a third web server, not made
    assert deleted == 2
    graph = done.stdout.split("@role_web:", 1)[1].split("@", 1)[0]
    assert re.findall(r"--(\S+)", graph) == ["web-1", "web-2"]
    assert "@triton_datacenter_us_sim_1:" in done.stdout
