"""The decoding policy (docs/design.md, "Decoding answers"): a field the spec calls guaranteed that
is missing or mistyped never costs the user the answer, and nothing of it is lost.

Each test makes the simulator answer a shape a real server could send (an older server, a server
bug) and checks what reaches the user: the model, the problem recorded on it, the answer written
back unchanged by ``to_json`` and one warning on the ``smartdc`` logger.
"""

from __future__ import annotations

import json
import logging

import pytest

from smartdc import CloudAPI
from smartdc.errors import InvalidResponseError
from smartdc.runtime import jsonvalues
from smartdc.runtime.jsonvalues import ABSENT, strict_decoding
from smartdc.testing import Simulator
from smartdc.testing.router import SimResponse

from .conftest import machine_args, override_route


def _answer(body: object) -> SimResponse:
    return SimResponse(200, body=json.dumps(body).encode(), content_type="application/json")


@pytest.fixture(autouse=True)
def tolerant(monkeypatch: pytest.MonkeyPatch) -> object:
    """These tests are about the default (tolerant) policy, whatever the environment says, and
    each starts with no problem warned yet (the warn-once registry is per process: a test that
    ran before on the same worker would otherwise have used up the warning counted here)."""
    monkeypatch.setattr(jsonvalues, "_warned", set())
    with strict_decoding(False):
        yield


def _one_machine(sim: Simulator, api: CloudAPI) -> dict[str, object]:
    api.create_machine(name="m1", **machine_args(api))
    return dict(api.list_machines()[0].to_json())


