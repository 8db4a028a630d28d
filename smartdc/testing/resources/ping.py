"""Routes answered without a signature: ``GET /--ping`` and the redirect of ``GET /`` to the docs."""

from __future__ import annotations

from smartdc.testing.router import Router, SimRequest, SimResponse
from smartdc.testing.versions import SUPPORTED_VERSIONS

DOCS_URL = "https://apidocs.tritondatacenter.com/cloudapi/"


def ping(req: SimRequest) -> SimResponse:
    return SimResponse(200, {"ping": "pong", "cloudapi": {"versions": list(SUPPORTED_VERSIONS)}})


def docs_redirect(req: SimRequest) -> SimResponse:
    return SimResponse(302, None, {"Location": DOCS_URL})


def register(router: Router) -> None:
    router.add("GET", "/--ping", "Ping", ping)
    router.add("GET", "/", "GetRoot", docs_redirect)
