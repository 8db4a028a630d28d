"""Paginators end, and never yield an item twice, whatever the server does with offset and limit.

Each case is a real server behaviour made by wrapping the simulator's own ListMachines handler:
CloudAPI passes offset/limit to VMAPI, which ignores both when filtering by tags (``tag.*``,
``tags=*``); a proxy or a retried request may repeat a page; a server may send no
``x-query-limit``.
"""

from __future__ import annotations

import itertools
import json
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import pytest

from smartdc import CloudAPI
from smartdc.errors import CloudAPIError
from smartdc.runtime.jsonvalues import strict_decoding
from smartdc.testing import Simulator
from smartdc.testing.router import SimRequest, SimResponse

from .conftest import override_route, watch_route

Hook = Callable[[SimRequest, Callable[[SimRequest], SimResponse]], SimResponse]


# More requests than any case here needs: past it the route answers an empty page, which ends any
# listing, so a paginator that loops fails its assertions at once, not at pytest's 300 s timeout.
MAX_CALLS = 20


def _wrap(sim: Simulator, name: str, hook: Hook) -> None:
    original = next(r for r in sim.router.routes if r.name == name).handler
    calls = itertools.count(1)

    def bounded(request: SimRequest) -> SimResponse:
        if next(calls) > MAX_CALLS:
            return SimResponse(200, body=b"[]", content_type="application/json")
        return hook(request, original)

    override_route(sim, name, bounded)


def _without(request: SimRequest, *names: str) -> SimRequest:
    return attrs.evolve(request, query={k: v for k, v in request.query.items() if k not in names})


def _ids(api: CloudAPI, page_size: int, prefetch: bool = False) -> list[str]:
    if prefetch:  # the next page asked for while this one is read (the CLI's listings)
        pages: Iterator[Any] = api.meta.paginate(
            "ListMachines", {"limit": page_size}, prefetch=True
        )
        return [m.id for m in pages]
    return [m.id for m in api.iter_list_machines(limit=page_size)]


@pytest.fixture(params=[False, True], ids=["in-turn", "prefetched"])
def prefetch(request: pytest.FixtureRequest) -> bool:
    """Each server behaviour is met by both ways of paging: the same items, the same requests."""
    return bool(request.param)


def test_a_server_that_ignores_offset(
    sim: Simulator, api: CloudAPI, prefetch: bool, caplog: pytest.LogCaptureFixture
) -> None:
    sim.populate_machines(5)
    everything = [m.id for m in api.list_machines()]
    _wrap(sim, "ListMachines", lambda request, answer: answer(_without(request, "offset")))
    seen = watch_route(sim, "ListMachines")
    with caplog.at_level(logging.WARNING, logger="smartdc"):
        got = _ids(api, page_size=2, prefetch=prefetch)
    assert got == everything[:2]  # ends, no repeats
    assert len(seen) == 3  # the first page, then the same page twice (asked once more)
    assert any("offset" in r.getMessage() for r in caplog.records)  # said, not silent


def test_a_server_that_ignores_offset_and_limit(
    sim: Simulator, api: CloudAPI, prefetch: bool
) -> None:
    # VMAPI with a tag filter: every page is the whole list
    sim.populate_machines(5)
    everything = [m.id for m in api.list_machines()]
    _wrap(sim, "ListMachines", lambda request, answer: answer(_without(request, "offset", "limit")))
    seen = watch_route(sim, "ListMachines")
    assert _ids(api, page_size=2, prefetch=prefetch) == everything
    assert len(seen) == 1  # more than the limit asked for: that page was everything


def test_a_repeated_page_in_the_middle(sim: Simulator, api: CloudAPI, prefetch: bool) -> None:
    sim.populate_machines(7)
    everything = [m.id for m in api.list_machines()]
    calls = []

    def hook(request: SimRequest, answer: Callable[[SimRequest], SimResponse]) -> SimResponse:
        calls.append(request)
        if len(calls) == 2:  # the second page comes back as the first one
            return answer(_without(request, "offset"))
        return answer(request)

    _wrap(sim, "ListMachines", hook)
    got = _ids(api, page_size=2, prefetch=prefetch)
    assert got == everything  # never twice, and asked again: nothing missing
    assert len(calls) == 5  # pages 1, 1 (repeated), 2 (asked again), 3, 4


def test_a_server_without_x_query_limit(sim: Simulator, api: CloudAPI, prefetch: bool) -> None:
    sim.populate_machines(5)
    everything = [m.id for m in api.list_machines()]

    def hook(request: SimRequest, answer: Callable[[SimRequest], SimResponse]) -> SimResponse:
        response = answer(request)
        headers = {k: v for k, v in response.headers.items() if k.lower() != "x-query-limit"}
        return attrs.evolve(response, headers=headers)

    _wrap(sim, "ListMachines", hook)
    assert _ids(api, page_size=2, prefetch=prefetch) == everything
    assert _ids(api, page_size=5, prefetch=prefetch) == everything


