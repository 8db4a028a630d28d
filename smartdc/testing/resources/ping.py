"""Routes answered without a signature: ``GET /--ping`` and the redirect of ``GET /`` to the docs."""

from __future__ import annotations

from smartdc.testing.router import Router, SimRequest, SimResponse
from smartdc.testing.versions import SUPPORTED_VERSIONS

DOCS_URL = "https://apidocs.tritondatacenter.com/cloudapi/"


DC_HEADER = "Triton-Datacenter-Name"  # set by lib/account.js ping and lib/datacenters.js list


def dc_header(req: SimRequest) -> dict[str, str]:
    """The header naming the answering datacenter, from the release that brought it (9.2.0)."""
    return {DC_HEADER: req.dc.name} if req.sim.settings.release.sends_header(DC_HEADER) else {}


def ping(req: SimRequest) -> SimResponse:
    body = {"ping": "pong", "cloudapi": {"versions": list(SUPPORTED_VERSIONS)}}
    return SimResponse(200, body, dc_header(req))


def docs_redirect(req: SimRequest) -> SimResponse:
    return SimResponse(302, None, {"Location": DOCS_URL})


def register(router: Router) -> None:
    router.add("GET", "/--ping", "Ping", ping)
    router.add("GET", "/", "GetRoot", docs_redirect)
