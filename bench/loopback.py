"""A minimal keep-alive HTTP server in a separate process, answering every request with one body.

Running it in another process keeps its CPU out of the client's ``process_time``; a raw socket
loop (no http.server parsing) keeps its latency small, so client overhead is what is measured.
"""

from __future__ import annotations

import multiprocessing
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection


def http_answer(body: bytes) -> bytes:
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nServer: cloudapi/9.20.0\r\n"
        b"Request-Id: 0f0e0d0c-0b0a-0908-0706-050403020100\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )


def _serve_connection(conn: socket.socket, answer: bytes) -> None:
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    buffer = b""
    with conn:
        while True:
            while b"\r\n\r\n" not in buffer:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                buffer += chunk
            _, _, buffer = buffer.partition(b"\r\n\r\n")  # GET requests carry no body
            conn.sendall(answer)


def _server_main(ready: Connection, body: bytes) -> None:
    answer = http_answer(body)
    listener = socket.create_server(("127.0.0.1", 0), backlog=64)
    ready.send(listener.getsockname()[1])
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=_serve_connection, args=(conn, answer), daemon=True).start()


@contextmanager
def fixed_answer_server(body: bytes) -> Iterator[str]:
    """Yield the URL of a server process answering ``200 body`` to every GET, until exit."""
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    server = context.Process(target=_server_main, args=(child, body), daemon=True)
    server.start()
    try:
        if not parent.poll(30):
            raise RuntimeError("the loopback server did not start within 30 s")
        yield f"http://127.0.0.1:{parent.recv()}"
    finally:
        server.terminate()
        server.join(5)
