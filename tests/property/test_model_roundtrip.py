"""For every generated model: JSON -> model -> JSON is the identity, unknown fields included.

The JSON bodies are drawn from the models' own type hints (so a new model is covered without
touching this file): an instance is drawn, written with ``to_json``, then given unknown extra keys
and explicit nulls for optional keys it left out.
"""

from __future__ import annotations

import datetime
import enum
import json
import sys
import types
import typing
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartdc._generated import converter as converter_module
from smartdc._generated.converter import converter

MODELS: list[type[Any]] = [m for m in vars(converter_module).values() if attrs.has(m)]

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
BOOKKEEPING = {"extra", "json_nulls", "decode_problems"}


def _hints(cls: type[Any]) -> dict[str, Any]:
    return typing.get_type_hints(cls, vars(sys.modules[cls.__module__]))


def strategy_for(tp: Any) -> st.SearchStrategy[Any]:
    origin = typing.get_origin(tp)
    if tp is Any:
        return JSON_VALUES
    if origin in (typing.Union, types.UnionType):
        return st.one_of([strategy_for(arg) for arg in typing.get_args(tp)])
    if origin is list:
        return st.lists(strategy_for(typing.get_args(tp)[0]), max_size=3)
    if origin is dict:
        return st.dictionaries(
            st.text(max_size=6), strategy_for(typing.get_args(tp)[1]), max_size=3
        )
    if tp is type(None):
        return st.none()
    if tp is bool:
        return st.booleans()
    if tp is int:
        return st.integers(-(2**53), 2**53)
    if tp is float:
        return st.floats(allow_nan=False, allow_infinity=False)
    if tp is str:
        return st.text(max_size=12)
    if tp is datetime.datetime:
        return st.datetimes(timezones=st.just(datetime.timezone.utc))
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return st.sampled_from(list(tp))
    if attrs.has(tp):
        return model_strategy(tp)
    raise AssertionError(f"no strategy for {tp!r}: extend strategy_for")


def model_strategy(cls: type[Any]) -> st.SearchStrategy[Any]:
    hints = _hints(cls)
    fields = {
        f.name: st.deferred(_deferred(hints[f.name]))
        for f in attrs.fields(cls)
        if f.name not in BOOKKEEPING
    }
    return st.builds(cls, **fields)


def _deferred(tp: Any) -> typing.Callable[[], st.SearchStrategy[Any]]:
    # Deferred, so that models nested in themselves or each other do not recurse at build time.
    return lambda: strategy_for(tp)


def _wire_keys(cls: type[Any]) -> frozenset[str]:
    """The JSON keys the model knows (the generated module's ``_<MODEL>_KEYS`` set)."""
    module = vars(sys.modules[cls.__module__])
    known = [v for k, v in module.items() if k.endswith("_KEYS") and isinstance(v, frozenset)]
    for keys in known:
        if module.get(f"_{_upper_snake(cls.__name__)}_KEYS") is keys:
            return frozenset(keys)
    raise AssertionError(f"no wire key set for {cls.__name__}")


def _upper_snake(name: str) -> str:
    return "".join(f"_{c}" if c.isupper() and i else c for i, c in enumerate(name)).upper()


@st.composite
def json_body(draw: st.DrawFn, cls: type[Any]) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(json.dumps(draw(model_strategy(cls)).to_json()))
    known = _wire_keys(cls)
    absent = sorted(known - set(body))
    for key in draw(st.lists(st.sampled_from(absent), unique=True)) if absent else []:
        body[key] = None  # sent as JSON null: must be written back as null
    unknown = draw(st.dictionaries(st.text(min_size=1, max_size=6), JSON_VALUES, max_size=3))
    for key, value in unknown.items():
        body.setdefault(f"x-unknown-{key}", value)
    return body


def test_every_model_is_covered() -> None:
    assert len(MODELS) >= 40
    for cls in MODELS:
        assert _wire_keys(cls)  # a known-key set to tell unknown fields from known ones


@pytest.mark.parametrize("cls", MODELS, ids=[m.__name__ for m in MODELS])
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_structure_then_unstructure_is_identity(cls: type[Any], data: st.DataObject) -> None:
    body = data.draw(json_body(cls))
    text = json.dumps(body, sort_keys=True)
    model = converter.structure(json.loads(text), cls)
    assert json.dumps(converter.unstructure(model), sort_keys=True) == text
    assert json.dumps(cls.from_json(json.loads(text)).to_json(), sort_keys=True) == text
