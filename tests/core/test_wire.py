"""The transport against the scripted loopback server: what goes on the wire, signatures (ours
and Joyent's verifier), the retry matrix counted at the server, and how answers are decoded."""

from __future__ import annotations

import email.utils
import logging
import time

import pytest

from smartdc._version import __version__
from smartdc.errors import (
    ArgumentError,
    CloudAPIError,
    ContentDigestError,
    InvalidResponseError,
    OutcomeUnknownError,
    RequestTimeout,
    ResponseTooLargeError,
)
from smartdc.transport import MAX_RETRY_AFTER, Transport
from tests import httpsig

from .conftest import ACCOUNT, KeyFiles, MakeConfig
from .server import LoopbackServer, Reply, md5_of


class GoneForTests(CloudAPIError):
    code = "TestOnlyGone"


def test_headers_and_compact_json_body(server: LoopbackServer, make_config: MakeConfig) -> None:
    server.script(Reply(201, {"id": "x"}))
    with Transport(make_config()) as transport:
        response = transport.request("POST", "/alice/keys", body={"name": "k", "n": [1, 2]})
    with Transport(make_config(), accept_version="~7") as transport:
        transport.request("GET", "/alice")
    seen = server.requests[0]
    assert (seen.method, seen.target, seen.body) == (
        "POST",
        "/alice/keys",
        b'{"name":"k","n":[1,2]}',
    )
    assert seen.signature_ok, seen.signature_error
    headers = seen.headers
    assert headers["accept"] == "application/json"
    assert "accept-version" not in headers  # a bare transport: the client sends the spec's
    assert headers["user-agent"] == f"smartdc-python/{__version__}"
    assert headers["content-type"] == "application/json"
    assert headers["content-md5"] == md5_of(seen.body)
    assert server.requests[1].headers["accept-version"] == "~7"  # the default it was given
    assert headers["date"].endswith(" GMT") and email.utils.parsedate_to_datetime(headers["date"])
    assert 'headers="(request-target) date"' in headers["authorization"]
    assert (response.status, response.data, response.request_id) == (201, {"id": "x"}, "req-1")
    assert response.server_version == "9.20.0"


def test_get_has_no_content_type_and_query_is_signed(
    server: LoopbackServer, make_config: MakeConfig
) -> None:
    server.script(Reply())
    config = make_config(roles="ops,admin", accept_version="~9")
    with Transport(config) as transport:
        transport.request("GET", "/alice/machines", query={"name": "a b", "x": None, "t": True})
    seen = server.requests[0]
    assert seen.target == "/alice/machines?name=a%20b&t=true&as-role=ops%2Cadmin"
    assert "content-type" not in seen.headers and seen.headers["accept-version"] == "~9"
    assert seen.signature_ok, seen.signature_error


def test_subuser_and_act_as_sign_with_own_key_id(
    test_key: KeyFiles, make_config: MakeConfig
) -> None:
    user_id = f"/{ACCOUNT}/users/bob/keys/{test_key.fingerprint}"
    with LoopbackServer(test_key.public_key, user_id) as srv:
        config = make_config(url=srv.url, user="bob", act_as="carol")
        assert config.login == "carol"
        with Transport(config) as transport:
            transport.request("GET", f"/{config.login}/machines")
        assert srv.requests[0].target == "/carol/machines"
        assert srv.requests[0].signature_ok, srv.requests[0].signature_error


def test_date_only_signing_option(server: LoopbackServer, make_config: MakeConfig) -> None:
    server.script(Reply())
    with Transport(make_config(sign_headers=("date",))) as transport:
        transport.request("GET", "/alice")
    assert 'headers="date"' in server.requests[0].headers["authorization"]
    assert server.requests[0].signature_ok


@pytest.mark.skipif(httpsig.unavailable() is not None, reason=str(httpsig.unavailable()))
@pytest.mark.parametrize("sign_headers", [("(request-target)", "date"), ("date",)])
def test_joyent_verifier_accepts_what_we_send(
    server: LoopbackServer, make_config: MakeConfig, test_key: KeyFiles, sign_headers: tuple[str]
) -> None:
    server.script(Reply())
    with Transport(make_config(sign_headers=sign_headers, roles=["ops"])) as transport:
        transport.request("GET", "/alice/machines", query={"limit": 5})
    seen = server.requests[0]
    request = {"method": seen.method, "path": seen.target, "headers": seen.headers}
    assert httpsig.verify(test_key.public_path, request) == "ok"


