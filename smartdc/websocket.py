"""Signed WebSocket connections to CloudAPI (the changefeed and VNC routes).

The opening handshake is an HTTP GET signed like any other request (``Date`` and
``Authorization``), over TLS verified as the :class:`~smartdc.transport.Transport` verifies it, with
the configured timeouts. Frames, pings and the closing handshake are done by the ``websockets``
package, an optional dependency (``pip install 'smartdc[streaming]'``) imported only when a
stream is opened, so ``import smartdc`` does not pay for it.

Every failure is a :class:`~smartdc.errors.SmartDCError`: an error answer to the handshake is the
:class:`~smartdc.errors.CloudAPIError` subclass of its code, as for any request.
"""

from __future__ import annotations

import logging
import socket
import ssl
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from email.utils import formatdate
from typing import TYPE_CHECKING, Any

from smartdc._version import __version__
from smartdc.errors import (
    CloudAPIError,
    ConnectError,
    RequestTimeout,
    ResponseTooLargeError,
    SmartDCError,
    TransportError,
)

if TYPE_CHECKING:
    from websockets.sync.client import ClientConnection

    from smartdc.transport import Transport

DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024  # one changefeed message carries a whole machine
CLOSE_TIMEOUT = 5.0  # seconds to wait for the server's close frame


class _LibraryLogger(logging.LoggerAdapter):  # type: ignore[type-arg]
    """The logger handed to ``websockets``: its records go to ``smartdc.websocket`` at INFO and
    above, never at DEBUG, where the library writes every handshake header (``Authorization``,
    the request's signature) and every frame."""

    def isEnabledFor(self, level: int) -> bool:
        return level > logging.DEBUG and self.logger.isEnabledFor(level)

    def log(self, level: int, msg: object, *args: Any, **kwargs: Any) -> None:
        if level > logging.DEBUG:
            super().log(level, msg, *args, **kwargs)

    def debug(self, msg: object, *args: Any, **kwargs: Any) -> None:
        return None


LIBRARY_LOGGER = _LibraryLogger(logging.getLogger("smartdc.websocket"), {})


class StreamUnavailableError(SmartDCError):
    """Streaming needs the optional ``websockets`` package: ``pip install 'smartdc[streaming]'``."""


class StreamClosed(TransportError):
    """The WebSocket was closed (by the server, the network, or :meth:`WebSocket.close`).

    ``code`` and ``reason`` are those of the close frame when one came.
    """

    def __init__(self, message: str, *, code: int | None = None, reason: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason


def _websockets() -> Any:
    try:
        import websockets.sync.client
    except ImportError:
        raise StreamUnavailableError(
            "CloudAPI's changefeed and VNC are WebSockets: install the optional dependency with "
            "pip install 'smartdc[streaming]'"
        ) from None
    return websockets


def ssl_context(transport: Transport) -> ssl.SSLContext | None:
    """The TLS settings of ``transport`` for a socket of our own (None for plain loopback http)."""
    config = transport.config
    if not config.url.startswith("https:"):
        return None
    if config.insecure:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    return ssl.create_default_context(cafile=config.ca_certs)


class _SendBound:
    """The connection's socket with every ``sendall`` bounded by ``limit`` seconds.

    The library sends from its reader thread too (the pong to each ping, the answer to a close),
    with a blocking ``sendall`` and no timeout: a server that pings and never reads fills the send
    buffer and holds that thread, and with it the library's keepalive and every ``recv``, forever.
    A watcher shuts the socket down when a ``sendall`` has not finished within ``limit``; the
    connection then ends as a broken one (:class:`StreamClosed`; a feed reconnects). Reads keep
    their blocking mode: an idle connection is not cut.
    """

    def __init__(self, sock: socket.socket, limit: float) -> None:
        self._sock = sock
        self._limit = limit
        self._changed = threading.Condition()
        self._busy_since: float | None = None
        self._ended = False
        self._watcher: threading.Thread | None = None
        self.stalled = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)

    def fileno(self) -> int:
        return self._sock.fileno()

    def sendall(self, data: bytes) -> None:
        with self._changed:
            self._busy_since = time.monotonic()
            if self._watcher is None:
                self._watcher = threading.Thread(target=self._watch, daemon=True)
                self._watcher.start()
            self._changed.notify()
        try:
            self._sock.sendall(data)
        finally:
            with self._changed:
                self._busy_since = None

    def close(self) -> None:
        with self._changed:
            self._ended = True
            self._changed.notify()
        self._sock.close()

    def _watch(self) -> None:
        with self._changed:
            while not self._ended:
                since = self._busy_since
                if since is None:
                    self._changed.wait()
                    continue
                left = since + self._limit - time.monotonic()
                if left > 0:
                    self._changed.wait(left)
                    continue
                self.stalled = True
                break
        if self.stalled:
            try:
                self._sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _send_bounded(ws: Any, limit: float) -> type[Any]:
    """The library's connection class with its socket wrapped in :class:`_SendBound` before its
    reader thread starts."""

    class Connection(ws.sync.client.ClientConnection):  # type: ignore[misc]
        def __init__(self, sock: socket.socket, *args: Any, **kwargs: Any) -> None:
            super().__init__(_SendBound(sock, limit), *args, **kwargs)

    return Connection


