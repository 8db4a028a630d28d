"""The simulator's WebSocket side: the opening handshake on a request ``http.server`` has already
parsed, then websockets' synchronous :class:`~websockets.sync.connection.Connection` for frames,
pings and the closing handshake.

CloudAPI upgrades two routes (the changefeed and VNC, with watershed). The route handler checks
everything the server checks before the upgrade and answers with :class:`Upgrade`; the HTTP
server then calls :func:`serve_upgrade`, which answers ``101`` and hands the socket to the
handler's ``serve``. The ``websockets`` package is optional (``pip install smartdc[streaming]``):
without it these routes answer 501 with that hint.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from websockets.sync.connection import Connection

log = logging.getLogger("smartdc.testing")

# The largest message the simulator reads from a client (registrations are a few hundred bytes;
# RFB client messages are small).
MAX_MESSAGE_BYTES = 64 * 1024


def available() -> bool:
    """Whether the optional ``websockets`` package is installed."""
    try:
        import websockets.sync.connection  # noqa: F401
    except ImportError:
        return False
    return True


@attrs.frozen
class Upgrade:
    """A route's answer that switches the connection to a WebSocket.

    ``serve`` runs in the connection's thread, outside the simulator's lock, until the session
    ends; ``subprotocols`` are those the server accepts when the client offers them (watershed
    accepts a client that offers none).
    """

    serve: Callable[[Connection], None]
    subprotocols: Sequence[str] = ()


def serve_upgrade(
    sock: socket.socket, request_line: str, headers: Sequence[tuple[str, str]], upgrade: Upgrade
) -> None:
    """Answer the opening handshake on ``sock`` and run ``upgrade.serve`` on the connection."""
    from websockets.server import ServerProtocol
    from websockets.sync.connection import Connection
    from websockets.typing import Subprotocol

    accepted = tuple(upgrade.subprotocols)

    def select(_protocol: Any, offered: Sequence[Subprotocol]) -> Subprotocol | None:
        return next((s for s in offered if s in accepted), None)

    protocol = ServerProtocol(select_subprotocol=select, max_size=MAX_MESSAGE_BYTES)
    raw = request_line + "\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    protocol.receive_data(raw.encode("latin-1"))
    events = protocol.events_received()
    response = protocol.reject(400, "Bad WebSocket request\n")
    if events:
        response = protocol.accept(events[0])  # type: ignore[arg-type]
    response.headers["Server"] = "cloudapi"
    protocol.send_response(response)
    sock.sendall(b"".join(protocol.data_to_send()))
    if response.status_code != 101:
        return
    sock.settimeout(None)  # a feed may stay idle for long; closing the simulator cuts it
    connection = Connection(sock, protocol, ping_interval=None, close_timeout=2)
    try:
        upgrade.serve(connection)
    except Exception:
        log.exception("simulator WebSocket session failed")
    finally:
        connection.close()