# -- the retry matrix: how many requests the server saw -------------------------------------

RETRIED_FOR_ALL = [420, 429]
RETRIED_IF_IDEMPOTENT = [502, 503, 504]
NEVER_RETRIED = [400, 404, 409, 500]


@pytest.mark.parametrize("status", RETRIED_FOR_ALL + RETRIED_IF_IDEMPOTENT + NEVER_RETRIED)
@pytest.mark.parametrize(
    ("method", "idempotent"),
    [("GET", None), ("HEAD", None), ("PUT", None), ("DELETE", None), ("POST", None),
     ("POST", True)],
)  # fmt: skip
def test_retry_matrix(
    server: LoopbackServer,
    make_config: MakeConfig,
    status: int,
    method: str,
    idempotent: bool | None,
) -> None:
    server.script(Reply(status, {"code": "Whatever", "message": "no"}) for _ in range(10))
    safe = method != "POST" or idempotent
    retried = status in RETRIED_FOR_ALL or (status in RETRIED_IF_IDEMPOTENT and safe)
    with Transport(make_config(max_retries=2)) as transport, pytest.raises(CloudAPIError) as info:
        transport.request(method, "/alice/thing", idempotent=idempotent)
    assert info.value.status == status
    assert server.count == (3 if retried else 1)


def test_retry_then_success_resigns_each_attempt(
    server: LoopbackServer, make_config: MakeConfig
) -> None:
    # Retry-After: 1 makes the second attempt's Date (1 s resolution) differ from the first.
    server.script(Reply(429, {"code": "RequestThrottled"}, headers={"Retry-After": "1"}), Reply())
    with Transport(make_config()) as transport:
        assert transport.request("POST", "/alice/machines", body={"name": "a"}).status == 200
    first, second = server.requests
    assert first.signature_ok and second.signature_ok
    assert first.headers["date"] != second.headers["date"]
    assert first.headers["authorization"] != second.headers["authorization"]
    assert first.body == second.body == b'{"name":"a"}'


def test_retry_after_beyond_the_deadline_is_not_waited_for(
    server: LoopbackServer, make_config: MakeConfig
) -> None:
    server.script(Reply(503, {"code": "ServiceUnavailable"}, headers={"Retry-After": "3600"}))
    transport = Transport(make_config(retry_deadline=5))
    with pytest.raises(CloudAPIError) as info:
        transport.request("GET", "/alice")
    assert info.value.error_code == "ServiceUnavailable" and server.count == 1


def test_retry_after_as_http_date_is_honoured(
    server: LoopbackServer, make_config: MakeConfig
) -> None:
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    server.script(Reply(503, {"code": "ServiceUnavailable"}, headers={"Retry-After": when}))
    transport = Transport(make_config())
    slept: list[float] = []
    transport._sleep = slept.append
    assert transport.request("GET", "/alice").status == 200
    assert server.count == 2 and len(slept) == 1 and 25 < slept[0] <= 30


def test_zero_retries_means_one_request(server: LoopbackServer, make_config: MakeConfig) -> None:
    server.script(Reply(503, {"code": "ServiceUnavailable"}))
    with Transport(make_config(max_retries=0)) as transport, pytest.raises(CloudAPIError):
        transport.request("GET", "/alice")
    assert server.count == 1


# -- lost answers ------------------------------------------------------------------------------


def test_post_dropped_after_sending_is_outcome_unknown(
    server: LoopbackServer, make_config: MakeConfig
) -> None:
    server.script(Reply(action="reset"))
    transport = Transport(make_config())
    with pytest.raises(OutcomeUnknownError, match="may or may not have been carried out"):
        transport.request("POST", "/alice/machines", body={"name": "web"})
    assert server.count == 1


def test_get_dropped_after_sending_is_retried(
    server: LoopbackServer, make_config: MakeConfig
) -> None:
    server.script(Reply(action="reset"), Reply(body={"n": 1}))
    with Transport(make_config()) as transport:
        assert transport.request("GET", "/alice").data == {"n": 1}
    assert server.count == 2


