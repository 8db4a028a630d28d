"""Property: whatever a server does, a call ends within its deadline with the right answer or a
SmartDCError, holding no more than max_response_bytes (plus a constant) of the answer.

The hostile server varies framing (Content-Length, chunked, both, neither, wrong lengths),
compression (none, gzip, deflate, bombs), sizes, delays (trickled heads and bodies), nesting depth
and statuses (retried ones with endless bodies included). Deadlines are small: an example takes at
most about retry_deadline, and most take milliseconds.
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
MEMORY_CONSTANT = 512 * 1024
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
    script, value = _script(plan)
    server.play(script)
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
