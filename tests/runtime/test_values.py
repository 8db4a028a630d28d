"""Paths, JSON values and argument checks of the runtime."""

from __future__ import annotations

from datetime import timezone
from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartdc._generated.enums import MachineState
from smartdc._generated.models import Machine
from smartdc._generated.service import SERVICE
from smartdc.errors import ArgumentError, InvalidResponseError
from smartdc.runtime.jsonvalues import Timestamp, e_datetime
from smartdc.runtime.paging import PaginatorSpec, paginate
from smartdc.runtime.paths import expand_path
from smartdc.runtime.validate import check_arguments


@given(st.text(min_size=1))
def test_any_path_value_stays_one_segment_and_decodes_back(value: str) -> None:
    path = expand_path("/{login}/machines/{id}", {"login": "acct", "id": value})
    prefix, segment = path.rsplit("/", 1)
    assert prefix == "/acct/machines"
    assert "?" not in segment and "#" not in segment and "\r" not in segment and "\n" not in segment
    assert unquote(segment) == value
    assert segment not in (".", "..")


def test_empty_path_value_is_refused() -> None:
    with pytest.raises(ArgumentError, match="'id'"):
        expand_path("/{login}/machines/{id}", {"login": "acct", "id": ""})


def test_timestamps_are_aware_and_written_back_verbatim() -> None:
    for text in ("2015-12-21T11:48:54.884Z", "2011-07-05T17:19:26+00:00", "2020-01-01T00:00:00"):
        stamp = Timestamp.parse(text)
        assert stamp.tzinfo is not None and e_datetime(stamp) == text
    assert Timestamp.parse("2015-12-21T11:48:54Z").astimezone(timezone.utc).hour == 11


def test_open_enum_accepts_new_values() -> None:
    assert MachineState("running") is MachineState.RUNNING
    novel = MachineState("hibernating")
    assert novel == "hibernating" and novel.value == "hibernating"


def test_model_errors_name_the_field_and_keep_the_body() -> None:
    with pytest.raises(InvalidResponseError, match=r"Machine\.memory: expected an integer"):
        Machine.from_json(
            {
                "id": "x",
                "name": "n",
                "type": "smartmachine",
                "brand": "joyent",
                "state": "running",
                "memory": "lots",
                "disk": 1,
                "metadata": {},
                "tags": {},
                "created": "2020-01-01T00:00:00Z",
                "updated": "2020-01-01T00:00:00Z",
                "ips": [],
                "networks": [],
                "firewall_enabled": False,
                "compute_node": None,
                "package": "p",
            }
        )
    with pytest.raises(InvalidResponseError, match="required field missing"):
        Machine.from_json({"id": "x"})


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"idd": "x"}, "unknown parameter"),
        ({}, "missing required parameter 'id'"),
        ({"id": ""}, "must be a non-empty string"),
        ({"id": 42}, "must be a non-empty string"),
        ({"id": "x", "credentials": "yes"}, "'credentials' must be a boolean"),
    ],
)
def test_arguments_are_checked_by_name(args: dict[str, object], message: str) -> None:
    with pytest.raises(ArgumentError, match=message):
        check_arguments(SERVICE.operations["GetMachine"], args, SERVICE.enum_names)


def test_pager_stops_on_a_short_page_and_holds_one_page() -> None:
    spec = PaginatorSpec("ListThings", "offset", "limit", 3, "x-resource-count", "x-query-limit")
    calls: list[tuple[int, int]] = []
    data = list(range(7))

    def fetch(offset: int, limit: int) -> tuple[list[int], dict[str, str]]:
        calls.append((offset, limit))
        page = data[offset : offset + limit]
        return page, {"x-resource-count": str(len(page)), "x-query-limit": str(limit)}

    iterator = paginate(fetch, spec)
    assert next(iterator) == 0 and calls == [(0, 3)]  # lazy: one page fetched so far
    assert [0, *iterator] == data
    assert calls == [(0, 3), (3, 3), (6, 3)]