def test_post_read_timeout_is_outcome_unknown(
    server: LoopbackServer, make_config: MakeConfig
) -> None:
    server.script(Reply(action="hang"))
    transport = Transport(make_config(timeout=(2.0, 0.3)))
    with pytest.raises(OutcomeUnknownError, match="read timeout"):
        transport.request("POST", "/alice/machines", body={"name": "web"})
    assert server.count == 1


def test_get_read_timeouts_are_retried_then_raised(
    server: LoopbackServer, make_config: MakeConfig
) -> None:
    server.script(Reply(action="hang") for _ in range(3))
    transport = Transport(make_config(timeout=(2.0, 0.2), max_retries=2))
    with pytest.raises(RequestTimeout, match=r"no answer within 0\.2 s"):
        transport.request("GET", "/alice")
    assert server.count == 3


# -- answers -----------------------------------------------------------------------------------


def test_typed_error_fields(server: LoopbackServer, make_config: MakeConfig) -> None:
    body = {
        "code": "TestOnlyGone",
        "message": "it went",
        "errors": [{"field": "name", "code": "Missing", "message": "name is missing"}],
    }
    server.script(Reply(410, body, headers={"x-request-id": "xr-1"}))
    with Transport(make_config()) as transport, pytest.raises(GoneForTests) as info:
        transport.request("DELETE", "/alice/thing")
    err = info.value
    assert (err.status, err.error_code, err.message) == (410, "TestOnlyGone", "it went")
    assert (err.method, err.path, err.body) == ("DELETE", "/alice/thing", body)
    assert err.errors == body["errors"]
    assert err.request_id == "req-1"  # Request-Id wins over x-request-id
    assert str(err) == (
        "DELETE /alice/thing: 410 TestOnlyGone: it went (name: name is missing) (request id req-1)"
    )


def test_unknown_code_is_plain_cloudapi_error(
    server: LoopbackServer, make_config: MakeConfig
) -> None:
    server.script(Reply(409, {"code": "NeverHeardOf", "message": "m"}))
    with Transport(make_config()) as transport, pytest.raises(CloudAPIError) as info:
        transport.request("GET", "/alice")
    assert type(info.value) is CloudAPIError and info.value.error_code == "NeverHeardOf"


def test_proxy_html_error_page(server: LoopbackServer, make_config: MakeConfig) -> None:
    page = b"<html><body><h1>502 Bad Gateway</h1>" + b"x" * 1000 + b"</body></html>"
    server.script(Reply(502, page, content_type="text/html"))
    with Transport(make_config()) as transport, pytest.raises(CloudAPIError) as info:
        transport.request("POST", "/alice/machines", body={})
    err = info.value
    assert (err.status, err.error_code, err.body) == (502, "NonJSONError", page)
    assert "HTTP 502" in str(err) and "502 Bad Gateway" in str(err) and "x" * 300 not in str(err)


def test_haproxy_error_body(server: LoopbackServer, make_config: MakeConfig) -> None:
    server.script(Reply(400, {"BadHTTPRequest": "request is malformed"}))
    with Transport(make_config()) as transport, pytest.raises(CloudAPIError) as info:
        transport.request("GET", "/alice")
    assert (info.value.error_code, info.value.message) == ("BadHTTPRequest", "request is malformed")


@pytest.mark.parametrize(
    ("reply", "error", "message"),
    [
        (Reply(body=b"{nope"), InvalidResponseError, "not valid JSON"),
        (Reply(body=b"<p>hi</p>", content_type="text/html"), InvalidResponseError, "expected JSON"),
        (Reply(body=b"[]", headers={"Content-MD5": "AAAA"}), ContentDigestError, "Content-MD5"),
    ],
)
def test_bad_answers_are_typed_and_keep_the_raw_body(
    server: LoopbackServer,
    make_config: MakeConfig,
    reply: Reply,
    error: type[InvalidResponseError],
    message: str,
) -> None:
    server.script(reply)
    with Transport(make_config()) as transport, pytest.raises(error, match=message) as info:
        transport.request("GET", "/alice")
    assert info.value.raw_body == reply.body and info.value.status == 200


