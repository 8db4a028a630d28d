"""A VNC console for simulated hardware VMs: the RFB 3.8 opening (RFC 6143 sections 7.1 to 7.3) over the
WebSocket CloudAPI relays (sdc-cloudapi lib/endpoints/vnc.js pipes binary messages to the VM's
VNC socket, in both directions, as they come).

Enough for a viewer or a client to see a real console answer: the version handshake, security
type None, and a ServerInit naming the instance; the client's later messages are read and
dropped (the screen never changes).
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from websockets.sync.connection import Connection

SERVER_VERSION = b"RFB 003.008\n"
WIDTH, HEIGHT = 1024, 768
# 32 bits per pixel, depth 24, little-endian true colour, 8 bits a channel (red at bit 16).
PIXEL_FORMAT = struct.pack(">BBBBHHHBBB3x", 32, 24, 0, 1, 255, 255, 255, 16, 8, 0)
SECURITY_NONE = 1


class _Bytes:
    """The client's byte stream, whatever the WebSocket message boundaries."""

    def __init__(self, ws: Connection) -> None:
        self.ws = ws
        self.buffer = b""

    def read(self, n: int) -> bytes:
        while len(self.buffer) < n:
            message = self.ws.recv()
            self.buffer += message if isinstance(message, bytes) else message.encode()
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out


def serve_console(ws: Connection, name: str) -> None:
    """Run one RFB session until the client goes away."""
    from websockets.exceptions import ConnectionClosed

    client = _Bytes(ws)
    try:
        ws.send(SERVER_VERSION)
        version = client.read(12)
        if version.startswith(b"RFB 003.003"):
            ws.send(struct.pack(">I", SECURITY_NONE))  # 3.3: the server picks
        else:
            ws.send(bytes([1, SECURITY_NONE]))
            if client.read(1) != bytes([SECURITY_NONE]):
                reason = b"unsupported security type"
                ws.send(struct.pack(">I", 1) + struct.pack(">I", len(reason)) + reason)
                return
            ws.send(struct.pack(">I", 0))  # SecurityResult OK (3.8 sends it for None too)
        client.read(1)  # ClientInit: shared flag
        title = name.encode("utf-8")
        ws.send(
            struct.pack(">HH", WIDTH, HEIGHT) + PIXEL_FORMAT + struct.pack(">I", len(title)) + title
        )
        while True:
            ws.recv()  # input and update requests: nothing on the screen changes
    except ConnectionClosed:
        return