def test_an_answer_missing_a_guaranteed_field_reaches_the_user(
    sim: Simulator, api: CloudAPI, caplog: pytest.LogCaptureFixture
) -> None:
    sent = _one_machine(sim, api)
    del sent["state"]  # the spec says the server always sets it
    override_route(sim, "GetMachine", lambda request: _answer(sent))
    with caplog.at_level(logging.WARNING, logger="smartdc"):
        machine = api.get_machine(str(sent["id"]))
        # typed as always present; None here is the decoded gap (warned when first read)
        state: object = machine.state
        again: object = api.get_machine(str(sent["id"])).state  # the same problem: warned once
    assert again is None
    assert machine.id == sent["id"] and machine.name == "m1" and machine.memory == sent["memory"]
    assert state is None
    [problem] = machine.decode_problems
    assert (problem.field, problem.raw, problem.reason) == (
        "state",
        ABSENT,
        "required field missing",
    )
    assert machine.to_json() == sent  # still absent when written back
    warnings = [r for r in caplog.records if "Machine.state" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING


def test_a_page_of_1000_with_one_bad_item_is_returned_whole(
    sim: Simulator, api: CloudAPI, caplog: pytest.LogCaptureFixture
) -> None:
    template = _one_machine(sim, api)
    page = []
    for i in range(1000):
        item = dict(template, id=f"00000000-0000-4000-8000-{i:012d}", name=f"m{i}")
        page.append(item)
    page[517]["memory"] = "lots"  # mistyped
    page[518]["created"] = "yesterday"  # not a date
    override_route(sim, "ListMachines", lambda request: _answer(page))
    with caplog.at_level(logging.WARNING, logger="smartdc"):
        machines = api.list_machines(limit=1000)  # one page (a plain call pages on)
    assert len(machines) == 1000
    assert [m.name for m in machines] == [f"m{i}" for i in range(1000)]
    bad, late = machines[517], machines[518]
    memory: object = bad.memory
    assert memory is None and bad.state == template["state"]
    assert [(p.field, p.raw) for p in bad.decode_problems] == [("memory", "lots")]
    assert "integer" in bad.decode_problems[0].reason
    created: object = late.created
    assert created is None and late.updated is not None
    assert [m.to_json() for m in machines] == page  # the raw values written back as received
    assert not any(m.decode_problems for i, m in enumerate(machines) if i not in (517, 518))
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "Machine.memory" in logged and "Machine.created" in logged
    assert "lots" not in logged  # values are not logged (they may be secrets): only their type


def test_nested_models_lists_maps_and_enums_are_tolerated(sim: Simulator, api: CloudAPI) -> None:
    sent = _one_machine(sim, api)
    nic = {"mac": "90:b8:d0:00:00:01", "ip": "10.0.0.5", "primary": "yes"}  # a nested field
    sent.update(nics=[nic], dns_names=["a.example.com", 7], tags=["not", "a", "map"], brand=5)
    override_route(sim, "GetMachine", lambda request: _answer(sent))
    machine = api.get_machine(str(sent["id"]))
    assert machine.nics is not None
    first = machine.nics[0]
    primary: object = first.primary
    assert primary is None and [p.field for p in first.decode_problems] == ["primary"]
    gaps: list[object] = [machine.dns_names, machine.tags, machine.brand]
    assert gaps == [None, None, None]
    assert {p.field for p in machine.decode_problems} == {"dns_names", "tags", "brand"}
    assert machine.to_json() == sent


def test_an_optional_field_of_the_wrong_type_is_kept_raw(sim: Simulator, api: CloudAPI) -> None:
    sent = _one_machine(sim, api)
    sent["firewall_enabled"] = "sometimes"
    override_route(sim, "GetMachine", lambda request: _answer(sent))
    machine = api.get_machine(str(sent["id"]))
    assert machine.firewall_enabled is None
    assert [(p.field, p.raw) for p in machine.decode_problems] == [
        ("firewall_enabled", "sometimes")
    ]
    assert machine.to_json() == sent


def test_strict_decoding_raises_naming_the_field(sim: Simulator, api: CloudAPI) -> None:
    sent = _one_machine(sim, api)
    del sent["state"]
    override_route(sim, "GetMachine", lambda request: _answer(sent))
    with strict_decoding(), pytest.raises(InvalidResponseError) as caught:
        api.get_machine(str(sent["id"]))
    assert "Machine.state" in str(caught.value) and "required field missing" in str(caught.value)
    assert json.loads(caught.value.raw_body) == sent


def test_strict_decoding_from_the_environment(
    sim: Simulator, api: CloudAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent = _one_machine(sim, api)
    sent["memory"] = "lots"
    override_route(sim, "GetMachine", lambda request: _answer(sent))
    monkeypatch.setenv("SMARTDC_STRICT_DECODING", "1")
    with strict_decoding(None), pytest.raises(InvalidResponseError, match=r"Machine\.memory"):
        api.get_machine(str(sent["id"]))
    monkeypatch.setenv("SMARTDC_STRICT_DECODING", "0")
    with strict_decoding(None):
        assert api.get_machine(str(sent["id"])).memory is None


def test_the_switch_and_the_problem_type_are_public() -> None:
    import smartdc
    from smartdc.runtime import jsonvalues

    assert smartdc.strict_decoding is jsonvalues.strict_decoding
    assert smartdc.DecodeProblem is jsonvalues.DecodeProblem


def test_the_answer_itself_must_still_have_its_shape(sim: Simulator, api: CloudAPI) -> None:
    # Not a field: without a list there is no page to give.
    override_route(sim, "ListMachines", lambda request: _answer({"not": "a list"}))
    with pytest.raises(InvalidResponseError, match="ListMachines"):
        api.list_machines()


@pytest.mark.parametrize("lazy", [True, False], ids=["lazy", "eager"])
def test_a_json_null_in_a_guaranteed_field_is_a_recorded_problem(
    sim: Simulator, api: CloudAPI, lazy: bool
) -> None:
    """null where the spec guarantees a value is a gap like a missing field: the field is None,
    the problem is recorded, the null written back (a mutant that dropped the record survived)."""
    from smartdc.models import Machine
    from smartdc.runtime.jsonvalues import lazy_decoding

    sent = _one_machine(sim, api)
    sent["state"] = None
    with lazy_decoding(lazy):
        machine = Machine.from_json(sent)
    state: object = machine.state
    assert state is None
    assert [(p.field, p.raw, p.reason) for p in machine.decode_problems] == [
        ("state", None, "expected a value, got null")
    ]
    assert machine.to_json() == sent
    override_route(sim, "GetMachine", lambda request: _answer(sent))
    fetched = api.get_machine(str(sent["id"]))
    assert [(p.field, p.raw) for p in fetched.decode_problems] == [("state", None)]
