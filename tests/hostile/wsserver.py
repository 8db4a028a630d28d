"""A hostile WebSocket (and plain HTTP) server on 127.0.0.1, on raw sockets.

Each connection reads one request head. A WebSocket upgrade plays the next :data:`Play` (a
function given the socket, the request head and a stop event: it may accept the handshake or not,
send any frames, flood pings, never read, close at once); any other request is answered by
``http`` (a function of the request line returning a status and a JSON body), so one server can
play CloudAPI's GetMachine beside a lying changefeed. Every request line is recorded.
"""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import struct
import threading
from collections.abc import Callable
from typing import Any

Play = Callable[[socket.socket, bytes, threading.Event], None]
Http = Callable[[str], tuple[int, Any]]
GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

TEXT, BINARY, CLOSE, PING, PONG = 0x1, 0x2, 0x8, 0x9, 0xA


def frame(
    opcode: int, payload: bytes = b"", *, fin: bool = True, length: int | None = None
) -> bytes:
    """A server frame (unmasked). ``length`` overrides the announced length (a lie)."""
    size = len(payload) if length is None else length
    first = (0x80 if fin else 0) | opcode
    if size < 126:
        head = struct.pack("!BB", first, size)
    elif size < 1 << 16:
        head = struct.pack("!BBH", first, 126, size)
    else:
        head = struct.pack("!BBQ", first, 127, size)
    return head + payload


def text(message: object) -> bytes:
    data = message if isinstance(message, str) else json.dumps(message)
    return frame(TEXT, data.encode())


def close_frame(code: int = 1000, reason: str = "") -> bytes:
    return frame(CLOSE, struct.pack("!H", code) + reason.encode())


def accept(conn: socket.socket, head: bytes, *extra: str) -> None:
    """Answer the upgrade with 101 and the right Sec-WebSocket-Accept."""
    key = b""
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"sec-websocket-key":
            key = value.strip()
    digest = base64.b64encode(hashlib.sha1(key + GUID).digest()).decode()
    lines = [
        "HTTP/1.1 101 Switching Protocols",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Accept: {digest}",
        *extra,
    ]
    conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())


def refuse(conn: socket.socket, status: int = 503, body: bytes = b"{}") -> None:
    conn.sendall(
        f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
        + body
    )


def send_all(conn: socket.socket, data: bytes, stop: threading.Event) -> bool:
    """Send ``data`` unless the server stops or the peer goes away (False then)."""
    view = memoryview(data)
    while view and not stop.is_set():
        try:
            sent = conn.send(view)
        except TimeoutError:
            continue
        except OSError:
            return False
        view = view[sent:]
    return not view


def ping_flood(conn: socket.socket, head: bytes, stop: threading.Event) -> None:
    """Accept, then ping as fast as the socket takes it and never read: the client's pongs fill
    its send buffer."""
    accept(conn, head)
    ping = frame(PING, b"p" * 125)
    while send_all(conn, ping * 64, stop):
        pass


def silent(conn: socket.socket, head: bytes, stop: threading.Event) -> None:
    """Accept and then neither read nor send."""
    accept(conn, head)
    stop.wait()


def read_some(conn: socket.socket, stop: threading.Event) -> bytes:
    """Whatever the client sends next (its registration), or b"" when it is gone."""
    while not stop.is_set():
        try:
            return conn.recv(65536)
        except TimeoutError:
            continue
        except OSError:
            return b""
    return b""


def close_at_once(conn: socket.socket, head: bytes, stop: threading.Event) -> None:
    """Accept the handshake, take the registration, then close (a clean close frame)."""
    accept(conn, head)
    read_some(conn, stop)
    send_all(conn, close_frame(1011, "bye"), stop)


def refused(status: int = 503) -> Play:
    def play(conn: socket.socket, head: bytes, stop: threading.Event) -> None:
        refuse(conn, status)

    return play


def sending(*frames: bytes) -> Play:
    """Accept, take the registration, send ``frames``; then end the connection if the last was a
    close frame, else answer whatever the client sends next (its close) with a close frame."""

    def play(conn: socket.socket, head: bytes, stop: threading.Event) -> None:
        accept(conn, head)
        read_some(conn, stop)
        for data in frames:
            if not send_all(conn, data, stop):
                return
        if frames and frames[-1][0] & 0x0F == CLOSE:
            return
        if read_some(conn, stop):
            send_all(conn, close_frame(), stop)

    return play


class HostileWebSocketServer:
    """Plays ``plays`` in order, one per WebSocket connection (the last one again when they run
    out); answers other requests with ``http``. Records each request line in ``requests``."""

    def __init__(self, *plays: Play, http: Http | None = None) -> None:
        self.plays = list(plays) or [silent]
        self.http = http
        self.requests: list[str] = []
        self.upgrades = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._conns: list[socket.socket] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> HostileWebSocketServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        with self._lock:
            for conn in self._conns:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        self._thread.join(5)
        self._listener.close()

    def count(self, text: str) -> int:
        with self._lock:
            return sum(text in line for line in self.requests)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self._conns.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(0.2)
        try:
            while not self._stop.is_set():
                head = self._read_head(conn)
                if head is None:
                    return
                line = head.split(b"\r\n", 1)[0].decode("latin-1")
                with self._lock:
                    self.requests.append(line)
                if b"upgrade: websocket" in head.lower():
                    with self._lock:
                        play = self.plays[min(self.upgrades, len(self.plays) - 1)]
                        self.upgrades += 1
                    play(conn, head, self._stop)
                    return
                status, body = self.http(line) if self.http else (404, {})
                data = json.dumps(body).encode()
                conn.sendall(
                    f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(data)}\r\n\r\n".encode()
                    + data
                )
        except OSError:
            return
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def _read_head(self, conn: socket.socket) -> bytes | None:
        data = b""
        while b"\r\n\r\n" not in data:
            if self._stop.is_set():
                return None
            try:
                piece = conn.recv(65536)
            except TimeoutError:
                continue
            if not piece:
                return None
            data += piece
        return data.split(b"\r\n\r\n", 1)[0]
