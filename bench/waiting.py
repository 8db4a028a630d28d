"""Benchmark 6: waiting for a machine to provision: requests made and detection delay.

For each provisioning time, one simulator (real clock) runs our ``wait_machine_running`` and another
``triton instance create -w``; all cases run at once, in threads, to save wall time. The delay is
the time from the simulated change (``created`` + provisioning time) to the waiter returning (for
triton: to its process exiting). Requests are counted by the simulator.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from bench.cli_compare import cli_home, triton_command
from bench.common import Section, table, triton_available
from bench.simproc import SimProcess

IMAGE, PACKAGE = "base-64-lts", "g4-highcpu-1G"


def _simulator(seconds: float) -> Any:
    from smartdc.testing import Simulator
    from smartdc.testing.state import Settings

    return Simulator(settings=Settings(provision_seconds=seconds))


def ours(seconds: float) -> dict[str, Any]:
    with _simulator(seconds) as sim:
        client = sim.client()
        image = client.list_images(name=IMAGE)[0].id
        before_get, before_all = sim.request_count("GetMachine"), sim.request_count()
        machine = client.create_machine(image=image, package=PACKAGE, name="wait-ours")
        client.wait_machine_running(machine.id, timeout=seconds * 2 + 60)
        returned = time.time()
        ready = machine.created.timestamp() + seconds
        client.close()
        return {
            "delay": returned - ready,
            "polls": sim.request_count("GetMachine") - before_get,
            "requests": sim.request_count() - before_all,
        }


def triton(seconds: float) -> dict[str, Any]:
    with _simulator(seconds) as sim:
        proc = SimProcess(sim.url, sim.account, sim.key_id, sim.key_path)
        with cli_home(proc) as env:
            before_get, before_all = sim.request_count("GetMachine"), sim.request_count()
            command = [*triton_command(), "instance", "create", "-w", "-n", "wait-triton"]
            result = subprocess.run(
                [*command, IMAGE, PACKAGE],
                env=env,
                capture_output=True,
                text=True,
                timeout=seconds * 3 + 120,
            )
            returned = time.time()
            if result.returncode != 0:
                raise RuntimeError(f"triton instance create -w failed: {result.stderr[-400:]}")
            polls = sim.request_count("GetMachine") - before_get
            requests = sim.request_count() - before_all
        client = sim.client()
        created = client.list_machines(name="wait-triton")[0].created.timestamp()
        client.close()
        return {"delay": returned - (created + seconds), "polls": polls, "requests": requests}


def run(*, smoke: bool = False, seconds: Sequence[float] = (5, 30, 120)) -> Section:
    section = Section("6. Waiting for provisioning (real clock, simulator counters)")
    if smoke:
        seconds = (0.5,)
    missing = triton_available()
    jobs: list[tuple[str, float, Callable[[float], dict[str, Any]]]] = [
        ("smartdc", s, ours) for s in seconds
    ]
    if missing is None:
        jobs += [("triton", s, triton) for s in seconds]
    results: dict[tuple[str, float], dict[str, Any]] = {}

    def work(name: str, s: float, job: Callable[[float], dict[str, Any]]) -> None:
        try:
            results[(name, s)] = job(s)
        except Exception as exc:  # reported in the table, the other cases go on
            results[(name, s)] = {"error": f"{type(exc).__name__}: {exc}"}

    threads = [threading.Thread(target=work, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rows = []
    for s in seconds:
        mine = results[("smartdc", s)]
        theirs = results.get(("triton", s), {"error": f"skipped: {missing}"})
        if "error" in mine:
            rows.append([f"{s:g}", mine["error"], "", "", "", ""])
            section.target(f"6 wait {s:g} s", False, mine["error"])
            continue
        bound = 1 + 0.05 * s
        fewer = "error" not in theirs and mine["polls"] < theirs["polls"]
        rows.append(
            [
                f"{s:g}",
                f"{mine['delay']:.2f}",
                f"{mine['polls']} ({mine['requests']})",
                theirs.get("error") or f"{theirs['delay']:.2f}",
                "" if "error" in theirs else f"{theirs['polls']} ({theirs['requests']})",
                f"{bound:.2f}",
            ]
        )
        section.target(
            f"6 wait {s:g} s: delay <= {bound:.2f} s",
            mine["delay"] <= bound,
            f"{mine['delay']:.2f} s",
        )
        section.target(
            f"6 wait {s:g} s: fewer GetMachine than triton",
            None if "error" in theirs else fewer,
            f"{mine['polls']} vs {theirs.get('polls', '-')}",
        )
    section.lines.append(
        "Delay: seconds from the state change to the waiter returning (triton: its process exiting). "
        "Requests: GetMachine polls (all requests of the create-and-wait in parentheses; triton's "
        "include its profile/image/package look-ups)."
    )
    section.lines.append("")
    section.lines += table(
        [
            "provision s",
            "smartdc delay s",
            "smartdc polls (all)",
            "triton delay s",
            "triton polls (all)",
            "target delay s",
        ],
        rows,
    )
    return section
