"""Datacenters: every simulated DC name -> its loopback URL; GetDatacenter redirects (302).

Foreign datacenters need delegated (``X-Auth-Token``) auth, which the simulator has no keyapi to
check: without a token the answer is the server's 403, with one its InvalidCredentials.
"""

from __future__ import annotations

from smartdc.testing.resources.common import not_found
from smartdc.testing.resources.ping import dc_header
from smartdc.testing.router import ApiError, Router, SimRequest, SimResponse
from smartdc.testing.state import SimState


def _urls(sim: SimState) -> dict[str, str]:
    # only served datacenters (a state file may hold others)
    return {name: dc.url for name, dc in sim.datacenters.items() if dc.url}


def list_datacenters(req: SimRequest) -> SimResponse:
    return SimResponse(200, _urls(req.sim), dc_header(req))


def get_datacenter(req: SimRequest) -> SimResponse:
    name = req.params["dc"]
    url = _urls(req.sim).get(name)
    if url is None:
        raise not_found(f"{name} is not an available datacenter")
    # lib/datacenters.js get(): util.format(MSG_302 = "", name, url) puts a space before each.
    body = {"code": "ResourceMoved", "message": f" {name} {url}"}
    return SimResponse(302, body, {"Location": url})


def foreign_datacenters(req: SimRequest) -> SimResponse:
    # sdc-cloudapi lib/datacenters.js listforeign/addforeign; lib/auth.js checks the token first
    if req.headers.get("x-auth-token"):
        raise ApiError(
            401,
            "InvalidCredentials",
            "The token provided is not authorized for this application",
        )
    message = "method requires HTTP signature auth token delegated authorization"
    return SimResponse(403, {"code": "Forbidden", "message": message})


def register(router: Router) -> None:
    router.add("GET", "/:account/datacenters", "ListDatacenters", list_datacenters)
    router.add("GET", "/:account/datacenters/:dc", "GetDatacenter", get_datacenter)
    router.add("GET", "/:account/foreigndatacenters", "ListForeignDatacenters", foreign_datacenters)
    router.add("POST", "/:account/foreigndatacenters", "AddForeignDatacenter", foreign_datacenters)
