"""Benchmark 7: GetMachine throughput with 1, 4 and 16 threads sharing one ``CloudAPI``.

The connection pool is sized to the thread count; the server is the separate-process loopback
server of benchmark 1. Every failed request is counted (it must stay at zero). Besides requests
per second (wall), the client's CPU per request (``process_time``) is reported: contention in
the client (locks, pool, GIL hand-offs) shows there as well, and it depends less than wall time on
what else the machine runs. Reproduce: ``python -m bench --only 7``.
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

TARGET = 0.9  # issue 21: throughput at 16 threads >= 0.9x one thread


class _PlainUrllib3:
    """The baseline: plain urllib3 sharing one pool among the threads, with our client's
    timeouts (10 s connect, 60 s read: sockets with timeouts), the same headers and a
    precomputed Authorization, then ``json.loads``: what any client on urllib3 pays."""

    def __init__(self, url: str, threads: int, headers: dict[str, str]) -> None:
        import urllib3

        self._pool = urllib3.PoolManager(
            maxsize=threads, retries=False, timeout=urllib3.Timeout(10, 60)
        )
        self._url = f"{url}/{ACCOUNT}/machines/"
        self._headers = headers

    def get_machine(self, machine: str) -> object:
        answer = self._pool.request("GET", self._url + machine, headers=self._headers)
        return json.loads(answer.data)

    def close(self) -> None:
        self._pool.clear()


def _throughput(client: object, threads: int, per_thread: int) -> tuple[float, int, float]:
    """Requests per second (wall), failures, client CPU seconds per request."""
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
    start, cpu = time.perf_counter(), time.process_time()
    for thread in workers:
        thread.join()
    count = threads * per_thread
    cpu = time.process_time() - cpu
    return count / (time.perf_counter() - start), failures, cpu / count


def run(*, smoke: bool = False) -> Section:
    from email.utils import formatdate

    from smartdc import CloudAPI
    from smartdc.config import Config

    section = Section("7. Threads sharing one client (GetMachine throughput)")
    body = json.dumps(machine_json(1) | {"id": MACHINE_ID}).encode()
    counts = (1, 4) if smoke else (1, 4, 16)
    total = 8 if smoke else 3200
    rounds = 1 if smoke else 7
    rows: list[list[object]] = []
    all_failures = 0
    plain_ratio = 0.0
    with tempfile.TemporaryDirectory(prefix="bench-keys-") as directory:
        key = write_key(Path(directory), "RSA-2048")
        with fixed_answer_server(body) as url:
            clients = {}
            for threads in counts:
                config = Config(
                    url=url, account=ACCOUNT, secret=key, pool_maxsize=threads, environ={}
                )
                clients[threads] = CloudAPI(config)
                _throughput(clients[threads], threads, 2)  # warm up: one connection per thread
            date = formatdate(usegmt=True)
            transport = clients[counts[0]].meta.transport
            headers = {
                "Accept": "application/json",
                "Accept-Version": transport.accept_version or "",
                "User-Agent": "bench",
                "Date": date,
                "Authorization": transport.signer.authorization(
                    "GET", f"/{ACCOUNT}/machines/{MACHINE_ID}", date
                ),
            }
            plains = {n: _PlainUrllib3(url, n, headers) for n in counts}
            for threads, plain in plains.items():
                _throughput(plain, threads, 2)
            samples: dict[int, list[tuple[float, int, float]]] = {n: [] for n in counts}
            baseline: dict[int, list[tuple[float, int, float]]] = {n: [] for n in counts}
            for _ in range(rounds):  # alternated, so that every count sees the same load
                for threads in counts:
                    samples[threads].append(
                        _throughput(clients[threads], threads, total // threads)
                    )
                    baseline[threads].append(
                        _throughput(plains[threads], threads, total // threads)
                    )
            for client in clients.values():
                client.close()
            for plain in plains.values():
                plain.close()
    plain_rows: list[list[object]] = []
    plain_one = baseline[counts[0]]
    for threads in counts:
        runs = baseline[threads]
        ratio = median([r / base for (r, _, _), (base, _, _) in zip(runs, plain_one, strict=True)])
        cpu_ratio = median(
            [c / base for (_, _, c), (_, _, base) in zip(runs, plain_one, strict=True)]
        )
        all_failures += sum(f for _, f, _ in runs)
        plain_rows.append(
            [
                f"urllib3 alone, {threads}",
                f"{median([r for r, _, _ in runs]):.0f}",
                f"{ratio:.2f}x",
                f"{median([c for _, _, c in runs]) * 1e6:.0f}",
                f"{cpu_ratio:.2f}x",
                sum(f for _, f, _ in runs),
                rounds * total,
            ]
        )
        if threads == counts[-1]:
            plain_ratio = ratio
    one = samples[counts[0]]
    for threads in counts:
        runs = samples[threads]
        failures = sum(f for _, f, _ in runs)
        all_failures += failures
        ratio = median([r / base for (r, _, _), (base, _, _) in zip(runs, one, strict=True)])
        cpu_ratio = median([c / base for (_, _, c), (_, _, base) in zip(runs, one, strict=True)])
        rows.append(
            [
                threads,
                f"{median([r for r, _, _ in runs]):.0f}",
                f"**{ratio:.2f}x**",
                f"{median([c for _, _, c in runs]) * 1e6:.0f}",
                f"{cpu_ratio:.2f}x",
                failures,
                rounds * total,
            ]
        )
        if threads == counts[-1]:
            section.target(
                f"7 throughput at {threads} threads >= {TARGET}x one thread",
                ratio >= TARGET,
                f"{ratio:.2f}x (client CPU per request {cpu_ratio:.2f}x; urllib3 alone "
                f"{plain_ratio:.2f}x)",
            )
    rows += plain_rows
    section.lines.append(
        f"Requests/second (wall) and client CPU per request, medians of {rounds} alternated runs "
        f"of {total} requests; ratios are medians of the per-run ratios to one thread; "
        "pool_maxsize = threads. `urllib3 alone` rows: the same requests through one plain "
        "urllib3 PoolManager shared by the threads, with our timeouts (sockets with timeouts: "
        "CPython polls before each send and receive, one more GIL hand-off each), the same "
        "headers and a precomputed signature, then json.loads: the floor of any client on "
        "urllib3; alternated with ours. Reproduce: `python -m bench --only 7`."
    )
    section.lines.append("")
    section.lines += table(
        [
            "threads",
            "requests/s",
            "vs 1 thread",
            "client CPU us/request",
            "vs 1 thread",
            "failed",
            "requests sent",
        ],
        rows,
    )
    section.target("7 no failed request", all_failures == 0, f"{all_failures} failed")
    return section
