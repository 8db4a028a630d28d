"""Each probe of the second hostile-server round, on raw sockets: time, size and typed errors."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import zlib
from typing import Any

import pytest

from smartdc.config import Config
from smartdc.errors import (
    CloudAPIError,
    ConfigError,
    GoneError,
    InvalidResponseError,
    OutcomeUnknownError,
    RequestTimeout,
    ResponseTooLargeError,
    SmartDCError,
)
from smartdc.transport import Transport

from .conftest import MakeConfig
from .probes import run_bounded
from .rawserver import HostileServer, Script, chunked, endless, head, json_answer

OK = b'{"ok":true}'


def _request(config: Config, method: str, path: str, **kwargs: Any) -> object:
    with Transport(config) as transport:
        return transport.request(method, path, **kwargs)


def _json_head(status: int, *extra: tuple[str, str]) -> bytes:
    return head(status, ("Content-Type", "application/json"), *extra)


# -- 1. one deadline for the whole call ---------------------------------------------------------


def test_headers_sent_one_byte_at_a_time_end_in_request_timeout(
    hostile: HostileServer, make_config: MakeConfig
) -> None:
    padding = ("X-Padding", "p" * 150)
    hostile.play(
        Script(
            _json_head(200, ("Content-Length", str(len(OK))), padding),
            lambda: (OK,),
            piece=1,
            delay=0.02,  # ~4 s for the head, every read well within the 0.5 s read timeout
        )
    )
    with Transport(make_config(hostile.url, max_retries=0)) as transport:
        outcome = run_bounded(lambda: transport.request("GET", "/alice/machines"))
    assert outcome.ended
    assert isinstance(outcome.error, RequestTimeout), outcome


def test_body_sent_one_byte_at_a_time_ends_in_request_timeout(
    hostile: HostileServer, make_config: MakeConfig
) -> None:
    body = b'{"padding":"' + b"p" * 200 + b'"}'
    hostile.play(
        Script(
            _json_head(200, ("Content-Length", str(len(body)))),
            lambda: (b"", body),
            piece=1,
            delay=0.02,
        )
    )
    with Transport(make_config(hostile.url, max_retries=0)) as transport:
        outcome = run_bounded(lambda: transport.request("GET", "/alice/machines"))
    assert outcome.ended
    assert isinstance(outcome.error, RequestTimeout), outcome


def test_a_throttled_answer_with_an_endless_body_is_not_drained_forever(
    hostile: HostileServer, make_config: MakeConfig
) -> None:
    throttled = Script(
        _json_head(429, ("Transfer-Encoding", "chunked"), ("Retry-After", "0")),
        lambda: chunked(endless(b"x" * 100)(), end=False),
        piece=200,
        delay=0.002,
        limit=1 << 30,
    )
    hostile.play(throttled)
    config = make_config(hostile.url, max_retries=3, retry_deadline=1.0)
    with Transport(config) as transport:
        outcome = run_bounded(lambda: transport.request("GET", "/alice/machines"))
    assert outcome.ended
    assert isinstance(outcome.error, SmartDCError), outcome


def test_retries_stop_at_the_retry_deadline(
    hostile: HostileServer, make_config: MakeConfig
) -> None:
    # Every attempt stalls until its read deadline; retry_deadline bounds how many are made.
    hostile.play(Script(b"HTTP/1.1 200 OK\r\n", endless(b"X-A: b\r\n"), piece=8, delay=0.05))
    config = make_config(hostile.url, timeout=(0.2, 0.2), max_retries=50, retry_deadline=1.2)
    with Transport(config) as transport:
        outcome = run_bounded(lambda: transport.request("GET", "/alice/machines"))
    assert outcome.ended
    assert isinstance(outcome.error, RequestTimeout), outcome
    # attempts (0.4 s each at most) start only within the retry deadline, not the 51 allowed
    assert 2 <= len(hostile.requests) <= 5


# -- 2. max_response_bytes whatever the framing or compression -------------------------------------


def test_content_length_and_chunked_together_cannot_pass_the_size_bound(
    hostile: HostileServer, make_config: MakeConfig
) -> None:
    body = b'"' + b"a" * (400 * 1024) + b'"'
    hostile.play(
        Script(
            _json_head(200, ("Content-Length", "10"), ("Transfer-Encoding", "chunked")),
            lambda: chunked([body[i : i + 8192] for i in range(0, len(body), 8192)]),
        )
    )
    with pytest.raises(ResponseTooLargeError):
        _request(make_config(hostile.url, max_response_bytes=64 * 1024), "GET", "/alice/machines")


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_a_compression_bomb_is_refused_at_the_size_bound(
    hostile: HostileServer, make_config: MakeConfig, encoding: str
) -> None:
    plain = b"[" + b"0," * (8 << 20) + b"0]"  # 16 MiB of JSON
    packed = gzip.compress(plain) if encoding == "gzip" else zlib.compress(plain, 9)
    hostile.play(
        Script(
            _json_head(200, ("Content-Length", str(len(packed))), ("Content-Encoding", encoding)),
            lambda: (packed,),
        )
    )
    with pytest.raises(ResponseTooLargeError):
        _request(make_config(hostile.url, max_response_bytes=64 * 1024), "GET", "/alice/machines")


# -- 3. every failure a server can cause is ours ----------------------------------------------------


@pytest.mark.parametrize("status", [200, 400])
def test_deeply_nested_json_is_an_invalid_response_with_its_body(
    hostile: HostileServer, make_config: MakeConfig, status: int
) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    hostile.play(json_answer(status, deep))
    with pytest.raises(SmartDCError) as caught:
        _request(make_config(hostile.url), "GET", "/alice/machines")
    error = caught.value
    if status == 200:
        assert isinstance(error, InvalidResponseError)
        assert error.raw_body == deep
    else:
        assert isinstance(error, CloudAPIError)
        assert error.body == deep


def test_a_content_length_that_is_not_ascii_digits_is_an_invalid_response(
    hostile: HostileServer, make_config: MakeConfig
) -> None:
    hostile.play(Script(_json_head(200, ("Content-Length", "\u00b2")), lambda: (OK,)))
    with Transport(make_config(hostile.url)) as transport:
        outcome = run_bounded(lambda: transport.request("GET", "/alice/machines"))
    assert outcome.ended
    assert isinstance(outcome.error, InvalidResponseError), outcome
    assert "Content-Length" in str(outcome.error)
    assert outcome.error.raw_body == OK


# -- 7. error answers carry their code's class, whatever was imported -------------------------------


@pytest.mark.parametrize(
    ("imports", "transport", "caught"),
    [
        ("import smartdc", "smartdc.Transport", "smartdc.CloudAPIError"),
        (
            "import smartdc.config, smartdc.errors, smartdc.transport, smartdc.error_codes",
            "smartdc.transport.Transport",
            "smartdc.error_codes.ResourceNotFound",
        ),
    ],
    ids=["package", "modules"],
)
def test_an_error_answer_has_its_codes_class_in_a_fresh_interpreter(
    hostile: HostileServer, key_path: object, imports: str, transport: str, caught: str
) -> None:
    body = json.dumps({"code": "ResourceNotFound", "message": "VM not found"}).encode()
    hostile.play(json_answer(404, body))
    program = (
        f"import sys\n{imports}\n"
        f"config = {transport.replace('Transport', 'Config').replace('transport.', 'config.')}(url={hostile.url!r}, account='alice',"
        f" secret={str(key_path)!r}, profile='env', environ={{}})\n"
        "try:\n"
        f"    {transport}(config).request('GET', '/alice/machines/x')\n"
        f"except {caught} as e:\n"
        "    print(type(e).__name__)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "ResourceNotFound"


# -- 8. the server's details are shown, bounded ------------------------------------------------------


def test_validation_details_are_in_the_error_text(
    hostile: HostileServer, make_config: MakeConfig
) -> None:
    body = {
        "code": "ValidationFailed",
        "message": "Invalid VM parameters",
        "errors": [
            {
                "field": "alias",
                "code": "Duplicate",
                "message": "Already exists for this owner_uuid: web-0",
            }
        ],
    }
    hostile.play(json_answer(409, json.dumps(body).encode()))
    with pytest.raises(CloudAPIError) as caught:
        _request(make_config(hostile.url), "POST", "/alice/machines", body={"name": "web-0"})
    assert "Already exists for this owner_uuid: web-0" in str(caught.value)
    assert "alias" in str(caught.value)


def test_a_huge_error_message_gives_a_bounded_error_text(
    hostile: HostileServer, make_config: MakeConfig
) -> None:
    body = {
        "code": "InvalidArgument",
        "message": "m" * 2_000_000,
        "errors": [{"message": "e"}] * 5000,
    }
    hostile.play(json_answer(409, json.dumps(body).encode()))
    with pytest.raises(CloudAPIError) as caught:
        _request(make_config(hostile.url), "GET", "/alice/machines")
    assert len(str(caught.value)) < 4000
    assert len(caught.value.message) == 2_000_000  # the full text is still there


def test_deleting_a_machine_twice_is_a_typed_gone_error(
    hostile: HostileServer, make_config: MakeConfig
) -> None:
    machine = {"id": "b6979942-7d5d-4fe6-a2ec-b812e950625a", "name": "web-1", "state": "deleted"}
    hostile.play(json_answer(410, json.dumps(machine).encode()))
    with pytest.raises(GoneError) as caught:
        _request(make_config(hostile.url), "DELETE", "/alice/machines/" + machine["id"])
    error = caught.value
    assert error.status == 410
    assert error.body == machine
    assert "already deleted" in str(error)


# -- 9. what is signed is what is sent --------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://cloudapi.example.com/cloudapi",
        "https://cloudapi.example.com/#x",
        "https://cloudapi.example.com/?a=b",
        "https://user:pw@cloudapi.example.com",
    ],
)
def test_a_url_with_a_path_query_fragment_or_userinfo_is_refused(
    make_config: MakeConfig, url: str
) -> None:
    with pytest.raises(ConfigError, match="url"):
        make_config(url)


def test_a_post_whose_answer_trickles_past_the_deadline_is_an_unknown_outcome(
    hostile: HostileServer, make_config: MakeConfig
) -> None:
    hostile.play(Script(b"HTTP/1.1 201 Created\r\n", endless(b"X-A: b\r\n"), piece=1, delay=0.02))
    config = make_config(hostile.url, max_retries=5, retry_deadline=5.0)
    with Transport(config) as transport:
        outcome = run_bounded(lambda: transport.request("POST", "/alice/machines", body={}))
    assert outcome.ended
    assert isinstance(outcome.error, OutcomeUnknownError), outcome
    assert len(hostile.requests) == 1  # sent once, never again
