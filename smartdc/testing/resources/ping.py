"""Ping: ``GET /--ping``, the only route answered without a signature."""

from __future__ import annotations

from smartdc.testing.router import Router, SimRequest, SimResponse
from smartdc.testing.versions import SUPPORTED_VERSIONS


def ping(req: SimRequest) -> SimResponse:
    return SimResponse(200, {"ping": "pong", "cloudapi": {"versions": list(SUPPORTED_VERSIONS)}})


def register(router: Router) -> None:
    router.add("GET", "/--ping", "Ping", ping)
