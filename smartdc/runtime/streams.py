"""Streaming operations: JSON message feeds that reconnect (the changefeed) and byte streams (VNC).

:class:`MessageStream` keeps a feed open across drops: when the WebSocket closes or breaks it
reconnects with jittered exponential backoff (between ``backoff_min`` and ``backoff_max``
seconds, for at most ``reconnect_deadline`` seconds of failed attempts), sends the registration
again and yields a :class:`StreamGap` before the next message, so a consumer knows changes may have
been missed in between and can re-read what it watches. Errors that a retry cannot mend (the
server refusing the request: 401, 403, 404...) are raised at once.

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
    TransportError,
)
from smartdc.websocket import StreamClosed, WebSocket

T = TypeVar("T")

# Statuses of a refused handshake that a later attempt may not get (the server was busy).
_TRANSIENT_STATUSES = frozenset({420, 429, 500, 502, 503, 504})


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


def _transient(error: BaseException) -> bool:
    if isinstance(error, CloudAPIError):
        return error.status in _TRANSIENT_STATUSES
    return isinstance(error, TransportError)


class MessageStream(Generic[T]):
    """An open message feed: iterate for messages (``T``) and gaps (:class:`StreamGap`).

    After each (re)connection the ``registration`` is sent first, as the changefeed needs.

    Use it as a context manager, or call :meth:`close`. :meth:`next` takes a timeout and returns
    None when nothing came, for callers that keep a deadline of their own.
    """

    def __init__(
        self,
        connect: Callable[[], WebSocket],
        registration: dict[str, Any],
        decode: Callable[[Any], T],
        *,
        reconnect: bool = True,
        backoff: Backoff | None = None,
        reconnect_deadline: float = 300.0,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._connect = connect
        self._registration = json.dumps(registration, separators=(",", ":"))
        self._decode = decode
        self._reconnect = reconnect
        self._backoff = backoff or Backoff()
        self._reconnect_deadline = reconnect_deadline
        self._sleep = sleep
        self._monotonic = monotonic
        self._closed = False
        self.reconnects = 0
        self._socket: WebSocket | None = self._open()

    def _open(self) -> WebSocket:
        socket = self._connect()
        try:
            socket.send(self._registration)
        except BaseException:
            socket.close()
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
        """The next message or gap; None if ``timeout`` seconds passed without one.

        Raises :class:`StreamClosed` once the feed is closed (or dropped, without reconnect),
        and the last connection error when reconnecting failed for ``reconnect_deadline``.
        """
        if self._closed:
            raise StreamClosed("the stream is closed")
        if self._socket is None:
            return self._recover("the feed dropped")
        try:
            message = self._socket.recv(timeout)
        except RequestTimeout:
            return None
        except StreamClosed as exc:
            if self._closed or not self._reconnect:
                raise
            self._socket = None
            return self._recover(str(exc))
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

    def _recover(self, reason: str) -> StreamGap:
        dropped = self._monotonic()
        attempt = 0
        while True:
            attempt += 1
            self._sleep(self._backoff.delay(attempt))
            if self._closed:
                raise StreamClosed("the stream is closed")
            try:
                self._socket = self._open()
            except (CloudAPIError, ConnectError, RequestTimeout, StreamClosed) as exc:
                elapsed = self._monotonic() - dropped
                if not _transient(exc) or elapsed >= self._reconnect_deadline:
                    raise
                continue
            self.reconnects += 1
            return StreamGap(reason, self.reconnects, self._monotonic() - dropped)

    def close(self) -> None:
        """Close the WebSocket cleanly; iteration then stops."""
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
        """Exactly ``n`` bytes (``timeout`` applies to each message waited for)."""
        while len(self._buffer) < n:
            message = self._socket.recv(timeout)
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
