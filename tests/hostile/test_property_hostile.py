"""Property: whatever a server does, a call ends within its deadline with the right answer or a
SmartDCError, holding no more than max_response_bytes (plus a constant) of the answer.

The hostile server varies framing (Content-Length, chunked, both, neither, wrong lengths),
compression (none, gzip, deflate, bombs), sizes, delays (trickled heads and bodies), nesting depth
and statuses (retried ones with endless bodies included). Deadlines are small: an example takes at
most about retry_deadline, and most take milliseconds.

Property for streams: whatever a WebSocket server does (refuses, accepts and closes, stays silent,
frames badly: fragments, unknown opcodes, reserved bits, masks, lengths that lie, messages over the
bound, bad UTF-8; floods pings and never reads; sends messages that lie or lack fields), opening the
changefeed, each ``next(timeout)`` and ``close()`` end within their bounds with a message, None or
a SmartDCError.
"""

from __future__ import annotations

import gzip
import itertools
import json
import os
import tracemalloc
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartdc.config import Config
from smartdc.errors import CloudAPIError, SmartDCError
from smartdc.transport import Response, Transport

from .probes import run_bounded
from .rawserver import HostileServer, Script, chunked, head

LIMIT = 32 * 1024  # max_response_bytes
CONNECT, READ, RETRY_DEADLINE = 0.2, 0.3, 0.6
# What a call may hold besides the answer: urllib3's and http.client's buffers, one read's worth
# of decompression, the decoded JSON of an answer within the limit, the error's text.
# 640 KiB: Python 3.13 holds a few KB more than 3.11 decoding a ~2,000-deep document (560 KB
# seen against 512 KiB); an answer that grew with the body would be megabytes.
MEMORY_CONSTANT = 640 * 1024
SLACK = 5.0  # seconds past the deadline before a call counts as hung (only a hang reaches it)


@attrs.frozen
class Plan:
    status: int
    body: str  # kind: json | deep | garbage | large | endless | empty
    depth: int
    size: int
    framing: str  # length | chunked | both | neither | short | long
    encoding: str  # identity | gzip | deflate
    piece: int
    delay: float
    trickle_head: bool


plans = st.builds(
    Plan,
    status=st.sampled_from([200, 201, 204, 400, 404, 409, 410, 429, 500, 502, 503]),
    body=st.sampled_from(["json", "json", "deep", "garbage", "large", "endless", "empty"]),
    depth=st.integers(1, 50_000),
    size=st.integers(0, 3 * LIMIT),
    framing=st.sampled_from(["length", "length", "chunked", "both", "neither", "short", "long"]),
    encoding=st.sampled_from(["identity", "identity", "gzip", "deflate"]),
    piece=st.sampled_from([1, 7, 512, 1 << 16]),
    delay=st.sampled_from([0.0, 0.0, 0.0, 0.001, 0.02]),
    trickle_head=st.booleans(),
)


