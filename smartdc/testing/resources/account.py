"""Account: GetAccount (and HEAD), UpdateAccount, GetProvisioningLimits."""

from __future__ import annotations

from smartdc.testing.resources.common import as_bool, get_and_head, login_of, ok
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
    for name in UPDATABLE:
        value = req.param(name)
        if value is not None:
            data[name] = str(value)
    cns = req.param("triton_cns_enabled")
    if cns is not None:
        data["triton_cns_enabled"] = as_bool(cns, "triton_cns_enabled")
    data["updated"] = req.sim.now_iso()
    return ok(data)


def get_limits(req: SimRequest) -> SimResponse:
    # Empty unless a test filled the "limits" table (the limits plugin is off by default).
    return ok(list(req.sim.table("limits", login_of(req)).values()))


def register(router: Router) -> None:
    get_and_head(router, "/:account", "GetAccount", "HeadAccount", get_account)
    router.add("POST", "/:account", "UpdateAccount", update_account)
    router.add("GET", "/:account/limits", "GetProvisioningLimits", get_limits)
