"""Benchmark 4: whole-process ``smartdc`` against ``triton``, command by command.

The everyday commands (``instances`` as a table, with ``-o`` and with ``-j``, ``instance get``,
``images``, ``packages``) run against the same ``smartdc sim`` process, with the same key found
in ``~/.ssh`` of a temporary HOME, in alternated pairs; wall time of the whole process
(start-up included). Targets: smartdc below triton everywhere, and within half of triton's time
at 100 machines.
"""

from __future__ import annotations

import os
import resource
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


def timed_run(command: list[str], env: dict[str, str], expect_lines: int | None = None) -> float:
    return measured_run(command, env, expect_lines)[0]


def measured_run(
    command: list[str], env: dict[str, str], expect_lines: int | None = None
) -> tuple[float, float]:
    """(wall seconds, CPU seconds: user + system) of one whole process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command[-3:])} failed: {result.stderr.strip()[-400:]}")
    lines = len(result.stdout.splitlines())
    if expect_lines is not None and lines != expect_lines:
        raise RuntimeError(f"{' '.join(command[-3:])} printed {lines} lines, not {expect_lines}")
    if expect_lines is None and not lines:
        raise RuntimeError(f"{' '.join(command[-3:])} printed nothing")
    return wall, cpu


# The floor under ``smartdc images``: a Python process doing the same by hand with our runtime
# dependencies alone (urllib3 and cryptography imported, the key loaded, one signed GET, the
# answer parsed and a line printed per image, the exit without teardown that smartdc makes).
FLOOR_IMAGES = """
import base64, json, os, sys
import urllib3
from email.utils import formatdate
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
with open(os.path.expanduser("~/.ssh/id_rsa"), "rb") as file:
    key = serialization.load_pem_private_key(
        file.read(), password=None, unsafe_skip_rsa_key_validation=True
    )
path = f"/{os.environ['SDC_ACCOUNT']}/images"
date = formatdate(usegmt=True)
text = f"date: {date}".encode()
signature = base64.b64encode(key.sign(text, padding.PKCS1v15(), hashes.SHA256())).decode()
key_id = f"/{os.environ['SDC_ACCOUNT']}/keys/{os.environ['SDC_KEY_ID']}"
authorization = f'Signature keyId="{key_id}",algorithm="rsa-sha256",signature="{signature}"'
headers = {"Date": date, "Accept-Version": "~9", "Authorization": authorization}
answer = urllib3.PoolManager().request("GET", os.environ["SDC_URL"] + path, headers=headers)
assert answer.status == 200, answer.status
for image in json.loads(answer.data):
    print(image["id"][:8], image["name"], image["version"])
sys.stdout.flush()
os._exit(0)
"""

# (label, smartdc arguments, triton arguments, lines expected: machines + this, or None: any)
COMMANDS: tuple[tuple[str, list[str], list[str], int | None], ...] = (
    ("instances", ["instances"], ["instance", "list"], 1),
    (
        "instances -o name,state,primaryIp",
        ["instances", "-o", "name,state,primaryIp"],
        ["instance", "list", "-o", "name,state,primaryIp"],
        1,
    ),
    ("instances -j", ["instances", "-j"], ["instance", "list", "-j"], 0),
    (
        "instance get NAME",
        ["instance", "get", "bulk-000003"],
        ["instance", "get", "bulk-000003"],
        None,
    ),
    ("images", ["images"], ["images"], None),
    ("packages", ["packages"], ["packages"], None),
)


def run(*, smoke: bool = False) -> Section:
    section = Section("4. Whole-process CLI: `smartdc` vs `triton`, command by command")
    missing = triton_available()
    sizes = (5,) if smoke else (100, 10_000)
    rows = []
    floor_note = ""
    for size in sizes:
        pairs = 1 if smoke else (7 if size <= 1000 else 3)
        with sim_process("--machines", str(size)) as sim, cli_home(sim) as env:
            for label, ours_args, theirs_args, extra in COMMANDS:
                ours = [*smartdc_command(), *ours_args]
                theirs = [*triton_command(), *theirs_args]
                expect = None if extra is None else size + extra
                smartdc_s: list[float] = []
                triton_s: list[float] = []
                smartdc_cpu: list[float] = []
                triton_cpu: list[float] = []
                for index in range(pairs):
                    # alternate which goes first, so neither always meets a warmer simulator
                    order = [(ours, smartdc_s, smartdc_cpu), (theirs, triton_s, triton_cpu)]
                    if missing is not None:
                        order = order[:1]
                    elif index % 2:
                        order.reverse()
                    for command, walls, cpus in order:
                        wall, cpu = measured_run(command, env, expect)
                        walls.append(wall)
                        cpus.append(cpu)
                if missing is not None:
                    rows.append(
                        [label, f"{size:,}", f"{median(smartdc_s):.2f}", "skipped", "-", "-", "-"]
                    )
                    continue
                ratio = median(triton_s) / median(smartdc_s)
                rows.append(
                    [
                        label,
                        f"{size:,}",
                        f"{median(smartdc_s):.3f}",
                        f"{median(triton_s):.3f}",
                        f"**{median(smartdc_s) / median(triton_s):.2f}x**",
                        f"{median(smartdc_cpu):.3f} / {median(triton_cpu):.3f}",
                        f"{median(smartdc_cpu) / median(triton_cpu):.2f}x",
                    ]
                )
                section.target(
                    f"4 {label} at {size:,}: smartdc faster than triton",
                    ratio > 1,
                    f"smartdc/triton {1 / ratio:.2f}x",
                )
                if size <= 100 and label == "images":
                    floors = [
                        measured_run([sys.executable, "-c", FLOOR_IMAGES], env)[0]
                        for _ in range(pairs)
                    ]
                    floor_note = (
                        f"What bounds the 0.5x target: at {size:,} machines a Python process "
                        "doing `smartdc images`'s work by hand with our runtime dependencies "
                        "alone (`FLOOR_IMAGES` in `bench/cli_compare.py`: urllib3 and "
                        "cryptography imported, the key loaded, one signed GET, json.loads, a "
                        f"line per image, no interpreter teardown) takes {median(floors):.3f} s, "
                        f"{median(floors) / median(triton_s):.2f}x triton's {median(triton_s):.3f} "
                        f"s; smartdc takes {median(smartdc_s):.3f} s, "
                        f"{median(smartdc_s) - median(floors):+.3f} s over that floor."
                    )
                if size <= 100:
                    section.target(
                        f"4 {label} at {size:,}: smartdc within 0.5x of triton",
                        ratio >= 2,
                        f"smartdc/triton {1 / ratio:.2f}x",
                    )
    if missing is not None:
        section.lines.append(f"triton CLI skipped: {missing}.")
        section.target("4 smartdc faster than triton", None, f"skipped: {missing}")
    section.lines.append(
        "Wall seconds per whole process (start-up included), medians of alternated pairs (7 at "
        "100 machines, 3 at 10,000), both CLIs against one `smartdc sim --machines N`. "
        "smartdc/triton below 1: smartdc faster; target: below 1 everywhere, at most 0.5 at 100. "
        "CPU: user + system seconds of the CLI process (the simulator's excluded), medians."
    )
    section.lines.append("")
    if floor_note:
        section.lines += [floor_note, ""]
    section.lines += table(
        [
            "command",
            "machines",
            "smartdc s",
            "triton s",
            "smartdc/triton",
            "CPU s smartdc / triton",
            "CPU smartdc/triton",
        ],
        rows,
    )
    return section
