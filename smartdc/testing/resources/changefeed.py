"""Changefeed (sdc-cloudapi lib/changefeed.js): a WebSocket of changes to the account's instances.

After the upgrade the client sends a registration (``{"resource": "vm", "subResources": [...],
"vms": [...]}``); invalid ones are ignored, as the server only logs them. Each later change is
sent as one text message (:mod:`smartdc.testing.feed`). A request without the upgrade fails the
server's ``claimUpgrade`` test with a plain Error, which restify 4 answers as 500 with only a
message.
"""

from __future__ import annotations

import json
import queue
import threading
from typing import TYPE_CHECKING

from smartdc.testing.resources.common import login_of
from smartdc.testing.router import ApiError, Router, SimRequest, SimResponse
from smartdc.testing.websocket import Upgrade, available

if TYPE_CHECKING:
    from websockets.sync.connection import Connection


def wants_upgrade(req: SimRequest) -> bool:
    """Whether the request asks for a WebSocket (restify's ``res.claimUpgrade`` exists)."""
    return req.headers.get("upgrade", "").lower() == "websocket"


def not_streamable() -> ApiError:
    return ApiError(
        501,
        "NotImplemented",
        "the simulator serves WebSockets only with the websockets package "
        "(pip install 'smartdc[streaming]')",
    )


def changefeed(req: SimRequest) -> SimResponse:
    if not wants_upgrade(req):
        message = "Connection Must Upgrade For WebSockets"
        raise ApiError(500, "", message, body={"message": message})
    if not available():
        raise not_streamable()
    login = login_of(req)
    return SimResponse(101, upgrade=Upgrade(lambda ws: _serve(req, login, ws)))


def _serve(req: SimRequest, login: str, ws: Connection) -> None:
    from websockets.exceptions import ConnectionClosed

    listener = req.dc.feed.subscribe(login)
    ended = threading.Event()

    def read_registrations() -> None:
        try:
            for message in ws:
                if isinstance(message, str):
                    try:
                        listener.register(json.loads(message))
                    except ValueError:
                        pass  # the server logs unparseable messages and goes on
        except ConnectionClosed:
            pass
        finally:
            ended.set()
            listener.messages.put(None)

    reader = threading.Thread(target=read_registrations, name="sim-changefeed-reader", daemon=True)
    reader.start()
    try:
        while not ended.is_set():
            try:
                item = listener.messages.get(timeout=1.0)
            except queue.Empty:
                continue
            if item is None:
                break
            ws.send(json.dumps(item))
    except ConnectionClosed:
        pass
    finally:
        req.dc.feed.unsubscribe(listener)


def register(router: Router) -> None:
    router.add("GET", "/:account/changefeed", "changefeed", changefeed)
