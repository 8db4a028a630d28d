"""Provisioning limits enforced as sdc-cloudapi plugins/provision_limits.js enforces them:
CreateMachine and ResizeMachine are refused with 403 NotAuthorized "Quota exceeded; to have your
limits raised please contact Support" (allowProvisionOrResize()), not only reported by
GetAccountLimits."""

from __future__ import annotations

from typing import Any

from smartdc.testing.simulator import Simulator

from ..sigclient import Reply, SigClient

QUOTA = (403, "NotAuthorized", "Quota exceeded; to have your limits raised please contact Support")


def _create(sig: SigClient, image: str = "base-64-lts", package: str = "g4-highcpu-1G") -> Reply:
    image_id = sig.get("/my/images", query={"name": image}).json[-1]["id"]
    return sig.post("/my/machines", {"image": image_id, "package": package})


def _refused(reply: Reply) -> tuple[int, str, str]:
    body: dict[str, Any] = reply.json
    return reply.status, body["code"], body["message"]


def test_a_count_limit_refuses_the_next_machine(vsim: Simulator, vsig: SigClient) -> None:
    vsim.set_limits(vsim.account, [{"value": "2"}])  # atoiValues(): parseInt
    assert _create(vsig).status == 201
    assert _create(vsig).status == 201
    assert _refused(_create(vsig)) == QUOTA
    assert vsig.get("/my/limits").json == [{"value": 2, "used": 2}]
    assert len(vsig.get("/my/machines").json) == 2


def test_minus_one_refuses_everything_and_zero_is_unlimited(
    vsim: Simulator, vsig: SigClient
) -> None:
    vsim.set_limits(vsim.account, [{"value": 0}])
    assert _create(vsig).status == 201
    assert vsig.get("/my/limits").json == []  # filterZero()
    vsim.set_limits(vsim.account, [{"value": -1, "check": "os", "os": "windows"}])
    assert _refused(_create(vsig)) == QUOTA  # any -1 limit disallows, whatever its check


def test_ram_and_quota_limits_add_the_new_package(vsim: Simulator, vsig: SigClient) -> None:
    packages = {p["name"]: p for p in vsig.get("/my/packages").json}
    small, big = packages["g4-highcpu-128M"], packages["g4-highcpu-1G"]
    vsim.set_limits(vsim.account, [{"value": small["memory"] + big["memory"], "by": "ram"}])
    assert _create(vsig, package="g4-highcpu-1G").status == 201
    assert _create(vsig, package="g4-highcpu-128M").status == 201  # used == value is allowed
    assert _refused(_create(vsig, package="g4-highcpu-128M")) == QUOTA
    quota_gib = big["disk"] // 1024
    vsim.set_limits(vsim.account, [{"value": 2 * quota_gib + 1, "by": "quota"}])
    assert _refused(_create(vsig, package="g4-highcpu-1G")) == QUOTA


def test_a_limit_applies_to_the_images_it_checks(vsim: Simulator, vsig: SigClient) -> None:
    # refineLimits(): a brand/image/os limit counts and binds only machines of that kind;
    # "any" drops the check (simplifyAny()), a check without its value is ignored
    vsim.set_limits(vsim.account, [{"value": 1, "check": "brand", "brand": "lx"}])
    assert _create(vsig).status == 201  # base-64-lts: joyent
    assert _create(vsig).status == 201
    vsim.set_limits(vsim.account, [{"value": 2, "check": "image", "image": "any"}])
    assert _refused(_create(vsig)) == QUOTA
    vsim.set_limits(vsim.account, [{"value": 1, "check": "os"}])
    assert _create(vsig).status == 201
    assert vsig.get("/my/limits").json == []


def test_resize_is_checked_on_ram_not_on_count(vsim: Simulator, vsig: SigClient) -> None:
    machine = _create(vsig, package="g4-highcpu-128M").json
    vsim.advance(vsim.settings.provision_seconds + 0.01)
    packages = {p["name"]: p for p in vsig.get("/my/packages").json}
    vsim.set_limits(
        vsim.account,
        [{"value": 1}, {"value": packages["g4-highcpu-1G"]["memory"] - 1, "by": "ram"}],
    )
    resize = {"action": "resize", "package": "g4-highcpu-1G"}
    assert _refused(vsig.post(f"/my/machines/{machine['id']}", resize)) == QUOTA
    vsim.set_limits(vsim.account, [{"value": 1}])  # the count is skipped when resizing
    assert vsig.post(f"/my/machines/{machine['id']}", resize).status == 202
