"""The signed transport against the simulator over loopback: headers, typed errors, the retry
policy (counting what the server saw), timeouts, digests, size bounds, and no secret in logs."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator

import pytest

from smartdc.config import Config
from smartdc.errors import (
    CloudAPIError,
    ConnectError,
    ContentDigestError,
    InvalidResponseError,
    OutcomeUnknownError,
    RequestTimeout,
    ResponseTooLargeError,
)
from smartdc.testing import Simulator
from smartdc.transport import Transport, encode_query


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator() as simulator:
        yield simulator


@pytest.fixture
def transport(sim: Simulator) -> Iterator[Transport]:
    sim.faults.clear()
    config = Config(
        url=sim.url,
        account=sim.account,
        key_id=sim.key_id,
        secret=sim.key_path,
        timeout=(2, 2),
        retry_backoff=0.01,
        environ={},
    )
    with Transport(config) as t:
        yield t


def _count(sim: Simulator, route: str) -> int:
    return sim.faults.seen(route)


def test_signed_get_returns_decoded_json_and_request_id(transport: Transport) -> None:
    response = transport.request("GET", f"/{transport.config.account}")
    assert response.status == 200 and response.data["login"] == transport.config.account
    assert response.request_id and response.server_version == "9.20.0"
    assert response.headers["content-type"].startswith("application/json")


def test_error_answer_is_typed_with_code_status_and_request_id(transport: Transport) -> None:
    with pytest.raises(CloudAPIError) as info:
        transport.request("GET", "/my/machines/unknown-id")
    err = info.value
    assert (err.status, err.error_code) == (404, "ResourceNotFound")
    assert err.request_id and err.method == "GET" and err.path == "/my/machines/unknown-id"
    assert "ResourceNotFound" in str(err) and err.request_id in str(err)


def test_get_is_retried_on_503_then_succeeds(sim: Simulator, transport: Transport) -> None:
    before = _count(sim, "ListKeys")
    sim.faults.error("ListKeys", 503, times=2)
    assert transport.request("GET", "/my/keys").status == 200
    assert _count(sim, "ListKeys") - before == 3


def test_post_is_not_retried_on_503(sim: Simulator, transport: Transport) -> None:
    before = _count(sim, "CreateKey")
    sim.faults.error("CreateKey", 503, times=1)
    with pytest.raises(CloudAPIError) as info:
        transport.request("POST", "/my/keys", body={"name": "k", "key": "ssh-rsa AAAA"})
    assert info.value.status == 503
    assert _count(sim, "CreateKey") - before == 1


def test_throttling_is_retried_for_post_and_honours_retry_after(
    sim: Simulator, transport: Transport
) -> None:
    slept: list[float] = []
    transport._sleep = slept.append
    before = _count(sim, "UpdateAccount")
    sim.faults.throttle("UpdateAccount", times=1, retry_after=2)
    assert transport.request("POST", "/my", body={"phone": "123"}).status == 200
    assert _count(sim, "UpdateAccount") - before == 2
    assert slept == [2.0]


def test_retries_are_bounded(sim: Simulator, transport: Transport) -> None:
    before = _count(sim, "ListImages")
    sim.faults.error("ListImages", 502)
    with pytest.raises(CloudAPIError):
        transport.request("GET", "/my/images")
    assert _count(sim, "ListImages") - before == transport.config.max_retries + 1


def test_post_whose_answer_is_lost_reports_unknown_outcome(
    sim: Simulator, transport: Transport
) -> None:
    before = _count(sim, "UpdateAccount")
    sim.faults.add("UpdateAccount", reset_after=True, times=1)
    with pytest.raises(OutcomeUnknownError, match="may or may not have been carried out"):
        transport.request("POST", "/my", body={"phone": "999"})
    assert _count(sim, "UpdateAccount") - before == 1


def test_get_whose_connection_resets_is_retried(sim: Simulator, transport: Transport) -> None:
    sim.faults.add("GetAccount", reset_before=True, times=1)
    assert transport.request("GET", "/my").status == 200


def test_connection_refused_is_a_connect_error(sim: Simulator) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = Config(
        url=f"http://127.0.0.1:{port}",
        account=sim.account,
        key_id=sim.key_id,
        secret=sim.key_path,
        max_retries=1,
        retry_backoff=0.01,
        environ={},
    )
    with pytest.raises(ConnectError, match="cannot connect"):
        Transport(config).request("GET", "/my")


def test_server_that_never_answers_ends_within_the_timeout(sim: Simulator) -> None:
    config = Config(
        url=sim.url,
        account=sim.account,
        key_id=sim.key_id,
        secret=sim.key_path,
        timeout=(1, 0.5),
        max_retries=0,
        environ={},
    )
    sim.faults.add("ListPackages", hang=True, times=1)
    # (a hang would be pytest's timeout; how long it took is for `make bench`, not an assertion)
    with pytest.raises(RequestTimeout) as caught:
        Transport(config).request("GET", "/my/packages")
    assert "0.5" in str(caught.value)  # the read timeout that ended it is named
    assert sim.request_count("ListPackages") == 1  # max_retries=0: not sent again
    sim.faults.clear()


@pytest.mark.parametrize(
    ("fault", "error", "message"),
    [
        ({"bad_md5": True}, ContentDigestError, "Content-MD5"),
        ({"html": True}, CloudAPIError, "without a CloudAPI error body"),
        ({"wrong_content_type": True}, InvalidResponseError, "expected JSON"),
        ({"truncate": True}, InvalidResponseError, "cut short"),
    ],
)
def test_damaged_answers_raise_typed_errors(
    sim: Simulator,
    transport: Transport,
    fault: dict[str, bool],
    error: type[Exception],
    message: str,
) -> None:
    sim.faults.add("GetConfig", times=10, **fault)
    with pytest.raises(error, match=message):
        transport.request("GET", "/my/config")
    sim.faults.clear()


def test_oversize_answers_are_bounded(sim: Simulator) -> None:
    config = Config(
        url=sim.url,
        account=sim.account,
        key_id=sim.key_id,
        secret=sim.key_path,
        max_response_bytes=10_000,
        environ={},
    )
    sim.faults.add("GetConfig", oversize=50_000, times=1)
    with pytest.raises(ResponseTooLargeError, match="10000-byte limit"):
        Transport(config).request("GET", "/my/config")


def test_redirect_is_returned_not_followed(transport: Transport, sim: Simulator) -> None:
    name = next(iter(sim.urls))
    response = transport.request("GET", f"/my/datacenters/{name}")
    assert response.status == 302 and response.headers["Location"] == sim.urls[name]


def test_roles_go_in_as_role_and_query_encoding() -> None:
    assert (
        encode_query({"a": True, "b": None, "c": [1, 2], "tag.x": "y z"})
        == "a=true&c=1%2C2&tag.x=y%20z"
    )


def test_one_transport_serves_many_threads(transport: Transport) -> None:
    failures: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(5):
                transport.request("GET", "/my/keys")
        except BaseException as exc:  # collected for the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


def test_logs_never_contain_the_authorization_header(
    sim: Simulator, transport: Transport, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sim.faults.error("GetAccount", 503, times=1)
    transport.request("GET", "/my")
    with pytest.raises(CloudAPIError) as info:
        transport.request("GET", "/my/machines/missing")
    date = "Thu, 01 Jan 1970 00:00:00 GMT"
    signature = transport.signer.authorization("GET", "/my", date).split('signature="')[1]
    text = caplog.text + str(info.value) + repr(info.value) + repr(transport.config)
    assert "GET /my -> 200" in caplog.text and "retrying GET /my" in caplog.text
    assert "Signature keyId" not in text and signature[:20] not in text
