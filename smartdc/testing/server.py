"""The HTTP side: one ``ThreadingHTTPServer`` per simulated datacenter, bound to 127.0.0.1.

HTTP/1.1 with keep-alive and exact Content-Length; each request goes through the fault injector,
then the :class:`~smartdc.testing.dispatch.Dispatcher`. Faults that break the wire (resets,
truncation, hangs) are done here because they are about the connection, not the API.
"""

from __future__ import annotations

import json
import logging
import socket
import struct
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from smartdc.headers import Headers
from smartdc.testing.dispatch import MAX_BODY_BYTES, Answer, Dispatcher
from smartdc.testing.faults import Fault, FaultInjector
from smartdc.testing.state import DatacenterState
from smartdc.testing.websocket import Upgrade, serve_upgrade

log = logging.getLogger("smartdc.testing")

RequestLogEntry = tuple[str, str, str, str | None, int]  # (dc, method, path, route, status)

PROXY_ERROR_PAGE = (
    b"<html><head><title>502 Bad Gateway</title></head><body>"
    b"<h1>502 Bad Gateway</h1><p>The server returned an invalid or incomplete response.</p>"
    b"</body></html>\n"
)


_TOO_LARGE = f"Request body size exceeds {MAX_BODY_BYTES}"
_MAX_TRAILERS = 32


