"""A hostile HTTP server on 127.0.0.1, written on raw sockets so that it can break every rule.

Each connection reads one request head (and its Content-Length body), then plays the next
:class:`Script`: raw bytes (status line, headers, body) sent in pieces with a delay between them,
optionally followed by an endless tail. Nothing is checked or fixed up: wrong lengths, both
framings, a status line sent one byte at a time, a gzip bomb, whatever the test wrote. Sending stops
when the client goes away, when ``limit`` bytes were sent, or when the server stops.
"""

from __future__ import annotations

import itertools
import socket
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator

import attrs

Body = Callable[[], Iterable[bytes]]


def trickle(conn: socket.socket, data: bytes, stop: threading.Event, delay: float = 0.02) -> None:
    """Send ``data`` one byte every ``delay`` seconds, until done, ``stop`` is set or the peer
    goes away."""
    for byte in data:
        if stop.wait(delay):
            return
        try:
            conn.sendall(bytes([byte]))
        except OSError:
            return


@attrs.frozen
class Script:
    """One answer: ``head`` (status line and headers, CRLF-joined, ending in a blank line), then
    ``body()``'s pieces; each piece goes out in ``piece``-byte writes ``delay`` seconds apart."""

    head: bytes
    body: Body = lambda: ()
    piece: int = 1 << 16
    delay: float = 0.0
    limit: int = 16 << 20  # bytes sent at most, so that an endless body ends too
    keep_alive: bool = False


def head(status: int, *headers: tuple[str, str], reason: str = "X") -> bytes:
    lines = [f"HTTP/1.1 {status} {reason}", *(f"{k}: {v}" for k, v in headers)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def json_answer(status: int, body: bytes, *extra: tuple[str, str]) -> Script:
    return Script(
        head(
            status,
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            *extra,
        ),
        lambda: (body,),
        keep_alive=True,
    )


def endless(piece: bytes) -> Body:
    return lambda: itertools.repeat(piece)


def chunked(pieces: Iterable[bytes], *, end: bool = True) -> Iterator[bytes]:
    for part in pieces:
        if part:
            yield f"{len(part):x}\r\n".encode() + part + b"\r\n"
    if end:
        yield b"0\r\n\r\n"


class HostileServer:
    """Plays scripts in order (the last one again when they run out); records request heads."""

    def __init__(self, *scripts: Script) -> None:
        self._scripts: deque[Script] = deque(scripts)
        self._last: Script | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.requests: list[bytes] = []
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(0.05)
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self._threads: list[threading.Thread] = []
        self._accepter = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> HostileServer:
        self._accepter.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._accepter.join(5)
        for thread in self._threads:
            thread.join(5)
        self._sock.close()

    def play(self, *scripts: Script) -> None:
        with self._lock:
            self._scripts = deque(scripts)
            self.requests.clear()

    def _next(self) -> Script:
        with self._lock:
            if self._scripts:
                self._last = self._scripts.popleft()
            assert self._last is not None, "no script to play"
            return self._last

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(0.05)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # trickles go out as written
        buffered = b""
        try:
            while not self._stop.is_set():
                request, buffered = self._read_request(conn, buffered)
                if request is None:
                    return
                with self._lock:
                    self.requests.append(request)
                script = self._next()
                if not self._send(conn, script) or not script.keep_alive:
                    return
        finally:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()

    def _read_request(self, conn: socket.socket, buffered: bytes) -> tuple[bytes | None, bytes]:
        conn.settimeout(0.05)
        while b"\r\n\r\n" not in buffered:
            if len(buffered) > 1 << 16:
                return None, b""
            try:
                data = conn.recv(65536)
            except TimeoutError:
                if self._stop.is_set():
                    return None, b""
                continue
            except OSError:
                return None, b""
            if not data:
                return None, b""
            buffered += data
        request, _, rest = buffered.partition(b"\r\n\r\n")
        length = 0
        for line in request.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(rest) < length:
            try:
                data = conn.recv(65536)
            except TimeoutError:
                if self._stop.is_set():
                    return None, b""
                continue
            except OSError:
                return None, b""
            if not data:
                return None, b""
            rest += data
        return request, rest[length:]

    def _send(self, conn: socket.socket, script: Script) -> bool:
        """Send the script; False when the client went away, the limit was hit or we stop."""
        sent = 0
        for part in itertools.chain((script.head,), script.body()):
            for start in range(0, len(part), script.piece):
                if self._stop.is_set() or sent >= script.limit:
                    return False
                if script.delay and self._stop.wait(script.delay):
                    return False
                piece = part[start : start + script.piece]
                try:
                    conn.settimeout(5)
                    conn.sendall(piece)
                except OSError:
                    return False
                sent += len(piece)
        return True