def _payload(plan: Plan) -> tuple[bytes, Any]:
    """The body's bytes (before compression) and the JSON value it holds (None if none)."""
    if plan.body == "json":
        value = {"id": "x" * (plan.size % 200), "n": plan.size, "nested": [[{"a": None}]]}
        return json.dumps(value).encode(), value
    if plan.body == "deep":
        depth = plan.depth
        return b"[" * depth + b"]" * depth, None
    if plan.body == "garbage":
        return bytes(range(256)) * (plan.size // 256 + 1), None
    if plan.body == "large":
        return b'"' + b"a" * (plan.size + LIMIT) + b'"', None
    return b"", None


def _script(plan: Plan) -> tuple[Script, Any]:
    payload, value = _payload(plan)
    endless = plan.body == "endless"
    if plan.encoding == "gzip":
        payload = gzip.compress(payload or b"0" * (1 << 20))  # an empty plan becomes a small bomb
    elif plan.encoding == "deflate":
        payload = zlib.compress(payload or b"0" * (1 << 20), 9)
    headers: list[tuple[str, str]] = [("Content-Type", "application/json")]
    if plan.encoding != "identity":
        headers.append(("Content-Encoding", plan.encoding))
    if plan.framing in ("chunked", "both") or (endless and plan.framing != "neither"):
        headers.append(("Transfer-Encoding", "chunked"))
    if plan.framing in ("length", "both"):
        headers.append(("Content-Length", str(len(payload))))
    elif plan.framing == "short":
        headers.append(("Content-Length", str(max(len(payload) // 2, 0))))
    elif plan.framing == "long":
        headers.append(("Content-Length", str(len(payload) + 100)))
    chunked_body = any(name == "Transfer-Encoding" for name, _ in headers)
    if endless:
        piece = b"0" * 1024
        repeated = itertools.repeat(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
        parts: Any = repeated if chunked_body else itertools.repeat(piece)
    elif chunked_body:
        parts = list(chunked([payload[i : i + 4096] for i in range(0, len(payload), 4096)]))
    else:
        parts = [payload]
    script = Script(
        head(plan.status, *headers),
        lambda: parts,
        piece=plan.piece if plan.delay else 1 << 16,
        delay=plan.delay,
        limit=4 << 20,
    )
    if not plan.trickle_head and plan.delay:
        # only the body trickles: the head goes out whole first
        script = attrs.evolve(script, head=b"")
        whole_head = head(plan.status, *headers)
        body_parts = parts
        script = attrs.evolve(script, body=lambda: itertools.chain((whole_head,), body_parts))
    return script, value


def _clean(plan: Plan) -> bool:
    """An answer the client must accept as it is (prompt, well framed, within the limit)."""
    return (
        plan.delay == 0.0
        and plan.body in ("json", "empty")
        and plan.framing in ("length", "chunked", "both")
        and (plan.encoding == "identity" or plan.body == "json")
        and plan.status not in (204, 429, 502, 503)  # a 204 must have no body at all
    )


_WARMED: list[bool] = []


def _warm_up(server: HostileServer, transport: Transport) -> None:
    """Pay, outside the measurement, what only a process's first answer of a kind costs (modules
    imported and tables built on first use: 5-20 KB on Python 3.13), so that the peak measured
    is what every call holds: complete answers of each encoding, a deep document, garbage and
    an error."""
    if _WARMED:
        return
    kinds = [(200, "json", encoding) for encoding in ("identity", "gzip", "deflate")]
    kinds += [(200, "deep", "identity"), (200, "garbage", "identity"), (409, "json", "identity")]
    for status, body, encoding in kinds:
        server.play(
            _script(Plan(status, body, 2114, 16, "length", encoding, 1 << 16, 0.0, False))[0]
        )
        run_bounded(
            lambda: transport.request("GET", "/alice/machines"),
            within=max(CONNECT + READ, RETRY_DEADLINE) + SLACK,
        )
    _WARMED.append(True)


@pytest.fixture(scope="module")
def server() -> Iterator[HostileServer]:
    with HostileServer() as hostile:
        yield hostile


@settings(
    max_examples=int(os.environ.get("SMARTDC_HOSTILE_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=plans)
def test_every_call_ends_in_time_with_an_answer_or_a_typed_error(
    server: HostileServer, key_path: Path, plan: Plan
) -> None:
    config = Config(
        url=server.url,
        account="alice",
        secret=key_path,
        timeout=(CONNECT, READ),
        retry_deadline=RETRY_DEADLINE,
        max_retries=2,
        retry_backoff=0.001,
        max_response_bytes=LIMIT,
        profile="env",
        environ={},
    )
    with Transport(config) as transport:
        transport.signer  # noqa: B018 - load the key before measuring
        _warm_up(server, transport)
        script, value = _script(plan)
        server.play(script)
        tracemalloc.start()
        try:
            outcome = run_bounded(
                lambda: transport.request("GET", "/alice/machines"),
                within=max(CONNECT + READ, RETRY_DEADLINE) + SLACK,
            )
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert outcome.ended, plan
    assert outcome.error is None or isinstance(outcome.error, SmartDCError), (plan, outcome)
    assert peak <= LIMIT + MEMORY_CONSTANT, (plan, peak)
    if isinstance(outcome.value, Response):
        assert outcome.value.status < 400, plan
    if _clean(plan):
        if plan.status < 400:
            assert isinstance(outcome.value, Response), (plan, outcome)
            expected = None if plan.body == "empty" else value
            assert outcome.value.data == expected, plan
        else:
            assert isinstance(outcome.error, CloudAPIError), (plan, outcome)
            assert outcome.error.status == plan.status


# -- WebSocket: framing, ping floods and feeds that lie ------------------------------------------

WS_CONNECT, WS_READ, WS_NEXT = 0.3, 0.5, 0.3
MACHINE = "a5b9fbd5-8e5a-4b8f-9d3a-5d2f3c4b6a70"


@attrs.frozen
class FeedPlan:
    handshake: str  # accept | refuse | close | silent
    frames: tuple[str, ...]  # what is sent after the registration, in order
    then: str  # wait | close | flood | drop


_FRAME_KINDS = [
    "message",  # a well-formed ChangefeedMessage
    "lie",  # a message naming another machine, state or kind than anything real
    "partial",  # a message without changeKind / resourceObject
    "not-json",
    "json-array",
    "binary",
    "bad-utf8",
    "fragmented",  # a text message in two frames
    "ping",
    "pong",
    "unknown-opcode",
    "rsv-bits",
    "masked",  # servers must not mask
    "long-length",  # announces more than it sends
    "huge-length",  # announces more than max_message_bytes
    "control-too-long",  # a ping of 200 bytes
]

feed_plans = st.builds(
    FeedPlan,
    handshake=st.sampled_from(["accept", "accept", "accept", "refuse", "close", "silent"]),
    frames=st.lists(st.sampled_from(_FRAME_KINDS), max_size=6).map(tuple),
    then=st.sampled_from(["wait", "close", "flood", "drop"]),
)


def _ws_frame(kind: str) -> bytes:
    from .wsserver import BINARY, PING, PONG, TEXT, frame, text

    message = {
        "published": "1733616000000",
        "changedResourceId": MACHINE,
        "changeKind": {"resource": "vm", "subResources": ["state"]},
        "resourceState": "running",
        "resourceObject": {"id": MACHINE, "name": "web\x1b[2J"},
    }
    if kind == "message":
        return text(message)
    if kind == "lie":
        return text({**message, "changedResourceId": "not-a-uuid", "resourceState": 42})
    if kind == "partial":
        return text({"changedResourceId": MACHINE})
    if kind == "not-json":
        return frame(TEXT, b"{nope")
    if kind == "json-array":
        return text("[1, 2, 3]")
    if kind == "binary":
        return frame(BINARY, b"\x00\xff")
    if kind == "bad-utf8":
        return frame(TEXT, b"\xff\xfe")
    if kind == "fragmented":
        data = json.dumps(message).encode()
        return frame(TEXT, data[:10], fin=False) + frame(0x0, data[10:])
    if kind == "ping":
        return frame(PING, b"x" * 100)
    if kind == "pong":
        return frame(PONG, b"unsolicited")
    if kind == "unknown-opcode":
        return frame(0x3, b"?")
    if kind == "rsv-bits":
        data = frame(TEXT, b"{}")
        return bytes([data[0] | 0x70]) + data[1:]
    if kind == "masked":
        data = frame(TEXT, b"{}")
        return bytes([data[0], data[1] | 0x80]) + b"\x00\x00\x00\x00" + data[2:]
    if kind == "long-length":
        return frame(TEXT, b'{"a":', length=1000)
    if kind == "huge-length":
        return frame(TEXT, b"{", length=64 << 20)
    assert kind == "control-too-long"
    return frame(PING, b"p" * 200, length=200)


def _feed_play(plan: FeedPlan) -> Any:
    import threading

    from .wsserver import (
        PING,
        accept,
        close_frame,
        frame,
        read_some,
        refuse,
        send_all,
    )

    def play(conn: Any, request: bytes, stop: threading.Event) -> None:
        if plan.handshake == "refuse":
            refuse(conn, 503)
            return
        if plan.handshake == "silent":
            stop.wait()
            return
        accept(conn, request)
        if plan.handshake == "close":
            send_all(conn, close_frame(1011, "bye\x1b[2J"), stop)
            return
        read_some(conn, stop)
        for kind in plan.frames:
            if not send_all(conn, _ws_frame(kind), stop):
                return
        if plan.then == "close":
            send_all(conn, close_frame(1000, "done"), stop)
            stop.wait()
        elif plan.then == "flood":
            ping = frame(PING, b"f" * 125) * 64
            while send_all(conn, ping, stop):
                pass
        elif plan.then == "drop":
            return
        else:
            stop.wait()

    return play


@settings(
    max_examples=int(os.environ.get("SMARTDC_HOSTILE_WS_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=feed_plans)
def test_every_stream_operation_ends_in_time_with_a_message_or_a_typed_error(
    key_path: Path, plan: FeedPlan
) -> None:
    from smartdc import CloudAPI

    from .wsserver import HostileWebSocketServer

    with HostileWebSocketServer(_feed_play(plan)) as ws_server:
        config = Config(
            url=ws_server.url,
            account="alice",
            secret=key_path,
            timeout=(WS_CONNECT, WS_READ),
            profile="env",
            environ={},
        )
        api = CloudAPI(config)
        opened = run_bounded(api.get_changefeed, within=WS_CONNECT + WS_READ + SLACK)
        assert opened.ended, plan
        assert opened.error is None or isinstance(opened.error, SmartDCError), (plan, opened)
        feed: Any = opened.value
        if feed is None:
            return
        for _ in range(len(plan.frames) + 2):
            got = run_bounded(lambda: feed.next(timeout=WS_NEXT), within=WS_NEXT + WS_READ + SLACK)
            assert got.ended, plan  # next(timeout) holds, reconnecting or not
            assert got.error is None or isinstance(got.error, SmartDCError), (plan, got)
            if got.error is not None:
                break
        closed = run_bounded(feed.close, within=WS_READ + SLACK)
        assert closed.ended, plan  # close() holds whatever the server does
        assert closed.error is None, (plan, closed)
