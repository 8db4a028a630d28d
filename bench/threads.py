"""Benchmark 7: GetMachine throughput with 1, 4 and 16 threads sharing one ``CloudAPI``.

The connection pool is sized to the thread count; the server is the separate-process loopback
server of benchmark 1. Every failed request is counted (it must stay at zero).
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
from pathlib import Path

from bench.common import Section, machine_json, median, table, write_key
from bench.loopback import fixed_answer_server
from bench.overhead import ACCOUNT, MACHINE_ID


def _throughput(client: object, threads: int, per_thread: int) -> tuple[float, int]:
    failures = 0
    lock = threading.Lock()
    start_line = threading.Barrier(threads + 1)

    def worker() -> None:
        nonlocal failures
        start_line.wait()
        for _ in range(per_thread):
            try:
                client.get_machine(MACHINE_ID)  # type: ignore[attr-defined]
            except Exception:
                with lock:
                    failures += 1

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in workers:
        thread.start()
    start_line.wait()
    start = time.perf_counter()
    for thread in workers:
        thread.join()
    return threads * per_thread / (time.perf_counter() - start), failures


def run(*, smoke: bool = False) -> Section:
    from smartdc import CloudAPI
    from smartdc.config import Config

    section = Section("7. Threads sharing one client (GetMachine throughput)")
    body = json.dumps(machine_json(1) | {"id": MACHINE_ID}).encode()
    counts = (1, 4) if smoke else (1, 4, 16)
    total = 8 if smoke else 3200
    rounds = 1 if smoke else 3
    rows = []
    all_failures = 0
    with tempfile.TemporaryDirectory(prefix="bench-keys-") as directory:
        key = write_key(Path(directory), "RSA-2048")
        with fixed_answer_server(body) as url:
            for threads in counts:
                config = Config(
                    url=url, account=ACCOUNT, secret=key, pool_maxsize=threads, environ={}
                )
                client = CloudAPI(config)
                _throughput(client, threads, 2)  # warm up: one connection per thread
                samples = [_throughput(client, threads, total // threads) for _ in range(rounds)]
                client.close()
                failures = sum(f for _, f in samples)
                all_failures += failures
                rows.append(
                    [threads, f"{median([r for r, _ in samples]):.0f}", failures, rounds * total]
                )
    section.lines.append(
        f"Requests/second (wall), medians of {rounds} runs of {total} requests; pool_maxsize = threads."
    )
    section.lines.append("")
    section.lines += table(["threads", "requests/s", "failed", "requests sent"], rows)
    section.target("7 no failed request", all_failures == 0, f"{all_failures} failed")
    return section
