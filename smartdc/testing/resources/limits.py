"""Provisioning limits, as sdc-cloudapi plugins/provision_limits.js applies them: GetAccountLimits'
answer (getProvisionLimits()) and the check CreateMachine and ResizeMachine run before VMAPI
(allowProvision/allowResize: allowProvisionOrResize()).

The limits are the account's in this datacenter, as an operator writes them
(``Simulator.set_limits``: ``{"value": 25}``, ``{"value": 2048, "by": "ram", "check": "os",
"os": "windows"}``...). The plugin's configured defaults are none here (the plugin is off unless
an account has limits).
"""

from __future__ import annotations

import re
from typing import Any

from smartdc.testing.resources.common import login_of
from smartdc.testing.router import ApiError, SimRequest

# allowProvisionOrResize(): NotAuthorizedError(QUOTA_ERR), restify's 403 NotAuthorized
QUOTA_ERR = "Quota exceeded; to have your limits raised please contact Support"
_ANY = "any"
_INT = re.compile(r"\s*([+-]?\d+)")


def _parse_int(value: Any) -> int:
    """atoiValues(): ``parseInt(value, 10) || 0``."""
    match = _INT.match(str(value))
    return int(match.group(1)) if match else 0


def account_limits(req: SimRequest) -> list[dict[str, Any]]:
    """getMergedAccountLimits() -> filterLimits(): values as integers, ``any`` dropping the
    check, incomplete limits (a check without its brand, image or os) and limits of 0
    (unlimited) left out."""
    limits = [dict(limit) for limit in req.sim.table("limits", login_of(req)).values()]
    kept = []
    for limit in limits:
        if "value" in limit:
            limit["value"] = _parse_int(limit["value"])
        if _ANY in (limit.get("brand"), limit.get("image"), limit.get("os")):
            for name in ("check", "image", "brand", "os"):
                limit.pop(name, None)  # simplifyAny(): set to undefined, so not shown
        check = limit.get("check")
        if check in ("brand", "image", "os") and not limit.get(check):
            continue  # validateLimit(): 'Invalid limit; entry is incomplete'
        if limit.get("value") == 0:
            continue  # filterZero()
        kept.append(limit)
    return kept


def image_brand(image: dict[str, Any]) -> str | None:
    """getBrand(): the image's required brand, else the one its type implies."""
    brand = (image.get("requirements") or {}).get("brand")
    if brand:
        return str(brand)
    return {"lx-dataset": "lx", "docker": "lx", "zone-dataset": "joyent", "zvol": "kvm"}.get(
        str(image.get("type"))
    )


def _counted(limit: dict[str, Any], vm: dict[str, Any], image: dict[str, Any]) -> bool:
    """setLimitsUsed(): the instances a limit's ``check`` selects (all without one)."""
    check = limit.get("check")
    if check == "brand":
        return bool(vm.get("brand") == limit.get("brand"))
    if check == "image":
        return bool(image.get("name") == limit.get("image"))
    if check == "os":
        return bool(image.get("os") == limit.get("os"))
    return True


def set_used(req: SimRequest, limits: list[dict[str, Any]]) -> None:
    """setLimitsUsed() over the account's active instances (getActiveVmsForAccount()): their
    number, or the sum of their RAM (MiB) for ``by: ram``, of their quota (GiB) for ``by: quota``."""
    from smartdc.testing.resources.machines import machines_of

    images = req.dc.table("images")
    vms = [m for m in machines_of(req).values() if m.get("state") not in ("deleted", "failed")]
    for limit in limits:
        chosen = [v for v in vms if _counted(limit, v, images.get(str(v.get("image")), {}))]
        if limit.get("by") == "ram":
            limit["used"] = sum(int(vm.get("memory") or 0) for vm in chosen)
        elif limit.get("by") == "quota":
            limit["used"] = sum(int(vm.get("disk") or 0) // 1024 for vm in chosen)
        else:
            limit["used"] = len(chosen)


def check(
    req: SimRequest,
    image: dict[str, Any],
    package: dict[str, Any],
    resized: dict[str, Any] | None = None,
) -> None:
    """allowProvisionOrResize(): refuse (403 NotAuthorized) when a limit of -1 exists, or when
    the new instance (or the resized one's growth) would take a limit that applies to its image
    over its value."""
    limits = account_limits(req)
    if not limits:
        return
    if any(int(limit.get("value", 0)) <= -1 for limit in limits):
        raise ApiError(403, "NotAuthorized", QUOTA_ERR)
    brand = image_brand(image)

    def relevant(limit: dict[str, Any]) -> bool:  # getVms() refineLimits()
        kind = limit.get("check")
        if kind == "brand":
            return bool(limit.get("brand") == brand)
        if kind == "image":
            return bool(limit.get("image") == image.get("name"))
        if kind == "os":
            return bool(limit.get("os") == image.get("os"))
        return True

    fitted = [limit for limit in limits if relevant(limit)]
    set_used(req, fitted)
    for limit in fitted:  # canProvision()
        used = float(limit["used"])
        if limit.get("by") == "ram":
            used += int(package["memory"]) - (int(resized["memory"]) if resized else 0)
        elif limit.get("by") == "quota":
            used += int(package["disk"]) / 1024 - (int(resized["disk"]) // 1024 if resized else 0)
        elif resized is not None:
            continue  # 'Resizing; skipping vm count'
        else:
            used += 1
        if "value" not in limit or not used <= limit["value"]:
            raise ApiError(403, "NotAuthorized", QUOTA_ERR)
