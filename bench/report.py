"""Runs the benchmarks and renders RESULTS.md: machine, versions, every figure, targets."""

from __future__ import annotations

import compileall
import platform
import sys
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import TextIO

import smartdc
from bench import (
    cli_compare,
    coldstart,
    decoding,
    feedwaits,
    listing,
    overhead,
    threads,
    waiting,
)
from bench.common import Section

BENCHMARKS: dict[int, Callable[..., Section]] = {
    1: overhead.run,
    2: decoding.run,
    3: listing.run,
    4: cli_compare.run,
    5: coldstart.run,
    6: waiting.run,
    7: threads.run,
    8: feedwaits.run,
}
LIBRARIES = ("smartdc", "urllib3", "cryptography", "attrs", "cattrs")


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            lines = cpuinfo.read().splitlines()
    except OSError:
        return platform.processor() or "unknown"
    names = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
    return f"{names[0]} ({len(names)} logical CPUs)" if names else "unknown"


def versions() -> str:
    found = []
    for name in LIBRARIES:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return ", ".join(found)


def run_all(
    only: Sequence[int], *, smoke: bool, waits: Sequence[float], progress: TextIO
) -> tuple[list[Section], float]:
    sections = []
    start = time.perf_counter()
    # Byte-compile the package as an install would: with stale or missing .pyc files (for example
    # PYTHONDONTWRITEBYTECODE after a regeneration) every process would pay for compiling.
    compileall.compile_dir(str(Path(smartdc.__file__).parent), quiet=1)
    for number in only:
        began = time.perf_counter()
        print(f"benchmark {number}...", file=progress, flush=True)
        if number == 6:
            section = BENCHMARKS[number](smoke=smoke, seconds=waits)
        else:
            section = BENCHMARKS[number](smoke=smoke)
        print(f"  {time.perf_counter() - began:.1f} s", file=progress, flush=True)
        sections.append(section)
    return sections, time.perf_counter() - start


def render(sections: Sequence[Section], elapsed: float, *, smoke: bool) -> str:
    lines = [
        "# smartdc benchmark results",
        "",
        "Written by `make bench` (`python -m bench`)"
        + (" in --smoke mode: figures are meaningless" if smoke else "")
        + f" on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {elapsed:.0f} s in all.",
        "",
        f"* CPU: {cpu_model()}",
        f"* Python {sys.version.split()[0]} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.release()}",
        f"* {versions()}",
        "",
        "## Targets",
        "",
        "| target | met | figure |",
        "|---|---|---|",
    ]
    for section in sections:
        for name, met, figure in section.targets:
            verdict = "n/a" if met is None else ("yes" if met else "**no**")
            lines.append(f"| {name} | {verdict} | {figure} |")
    for section in sections:
        lines += ["", f"## {section.title}", "", *section.lines]
    history = Path(__file__).resolve().parent / "HISTORY.md"
    if history.exists():  # hand-kept before/after figures of the optimisations
        lines += ["", *history.read_text().rstrip().splitlines()]
    return "\n".join(lines) + "\n"
