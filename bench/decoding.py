"""Benchmark 2: typed decoding of ListMachines pages against ``json.loads`` of the same bytes.

"Ours" is what the client does with a page: ``json.loads`` of the body (the transport) plus the
generated decoder ``result_list_machines`` (models built by straight-line ``from_json``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from bench.common import Section, alternate, machine_json, median, table

TARGET = 2.0


def _page(start: int, count: int) -> bytes:
    return json.dumps([machine_json(i) for i in range(start, start + count)]).encode()


def _timed(action: Callable[[], object], repeat: int) -> Callable[[], float]:
    def sample() -> float:
        start = time.perf_counter()
        for _ in range(repeat):
            action()
        return (time.perf_counter() - start) / repeat

    return sample


def run(*, smoke: bool = False) -> Section:
    from smartdc._generated.operations.machines import result_list_machines
    from smartdc.headers import Headers
    from smartdc.transport import Response

    section = Section("2. Typed decoding (ListMachines pages)")
    page_size, pages = (10, 2) if smoke else (1000, 10)
    bodies = [_page(p * page_size, page_size) for p in range(pages)]
    headers = Headers({"Content-Type": "application/json"})

    def decode(body: bytes) -> object:
        response = Response(200, headers, body, json.loads(body), None, "GET", "/a/machines")
        return result_list_machines(response)

    def loads_all() -> object:
        return [json.loads(body) for body in bodies]

    def decode_all() -> object:
        return [decode(body) for body in bodies]

    first = bodies[0]
    models = decode(first)
    assert isinstance(models, list) and len(models) == page_size
    rounds = 1 if smoke else 9
    cases = [
        (
            f"1 page of {page_size}",
            lambda: json.loads(first),
            lambda: decode(first),
            1 if smoke else 5,
        ),
        (f"{page_size * pages} in {pages} pages", loads_all, decode_all, 1),
    ]
    rows = []
    for name, plain, ours, repeat in cases:
        plain_s, ours_s = alternate([_timed(plain, repeat), _timed(ours, repeat)], rounds)
        ratio = median([a / b for a, b in zip(ours_s, plain_s, strict=True)])
        rows.append(
            [
                name,
                f"{median(plain_s) * 1e3:.1f}",
                f"{median(ours_s) * 1e3:.1f}",
                f"**{ratio:.2f}x**",
            ]
        )
        section.target(f"2 decode {name} <= {TARGET}x json.loads", ratio <= TARGET, f"{ratio:.2f}x")
    section.lines.append(
        f"{len(first)} bytes per page of {page_size} machines (2 NICs, 3 tags, 3 metadata keys each). "
        f"Wall time, medians of {rounds} alternated rounds."
    )
    section.lines.append("")
    section.lines += table(["case", "json.loads ms", "json.loads + models ms", "ratio"], rows)
    section.lines.append("")
    section.lines.append(
        "Converter: the client does not go through cattrs per call; each operation's decoder calls "
        "the generated `from_json` directly. `smartdc._generated.converter.converter` is built once "
        "at import and reused (it delegates to the same `from_json`)."
    )
    return section
