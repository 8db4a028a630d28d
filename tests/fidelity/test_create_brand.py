"""CreateMachine's brand, image and package choice and its flags: the simulator refuses and
chooses as CloudAPI and VMAPI do.

Oracle command ``create-machine-params``: sdc-cloudapi lib/machines.js getBrand() and
getCreateOptions() (deletion_protection: only JSON true; firewall_enabled passed on), then
sdc-vmapi validateCreateVmParams() (firewall_enabled a boolean or "true"/"false") and
validatePackageValues(). Affinity, locality and networks are left out: the oracle stops at
allocateServer (no CNAPI/DAPI) and has NAPI's networks, not the simulator's (checked by reading:
docs/fidelity.md).
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
from .test_machine_answers import KINDS

_IMAGES = [image for image, _ in KINDS.values()] + [image_id("minimal-64-lts", "23.4.0")]
_PACKAGES = ["g4-highcpu-1G", "b1-flexible-2G"]
_FLAGS = st.sampled_from([True, False, "true", "false", "x", 1, 0, None, ""])
BODIES = st.fixed_dictionaries(
    {"image": st.sampled_from(_IMAGES), "package": st.sampled_from(_PACKAGES)},
    optional={
        "brand": st.sampled_from(["bhyve", "kvm", "joyent", "lx", "x y", ""]),
        "firewall_enabled": _FLAGS,
        "deletion_protection": _FLAGS,
    },
)


def _answer(reply: Any) -> dict[str, Any]:
    if reply.status >= 400:
        body = reply.json
        return {k: v for k, v in body.items() if k in ("code", "message", "errors")} | {
            "statusCode": reply.status
        }
    return {"statusCode": reply.status}


@DIFFERENTIAL(max_examples=6)
@given(batch=st.lists(BODIES, min_size=6, max_size=6))
def test_brand_and_flags_are_chosen_and_refused_as_the_server_does(
    sim: Simulator, sig: SigClient, world: dict[str, Any], batch: list[dict[str, Any]]
) -> None:
    uuids = {p["name"]: p["uuid"] for p in world["packages"]}
    answers = oracle.run_many(
        [
            ("create-machine-params", {**world, "params": {**b, "package": uuids[b["package"]]}})
            for b in batch
        ]
    )
    for body, expected in zip(batch, answers, strict=True):
        reply = sig.post(f"/{sig.login}/machines", body)
        got = _answer(reply)
        if "error" in expected:
            want = {
                k: v
                for k, v in expected["error"].items()
                if k in ("statusCode", "code", "message", "errors")
            }
            assert not oracle.differences(got, want), body
            continue
        assert expected.get("accepted") is True, expected
        assert got == {"statusCode": 201}, (body, reply.json)
        params = expected["vmapi_params"]
        machine = reply.json
        assert machine["brand"] == params["brand"], body
        assert machine["deletion_protection"] is bool(params.get("indestructible_zoneroot")), body
        assert machine["firewall_enabled"] is params.get("firewall_enabled", False), body
        path = f"/{sig.login}/machines/{machine['id']}"
        sim.advance(sim.settings.provision_seconds + 1)
        sig.post(path, query={"action": "disable_deletion_protection"})
        assert sig.delete(path).status == 204
        sim.advance(sim.settings.delete_seconds + 1)