def test_matching_content_md5_passes(server: LoopbackServer, make_config: MakeConfig) -> None:
    server.script(Reply(body=b'{"a":1}', headers={"Content-MD5": md5_of(b'{"a":1}')}))
    with Transport(make_config()) as transport:
        assert transport.request("GET", "/alice").data == {"a": 1}


def test_text_empty_and_redirect_answers(server: LoopbackServer, make_config: MakeConfig) -> None:
    server.script(
        Reply(body=b"hello", content_type="text/plain"),
        Reply(204, b"", content_type=None),
        Reply(302, b"", content_type=None, headers={"Location": "https://other.example.com"}),
    )
    with Transport(make_config()) as transport:
        assert transport.request("GET", "/alice/text", accept="text/plain").data == "hello"
        assert transport.request("DELETE", "/alice/thing").data is None
        redirect = transport.request("GET", "/alice/datacenters/dc2")
    assert redirect.status == 302 and redirect.headers["location"] == "https://other.example.com"
    assert server.count == 3  # the redirect was not followed


@pytest.mark.parametrize("chunked", [False, True])
def test_oversize_answers_are_refused(
    server: LoopbackServer, make_config: MakeConfig, chunked: bool
) -> None:
    server.script(Reply(body=b"[" + b"1," * 600_000 + b"1]", chunked=chunked))
    with Transport(make_config(max_response_bytes=100_000)) as transport:
        with pytest.raises(ResponseTooLargeError, match="100000-byte limit"):
            transport.request("GET", "/alice/big")
        # The connection pool still works afterwards.
        assert transport.request("GET", "/alice").data == {"ok": True}


def test_head_returns_no_body(server: LoopbackServer, make_config: MakeConfig) -> None:
    server.script(Reply(body={"big": "x" * 100}))
    with Transport(make_config()) as transport:
        response = transport.request("HEAD", "/alice/machines")
    assert (response.status, response.body, response.data) == (200, b"", None)


def test_debug_logs_and_errors_hold_no_secret(
    server: LoopbackServer, make_config: MakeConfig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, urllib3's too
    server.script(
        Reply(503, {"code": "ServiceUnavailable"}),
        Reply(),
        Reply(404, {"code": "ResourceNotFound", "message": "gone"}),
    )
    config = make_config(passphrase="hunter2-passphrase")
    with Transport(config) as transport:
        transport.request("GET", "/alice")
        with pytest.raises(CloudAPIError) as info:
            transport.request("GET", "/alice/missing")
    authorization = server.requests[0].headers["authorization"]
    signature = authorization.split('signature="')[1][:40]
    text = caplog.text + str(info.value) + repr(info.value) + repr(config) + repr(transport)
    assert "GET /alice -> 200" in caplog.text and "retrying GET /alice" in caplog.text
    assert "Signature keyId" not in text and signature not in text
    assert "hunter2" not in text


def test_backoff_is_clamped_to_the_deadline_and_giving_up_is_logged(
    server: LoopbackServer, make_config: MakeConfig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="smartdc")
    server.script(Reply(503, {"code": "ServiceUnavailable"}) for _ in range(5))
    transport = Transport(make_config(retry_backoff=100.0, retry_deadline=1.0, max_retries=3))
    slept: list[float] = []
    transport._sleep = slept.append  # record the waits instead of sleeping them
    with pytest.raises(CloudAPIError):
        transport.request("GET", "/alice")
    assert server.count == 4 and len(slept) == 3 and all(0 <= s <= 1.0 for s in slept)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "giving up on GET /alice" in warnings[0].getMessage()


def test_long_retry_after_is_capped(server: LoopbackServer, make_config: MakeConfig) -> None:
    server.script(Reply(429, {"code": "RequestThrottled"}, headers={"Retry-After": "120"}))
    transport = Transport(make_config(retry_deadline=300.0))
    slept: list[float] = []
    transport._sleep = slept.append  # record the wait instead of sleeping it
    assert transport.request("POST", "/alice/machines", body={}).status == 200
    assert slept == [MAX_RETRY_AFTER] and server.count == 2


def test_body_that_is_not_json_is_refused_before_sending(
    server: LoopbackServer, make_config: MakeConfig
) -> None:
    server.script()
    with pytest.raises(ArgumentError, match="cannot be sent as JSON"):
        Transport(make_config()).request("POST", "/alice/machines", body={"when": object()})
    assert server.count == 0
