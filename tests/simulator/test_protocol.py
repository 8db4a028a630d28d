"""Protocol mechanics of the simulated CloudAPI: versions, headers, errors, bodies, keep-alive."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator

import pytest
import urllib3

from smartdc.testing.simulator import Simulator
from smartdc.testing.versions import negotiate

from .sigclient import SigClient


def test_ping_needs_no_signature_and_lists_versions(sim: Simulator, sig: SigClient) -> None:
    reply = sig.get("/--ping", signed=False)
    assert reply.status == 200
    assert reply.json == {
        "ping": "pong",
        "cloudapi": {"versions": ["9.0.0", "8.0.0", "7.3.0", "7.2.0", "7.1.0", "7.0.0"]},
    }
    assert reply.headers["Triton-Datacenter-Name"] == "us-sim-1"


@pytest.mark.parametrize(
    ("wanted", "chosen"),
    [
        ("~9||~8", "9.0.0"),
        ("*", "9.0.0"),
        ("9", "9.0.0"),
        ("~8", "8.0.0"),
        ("~7.2", "7.2.0"),
        ("9.0.0", "9.0.0"),
        (">=7.1 <8", "7.3.0"),
    ],
)
def test_version_ranges_pick_the_highest_match(sig: SigClient, wanted: str, chosen: str) -> None:
    sig.accept_version = wanted
    reply = sig.get("/my")
    assert reply.status == 200
    assert reply.headers["Api-Version"] == chosen


def test_x_api_version_is_read_too(sig: SigClient) -> None:
    sig.accept_version = None
    reply = sig.get("/my", headers={"X-Api-Version": "~8"})
    assert reply.headers["Api-Version"] == "8.0.0"


@pytest.mark.parametrize("wanted", ["9.20.0", "~10", "not a range"])
def test_unsatisfiable_version_is_invalid(sig: SigClient, wanted: str) -> None:
    sig.accept_version = wanted
    reply = sig.get("/my")
    assert reply.status == 400
    assert reply.json["code"] == "InvalidVersion"


def test_route_minimum_version(sig: SigClient) -> None:
    sig.accept_version = "~7.1"
    # The user-key reads are registered for 7.2.0 and later (sdc-cloudapi lib/keys.js mount());
    # the users routes themselves have no version (lib/users.js).
    sig.post("/my/users", {"login": "bob", "email": "bob@example.com", "password": "secr3t-pw"})
    reply = sig.get("/my/users/bob/keys")
    assert (reply.status, reply.json["code"]) == (400, "InvalidVersion")
    assert negotiate("~7", "7.2.0") == "7.3.0"


def test_every_answer_carries_the_server_headers(sim: Simulator, sig: SigClient) -> None:
    reply = sig.get("/my", headers={"x-request-id": "req-42"})
    headers = reply.headers
    assert headers["Request-Id"] == "req-42"
    assert headers["Server"] == "cloudapi/9.20.0"
    assert headers["Api-Version"] == "9.0.0"
    assert int(headers["Response-Time"]) >= 0
    assert headers["Content-Type"] == "application/json"
    assert int(headers["Content-Length"]) == len(reply.body)
    assert headers["Content-MD5"] == base64.b64encode(hashlib.md5(reply.body).digest()).decode()
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert "Api-Version" in headers["Access-Control-Expose-Headers"]
    assert "Date" in headers
    other = sig.get("/my")
    assert other.headers["Request-Id"] != "req-42"


def test_unknown_route_and_wrong_method(sig: SigClient) -> None:
    missing = sig.get("/my/a/b/c/d/e", signed=False)
    assert (missing.status, missing.json["code"]) == (404, "ResourceNotFound")
    wrong = sig.request("PATCH", "/my/keys")
    # restify 4's router answers MethodNotAllowedError (an HttpError named from the 405 status).
    assert (wrong.status, wrong.json["code"]) == (405, "MethodNotAllowedError")
    assert "GET" in wrong.headers["Allow"]


def test_body_size_limit(sig: SigClient) -> None:
    reply = sig.post(
        "/my/keys", raw_body=b"x" * 100_001, headers={"Content-Type": "application/json"}
    )
    # restify 4 bodyReader on node 6: PayloadTooLargeError 'Request body size exceeds 100000'.
    assert (reply.status, reply.json) == (
        413,
        {"code": "PayloadTooLargeError", "message": "Request body size exceeds 100000"},
    )


def test_content_md5_of_request_is_checked(sig: SigClient) -> None:
    body = json.dumps({"email": "new@example.com"}).encode()
    bad = sig.post(
        "/my",
        raw_body=body,
        headers={"Content-Type": "application/json", "Content-MD5": "AAAAAAAAAAAAAAAAAAAAAA=="},
    )
    assert (bad.status, bad.json["code"]) == (400, "BadDigest")
    good_md5 = base64.b64encode(hashlib.md5(body).digest()).decode()
    good = sig.post(
        "/my", raw_body=body, headers={"Content-Type": "application/json", "Content-MD5": good_md5}
    )
    assert good.status == 200
    assert good.json["email"] == "new@example.com"


def test_bad_json_and_form_bodies(sig: SigClient) -> None:
    bad = sig.post("/my", raw_body=b"{nope", headers={"Content-Type": "application/json"})
    assert (bad.status, bad.json["code"]) == (400, "InvalidContent")
    form = sig.post(
        "/my",
        raw_body=b"city=Lisbon&triton_cns_enabled=true",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert form.status == 200
    assert form.json["city"] == "Lisbon"
    assert form.json["triton_cns_enabled"] is True


def test_head_answers_headers_only(sig: SigClient) -> None:
    reply = sig.head("/my/keys")
    assert reply.status == 200
    assert reply.body == b""
    assert int(reply.headers["Content-Length"]) > 0


def test_keep_alive_reuses_one_connection(sim: Simulator, sig: SigClient) -> None:
    pool = urllib3.HTTPConnectionPool(
        "127.0.0.1", int(sim.url.rsplit(":", 1)[1]), maxsize=1, block=True, timeout=10
    )
    for _ in range(3):
        response = pool.request("GET", "/--ping")
        assert response.status == 200
    assert pool.num_connections == 1


def test_private_sim_keys_never_leave(sim: Simulator, sig: SigClient) -> None:
    reply = sig.get("/my/keys")
    assert "_sim" not in reply.body.decode()
    with sim.state.lock:
        keys = sim.state.key_table(sim.account)
        assert any(k.startswith("_sim") for key in keys.values() for k in key)


def test_request_log_and_counts(sim: Simulator, sig: SigClient) -> None:
    sig.get("/my")
    sig.get("/my/keys")
    sig.get("/my/keys")
    assert sim.request_count("ListKeys") == 2
    assert sim.request_count() == 3
    assert ("us-sim-1", "GET", "/my/keys", "ListKeys", 200) in sim.requests


def test_each_datacenter_has_its_own_server(sim: Simulator) -> None:
    from .sigclient import load_private_key

    assert len(set(sim.urls.values())) == 3
    for name, url in sim.urls.items():
        client = SigClient(url, sim.account, load_private_key(sim.key_path))
        reply = client.get("/my/datacenters")
        assert reply.headers["Triton-Datacenter-Name"] == name
        assert reply.json == sim.urls


def test_root_redirects_to_the_docs_without_a_signature(sig: SigClient) -> None:
    reply = sig.get("/", signed=False)
    assert reply.status == 302
    assert reply.headers["Location"].startswith("https://")


def test_no_answer_on_a_kept_alive_connection_after_close() -> None:
    sim = Simulator(datacenters=("dc1",)).start()
    pool = urllib3.HTTPConnectionPool(
        "127.0.0.1", int(sim.url.rsplit(":", 1)[1]), maxsize=1, timeout=5, retries=False
    )
    assert pool.request("GET", "/--ping").status == 200
    sim.close()
    with pytest.raises(urllib3.exceptions.HTTPError):
        pool.request("GET", "/--ping")


def test_custom_routes_can_be_added(sim: Simulator, sig: SigClient) -> None:
    from smartdc.testing.router import SimRequest, SimResponse

    def hello(req: SimRequest) -> SimResponse:
        return SimResponse(200, {"hello": req.account.login, "_sim_hidden": 1})

    sim.router.add("GET", "/:account/hello", "Hello", hello)
    reply = sig.get("/my/hello")
    assert reply.json == {"hello": sim.account}


def test_chunked_request_bodies(sim: Simulator, sig: SigClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"city": '
        yield b'"Porto"}'

    reply = sig.post(
        "/my",
        raw_body=chunks(),
        headers={"Content-Type": "application/json"},
    )
    assert reply.status == 200
    assert reply.json["city"] == "Porto"
    big = sig.post(
        "/my",
        raw_body=iter([b"x" * 60_000, b"y" * 60_000]),
        headers={"Content-Type": "application/json"},
    )
    assert (big.status, big.json["code"]) == (413, "PayloadTooLargeError")


def test_malformed_framing_is_answered_as_haproxy_does(sim: Simulator) -> None:
    # HAProxy, in front of CloudAPI, refuses broken HTTP framing itself with its own 400 body,
    # {"BadHTTPRequest": ...}, not restify's {code, message} (reference-notes 1.6).
    import socket
    from urllib.parse import urlsplit

    url = urlsplit(sim.url)
    with socket.create_connection((url.hostname, url.port or 80), timeout=5) as conn:
        conn.sendall(
            b"POST /my/keys HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"
        )
        answer = conn.recv(65536).decode("latin-1")
    head, _, body = answer.partition("\r\n\r\n")
    assert head.startswith("HTTP/1.1 400")
    assert list(json.loads(body)) == ["BadHTTPRequest"]


def test_a_client_resetting_its_connection_is_not_a_traceback(
    sim: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket
    import struct
    from urllib.parse import urlsplit

    url = urlsplit(sim.url)
    done = sim.connections_done()
    for _ in range(3):
        conn = socket.create_connection((url.hostname, url.port or 80), timeout=5)
        conn.sendall(b"GET /my/machines HTTP/1.1\r\nHost: x\r\n")  # headers not finished
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()  # RST: the handler's read fails with ConnectionResetError
    # the handlers have met the resets and ended (not a sleep: a slow machine would pass unseen)
    assert sim.wait_connections_done(done + 3)
    assert "Traceback" not in capsys.readouterr().err