class WebSocket:
    """One open, signed WebSocket. Thread-safe for one reader and one writer.

    ``recv`` returns the next message (``str`` for text, ``bytes`` for binary). Pings are
    answered by the library, and a ping is sent every ``ping_interval`` seconds: a peer that
    stops answering ends the connection with :class:`StreamClosed`.

    Every operation is bounded: ``recv`` by its ``timeout``; ``send`` and ``close`` by theirs,
    else by ``io_timeout`` (the configured read timeout). A peer that stops reading (its pings
    answered by pongs that fill the send buffer) cannot hold them: when the bound passes the
    socket is shut down, which ends the connection (``send`` raises :class:`RequestTimeout`,
    ``close`` returns). The library's own sends (pongs, from its reader thread) have the same
    bound, ``io_timeout``: past it the connection ends and ``recv`` raises :class:`StreamClosed`,
    even without a timeout of its own.
    """

    def __init__(self, connection: ClientConnection, path: str, io_timeout: float = 30.0) -> None:
        self._connection = connection
        self.path = path
        self.io_timeout = io_timeout

    @contextmanager
    def _bounded(self, timeout: float | None) -> Iterator[threading.Event]:
        """Shut the socket down if the block has not finished within ``timeout`` seconds (the
        library's blocking ``sendall`` has no timeout of its own); the event says it was."""
        fired = threading.Event()
        limit = self.io_timeout if timeout is None else max(0.0, timeout)

        def expire() -> None:
            fired.set()
            self.abort()

        timer = threading.Timer(limit, expire)
        timer.daemon = True
        timer.start()
        try:
            yield fired
        finally:
            timer.cancel()

    def abort(self) -> None:
        """End the connection now, without a closing handshake (wakes any blocked send)."""
        sock = getattr(self._connection, "socket", None)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    @property
    def subprotocol(self) -> str | None:
        return self._connection.subprotocol

    def recv(self, timeout: float | None = None) -> str | bytes:
        """The next message; :class:`RequestTimeout` when none came within ``timeout`` seconds."""
        from websockets.exceptions import ConnectionClosed, PayloadTooBig

        try:
            return self._connection.recv(timeout=timeout)
        except TimeoutError:
            raise RequestTimeout(f"{self.path}: no message within {timeout:g} s") from None
        except ConnectionClosed as exc:
            cause = exc.__cause__
            if isinstance(cause, PayloadTooBig):
                raise ResponseTooLargeError(f"{self.path}: {cause}") from None
            raise _closed(self.path, exc) from None

    def send(self, message: str | bytes, timeout: float | None = None) -> None:
        """Send one message; :class:`RequestTimeout` (and the connection ended) when the server
        did not take it within ``timeout`` seconds (default ``io_timeout``)."""
        from websockets.exceptions import ConnectionClosed

        with self._bounded(timeout) as fired:
            try:
                self._connection.send(message)
            except (ConnectionClosed, OSError) as exc:
                if fired.is_set():
                    raise RequestTimeout(
                        f"{self.path}: the server took no message within "
                        f"{self.io_timeout if timeout is None else timeout:g} s"
                    ) from None
                if isinstance(exc, ConnectionClosed):
                    raise _closed(self.path, exc) from None
                raise StreamClosed(f"{self.path}: the WebSocket broke: {exc}") from None

    def close(self, timeout: float | None = None) -> None:
        """Close cleanly (close frame, then wait for the server's), within ``timeout`` seconds
        (default the smaller of ``io_timeout`` and 5 s); past it the connection is cut."""
        limit = min(self.io_timeout, CLOSE_TIMEOUT) if timeout is None else timeout
        started = time.monotonic()
        with self._bounded(limit):
            try:
                self._connection.close()
            except Exception:  # a cut connection is closed too
                pass
        reader = getattr(self._connection, "recv_events_thread", None)
        if isinstance(reader, threading.Thread):
            reader.join(max(0.0, limit - (time.monotonic() - started)))

    def __enter__(self) -> WebSocket:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"WebSocket(path={self.path!r})"


