"""Answers that are well-formed HTTP but not what the operation promises."""

from __future__ import annotations

import json

import pytest

from smartdc import CloudAPI
from smartdc.errors import InvalidResponseError
from smartdc.testing import Simulator
from smartdc.testing.router import SimResponse

from .conftest import override_route


def _answer(body: object) -> SimResponse:
    return SimResponse(200, body=json.dumps(body).encode(), content_type="application/json")


def _account(api: CloudAPI) -> dict[str, object]:
    return dict(api.get_account().to_json())


def test_missing_required_field_is_named_and_raw_body_kept(sim: Simulator, api: CloudAPI) -> None:
    broken = _account(api)
    del broken["login"]
    override_route(sim, "GetAccount", lambda request: _answer(broken))
    with pytest.raises(InvalidResponseError) as caught:
        api.get_account()
    assert "login" in str(caught.value)
    assert json.loads(caught.value.raw_body) == broken
    assert sim.request_count("GetAccount") == 2  # no retry of a bad answer


def test_wrong_field_type_is_named_and_raw_body_kept(sim: Simulator, api: CloudAPI) -> None:
    broken = _account(api)
    broken["login"] = 42
    override_route(sim, "GetAccount", lambda request: _answer(broken))
    with pytest.raises(InvalidResponseError) as caught:
        api.get_account()
    assert "login" in str(caught.value) and "42" in str(caught.value)
    assert json.loads(caught.value.raw_body) == broken


def test_list_item_with_wrong_type_names_the_field(sim: Simulator, api: CloudAPI) -> None:
    sim.populate_machines(2)
    machines = [m.to_json() for m in api.list_machines()]
    machines[1]["memory"] = "lots"
    override_route(sim, "ListMachines", lambda request: _answer(machines))
    with pytest.raises(InvalidResponseError) as caught:
        api.list_machines()
    assert "memory" in str(caught.value)
    assert b"lots" in caught.value.raw_body


def test_empty_2xx_body_where_a_model_is_expected(sim: Simulator, api: CloudAPI) -> None:
    override_route(
        sim,
        "GetAccount",
        lambda request: SimResponse(200, body=b"", content_type="application/json"),
    )
    with pytest.raises(InvalidResponseError) as caught:
        api.get_account()
    assert "Account" in str(caught.value) or "empty" in str(caught.value)
    assert caught.value.raw_body == b""


def test_json_of_the_wrong_shape(sim: Simulator, api: CloudAPI) -> None:
    override_route(sim, "GetAccount", lambda request: _answer(["not", "an", "object"]))
    with pytest.raises(InvalidResponseError) as caught:
        api.get_account()
    assert "Account" in str(caught.value)


def test_unknown_extra_fields_are_kept(sim: Simulator, api: CloudAPI) -> None:
    extended = _account(api)
    extended["futureField"] = {"nested": [1, 2]}
    override_route(sim, "GetAccount", lambda request: _answer(extended))
    account = api.get_account()
    assert account.to_json()["futureField"] == {"nested": [1, 2]}


def test_empty_200_for_get_machine_is_an_error(sim: Simulator, api: CloudAPI) -> None:
    override_route(
        sim,
        "GetMachine",
        lambda request: SimResponse(200, body=b"", content_type="application/json"),
    )
    with pytest.raises(InvalidResponseError) as caught:
        api.get_machine("3a4f4a5c-0d4e-4b1c-9a44-1e0d8c1f2b3a")
    assert "empty body" in str(caught.value) and caught.value.status == 200
