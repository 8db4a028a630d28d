"""Benchmark 8: waits that listen to the changefeed against waits that poll.

Each case runs its own simulator (real clock: the feed is a real-time thing) with one provisioning
time (30 s by default) and counts the requests it served:

* one machine: ``wait_machine_running`` after CreateMachine (GetMachine requests, detection delay:
  from the state change to the waiter returning);
* 100 machines: ``wait_all(machines, "running")`` (ListMachines and GetMachine requests, delay from
  the last machine's change to the return).

Every case runs at the same time, in threads, to keep the wall time near one provisioning time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from bench.common import Section, table

IMAGE, PACKAGE = "base-64-lts", "g4-highcpu-1G"


def _simulator(seconds: float) -> Any:
    from smartdc.testing import Simulator
    from smartdc.testing.state import Settings

    return Simulator(settings=Settings(provision_seconds=seconds))


def one(seconds: float, feed: bool) -> dict[str, Any]:
    with _simulator(seconds) as sim:
        client = sim.client(changefeed_waits=feed)
        image = client.list_images(name=IMAGE)[0].id
        machine = client.create_machine(image=image, package=PACKAGE, name="wait-one")
        before = sim.request_count("GetMachine")
        client.wait_machine_running(machine.id, timeout=seconds * 2 + 60)
        returned = time.time()
        ready = machine.created.timestamp() + seconds
        client.close()
        return {"delay": returned - ready, "get": sim.request_count("GetMachine") - before}


def many(seconds: float, feed: bool, count: int) -> dict[str, Any]:
    from smartdc.facade import wait_all

    with _simulator(seconds) as sim:
        dc = sim.datacenter(changefeed_waits=feed)
        machines = [dc.create_machine(name=f"wait-{n}") for n in range(count)]
        before_list, before_get = sim.request_count("ListMachines"), sim.request_count("GetMachine")
        wait_all(machines, "running", timeout=seconds * 2 + 120)
        returned = time.time()
        ready = max(m.created.timestamp() for m in machines if m.created is not None) + seconds
        dc.close()
        return {
            "delay": returned - ready,
            "list": sim.request_count("ListMachines") - before_list,
            "get": sim.request_count("GetMachine") - before_get,
        }


def run(*, smoke: bool = False, seconds: float = 30.0, count: int = 100) -> Section:
    section = Section("8. Waits on the changefeed against polling (real clock, simulator counters)")
    if smoke:
        seconds, count = 0.5, 3
    jobs: dict[str, Callable[[], dict[str, Any]]] = {
        "one, polling": lambda: one(seconds, False),
        "one, changefeed": lambda: one(seconds, True),
        f"{count}, polling": lambda: many(seconds, False, count),
        f"{count}, changefeed": lambda: many(seconds, True, count),
    }
    results: dict[str, dict[str, Any]] = {}

    def work(name: str, job: Callable[[], dict[str, Any]]) -> None:
        try:
            results[name] = job()
        except Exception as exc:  # reported in the table, the other cases go on
            results[name] = {"error": f"{type(exc).__name__}: {exc}"}

    threads = [threading.Thread(target=work, args=item) for item in jobs.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rows = []
    for name in jobs:
        got = results[name]
        if "error" in got:
            rows.append([name, got["error"], "", ""])
            continue
        requests = f"{got['get']} GetMachine" + (
            f", {got['list']} ListMachines" if "list" in got else ""
        )
        rows.append([name, f"{seconds:g}", f"{got['delay'] * 1000:.0f}", requests])
    fed, polled = results["one, changefeed"], results["one, polling"]
    if "error" not in fed:
        section.target(
            "8 one wait on the changefeed: detection under 100 ms",
            fed["delay"] < 0.1,
            f"{fed['delay'] * 1000:.0f} ms",
        )
        section.target(
            "8 one wait on the changefeed: at most 2 GetMachine",
            fed["get"] <= 2,
            f"{fed['get']} (polling: {polled.get('get', '-')})",
        )
    group = results[f"{count}, changefeed"]
    if "error" not in group:
        section.target(
            f"8 wait_all over {count} on the changefeed: detection under 100 ms",
            group["delay"] < 0.1,
            f"{group['delay'] * 1000:.0f} ms",
        )
    section.lines.append(
        f"Provisioning takes {seconds:g} s. Delay: from the (last) state change to the wait "
        "returning, in ms. Requests: what the waits sent (the creations excluded)."
    )
    section.lines.append("")
    section.lines += table(["wait", "provision s", "delay ms", "requests"], rows)
    return section
