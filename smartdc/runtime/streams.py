"""Streaming operations: JSON message feeds that reconnect (the changefeed) and byte streams (VNC).

:class:`MessageStream` keeps a feed open across drops: when the WebSocket closes or breaks it
reconnects with jittered exponential backoff, sends the registration again and yields a
:class:`StreamGap` before the next message, so a consumer knows changes may have been missed in
between and can re-read what it watches. Errors that a retry cannot mend (the server refusing the
request: 401, 403, 404...) are raised at once.

The backoff runs across connections, not only across failed attempts: a connection that drops
before it has been up ``stable_after`` seconds does not reset it (a server that accepts each
handshake and closes at once gets ever rarer handshakes, not one every few hundred
milliseconds), and a feed that has not stayed up that long for ``reconnect_deadline`` seconds
gives up with the last error. ``next(timeout)`` returns within its timeout whatever the server
does, reconnecting or not: an attempt under way is bounded by what is left, and the backoff
carries on at the next call.

:class:`ByteStream` is a raw binary WebSocket (the RFB protocol of a VNC console).
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

import attrs

from smartdc.errors import (
    CloudAPIError,
    ConnectError,
    InvalidResponseError,
    RequestTimeout,
)
from smartdc.transient import transient
from smartdc.websocket import StreamClosed, WebSocket

T = TypeVar("T")


@attrs.frozen
class StreamGap:
    """The feed was reconnected: changes made while it was down were not sent.

    ``reason`` says why it dropped; ``reconnects`` counts reconnections so far; ``down_for`` is
    how long it was down, in seconds.
    """

    reason: str
    reconnects: int
    down_for: float


@attrs.frozen
class Backoff:
    """Jittered exponential delays between ``minimum`` and ``maximum`` seconds."""

    minimum: float = 0.5
    maximum: float = 30.0

    def delay(self, attempt: int) -> float:
        bounded = min(self.maximum, self.minimum * 2 ** max(attempt - 1, 0))
        return float(bounded * random.uniform(0.5, 1.0))


STABLE_AFTER = 60.0  # seconds a connection must stay up before a drop restarts the backoff


class MessageStream(Generic[T]):
    """An open message feed: iterate for messages (``T``) and gaps (:class:`StreamGap`).

    After each (re)connection the ``registration`` is sent first, as the changefeed needs.

    Use it as a context manager, or call :meth:`close`. :meth:`next` takes a timeout and returns
    None when nothing came, for callers that keep a deadline of their own.
    """

    def __init__(
        self,
        connect: Callable[[float | None], WebSocket],
        registration: dict[str, Any],
        decode: Callable[[Any], T],
        *,
        reconnect: bool = True,
        backoff: Backoff | None = None,
        reconnect_deadline: float = 300.0,
        stable_after: float = STABLE_AFTER,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """``connect(timeout)`` opens the WebSocket within ``timeout`` seconds (None: its own
        bounds)."""
        self._connect = connect
        self._registration = json.dumps(registration, separators=(",", ":"))
        self._decode = decode
        self._reconnect = reconnect
        self._backoff = backoff or Backoff()
        self._reconnect_deadline = reconnect_deadline
        self._stable_after = stable_after
        self._sleep = sleep
        self._monotonic = monotonic
        self._closed = False
        self.reconnects = 0
        self._attempt = 0  # reconnections tried since the feed last stayed up stable_after
        self._unstable_since: float | None = None  # when that run of short connections began
        self._down_since = 0.0
        self._down_reason = ""
        self._next_try = 0.0
        self._last_error: BaseException | None = None
        self._socket: WebSocket | None = self._open(None)
        self._up_since = self._monotonic()

    def _open(self, timeout: float | None) -> WebSocket:
        socket = self._connect(timeout)
        try:
            socket.send(self._registration, timeout=timeout)
        except BaseException:
            socket.abort()
            raise
        return socket

    def __iter__(self) -> Iterator[T | StreamGap]:
        return self

    def __next__(self) -> T | StreamGap:
        try:
            item = self.next()
        except StreamClosed:
            if self._closed:
                raise StopIteration from None
            raise
        assert item is not None  # no timeout: next() waits for a message or raises
        return item

    def next(self, timeout: float | None = None) -> T | StreamGap | None:
        """The next message or gap; None if ``timeout`` seconds passed without one, also while
        reconnecting (the reconnection carries on at the next call).

        Raises :class:`StreamClosed` once the feed is closed (or dropped, without reconnect),
        and the last connection error when the feed has not stayed up for
        ``reconnect_deadline`` seconds.
        """
        deadline = None if timeout is None else self._monotonic() + max(0.0, timeout)
        if self._closed:
            raise StreamClosed("the stream is closed")
        if self._socket is None:
            return self._recover(deadline)
        try:
            message = self._socket.recv(timeout)
        except RequestTimeout:
            return None
        except StreamClosed as exc:
            if self._closed or not self._reconnect:
                raise
            self._dropped(str(exc))
            return self._recover(deadline)
        if not isinstance(message, str):
            raise InvalidResponseError(
                f"{self._socket.path}: a binary message on a JSON message stream",
                raw_body=message[:1024],
            )
        try:
            decoded = json.loads(message)
        except ValueError:
            raise InvalidResponseError(
                f"{self._socket.path}: a message that is not JSON",
                raw_body=message.encode("utf-8", "replace")[:1024],
            ) from None
        return self._decode(decoded)

    def _dropped(self, reason: str) -> None:
        now = self._monotonic()
        socket, self._socket = self._socket, None
        if socket is not None:
            socket.abort()
        if self._unstable_since is None or now - self._up_since >= self._stable_after:
            # it had been up long enough: a new run of reconnections, its backoff from the start
            self._attempt = 0
            self._unstable_since = now
        self._down_since = now
        self._down_reason = reason
        self._attempt += 1
        self._next_try = now + self._backoff.delay(self._attempt)

    def _recover(self, deadline: float | None) -> StreamGap | None:
        """Reconnect: a gap once connected, None when ``deadline`` came first."""
        while True:
            now = self._monotonic()
            assert self._unstable_since is not None
            if now - self._unstable_since >= self._reconnect_deadline:
                if self._last_error is not None:
                    raise self._last_error
                raise StreamClosed(
                    f"the feed did not stay up for {self._reconnect_deadline:g} s "
                    f"({self._down_reason})"
                )
            wait = self._next_try - now
            if deadline is not None and deadline - now <= wait:
                self._sleep(max(0.0, deadline - now))
                return None
            if wait > 0:
                self._sleep(wait)
            if self._closed:
                raise StreamClosed("the stream is closed")
            left = None if deadline is None else deadline - self._monotonic()
            if left is not None and left <= 0:
                return None
            try:
                self._socket = self._open(left)
            except (CloudAPIError, ConnectError, RequestTimeout, StreamClosed) as exc:
                if not transient(exc):
                    raise
                self._last_error = exc
                self._attempt += 1
                self._next_try = self._monotonic() + self._backoff.delay(self._attempt)
                continue
            self.reconnects += 1
            self._up_since = self._monotonic()
            self._last_error = None
            return StreamGap(self._down_reason, self.reconnects, self._up_since - self._down_since)

    def close(self) -> None:
        """Close the WebSocket cleanly (bounded: a server that never reads cannot hold it);
        iteration then stops."""
        self._closed = True
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def __enter__(self) -> MessageStream[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"MessageStream({state}, reconnects={self.reconnects})"


class ByteStream:
    """A binary WebSocket as a byte stream (VNC's RFB protocol).

    ``recv`` gives the bytes of the next message as they came; ``read(n)`` exactly ``n`` bytes
    whatever the message boundaries. Closing is clean (close frame); use it as a context manager.
    """

    def __init__(self, socket: WebSocket) -> None:
        self._socket = socket
        self._buffer = b""

    @property
    def subprotocol(self) -> str | None:
        return self._socket.subprotocol

    def recv(self, timeout: float | None = None) -> bytes:
        """The next bytes the server sent (:class:`StreamClosed` at the end of the stream)."""
        if self._buffer:
            out, self._buffer = self._buffer, b""
            return out
        message = self._socket.recv(timeout)
        return message if isinstance(message, bytes) else message.encode("utf-8")

    def read(self, n: int, timeout: float | None = None) -> bytes:
        """Exactly ``n`` bytes, within ``timeout`` seconds in all (however the server spreads
        them over messages); on :class:`RequestTimeout` the bytes read so far stay buffered."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while len(self._buffer) < n:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise RequestTimeout(
                    f"{self._socket.path}: {n} bytes did not come within {timeout:g} s"
                )
            message = self._socket.recv(left)
            self._buffer += message if isinstance(message, bytes) else message.encode("utf-8")
        out, self._buffer = self._buffer[:n], self._buffer[n:]
        return out

    def send(self, data: bytes) -> None:
        self._socket.send(bytes(data))

    def close(self) -> None:
        self._socket.close()

    def __enter__(self) -> ByteStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ByteStream(path={self._socket.path!r})"