def _closed(path: str, exc: Any) -> StreamClosed:
    frame = exc.rcvd or exc.sent
    code = frame.code if frame is not None else None
    reason = frame.reason if frame is not None else ""
    # the reason is the server's text: quoted, its control characters escaped (repr)
    how = f" (close code {code}{': ' + repr(reason) if reason else ''})" if code is not None else ""
    return StreamClosed(f"{path}: the WebSocket was closed{how}", code=code, reason=reason)


def open_websocket(
    transport: Transport,
    path: str,
    *,
    query: Mapping[str, object] | None = None,
    subprotocols: Sequence[str] = (),
    accept_version: str | None = None,
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
    ping_interval: float | None = 20.0,
    timeout: float | None = None,
) -> WebSocket:
    """Open a signed WebSocket to ``path`` (already percent-encoded) on the transport's server.

    ``accept_version`` overrides the configured ``Accept-Version`` for routes registered at
    versions of their own (ConnectMachineVNC). ``timeout`` bounds the whole opening (connect,
    TLS, handshake) below the configured connect + read timeouts. Raises the error answer's
    :class:`~smartdc.errors.CloudAPIError` subclass when the server refuses the upgrade.
    """
    from smartdc.transport import encode_query

    ws = _websockets()
    from websockets.exceptions import InvalidHandshake, InvalidStatus

    config = transport.config
    all_query = dict(query or {})
    if config.roles and "as-role" not in all_query:
        all_query["as-role"] = ",".join(config.roles)
    encoded = encode_query(all_query)
    target = f"{path}?{encoded}" if encoded else path
    date = formatdate(usegmt=True)
    version = accept_version or transport.accept_version
    headers = {
        "Accept": "application/json",
        **({"Accept-Version": version} if version else {}),
        "Date": date,
        "Authorization": transport.signer.authorization("GET", target, date),
    }
    scheme = "wss" if config.url.startswith("https:") else "ws"
    uri = scheme + config.url[config.url.index(":") :] + target
    kwargs: dict[str, Any] = {
        "ssl": ssl_context(transport),
        "additional_headers": headers,
        "user_agent_header": config.user_agent or f"smartdc-python/{__version__}",
        "subprotocols": list(subprotocols) or None,
        "compression": None,
        "open_timeout": _open_timeout(config.connect_timeout + config.read_timeout, timeout),
        "close_timeout": CLOSE_TIMEOUT,
        "ping_interval": ping_interval,
        "ping_timeout": config.read_timeout if ping_interval else None,
        "max_size": max_message_bytes,
        "logger": LIBRARY_LOGGER,
    }
    parameters = _connect_parameters(ws)
    if "create_connection" in parameters:
        kwargs["create_connection"] = _send_bounded(ws, config.read_timeout)
    if "legacy" in parameters:
        kwargs["legacy"] = True  # the connection is returned, to be closed by WebSocket.close
    if "proxy" in parameters:
        kwargs["proxy"] = None  # like the urllib3 transport: no proxy from the environment
    where = f"GET {path}"
    try:
        connection = ws.sync.client.connect(uri, **kwargs)
    except InvalidStatus as exc:
        answer = exc.response
        raise CloudAPIError.from_response(
            answer.status_code,
            {k: v for k, v in answer.headers.raw_items()},
            bytes(answer.body or b""),
            "GET",
            path,
        ) from None
    except TimeoutError:
        raise RequestTimeout(
            f"{where}: no WebSocket handshake within {kwargs['open_timeout']:g} s"
        ) from None
    except ssl.SSLCertVerificationError as exc:
        raise ConnectError(
            f"{where}: TLS with {config.url} failed: {exc.verify_message}. If the server uses a "
            "private CA pass ca_certs=<bundle>; insecure=True (test clouds only) turns "
            "verification off"
        ) from None
    except (InvalidHandshake, OSError) as exc:
        raise ConnectError(f"{where}: WebSocket to {config.url} failed: {exc}") from None
    if not isinstance(connection.socket, _SendBound):  # a library without create_connection
        connection.socket = _SendBound(connection.socket, config.read_timeout)
    return WebSocket(connection, path, io_timeout=config.read_timeout)


def _open_timeout(configured: float, timeout: float | None) -> float:
    return configured if timeout is None else max(0.001, min(configured, timeout))


def _connect_parameters(ws: Any) -> Iterable[str]:
    import inspect

    return inspect.signature(ws.sync.client.connect).parameters
