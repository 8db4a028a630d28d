"""Benchmark 5: cold start: ``import smartdc`` (``-X importtime``) and ``smartdc --help`` wall time."""

from __future__ import annotations

import subprocess
import sys
import time

from bench.cli_compare import smartdc_command
from bench.common import Section, median, table

TARGET_IMPORT_MS = 150.0
TARGET_HELP_MS = 100.0  # issue 13: `smartdc --help` under 100 ms, whole process
HEAVY = ("cryptography", "jinja2", "yaml", "cattrs", "urllib3")


def import_time_ms() -> tuple[float, list[tuple[str, float]]]:
    """Total self+children microseconds of ``import smartdc`` and its biggest imports, in ms."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import smartdc"],
        capture_output=True,
        text=True,
        check=True,
    )
    total = 0.0
    children: list[tuple[str, float]] = []
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, _, rest = line.partition(":")
        _self, cumulative, name = rest.split("|")
        depth = (len(name) - len(name.lstrip())) // 2  # one space, then two per nesting level
        if depth == 0 and name.strip() == "smartdc":
            total = int(cumulative) / 1000
        elif depth == 1:  # imported by smartdc (or by site, listed earlier: reset below)
            children.append((name.strip(), int(cumulative) / 1000))
        elif depth == 0:
            children = []
    return total, sorted(children, key=lambda item: -item[1])[:5]


def heavy_modules_after(code: str) -> list[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    return result.stdout.split()


def help_wall() -> float:
    start = time.perf_counter()
    subprocess.run([*smartdc_command(), "--help"], capture_output=True, check=True)
    return time.perf_counter() - start


def run(*, smoke: bool = False) -> Section:
    section = Section("5. Cold start")
    runs = 1 if smoke else 9
    imports = [import_time_ms() for _ in range(runs)]
    import_ms = median([total for total, _ in imports])
    helps = [help_wall() for _ in range(runs)]
    heavy_import = heavy_modules_after("import smartdc")
    heavy_help = heavy_modules_after("import smartdc.cli.main")
    section.lines += table(
        ["measure", "median", "heavy modules loaded"],
        [
            [
                "`python -X importtime -c 'import smartdc'` (cumulative)",
                f"{import_ms:.1f} ms",
                ", ".join(heavy_import) or "none",
            ],
            [
                "`smartdc --help` whole process",
                f"{median(helps) * 1000:.0f} ms",
                (", ".join(heavy_help) or "none") + " (after `import smartdc.cli.main`)",
            ],
        ],
    )
    section.lines.append("")
    biggest = ", ".join(f"{name} {ms:.1f} ms" for name, ms in imports[-1][1])
    section.lines.append(
        f"Medians of {runs} runs. What `import smartdc` imports, biggest first: {biggest}."
    )
    section.target(
        f"5 import smartdc <= {TARGET_IMPORT_MS:.0f} ms",
        import_ms <= TARGET_IMPORT_MS,
        f"{import_ms:.1f} ms",
    )
    help_ms = median(helps) * 1000
    section.target(
        f"5 `smartdc --help` whole process < {TARGET_HELP_MS:.0f} ms",
        help_ms < TARGET_HELP_MS,
        f"{help_ms:.0f} ms",
    )
    section.target(
        "5 nothing heavy on `import smartdc`", not heavy_import, ", ".join(heavy_import) or "none"
    )
    return section
