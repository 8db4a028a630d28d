"""GetMachine and ListMachines answers: the simulator shows an instance as CloudAPI's translate()
shows the VM that VMAPI holds for it.

Oracle command ``machine``: sdc-vmapi translateVm() then sdc-cloudapi lib/machines.js translate().
Instances of every brand the simulator's images give (joyent, lx, bhyve, kvm) and every state its
lifecycle reaches (provisioning, running, stopped, failed, deleted) are created through the API
with generated tags and metadata; each answer is turned back into the VM VMAPI would hold
(tests/fidelity/world.py) and translated by the server's code again: the two must be equal, field
for field and JSON type for type. ``list-machines-params`` then lists the same VMs: same ids, same
order (no sort asked for).
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from smartdc.testing import Simulator
from smartdc.testing.resources.images import image_id
from tests.simulator.sigclient import SigClient

from . import oracle
from .oracle import DIFFERENTIAL
from .world import listed_disks, vmapi_vm

# (image, package) giving each brand in the simulator's seed
KINDS = {
    "joyent": (image_id("base-64-lts", "23.4.0"), "g4-highcpu-1G"),
    "lx": (image_id("ubuntu-20.04", "20210413"), "g4-highcpu-1G"),
    "bhyve": (image_id("ubuntu-certified-22.04", "20230510"), "b1-flexible-2G"),
    "kvm": (image_id("centos-7", "20200619"), "g4-highcpu-1G"),
}
LIFECYCLES = ("provisioning", "running", "stopped", "failed", "deleted")
_KEYS = st.text("abcdefghij-_", min_size=1, max_size=5)
_SCALARS = st.one_of(
    st.text(max_size=5),
    st.integers(-(2**31), 2**31),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
)
MACHINES = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(sorted(KINDS)),
        "life": st.sampled_from(LIFECYCLES),
        "tags": st.dictionaries(_KEYS, _SCALARS, max_size=3),
        "metadata": st.dictionaries(_KEYS, _SCALARS, max_size=3),
        "firewall_enabled": st.sampled_from([None, True, False]),
        "deletion_protection": st.sampled_from([None, True, False]),
    }
)


def create(sim: Simulator, sig: SigClient, spec: dict[str, Any], name: str) -> str:
    image, package = KINDS[spec["kind"]]
    body: dict[str, Any] = {"name": name, "image": image, "package": package}
    body.update({f"tag.{k}": v for k, v in spec["tags"].items()})
    body.update({f"metadata.{k}": v for k, v in spec["metadata"].items()})
    for flag in ("firewall_enabled", "deletion_protection"):
        if spec[flag] is not None:
            body[flag] = spec[flag]
    if spec["life"] == "failed":
        sim.settings.fail_provision_names.add(name)
    reply = sig.post(f"/{sig.login}/machines", body)
    assert reply.status == 201, reply.json
    return str(reply.json["id"])


def drive(sim: Simulator, sig: SigClient, ids: dict[str, str]) -> None:
    """Bring each instance to the state its lifecycle names."""
    sim.advance(sim.settings.provision_seconds + 1)
    for mid, life in ids.items():
        path = f"/{sig.login}/machines/{mid}"
        if life == "stopped":
            assert sig.post(path, query={"action": "stop"}).status == 202
        elif life == "deleted":
            sig.post(path, query={"action": "disable_deletion_protection"})
            sim.advance(sim.settings.job_seconds + 1)
            assert sig.delete(path).status == 204
    sim.advance(max(sim.settings.stop_seconds, sim.settings.delete_seconds) + 1)


examples = iter(range(10**6))


def moray_order(answer: dict[str, Any]) -> list[str]:
    """The ids of a ListMachines answer in the order VMAPI asked moray for (the oracle's moray is
    a stand-in that reports the sort without applying it)."""
    sort = answer["moray_options"]["sort"]
    assert sort == [{"attribute": "uuid", "order": "DESC"}], sort
    return sorted((m["id"] for m in answer["body"]), reverse=True)


@DIFFERENTIAL(max_examples=8)
@given(specs=st.lists(MACHINES, min_size=5, max_size=5))
def test_machine_answers_are_what_translate_makes_of_the_vm(
    sim: Simulator, sig: SigClient, world: dict[str, Any], specs: list[dict[str, Any]]
) -> None:
    prefix = f"x{next(examples)}-"
    made = {create(sim, sig, s, f"{prefix}{i}-{s['life']}"): s for i, s in enumerate(specs)}
    drive(sim, sig, {mid: s["life"] for mid, s in made.items() if s["life"] != "provisioning"})
    shown, vms = [], []
    for mid in made:
        machine = sig.get(f"/{sig.login}/machines/{mid}").json
        shown.append(machine)
        vms.append(
            vmapi_vm(
                machine, world["account"]["uuid"], world["packages"], listed_disks(sig, machine)
            )
        )
    names = [{"uuid": p["uuid"], "name": p["name"]} for p in world["packages"]]
    lists = [
        {"name": prefix},
        {"name": prefix, "tombstone": "true"},
        {"name": prefix, "state": "running"},
    ]
    answers = oracle.run_many(
        [("machine", {"vm": vm, "from": "vmapi", "packages": names}) for vm in vms]
        + [("list-machines-params", {**world, "vms": vms, "params": q}) for q in lists]
    )
    for machine, answer in zip(shown, answers[: len(vms)], strict=True):
        assert not oracle.differences(machine, answer["machine"]), machine["brand"]
    for query, answer in zip(lists, answers[len(vms) :], strict=True):
        listed = sig.get(f"/{sig.login}/machines", query=query).json
        assert [m["id"] for m in listed] == moray_order(answer), query
