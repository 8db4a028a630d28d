"""Why the client does not (un)structure through cattrs: the measurement behind that decision.

Compares, on 1,000 machines as ListMachines answers them:

* the generated ``Machine.from_json`` / ``to_json`` (what the client uses);
* ``smartdc.converter.converter`` (public cattrs converter, delegating to them);
* a converter where cattrs generates the (un)structuring itself (``make_dict_structure_fn`` with the
  JSON names as renames): what "cattrs as the real path" would be. It also loses what the
  generated code keeps: unknown fields (``.extra``), explicit nulls, tolerant decoding.

Run: ``python -m bench.cattrs_compare`` (not part of ``make bench``).
"""

from __future__ import annotations

import importlib
import statistics
import time
import types
import typing
from collections.abc import Callable
from datetime import datetime
from typing import Any

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from bench.common import machine_json
from smartdc._generated.converter import ENUMS, MODELS
from smartdc.converter import converter
from smartdc.models import Machine

GENERATED_ONLY = ("extra", "decode_problems", "json_nulls")


def _json_names(model: type[Any]) -> dict[str, str]:
    """Python name -> JSON name, from the model module's field table."""
    module = importlib.import_module(model.__module__)
    snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in model.__name__)
    table = getattr(module, f"_{snake.lstrip('_').upper()}_FIELDS", ())
    return {row[0]: row[1] for row in table}


def _plain_union(tp: Any) -> bool:
    if typing.get_origin(tp) not in (typing.Union, types.UnionType):
        return False
    members = [a for a in typing.get_args(tp) if a is not type(None)]
    return len(members) > 1 and not any(attrs.has(a) for a in members)


def cattrs_generated() -> cattrs.Converter:
    """cattrs doing the work itself, JSON names as renames."""
    made = cattrs.Converter()
    made.register_structure_hook(
        datetime, lambda v, _: datetime.fromisoformat(str(v).replace("Z", "+00:00"))
    )
    made.register_unstructure_hook(datetime, lambda v: v.isoformat())
    made.register_structure_hook_func(_plain_union, lambda v, _: v)
    for enum in ENUMS.values():
        made.register_structure_hook(enum, lambda v, cls: cls(v))
        made.register_unstructure_hook(enum, lambda v: v.value)
    for model in MODELS.values():
        names = _json_names(model)
        renames: dict[str, Any] = {}
        for field in attrs.fields(model):
            if field.name in GENERATED_ONLY:
                renames[field.name] = override(omit=True)
            elif names.get(field.name, field.name) != field.name:
                renames[field.name] = override(rename=names[field.name])
        made.register_structure_hook(model, make_dict_structure_fn(model, made, **renames))
        made.register_unstructure_hook(model, make_dict_unstructure_fn(model, made, **renames))
    return made


def _ms(action: Callable[[], object], rounds: int = 9) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1e3


def main() -> None:
    data = [machine_json(i) for i in range(1000)]
    models = [Machine.from_json(d) for d in data]
    generated = cattrs_generated()
    by_cattrs = generated.structure(data, list[Machine])
    rows = [
        (
            "from_json / to_json",
            _ms(lambda: [Machine.from_json(d) for d in data]),
            _ms(lambda: [m.to_json() for m in models]),
        ),
        (
            "smartdc.converter",
            _ms(lambda: converter.structure(data, list[Machine])),
            _ms(lambda: converter.unstructure(models)),
        ),
        (
            "cattrs-generated",
            _ms(lambda: generated.structure(data, list[Machine])),
            _ms(lambda: generated.unstructure(by_cattrs)),
        ),
    ]
    print("1,000 machines, median of 9 runs (ms)")
    print(f"{'path':24} {'structure':>10} {'unstructure':>12}")
    for name, structure, unstructure in rows:
        print(f"{name:24} {structure:10.1f} {unstructure:12.1f}")


if __name__ == "__main__":
    main()
