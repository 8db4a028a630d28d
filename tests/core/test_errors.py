"""CloudAPIError.from_response on its own: class choice, fields, odd bodies, header case."""

from __future__ import annotations

import pytest

from smartdc.errors import NON_JSON_ERROR, CloudAPIError, SmartDCError


class QuotaForTests(CloudAPIError):
    code = "QuotaForTests"


def test_registered_code_picks_its_subclass_and_keeps_fields() -> None:
    body = b'{"code":"QuotaForTests","message":"over","errors":[{"field":"ram"},"junk"]}'
    err = CloudAPIError.from_response(
        403, {"x-request-id": "r-9"}, body, method="POST", path="/a/machines"
    )
    assert isinstance(err, QuotaForTests) and isinstance(err, SmartDCError)
    assert (err.status, err.error_code, err.message, err.request_id) == (
        403,
        "QuotaForTests",
        "over",
        "r-9",
    )
    assert err.errors == [{"field": "ram"}]  # entries that are not objects are dropped
    assert str(err) == "POST /a/machines: 403 QuotaForTests: over (request id r-9)"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"request-id": "a", "X-Request-Id": "b"}, "a"),
        ({"X-REQUEST-ID": "b"}, "b"),
        ({}, None),
    ],
)
def test_request_id_from_headers_of_any_case(headers: dict[str, str], expected: str | None) -> None:
    err = CloudAPIError.from_response(500, headers, b'{"code":"InternalError","message":"m"}')
    assert err.request_id == expected


@pytest.mark.parametrize(
    "body",
    [b"", b"<html>Service Unavailable</html>", b"[1, 2]", b'{"a": 1, "b": 2}', b"\xff\xfe"],
)
def test_bodies_without_a_code_are_non_json_errors(body: bytes) -> None:
    err = CloudAPIError.from_response(503, {"Content-Type": "text/html"}, body)
    assert type(err) is CloudAPIError and err.error_code == NON_JSON_ERROR
    assert "HTTP 503" in str(err) and "text/html" in str(err)


def test_haproxy_single_key_body() -> None:
    err = CloudAPIError.from_response(408, {}, b'{"IdleClientError": "client was idle"}')
    assert (err.error_code, err.message, err.status) == ("IdleClientError", "client was idle", 408)
