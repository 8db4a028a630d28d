"""Benchmark 4: whole-process ``smartdc instances -j`` against ``triton instance list -j``.

Both run against the same ``smartdc sim`` process, with the same key found in ``~/.ssh`` of a
temporary HOME, in alternated pairs; wall time of the whole process (start-up included).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.common import TRITON_CLI, Section, median, table, triton_available
from bench.simproc import SimProcess, sim_process


def smartdc_command() -> list[str]:
    """The installed console script when present (what users run), else ``python -m``."""
    script = Path(sys.executable).parent / "smartdc"
    return [str(script)] if script.exists() else [sys.executable, "-m", "smartdc.cli"]


def triton_command() -> list[str]:
    return ["node", str(TRITON_CLI)]


@contextmanager
def cli_home(sim: SimProcess) -> Iterator[dict[str, str]]:
    """Environment for both CLIs: a HOME whose ``~/.ssh/id_rsa`` is the simulator's key."""
    home = Path(tempfile.mkdtemp(prefix="bench-home-"))
    try:
        ssh = home / ".ssh"
        ssh.mkdir()
        shutil.copy(sim.key_path, ssh / "id_rsa")
        (ssh / "id_rsa").chmod(0o600)
        shutil.copy(f"{sim.key_path}.pub", ssh / "id_rsa.pub")
        yield {"PATH": os.environ.get("PATH", ""), "HOME": str(home), **sim.env}
    finally:
        shutil.rmtree(home, ignore_errors=True)


def timed_run(command: list[str], env: dict[str, str], expect_lines: int) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    wall = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command[-3:])} failed: {result.stderr.strip()[-400:]}")
    lines = len(result.stdout.splitlines())
    if lines != expect_lines:
        raise RuntimeError(f"{' '.join(command[-3:])} printed {lines} lines, not {expect_lines}")
    return wall


def run(*, smoke: bool = False) -> Section:
    section = Section("4. Whole-process CLI: `smartdc instances -j` vs `triton instance list -j`")
    missing = triton_available()
    sizes = (5,) if smoke else (100, 10_000)
    ours = [*smartdc_command(), "instances", "-j"]
    theirs = [*triton_command(), "instance", "list", "-j"]
    rows = []
    for size in sizes:
        pairs = 1 if smoke else (7 if size <= 1000 else 5)
        with sim_process("--machines", str(size)) as sim, cli_home(sim) as env:
            smartdc_s: list[float] = []
            triton_s: list[float] = []
            for index in range(pairs):
                # alternate which goes first, so neither always meets a warmer simulator
                order = [(ours, smartdc_s), (theirs, triton_s)]
                if missing is not None:
                    order = order[:1]
                elif index % 2:
                    order.reverse()
                for command, samples in order:
                    samples.append(timed_run(command, env, size))
        if missing is not None:
            rows.append([f"{size:,}", f"{median(smartdc_s):.2f}", "skipped", "-"])
            continue
        ratio = median(triton_s) / median(smartdc_s)
        rows.append(
            [
                f"{size:,}",
                f"{median(smartdc_s):.2f}",
                f"{median(triton_s):.2f}",
                f"**{ratio:.2f}x**",
            ]
        )
        section.target(
            f"4 smartdc faster than triton at {size:,}", ratio > 1, f"triton/smartdc {ratio:.2f}x"
        )
    if missing is not None:
        section.lines.append(f"triton CLI skipped: {missing}.")
        section.target("4 smartdc faster than triton", None, f"skipped: {missing}")
    section.lines.append(
        "Wall seconds per whole process, medians of alternated pairs (7 at 100, 5 at 10,000). "
        "Ratio = triton time / smartdc time (above 1: smartdc faster)."
    )
    section.lines.append("")
    section.lines += table(["machines", "smartdc s", "triton s", "triton/smartdc"], rows)
    return section