class _BodyError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class SimHTTPServer(ThreadingHTTPServer):
    """Serves one datacenter on 127.0.0.1; handler threads never delay shutdown."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(
        self,
        dc: DatacenterState,
        dispatcher: Dispatcher,
        faults: FaultInjector,
        *,
        port: int = 0,
        closing: threading.Event,
        request_log: list[RequestLogEntry],
    ) -> None:
        self.dc = dc
        self.dispatcher = dispatcher
        self.faults = faults
        self.closing = closing
        self.request_log = request_log
        self.log_lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self.connections_done = 0  # connections whose handler has finished (and closed them)
        self._done = threading.Condition(self._connections_lock)
        super().__init__(("127.0.0.1", port), SimRequestHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that goes away mid-request is normal (timeouts, resets, closed streams): not
        worth a traceback on stderr. Anything else is logged, as the dispatcher logs its own."""
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return
        log.exception("simulator: request from %s failed", client_address[0])

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        super().shutdown_request(request)
        with self._done:
            self._connections.discard(request)
            self.connections_done += 1
            self._done.notify_all()

    def wait_connections_done(self, count: int, timeout: float) -> bool:
        """Until ``count`` connections have been handled to their end (or ``timeout``)."""
        with self._done:
            return self._done.wait_for(lambda: self.connections_done >= count, timeout)

    def close_connections(self) -> None:
        """Cut every open (keep-alive) connection, so no request is served after close."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


class SimRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "cloudapi"
    timeout = 60  # idle keep-alive connections are closed after a minute
    server: SimHTTPServer

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the simulator keeps its own request log."""

    def do_GET(self) -> None:
        self._serve()

    do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_GET

    def _serve(self) -> None:
        server = self.server
        if server.closing.is_set():
            self._reset()  # a request on a kept-alive connection after close: no answer
            return
        method = self.command
        route = server.dispatcher.match_name(method, self.path)
        fault = server.faults.take(route)
        if fault is not None and self._before(fault):
            self._record(route, 0)
            return
        try:
            body = self._read_body()
        except _BodyError as problem:
            # Not reading the rest of a bad or oversized body: answer and close the connection.
            self.close_connection = True
            answer = self._error_answer(problem.status, problem.code, str(problem), route)
            self._send(answer, head=method == "HEAD")
            self._record(route, problem.status)
            return
        if fault is not None and fault.status is not None:
            answer = self._error_answer(
                fault.status,
                fault.code or "InternalError",
                fault.message or "Simulated failure",
                route,
            )
            if fault.retry_after is not None:
                answer.headers.append(("Retry-After", str(fault.retry_after)))
            self._send(answer, head=method == "HEAD")
            self._record(route, fault.status)
            return
        if fault is not None and fault.html:
            answer = Answer(502, [("Content-Type", "text/html")], PROXY_ERROR_PAGE, route)
            self._send(answer, head=method == "HEAD")
            self._record(route, 502)
            return
        headers = Headers(self.headers.items())
        answer = server.dispatcher.dispatch(
            server.dc, method, self.path, headers, body, ip=self.client_address[0]
        )
        self._record(route, answer.status)
        if answer.upgrade is not None and answer.status == 101:
            self._switch_to_websocket(answer.upgrade)
            return
        if fault is not None:
            if fault.reset_after:
                self._reset()
                return
            answer = self._distort(answer, fault)
            if fault.truncate:
                self._send(answer, head=method == "HEAD", declared=len(answer.body) + 100)
                self._reset(graceful=True)
                return
        self._send(answer, head=method == "HEAD")

    def _switch_to_websocket(self, upgrade: Upgrade) -> None:
        """Answer the upgrade and serve the WebSocket session; the connection ends with it."""
        self.close_connection = True
        self.wfile.flush()
        serve_upgrade(self.connection, self.requestline, list(self.headers.items()), upgrade)

    def _read_body(self) -> bytes:
        """The request body (Content-Length or chunked), at most MAX_BODY_BYTES.

        Read before authentication, so every read is bounded: chunk sizes are plain hex digits,
        each chunk ends with its CRLF, and trailers are few and short."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            total = 0
            while True:
                line = self.rfile.readline(1024)
                digits = line.split(b";")[0].strip()
                if not digits or len(digits) > 8 or digits.strip(b"0123456789abcdefABCDEF"):
                    raise _BodyError(400, "BadHTTPRequest", "Invalid chunked encoding")
                size = int(digits, 16)
                if size == 0:
                    for _ in range(_MAX_TRAILERS + 1):
                        if self.rfile.readline(1024) in (b"\r\n", b"\n", b""):
                            return b"".join(chunks)
                    raise _BodyError(400, "BadHTTPRequest", "Invalid chunked encoding")
                total += size
                if total > MAX_BODY_BYTES:
                    raise _BodyError(413, "PayloadTooLargeError", _TOO_LARGE)
                chunk = self.rfile.read(size)
                if len(chunk) != size or self.rfile.read(2) != b"\r\n":
                    raise _BodyError(400, "BadHTTPRequest", "Invalid chunked encoding")
                chunks.append(chunk)
        try:
            length = int(self.headers.get("Content-Length", "0") or "0")
        except ValueError:
            length = -1
        if length < 0:
            raise _BodyError(400, "BadHTTPRequest", "Invalid Content-Length")
        if length > MAX_BODY_BYTES:
            raise _BodyError(413, "PayloadTooLargeError", _TOO_LARGE)
        return self.rfile.read(length) if length else b""

    def _before(self, fault: Fault) -> bool:
        """Apply the effects that come before reading the body; True when the request is over."""
        if fault.delay:
            # wait, but never past the simulator's shutdown
            self.server.closing.wait(fault.delay)
        if fault.hang:
            self.server.closing.wait()
            self._reset()
            return True
        if fault.reset_before:
            self._reset()
            return True
        return False

    def _distort(self, answer: Answer, fault: Fault) -> Answer:
        headers = list(answer.headers)
        body = answer.body
        if fault.oversize is not None:
            # a valid JSON list of exactly `oversize` bytes (when >= 2)
            size = max(fault.oversize, 2)
            body = b"[" + b"0," * ((size - 2) // 2) + (b"0" if size % 2 else b"") + b"]"
            if body.endswith(b",]"):
                body = body[:-2] + b" ]"
            headers = [(k, v) for k, v in headers if k.lower() != "content-md5"]
        if fault.wrong_content_type:
            headers = [(k, v) for k, v in headers if k.lower() != "content-type"]
            headers.append(("Content-Type", "text/html"))
        if fault.bad_md5:
            headers = [(k, v) for k, v in headers if k.lower() != "content-md5"]
            headers.append(("Content-MD5", "AAAAAAAAAAAAAAAAAAAAAA=="))
        return Answer(answer.status, headers, body, answer.route, answer.stream)

    def _error_answer(self, status: int, code: str, message: str, route: str | None) -> Answer:
        # HAProxy refuses broken framing itself, with its own body shape (no code/message keys).
        shape = {code: message} if code == "BadHTTPRequest" else {"code": code, "message": message}
        body = json.dumps(shape).encode("utf-8")
        headers = self.server.dispatcher.error_headers(self.server.dc, self.path, body)
        return Answer(status, headers, body, route)

    def _send_stream(self, answer: Answer) -> None:
        """Headers, then each produced piece as an HTTP chunk, until the producer ends.

        A client that hangs up ends the stream; so does the simulator's shutdown.
        """
        assert answer.stream is not None
        closing = self.server.closing
        lines = [
            f"HTTP/1.1 {answer.status} {HTTPStatus(answer.status).phrase}",
            f"Server: cloudapi/{self.server.dispatcher.sim.settings.server_version}",
            f"Date: {self.date_time_string(time.time())}",
        ]
        for name, value in answer.headers:
            if name.lower() not in ("server", "date", "content-length", "connection"):
                lines.append(f"{name}: {value}")
        lines.append("Transfer-Encoding: chunked")
        lines.append(f"Connection: {'close' if self.close_connection else 'Keep-Alive'}")
        try:
            self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
            self.wfile.flush()
            for piece in answer.stream.produce(lambda seconds: not closing.wait(seconds)):
                if piece:
                    self.wfile.write(b"%x\r\n%b\r\n" % (len(piece), piece))
                    self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except OSError:  # the client went away: nothing more to say
            self.close_connection = True

    def _send(self, answer: Answer, *, head: bool, declared: int | None = None) -> None:
        if answer.stream is not None and not head:
            self._send_stream(answer)
            return
        try:
            reason = HTTPStatus(answer.status).phrase
        except ValueError:
            reason = "Unknown"
        lines = [
            f"HTTP/1.1 {answer.status} {reason}",
            f"Server: cloudapi/{self.server.dispatcher.sim.settings.server_version}",
            f"Date: {self.date_time_string(time.time())}",
        ]
        for name, value in answer.headers:
            if name.lower() not in ("server", "date", "content-length", "connection"):
                lines.append(f"{name}: {value}")
        lines.append(f"Content-Length: {len(answer.body) if declared is None else declared}")
        lines.append(f"Connection: {'close' if self.close_connection else 'Keep-Alive'}")
        # Headers and body in one write: two small writes meet Nagle + delayed ACK (40 ms).
        data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(data if head else data + answer.body)
        self.wfile.flush()

    def _reset(self, *, graceful: bool = False) -> None:
        """Drop the connection: an RST (or a plain close after a truncated answer)."""
        self.close_connection = True
        try:
            self.wfile.flush()
            if not graceful:
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
            else:
                self.connection.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def _record(self, route: str | None, status: int) -> None:
        entry = (self.server.dc.name, self.command, self.path.partition("?")[0], route, status)
        with self.server.log_lock:
            self.server.request_log.append(entry)
