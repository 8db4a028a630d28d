"""Benchmark 5: cold start: ``import smartdc`` (``-X importtime``), ``smartdc --help`` wall time,
and what a first call loads (``from smartdc import CloudAPI`` + ``list_machines()``)."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from bench.cli_compare import smartdc_command
from bench.common import Section, median, table
from bench.simproc import SimProcess, sim_process

TARGET_IMPORT_MS = 150.0
TARGET_HELP_MS = 100.0  # issue 13: `smartdc --help` under 100 ms, whole process
HEAVY = ("cryptography", "jinja2", "yaml", "cattrs", "urllib3")
# issue 13: "a command should load only the parts of the generated client it uses"
MACHINES_GROUP = {"operations.machines", "models.machines", "models.nics"}
FIRST_CALL = """
import json, sys, time
started = time.perf_counter()
from smartdc import CloudAPI
imported = time.perf_counter()
CloudAPI(secret=sys.argv[1]).list_machines()
called = time.perf_counter()
generated = sorted(
    name.removeprefix("smartdc._generated.")
    for name in sys.modules
    if name.startswith(("smartdc._generated.operations.", "smartdc._generated.models."))
)
print(json.dumps([imported - started, called - imported, generated]))
"""


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


def first_call(sim: SimProcess) -> tuple[float, float, list[str]]:
    """Seconds to import CloudAPI, seconds of the first list_machines (key load and signing
    included), and the generated group modules loaded by then."""
    result = subprocess.run(
        [sys.executable, "-c", FIRST_CALL, sim.key_path],
        capture_output=True,
        text=True,
        check=True,
        env={**sim.env, "HOME": "/nonexistent"},
    )
    imported, called, generated = json.loads(result.stdout)
    return imported, called, generated


def run(*, smoke: bool = False) -> Section:
    section = Section("5. Cold start")
    runs = 1 if smoke else 9
    imports = [import_time_ms() for _ in range(runs)]
    import_ms = median([total for total, _ in imports])
    helps = [help_wall() for _ in range(1 if smoke else 20)]
    with sim_process("--machines", "100") as sim:
        calls = [first_call(sim) for _ in range(runs)]
    loaded = calls[-1][2]
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
        f"Medians of {runs} runs ({len(helps)} of `--help`). What `import smartdc` imports, "
        f"biggest first: {biggest}."
    )
    section.lines.append("")
    section.lines += table(
        ["first call (100 machines)", "import ms", "call ms", "generated modules loaded"],
        [
            [
                "`from smartdc import CloudAPI`, then `list_machines()`",
                f"{median([c[0] for c in calls]) * 1000:.0f}",
                f"{median([c[1] for c in calls]) * 1000:.0f}",
                ", ".join(loaded) or "none",
            ]
        ],
    )
    section.lines.append("")
    section.lines.append(
        f"Medians of {runs} processes against `smartdc sim --machines 100`; the call includes "
        "loading the key and signing. A group's decoders and models are imported on the first "
        "call of one of its methods."
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
    section.target(
        "5 a first `list_machines()` loads only the Machines group of the generated client",
        set(loaded) <= MACHINES_GROUP,
        f"{len(loaded)} generated group modules",
    )
    return section
