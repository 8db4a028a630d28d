"""Listing without models: each item as its JSON value and the text the server sent for it
(``client.meta.paginate_json``, what ``smartdc instances -j`` prints), the body parsed once."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from smartdc import CloudAPI
from smartdc.errors import InvalidResponseError
from smartdc.headers import Headers
from smartdc.runtime.jsontext import array_items
from smartdc.testing import Simulator
from smartdc.transport import Response


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator() as simulator:
        simulator.populate_machines(5)
        yield simulator


@pytest.fixture
def client(sim: Simulator) -> CloudAPI:
    return sim.client()


def test_every_item_once_with_its_text(sim: Simulator, client: CloudAPI) -> None:
    before = sim.request_count("ListMachines")
    pairs = list(client.meta.paginate_json("ListMachines", {}, page_size=2))
    assert sim.request_count("ListMachines") - before == 3  # pages of 2, 2 and 1
    assert [value["id"] for value, _ in pairs] == [m.id for m in client.list_machines()]
    for value, text in pairs:
        assert json.loads(text) == value
        assert text.startswith('{"id":') and text.endswith("}")


def test_filters_and_offset_are_the_operations(client: CloudAPI) -> None:
    everything = [value["id"] for value, _ in client.meta.paginate_json("ListMachines", {})]
    later = client.meta.paginate_json("ListMachines", {"offset": 3})
    assert [value["id"] for value, _ in later] == everything[3:]
    named = client.meta.paginate_json("ListMachines", {"name": "nosuch"})
    assert list(named) == []


def _answer(body: bytes) -> Response:
    return Response(200, Headers(), body, None, None, "GET", "/my/machines")


@pytest.mark.parametrize(
    ("body", "items"),
    [
        (b"", []),
        (b" null\n", []),
        (b"[]", []),
        (b" [ ] ", []),
        (b'[{"a":1},{"b":[2,3]}]', [({"a": 1}, '{"a":1}'), ({"b": [2, 3]}, '{"b":[2,3]}')]),
        (b'[ {"a": 1} ,\n {"b": "c"} ]', [({"a": 1}, '{"a": 1}'), ({"b": "c"}, '{"b": "c"}')]),
        (b'\xef\xbb\xbf[{"n":"caf\xc3\xa9"}]', [({"n": "caf\u00e9"}, '{"n":"caf\u00e9"}')]),
        (b'[1,"two",null]', [(1, "1"), ("two", '"two"'), (None, "null")]),
    ],
)
def test_an_array_is_split_into_its_elements(body: bytes, items: list[object]) -> None:
    assert array_items(_answer(body)) == items


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b'{"a":1}', "expected a JSON array"),
        (b"[1,2", "not valid JSON"),
        (b"[1 2]", "not valid JSON"),
        (b"[1,]", "not valid JSON"),
        (b"[1] x", "extra data"),
        (b'["\xff"]', "not valid JSON"),
        (b"[" * 100_000, "nested too deeply"),
    ],
)
def test_what_is_not_an_array_is_an_invalid_response(body: bytes, why: str) -> None:
    with pytest.raises(InvalidResponseError, match=why) as caught:
        array_items(_answer(body))
    assert caught.value.raw_body == body
    assert "GET /my/machines" in str(caught.value)
