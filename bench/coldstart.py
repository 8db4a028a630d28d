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
TARGET_FIRST_CALL_MS = 60.0  # issue 21: from smartdc import CloudAPI + a first list_machines()
FIRST_CALL = """
import json, sys, time
started, cpu = time.perf_counter(), time.process_time()
from smartdc import CloudAPI
imported = time.perf_counter()
CloudAPI(secret=sys.argv[1]).list_machines()
called, cpu = time.perf_counter(), time.process_time() - cpu
generated = sorted(
    name.removeprefix("smartdc._generated.")
    for name in sys.modules
    if name.startswith(("smartdc._generated.operations.", "smartdc._generated.models."))
)
print(json.dumps([imported - started, called - imported, generated, cpu]))
"""
# The floor under FIRST_CALL: the same work done by hand with our runtime dependencies only
# (import urllib3, attrs and cryptography, load the key, sign, one GET, json.loads).
FLOOR_CALL = """
import json, sys, time
started, cpu = time.perf_counter(), time.process_time()
import attrs, base64, logging, os
import urllib3
from email.utils import formatdate
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
imported = time.perf_counter()
with open(sys.argv[1], "rb") as file:
    key = serialization.load_pem_private_key(
        file.read(), password=None, unsafe_skip_rsa_key_validation=True
    )
path = f"/{os.environ['SDC_ACCOUNT']}/machines"
date = formatdate(usegmt=True)
text = f"(request-target): get {path}\\ndate: {date}".encode()
signature = base64.b64encode(key.sign(text, padding.PKCS1v15(), hashes.SHA256())).decode()
key_id = f"/{os.environ['SDC_ACCOUNT']}/keys/{os.environ['SDC_KEY_ID']}"
authorization = (
    f'Signature keyId="{key_id}",algorithm="rsa-sha256",headers="(request-target) date",'
    f'signature="{signature}"'
)
headers = {"Date": date, "Accept-Version": "~9", "Authorization": authorization}
answer = urllib3.PoolManager().request("GET", os.environ["SDC_URL"] + path, headers=headers)
assert answer.status == 200, answer.status
machines = json.loads(answer.data)
called, cpu = time.perf_counter(), time.process_time() - cpu
print(json.dumps([imported - started, called - imported, [len(machines)], cpu]))
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


def first_call(sim: SimProcess, code: str = FIRST_CALL) -> tuple[float, float, list[str], float]:
    """Seconds to import CloudAPI, seconds of the first list_machines (key load and signing
    included), the generated group modules loaded by then, and the process's CPU seconds for
    both (``FLOOR_CALL``: the same by hand with the dependencies)."""
    result = subprocess.run(
        [sys.executable, "-c", code, sim.key_path],
        capture_output=True,
        text=True,
        check=True,
        env={**sim.env, "HOME": "/nonexistent"},
    )
    imported, called, generated, cpu = json.loads(result.stdout)
    return imported, called, generated, cpu


def run(*, smoke: bool = False) -> Section:
    section = Section("5. Cold start")
    runs = 1 if smoke else 9
    imports = [import_time_ms() for _ in range(runs)]
    import_ms = median([total for total, _ in imports])
    helps = [help_wall() for _ in range(1 if smoke else 20)]
    with sim_process("--machines", "100") as sim:
        calls, floors = [], []
        for _ in range(1 if smoke else 15):  # alternated: the floor and ours see the same load
            calls.append(first_call(sim))
            floors.append(first_call(sim, FLOOR_CALL))
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
    total_ms = median([c[0] + c[1] for c in calls]) * 1000
    floor_ms = median([c[0] + c[1] for c in floors]) * 1000
    section.lines += table(
        [
            "first call (100 machines)",
            "import ms",
            "call ms",
            "import + call ms (wall)",
            "CPU ms",
            "generated modules loaded",
        ],
        [
            [
                "`from smartdc import CloudAPI`, then `list_machines()`",
                f"{median([c[0] for c in calls]) * 1000:.0f}",
                f"{median([c[1] for c in calls]) * 1000:.0f}",
                f"**{total_ms:.0f}**",
                f"{median([c[3] for c in calls]) * 1000:.0f}",
                ", ".join(loaded) or "none",
            ],
            [
                "floor: the same by hand with urllib3, attrs and cryptography",
                f"{median([c[0] for c in floors]) * 1000:.0f}",
                f"{median([c[1] for c in floors]) * 1000:.0f}",
                f"{floor_ms:.0f}",
                f"{median([c[3] for c in floors]) * 1000:.0f}",
                "-",
            ],
        ],
    )
    section.lines.append("")
    section.lines.append(
        f"Medians of {len(calls)} alternated pairs of fresh processes against `smartdc sim "
        "--machines 100`, timed from inside the process (interpreter start-up and `site` not "
        "counted); the call includes loading the key and signing. A group's decoders and models "
        "are imported on the first call of one of its methods. The floor imports our runtime "
        "dependencies, loads the key, signs and sends one GET with urllib3 and parses it with "
        f"`json.loads`: what any client built on them pays. Above the floor: "
        f"{total_ms - floor_ms:.0f} ms. Reproduce: `python -m bench --only 5`."
    )
    section.target(
        f"5 `from smartdc import CloudAPI` + first `list_machines()` <= {TARGET_FIRST_CALL_MS:.0f} ms",
        total_ms <= TARGET_FIRST_CALL_MS,
        f"{total_ms:.0f} ms (floor of the dependencies alone: {floor_ms:.0f} ms)",
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
