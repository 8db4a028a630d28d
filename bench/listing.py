"""Benchmark 3: iterating ``DataCenter.machines()`` over 10,000 and 100,000 simulated machines.

The simulator runs as ``smartdc sim --machines N`` in another process, so tracemalloc sees only
the client. One pass measures wall time (no tracing), another the traced peak: flat peak memory
means one page is held at a time, whatever the count.
"""

from __future__ import annotations

import time
import tracemalloc

from bench.common import Section, table
from bench.simproc import sim_process


def _iterate(sim_url: str, account: str, key_id: str, key_path: str) -> int:
    from smartdc import DataCenter

    dc = DataCenter(url=sim_url, account=account, key_id=key_id, secret=key_path, environ={})
    count = 0
    for _machine in dc.machines():
        count += 1
    dc.close()
    return count


def run(*, smoke: bool = False) -> Section:
    import smartdc.facade  # noqa: F401  (imported before timing: not part of the listing)

    section = Section("3. Listing at scale (`dc.machines()` over `smartdc sim --machines N`)")
    sizes = (150, 300) if smoke else (10_000, 100_000)
    rows = []
    peaks = []
    for size in sizes:
        with sim_process("--machines", str(size)) as sim:
            args = (sim.url, sim.account, sim.key_id, sim.key_path)
            start, cpu_start = time.perf_counter(), time.process_time()
            count = _iterate(*args)
            wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
            tracemalloc.start()
            traced = _iterate(*args)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        if count != size or traced != size:
            raise RuntimeError(f"listed {count}/{traced} machines of {size}")
        peaks.append(peak)
        rows.append(
            [
                f"{size:,}",
                f"{wall:.2f}",
                f"{wall / size * 1000 * 1000:.0f}",
                f"{cpu / size * 1000 * 1000:.0f}",
                f"{peak / 2**20:.1f}",
            ]
        )
    growth = peaks[-1] / peaks[0]
    section.lines += table(
        [
            "machines",
            "wall s",
            "wall ms per 1,000",
            "client CPU ms per 1,000",
            "peak traced MiB (client)",
        ],
        rows,
    )
    section.lines.append("")
    section.lines.append(
        f"Peak memory grows {growth:.2f}x for {sizes[-1] // sizes[0]}x the machines "
        "(pages of 1,000; the default page size of the server). Wall time includes the "
        "simulator's work on its side; client CPU is this process only."
    )
    section.target("3 peak memory flat (<= 1.5x for 10x machines)", growth <= 1.5, f"{growth:.2f}x")
    return section
