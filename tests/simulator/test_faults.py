"""Fault injection, each kind, seen from a client over real HTTP."""

from __future__ import annotations

import http.client
import socket
import threading

import pytest
import urllib3

from smartdc.testing.simulator import Simulator

from .sigclient import SigClient


def _port(sim: Simulator) -> int:
    return int(sim.url.rsplit(":", 1)[1])


def test_error_status_with_code_and_times(sim: Simulator, sig: SigClient) -> None:
    sim.faults.error("ListKeys", 503, "ServiceUnavailable", "maintenance", times=2, retry_after=7)
    for _ in range(2):
        reply = sig.get("/my/keys")
        assert reply.status == 503
        assert reply.json == {"code": "ServiceUnavailable", "message": "maintenance"}
        assert reply.headers["Retry-After"] == "7"
    assert sig.get("/my/keys").status == 200
    assert sim.request_count("ListKeys") == 3  # faulted requests are counted too


def test_throttle_and_420(sim: Simulator, sig: SigClient) -> None:
    sim.faults.throttle("GetAccount", retry_after=1)
    reply = sig.get("/my")
    # restify 4's throttle plugin answers TooManyRequestsError (sdc-cloudapi lib/throttle.js).
    assert (reply.status, reply.json["code"]) == (429, "TooManyRequestsError")
    sim.faults.error(None, 420, times=1)  # global: any route
    reply = sig.get("/my/keys")
    assert (reply.status, reply.json["code"]) == (420, "RequestThrottled")
    assert sig.get("/my").status == 200


def test_route_fault_wins_over_global(sim: Simulator, sig: SigClient) -> None:
    sim.faults.error(None, 500, times=1)
    sim.faults.error("GetAccount", 502, times=1)
    assert sig.get("/my").status == 502
    assert sig.get("/my").status == 500
    assert sig.get("/my").status == 200


def test_delay_happens_before_the_answer(sim: Simulator, sig: SigClient) -> None:
    fault = sim.faults.delay("GetAccount", 0.2, times=1)
    assert sig.get("/my").status == 200
    assert fault.used == 1 and fault.exhausted


def test_reset_before_drops_the_connection_and_skips_the_handler(
    sim: Simulator, sig: SigClient
) -> None:
    sim.faults.add("UpdateAccount", reset_before=True, times=1)
    with pytest.raises(urllib3.exceptions.HTTPError):
        sig.post("/my", {"city": "Oslo"})
    assert sig.get("/my").json.get("city") != "Oslo"


def test_reset_after_runs_the_action_then_drops(sim: Simulator, sig: SigClient) -> None:
    sim.faults.add("UpdateAccount", reset_after=True, times=1)
    with pytest.raises(urllib3.exceptions.HTTPError):
        sig.post("/my", {"city": "Oslo"})
    assert sig.get("/my").json["city"] == "Oslo"  # the action happened


def test_truncated_body(sim: Simulator) -> None:
    sim.faults.add("Ping", truncate=True, times=1)
    conn = http.client.HTTPConnection("127.0.0.1", _port(sim), timeout=10)
    conn.request("GET", "/--ping")
    response = conn.getresponse()
    with pytest.raises(http.client.IncompleteRead):
        response.read()
    conn.close()


def test_html_proxy_page(sim: Simulator, sig: SigClient) -> None:
    sim.faults.add("GetAccount", html=True, times=1)
    reply = sig.get("/my")
    assert reply.status == 502
    assert reply.headers["Content-Type"] == "text/html"
    assert reply.body.startswith(b"<html>")


def test_wrong_content_type_bad_md5_and_oversize(sim: Simulator, sig: SigClient) -> None:
    sim.faults.add("GetAccount", wrong_content_type=True, times=1)
    reply = sig.get("/my")
    assert reply.headers["Content-Type"] == "text/html"
    assert reply.json["login"] == sim.account  # the real body, mislabelled
    sim.faults.add("GetAccount", bad_md5=True, times=1)
    reply = sig.get("/my")
    assert reply.headers["Content-MD5"] == "AAAAAAAAAAAAAAAAAAAAAA=="
    sim.faults.add("GetAccount", oversize=5001, times=1)
    reply = sig.get("/my")
    assert len(reply.body) == 5001
    assert isinstance(reply.json, list)


def test_hang_is_released_by_close() -> None:
    sim = Simulator(datacenters=("dc1",)).start()
    sim.faults.add("Ping", hang=True)
    outcome: list[BaseException | int] = []

    def call() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", _port(sim), timeout=30)
        try:
            conn.request("GET", "/--ping")
            outcome.append(conn.getresponse().status)
        except (OSError, http.client.HTTPException) as exc:
            outcome.append(exc)

    thread = threading.Thread(target=call)
    thread.start()
    thread.join(0.5)
    assert thread.is_alive()  # hanging
    sim.close()  # must not block on the hung request
    thread.join(10)
    assert not thread.is_alive()
    assert outcome and not isinstance(outcome[0], int)


def test_unknown_paths_are_counted_under_none(sim: Simulator) -> None:
    with socket.create_connection(("127.0.0.1", _port(sim)), timeout=5) as s:
        s.sendall(b"GET /a/b/c/d/e/f HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert s.recv(100).startswith(b"HTTP/1.1 404")
    assert sim.faults.seen(None) == 1
