"""Account: GetAccount (and HEAD), UpdateAccount, GetProvisioningLimits."""

from __future__ import annotations

from smartdc.testing.resources import limits
from smartdc.testing.resources.common import get_and_head, invalid, ok
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
    """The provision_limits plugin's answer (sdc-cloudapi plugins/provision_limits.js
    getProvisionLimits()): the account's limits with their use. Empty unless
    ``Simulator.set_limits`` gave the account limits (the plugin is off by default)."""
    found = limits.account_limits(req)
    limits.set_used(req, found)
    return ok(found)


def register(router: Router) -> None:
    get_and_head(router, "/:account", "GetAccount", "HeadAccount", get_account)
    router.add("POST", "/:account", "UpdateAccount", update_account)
    router.add("GET", "/:account/limits", "GetProvisioningLimits", get_limits)
