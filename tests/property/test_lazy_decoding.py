"""Lazy decoding (what the client does under the tolerant policy) gives what eager decoding gives.

For every generated model, JSON bodies drawn from its type hints, then damaged (a key dropped, a
value replaced by any JSON value), are decoded both ways: every field, ``extra``, ``json_nulls``,
``decode_problems`` and ``to_json`` must agree, whichever fields are read first.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartdc._generated.models.machines import Machine
from smartdc.runtime import jsonvalues
from smartdc.runtime.jsonvalues import ABSENT, lazy_decoding, strict_decoding

from .test_model_roundtrip import JSON_VALUES, MODELS, json_body

BOOKKEEPING = ("extra", "json_nulls", "decode_problems")


@pytest.fixture(autouse=True)
def _own_warnings() -> Iterator[None]:
    """Each test warns as if first: the once-per-process record is put back as it was after."""
    before = set(jsonvalues._warned)
    jsonvalues._warned.clear()
    yield
    jsonvalues._warned.clear()
    jsonvalues._warned.update(before)


def _problems(model: Any) -> list[tuple[str, str, str]]:
    return [(p.field, json.dumps(p.raw, default=repr), p.reason) for p in model.decode_problems]


@st.composite
def damaged_body(draw: st.DrawFn, cls: type[Any]) -> dict[str, Any]:
    body = draw(json_body(cls))
    keys = sorted(body)
    if keys:
        for key in draw(st.lists(st.sampled_from(keys), unique=True, max_size=3)):
            if draw(st.booleans()):
                del body[key]
            else:
                body[key] = draw(JSON_VALUES)
    return body


@pytest.mark.parametrize("cls", MODELS, ids=[m.__name__ for m in MODELS])
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_lazy_models_equal_eager_ones(cls: type[Any], data: st.DataObject) -> None:
    text = json.dumps(data.draw(damaged_body(cls)))
    names = [f.name for f in attrs.fields(cls) if f.name not in BOOKKEEPING]
    order = data.draw(st.permutations([*names, *BOOKKEEPING]))
    with strict_decoding(False), _quiet():
        eager = cls.from_json(json.loads(text))
        with lazy_decoding(True):
            lazy = cls.from_json(json.loads(text))
        assert type(lazy) is cls
        for name in order:  # read in any order: each field decodes on its own
            if name == "decode_problems":
                assert _problems(lazy) == _problems(eager)
            else:
                assert getattr(lazy, name) == getattr(eager, name), name
        assert lazy == eager
        assert lazy.to_json() == eager.to_json()


class _quiet:
    """Keeps the once-per-field warnings of damaged bodies out of the output, and out of the
    process-wide record of what was warned (other tests expect their own first warning)."""

    def __enter__(self) -> None:
        logging.getLogger("smartdc").disabled = True
        self.warned = set(jsonvalues._warned)

    def __exit__(self, *exc: object) -> None:
        logging.getLogger("smartdc").disabled = False
        jsonvalues._warned.intersection_update(self.warned)


def _machine(**changes: Any) -> dict[str, Any]:
    from bench.common import machine_json

    return {**machine_json(1), **changes}


def test_a_lazy_model_converts_only_what_is_read(caplog: pytest.LogCaptureFixture) -> None:
    body = _machine(memory="lots")
    with strict_decoding(False), lazy_decoding(True):
        machine = Machine.from_json(body)
    with caplog.at_level(logging.WARNING, logger="smartdc"):
        assert machine.name == "web-000001"
        assert not [r for r in caplog.records if "Machine.memory" in r.getMessage()]
        memory: object = machine.memory  # typed as always present; None is the decoded gap
        assert memory is None
    assert [(p.field, p.raw) for p in machine.decode_problems] == [("memory", "lots")]


def test_a_value_set_before_it_is_read_wins_and_the_problem_is_still_recorded() -> None:
    body = _machine()
    del body["state"]
    with strict_decoding(False), lazy_decoding(True):
        machine = Machine.from_json(body)
    machine.name = "renamed"
    assert machine.to_json()["name"] == "renamed" and "state" not in machine.to_json()
    assert [(p.field, p.raw) for p in machine.decode_problems] == [("state", ABSENT)]
    assert machine.name == "renamed"


def test_lazy_models_pickle_and_compare_like_eager_ones() -> None:
    import pickle

    with strict_decoding(False), lazy_decoding(True):
        lazy = Machine.from_json(_machine())
    eager = Machine.from_json(_machine())
    assert pickle.loads(pickle.dumps(lazy)) == eager and repr(lazy) == repr(eager)
    assert attrs.evolve(lazy, name="x") == attrs.evolve(eager, name="x")
    with pytest.raises(AttributeError):
        lazy.no_such_field  # type: ignore[attr-defined]  # noqa: B018


def test_the_strict_switch_reads_the_environment_each_time(monkeypatch: pytest.MonkeyPatch) -> None:
    from smartdc.runtime.jsonvalues import STRICT_ENV, strict_enabled

    with strict_decoding(None):
        monkeypatch.delenv(STRICT_ENV, raising=False)
        assert strict_enabled() is False
        monkeypatch.setenv(STRICT_ENV, " Yes ")
        assert strict_enabled() is True
        monkeypatch.setenv(STRICT_ENV, "0")
        assert strict_enabled() is False
        monkeypatch.delenv(STRICT_ENV)
        assert strict_enabled() is False
