"""Each fault of the simulator against a read (GetAccount) and a create (CreateMachine).

Every case states its outcome (retried and succeeded, or the typed error) and the number of
requests the server saw; for CreateMachine also how many machines exist afterwards, because a
create must never run twice because of the client.
"""

from __future__ import annotations

from typing import Any

import pytest

from smartdc import CloudAPI
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

from .conftest import FAST, machine_args

OK = None

# (label, fault effects, times, expected error or OK, requests seen)
READ_CASES: list[tuple[str, dict[str, Any], int, type[Exception] | None, int]] = [
    ("429 without Retry-After", {"status": 429}, 2, OK, 3),
    ("429 with Retry-After", {"status": 429, "retry_after": 0}, 1, OK, 2),
    ("420 throttled", {"status": 420}, 1, OK, 2),
    ("502", {"status": 502}, 1, OK, 2),
    ("503", {"status": 503}, 2, OK, 3),
    ("504", {"status": 504}, 1, OK, 2),
    ("503 beyond the retry budget", {"status": 503}, 10, CloudAPIError, 4),
    ("500 InternalError is not retried", {"status": 500}, 1, CloudAPIError, 1),
    ("reset before the answer", {"reset_before": True}, 1, OK, 2),
    ("reset after the handler ran", {"reset_after": True}, 1, OK, 2),
    ("accepts and never answers", {"hang": True}, 1, OK, 2),
    ("never answers, every time", {"hang": True}, 10, RequestTimeout, 4),
    ("proxy HTML page (502)", {"html": True}, 1, OK, 2),
    ("truncated JSON body", {"truncate": True}, 1, InvalidResponseError, 1),
    ("wrong Content-Type", {"wrong_content_type": True}, 1, InvalidResponseError, 1),
    ("Content-MD5 mismatch", {"bad_md5": True}, 1, ContentDigestError, 1),
]


@pytest.mark.parametrize(
    ("label", "effects", "times", "expected", "seen"),
    READ_CASES,
    ids=[c[0] for c in READ_CASES],
)
def test_read_under_fault(
    sim: Simulator,
    api: CloudAPI,
    label: str,
    effects: dict[str, Any],
    times: int,
    expected: type[Exception] | None,
    seen: int,
) -> None:
    sim.faults.add("GetAccount", times=times, **effects)
    if expected is None:
        assert api.get_account().login == sim.account
    else:
        with pytest.raises(expected) as caught:
            api.get_account()
        assert "GET /" in str(caught.value)  # the message names the request
    assert sim.request_count("GetAccount") == seen


# (label, fault effects, expected error or OK, requests seen, machines afterwards)
CREATE_CASES: list[tuple[str, dict[str, Any], type[Exception] | None, int, int]] = [
    ("429 is retried (the server did nothing)", {"status": 429}, OK, 2, 1),
    ("429 with Retry-After", {"status": 429, "retry_after": 0}, OK, 2, 1),
    ("420 is retried", {"status": 420}, OK, 2, 1),
    ("503 is not retried for a POST", {"status": 503}, CloudAPIError, 1, 0),
    ("502 proxy page is not retried", {"html": True}, CloudAPIError, 1, 0),
    ("500", {"status": 500}, CloudAPIError, 1, 0),
    ("answer lost after the create ran", {"reset_after": True}, OutcomeUnknownError, 1, 1),
    ("connection reset after sending", {"reset_before": True}, OutcomeUnknownError, 1, 0),
    ("no answer within the read timeout", {"hang": True}, OutcomeUnknownError, 1, 0),
    ("truncated answer", {"truncate": True}, InvalidResponseError, 1, 1),
]


@pytest.mark.parametrize(
    ("label", "effects", "expected", "seen", "machines"),
    CREATE_CASES,
    ids=[c[0] for c in CREATE_CASES],
)
def test_create_machine_under_fault(
    sim: Simulator,
    api: CloudAPI,
    label: str,
    effects: dict[str, Any],
    expected: type[Exception] | None,
    seen: int,
    machines: int,
) -> None:
    args = machine_args(api)
    sim.faults.add("CreateMachine", times=1, **effects)
    if expected is None:
        assert api.create_machine(name="web-1", **args).name == "web-1"
    else:
        with pytest.raises(expected) as caught:
            api.create_machine(name="web-1", **args)
        assert "POST /" in str(caught.value)
    assert sim.request_count("CreateMachine") == seen
    assert len(api.list_machines(name="web-1")) == machines


def test_lost_create_answer_says_how_to_check(sim: Simulator, api: CloudAPI) -> None:
    args = machine_args(api)
    sim.faults.add("CreateMachine", times=1, reset_after=True)
    with pytest.raises(OutcomeUnknownError) as caught:
        api.create_machine(name="web-1", **args)
    message = str(caught.value)
    assert "may or may not have been carried out" in message
    assert "not retried" in message and "by name" in message
    assert sim.request_count("CreateMachine") == 1


def test_connection_refused_is_a_connect_error() -> None:
    with Simulator() as sim:
        url, key_path, key_id = sim.url, sim.key_path, sim.key_id
        api = sim.client(**FAST)
        api.get_account()  # learn the server version while it is up
    # The port is closed now: nothing listens, nothing can be sent.
    try:
        with pytest.raises(ConnectError) as caught:
            api.get_account()
    finally:
        api.close()
    assert "cannot connect" in str(caught.value) and url in str(caught.value)
    assert key_path not in str(caught.value) and key_id  # no key material in the message


def test_connection_refused_for_a_post_is_a_connect_error_not_unknown() -> None:
    with Simulator() as sim:
        api = sim.client(**FAST)
        args = machine_args(api)
    try:
        with pytest.raises(ConnectError) as caught:
            api.create_machine(name="web-1", **args)
    finally:
        api.close()
    assert not isinstance(caught.value, OutcomeUnknownError)


def test_silent_server_ends_within_the_timeout(sim: Simulator) -> None:
    api = sim.client(timeout=0.3, max_retries=0, retry_deadline=1.0)
    sim.faults.add("GetAccount", hang=True)
    with pytest.raises(RequestTimeout) as caught:
        api.get_account()
    api.close()
    assert "0.3 s" in str(caught.value)
    assert sim.request_count("GetAccount") == 1


def test_oversized_answer_is_bounded(sim: Simulator) -> None:
    api = sim.client(max_response_bytes=64 * 1024, **FAST)
    sim.faults.add("ListMachines", oversize=1024 * 1024, times=1)
    with pytest.raises(ResponseTooLargeError) as caught:
        api.list_machines()
    api.close()
    assert "65536-byte limit" in str(caught.value)
    assert sim.request_count("ListMachines") == 1


def test_datacenter_redirect_is_data_not_followed(sim: Simulator, api: CloudAPI) -> None:
    redirect = api.get_datacenter("us-sim-2")
    assert sim.urls["us-sim-2"] in str(redirect.message)
    assert sim.request_count("GetDatacenter") == 1
    assert sim.request_count() == 1 + sim.request_count("Ping")  # nothing followed


def test_truncated_create_answer_says_it_was_carried_out(sim: Simulator, api: CloudAPI) -> None:
    args = machine_args(api)
    sim.faults.add("CreateMachine", times=1, truncate=True)
    with pytest.raises(InvalidResponseError) as caught:
        api.create_machine(name="web-1", **args)
    assert "HTTP 201" in str(caught.value) and "do not send it again" in str(caught.value)
    assert caught.value.status == 201
    assert sim.request_count("CreateMachine") == 1
    assert len(api.list_machines(name="web-1")) == 1
