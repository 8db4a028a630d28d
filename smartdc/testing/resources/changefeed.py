"""Changefeed: a WebSocket endpoint; without the upgrade headers the server answers 400
``UpgradeRequiredError``, which is all the simulator serves."""

from __future__ import annotations

from smartdc.testing.router import ApiError, Router, SimRequest, SimResponse


def changefeed(req: SimRequest) -> SimResponse:
    if req.headers.get("upgrade", "").lower() != "websocket":
        raise ApiError(400, "UpgradeRequiredError", "changefeed requires a WebSocket upgrade")
    raise ApiError(501, "NotImplemented", "the simulator does not serve the changefeed stream")


def register(router: Router) -> None:
    router.add("GET", "/:account/changefeed", "changefeed", changefeed)
