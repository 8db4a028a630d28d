"""Services: this datacenter's CloudAPI URL plus fake docker and manta endpoints."""

from __future__ import annotations

from smartdc.testing.resources.common import ok
from smartdc.testing.router import Router, SimRequest, SimResponse


def list_services(req: SimRequest) -> SimResponse:
    name = req.dc.name
    return ok(
        {
            "cloudapi": req.dc.url,
            "docker": f"tcp://{name}.docker.sim.invalid:2376",
            "manta": f"https://{name}.manta.sim.invalid",
        }
    )


def register(router: Router) -> None:
    router.add("GET", "/:account/services", "ListServices", list_services)
