"""Account: GetAccount (and HEAD), UpdateAccount, GetProvisioningLimits."""

from __future__ import annotations

from typing import Any

from smartdc.testing.resources.common import get_and_head, invalid, login_of, ok
from smartdc.testing.resources.tagging import tag_from_request
from smartdc.testing.router import Router, SimRequest, SimResponse

UPDATABLE = (
    "email",
    "companyName",
    "firstName",
    "lastName",
    "address",
    "postalCode",
    "city",
    "state",
    "country",
    "phone",
)


def get_account(req: SimRequest) -> SimResponse:
    return ok(req.account.data)


def update_account(req: SimRequest) -> SimResponse:
    data = req.account.data
    cns = req.param("triton_cns_enabled")
    # lib/account.js update(): String(value) must be "true" or "false".
    text = "" if cns is None else str(cns).lower() if isinstance(cns, bool) else str(cns)
    if cns is not None and text not in ("true", "false"):
        raise invalid('triton_cns_enabled must be either "true" or "false"')
    for name in UPDATABLE:
        value = req.param(name)
        if value:  # lib/account.js update() copies truthy values only: "" clears nothing
            data[name] = str(value)
    if cns is not None:
        data["triton_cns_enabled"] = text == "true"
    data["updated"] = req.sim.now_iso()
    tag_from_request(req)
    return ok(data)


def get_limits(req: SimRequest) -> SimResponse:
    """The provision_limits plugin's answer (sdc-cloudapi plugins/provision_limits.js).

    Empty unless ``Simulator.set_limits`` gave the account limits (the plugin is off by default).
    Values become integers (``parseInt || 0``), limits of 0 (unlimited) are left out, and
    ``used`` is counted as setLimitsUsed does: instances unless ``by`` is ``ram`` (MiB) or
    ``quota`` (GiB), among the instances of the brand, image name or OS the ``check`` names.
    """
    from smartdc.testing.resources.machines import machines_of

    limits = [dict(limit) for limit in req.sim.table("limits", login_of(req)).values()]
    for limit in limits:
        if "value" in limit:
            limit["value"] = _parse_int(limit["value"])
    limits = [limit for limit in limits if limit.get("value") != 0]
    if not limits:
        return ok([])
    images = req.dc.table("images")
    vms = [m for m in machines_of(req).values() if m.get("state") not in ("deleted", "failed")]
    for limit in limits:
        chosen = [vm for vm in vms if _checked(limit, vm, images.get(str(vm.get("image")), {}))]
        if limit.get("by") == "ram":
            limit["used"] = sum(int(vm.get("memory") or 0) for vm in chosen)
        elif limit.get("by") == "quota":
            limit["used"] = sum(int(vm.get("disk") or 0) // 1024 for vm in chosen)
        else:
            limit["used"] = len(chosen)
    return ok(limits)


def _parse_int(value: Any) -> int:
    text = str(value).strip()
    digits = len(text) - len(text.lstrip("+-"))
    while digits < len(text) and text[digits].isdigit():
        digits += 1
    try:
        return int(text[:digits])
    except ValueError:
        return 0


def _checked(limit: dict[str, Any], vm: dict[str, Any], image: dict[str, Any]) -> bool:
    check = limit.get("check")
    if check == "brand":
        return bool(vm.get("brand") == limit.get("brand"))
    if check == "image":
        return bool(image.get("name") == limit.get("image"))
    if check == "os":
        return bool(image.get("os") == limit.get("os"))
    return True


def register(router: Router) -> None:
    get_and_head(router, "/:account", "GetAccount", "HeadAccount", get_account)
    router.add("POST", "/:account", "UpdateAccount", update_account)
    router.add("GET", "/:account/limits", "GetProvisioningLimits", get_limits)
