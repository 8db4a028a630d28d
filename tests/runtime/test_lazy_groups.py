"""The generated client loads an operation group (its decoders and models) on the first call of one
of its methods: a program that lists machines does not import the other 23 groups."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest

from smartdc.runtime.lazy import LazyFunction, LazyModule
from smartdc.testing import Simulator

PROBE = """
import json, sys
from smartdc import CloudAPI

def groups():
    return sorted(
        name.removeprefix("smartdc._generated.")
        for name in sys.modules
        if name.startswith(("smartdc._generated.operations.", "smartdc._generated.models."))
    )

api = CloudAPI(url=sys.argv[1], account=sys.argv[2], key_id=sys.argv[3], secret=sys.argv[4])
seen = {"import": groups()}
machines = api.list_machines()
seen["list_machines"] = groups()
seen["machine"] = type(machines[0]).__module__
images = api.list_images()
seen["list_images"] = groups()
seen["image"] = type(images[0]).__module__
print(json.dumps(seen))
"""


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator() as simulator:
        simulator.populate_machines(3)
        yield simulator


def test_a_group_is_imported_on_its_first_call(sim: Simulator) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, sim.url, sim.account, sim.key_id, sim.key_path],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["import"] == []
    # a machine holds its NICs: their model comes along, nothing else
    assert seen["list_machines"] == ["models.machines", "models.nics", "operations.machines"]
    assert seen["machine"] == "smartdc._generated.models.machines"
    assert seen["list_images"] == [
        "models.images",
        "models.machines",
        "models.nics",
        "operations.images",
        "operations.machines",
    ]
    assert seen["image"] == "smartdc._generated.models.images"


def test_a_lazy_module_reads_as_the_module() -> None:
    lazy = LazyModule("smartdc.runtime.paths")
    from smartdc.runtime import paths

    assert "paths" in repr(lazy)
    assert lazy.expand_path is paths.expand_path
    assert lazy.expand_path is paths.expand_path  # now held: no import on later reads
    with pytest.raises(AttributeError, match=r"smartdc\.runtime\.paths"):
        _ = lazy.no_such_name


def test_a_lazy_function_imports_on_its_first_call() -> None:
    join = LazyFunction("posixpath", "join")
    assert "posixpath.join" in repr(join)
    assert join("a", "b") == "a/b"
    assert join("c", "d") == "c/d"
