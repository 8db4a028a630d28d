"""Property: generated models are lossless (unknown keys kept, absent stays absent, null stays null)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from smartdc._generated.models import Machine

BASE: dict[str, Any] = {
    "id": "b6979942-7d5d-4fe6-a2ec-b812e950625a",
    "name": "web-1",
    "type": "smartmachine",
    "brand": "joyent",
    "state": "running",
    "image": "2b683a82-a066-11e3-97ab-2faa44701c5a",
    "memory": 256,
    "disk": 16384,
    "metadata": {"root_authorized_keys": "ssh-rsa AAAA"},
    "tags": {"role": "web", "n": 3, "ok": True},
    "created": "2016-01-04T12:55:50.539Z",
    "updated": "2016-01-21T08:56:59.000+01:00",
    "ips": ["10.88.88.26", "192.168.128.5"],
    "networks": ["a9c130da-e3ba-40e9-8b18-112aba2d3ba7", None],
    "primaryIp": "10.88.88.26",
    "firewall_enabled": False,
    "compute_node": None,
    "package": "sdc_128",
}
# Every optional field of Machine: an "unknown" key must not collide with one.
KNOWN = {
    "docker",
    "primaryIp",
    "firewall_enabled",
    "compute_node",
    "dns_names",
    "image",
    "nics",
    "disks",
    "deletion_protection",
    "flexible",
    "free_space",
    "encrypted",
    "delegate_dataset",
    "credentials",
}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)
extra_keys = st.dictionaries(
    st.text(min_size=1, max_size=8).filter(lambda k: k not in BASE and k not in KNOWN),
    json_values,
    max_size=4,
)
optional_drops = st.sets(st.sampled_from(["image", "primaryIp", "firewall_enabled", "networks"]))
states = st.sampled_from(["running", "stopped", "a-state-from-the-future"])


@settings(max_examples=150, deadline=None)
@given(extra=extra_keys, drop=optional_drops, state=states, null_docker=st.booleans())
def test_structure_then_unstructure_gives_back_the_same_body(
    extra: dict[str, Any], drop: set[str], state: str, null_docker: bool
) -> None:
    body = {k: v for k, v in BASE.items() if k not in drop}
    body["state"] = state
    if null_docker:
        body["docker"] = None  # an optional field sent as JSON null stays null
    body.update(extra)
    body = json.loads(json.dumps(body))  # exactly what a decoder would hand over

    machine = Machine.from_json(body)

    assert machine.to_json() == body
    assert machine.extra == extra
    assert machine.state == state
    assert machine.created.tzinfo is not None
    for key in drop:
        assert key not in machine.to_json()
