"""One deadline for a whole HTTP attempt, whatever the server does.

urllib3's timeouts bound each socket operation: a server that sends one byte just before every read
timeout keeps a call alive for ever. Here a single daemon thread (the watchdog) holds every armed
deadline; when one passes, it shuts the attempt's socket down, so the blocked read (of the status
line, a header or the body) returns at once and the transport reports a timeout.

The transport arms a :class:`Watch` per attempt and makes it current for its thread; the connection
classes below attach their socket to the current watch as soon as it exists and again on every
request (a kept-alive connection, or the TLS socket that replaced the plain one). The TLS handshake
is bounded as a whole by Python's ssl module (the socket timeout is its deadline). ``finish()``
disarms under a lock before the connection goes back to the pool, so a late deadline never cuts
a connection that another request is using.
"""

from __future__ import annotations

import heapq
import itertools
import os
import socket
import threading
import time
from typing import Any

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

_current = threading.local()


def _cut(sock: socket.socket) -> None:
    # The base class's shutdown also for TLS sockets: SSLSocket.shutdown would drop its SSL object
    # under the reading thread; shutting the descriptor down makes that thread's read end instead.
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except (OSError, TypeError, ValueError):
        pass


class Watch:
    """The deadline of one attempt and the socket it guards."""

    __slots__ = ("_done", "_lock", "_sock", "deadline", "expired")

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.expired = False
        self._done = False
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def attach(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            if self._done:
                return
            self._sock = sock
            if self.expired:
                _cut(sock)

    def fire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.expired = True
            if self._sock is not None:
                _cut(self._sock)

    def finish(self) -> bool:
        """Disarm; False when the deadline had already passed (the connection is then cut)."""
        if self._done:  # disarmed already: neither flag changes again
            return not self.expired
        with self._lock:
            self._done = True
            self._sock = None
            return not self.expired

    @property
    def done(self) -> bool:
        return self._done

    def __enter__(self) -> Watch:
        _current.watch = self
        return self

    def __exit__(self, *exc: object) -> None:
        _current.watch = None
        self.finish()


class Watchdog:
    """Fires watches at their deadlines; one daemon thread, started on first use."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Watch]] = []
        self._cond = threading.Condition()
        self._order = itertools.count()
        self._thread: threading.Thread | None = None
        self._compact_at = 4096

    def watch(self, deadline: float) -> Watch:
        watch = Watch(deadline)
        with self._cond:
            if self._thread is None:  # first use (again in a forked child: see below)
                self._thread = threading.Thread(
                    target=self._run, name="smartdc-deadlines", daemon=True
                )
                self._thread.start()
            if len(self._heap) >= self._compact_at:
                # Finished watches stay queued until their deadline: drop them in bulk.
                self._heap = [entry for entry in self._heap if not entry[2].done]
                heapq.heapify(self._heap)
                self._compact_at = max(4096, 2 * len(self._heap))
            earliest = self._heap[0][0] if self._heap else None
            heapq.heappush(self._heap, (deadline, next(self._order), watch))
            if earliest is None or deadline < earliest:
                self._cond.notify()
        return watch

    def _run(self) -> None:
        with self._cond:
            while True:
                while self._heap and self._heap[0][2].done:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._cond.wait()
                    continue
                wait = self._heap[0][0] - time.monotonic()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                heapq.heappop(self._heap)[2].fire()


WATCHDOG = Watchdog()


def _after_fork() -> None:
    # A forked child has no watchdog thread: the next watch starts one (and nothing of the
    # parent's in-flight attempts is this process's to cut).
    WATCHDOG.__init__()  # type: ignore[misc]


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


def _attach_current(sock: Any) -> None:
    watch: Watch | None = getattr(_current, "watch", None)
    if watch is not None:
        watch.attach(sock)


class WatchedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _attach_current(sock)
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:
        _attach_current(self.sock)
        super().request(*args, **kwargs)


class WatchedHTTPSConnection(HTTPSConnection):
    # The TLS handshake needs no watch: Python's ssl module bounds the whole handshake by the
    # socket's timeout (the connect timeout here), not each read of it.
    def request(self, *args: Any, **kwargs: Any) -> None:
        _attach_current(self.sock)
        super().request(*args, **kwargs)


class WatchedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = WatchedHTTPConnection


class WatchedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = WatchedHTTPSConnection


POOL_CLASSES = {"http": WatchedHTTPConnectionPool, "https": WatchedHTTPSConnectionPool}