def test_a_server_that_caps_the_limit_lower(sim: Simulator, api: CloudAPI, prefetch: bool) -> None:
    # the server applies a smaller limit than asked and says so in x-query-limit
    sim.populate_machines(7)
    everything = [m.id for m in api.list_machines()]

    def hook(request: SimRequest, answer: Callable[[SimRequest], SimResponse]) -> SimResponse:
        return answer(attrs.evolve(request, query={**request.query, "limit": "3"}))

    _wrap(sim, "ListMachines", hook)
    assert _ids(api, page_size=5, prefetch=prefetch) == everything


def test_network_ips_pages_are_filtered_after_paging(
    sim: Simulator, api: CloudAPI, prefetch: bool
) -> None:
    # CloudAPI filters NAPI's page (only used or reserved addresses): a page may be short while
    # more follow, so the paginator reads until an empty page, stepping by the limit. NAPI's
    # records of a new fabric network: gateway (reserved), two unreserved markers around the
    # provisioning range, broadcast (reserved): pages of 2 records give [gateway], [broadcast].
    network = next(n for n in api.list_networks() if n.fabric)
    everything = [ip.ip for ip in api.list_network_ips(network.id)]
    assert len(everything) == 2, "the gateway and the broadcast address are listed"
    seen = watch_route(sim, "ListNetworkIPs")
    if prefetch:
        ips: Iterator[Any] = api.meta.paginate(
            "ListNetworkIPs", {"id": network.id, "limit": 2}, prefetch=True
        )
        got = [ip.ip for ip in ips]
    else:
        got = [ip.ip for ip in api.iter_list_network_ips(network.id, limit=2)]
    assert got == everything
    assert [r.query["offset"] for r in seen] == ["0", "2", "4"]


def test_items_shifted_across_a_page_boundary_are_yielded_once() -> None:
    # A machine created during the listing pushes the rest down by one: the next page starts
    # with the last item of the one before. It is skipped, and nothing is lost.
    from smartdc.runtime.paging import PaginatorSpec, paginate

    everything = [{"id": f"m{n}"} for n in range(25)]
    shifted = [{"id": "new"}, *everything]

    def fetch(offset: int, limit: int) -> tuple[list[dict[str, str]], dict[str, str]]:
        source = everything if offset == 0 else shifted
        return source[offset : offset + limit], {}

    spec = PaginatorSpec("ListThings", "offset", "limit", 10, "x-resource-count", "x-query-limit")
    listed = [item["id"] for item in paginate(fetch, spec)]
    assert listed == [f"m{n}" for n in range(25)]


def test_a_prefetched_page_is_asked_for_while_the_one_before_is_read(
    sim: Simulator, api: CloudAPI
) -> None:
    sim.populate_machines(5)
    everything = [m.id for m in api.list_machines()]
    seen = watch_route(sim, "ListMachines")
    pages: Iterator[Any] = api.meta.paginate("ListMachines", {"limit": 2}, prefetch=True)
    first = next(pages)
    # the reader holds the first item; the second page is on its way all the same (an event
    # waited for, with a bound so that a paginator that never asks fails here)
    waited = 0.0
    while len(seen) < 2 and waited < 10:
        time.sleep(0.01)
        waited += 0.01
    assert [r.query.get("offset") for r in seen] == ["0", "2"]
    rest = [m.id for m in pages]
    assert [first.id, *rest] == everything
    assert [r.query.get("offset") for r in seen] == ["0", "2", "4"]  # nothing asked twice


def test_a_prefetched_page_that_fails_fails_where_it_would_have(
    sim: Simulator, api: CloudAPI
) -> None:
    sim.populate_machines(5)
    everything = [m.id for m in api.list_machines()]

    def hook(request: SimRequest, answer: Callable[[SimRequest], SimResponse]) -> SimResponse:
        if request.query.get("offset") == "2":
            body = b'{"code":"InternalError","message":"page lost"}'
            return SimResponse(500, body=body, content_type="application/json")
        return answer(request)

    _wrap(sim, "ListMachines", hook)
    listed: list[str] = []
    pages: Iterator[Any] = api.meta.paginate("ListMachines", {"limit": 2}, prefetch=True)
    with pytest.raises(CloudAPIError) as raised:
        for machine in pages:
            listed.append(machine.id)
    assert listed == everything[:2]  # the first page's items, then the second page's error
    assert raised.value.status == 500
    assert "page lost" in str(raised.value)


def test_a_prefetched_page_is_decoded_under_the_callers_policy(
    sim: Simulator, api: CloudAPI
) -> None:
    # the page asked for ahead is decoded in another thread: with the caller's decoding policy
    # (a context variable), not that thread's default (the suite's strict environment here)
    sim.populate_machines(4)
    everything = [m.id for m in api.list_machines()]

    def hook(request: SimRequest, answer: Callable[[SimRequest], SimResponse]) -> SimResponse:
        response = answer(request)
        if request.query.get("offset") != "2":
            return response
        machines = json.loads(json.dumps(response.body))  # the JSON value, copied
        machines[0]["memory"] = "a lot"  # not an integer: a decode problem
        return attrs.evolve(response, body=machines)

    _wrap(sim, "ListMachines", hook)
    with strict_decoding(False):
        pages: Iterator[Any] = api.meta.paginate("ListMachines", {"limit": 2}, prefetch=True)
        listed = list(pages)
    assert [m.id for m in listed] == everything
    assert [p.field for p in listed[2].decode_problems] == ["memory"]
