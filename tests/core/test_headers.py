"""``smartdc.headers.Headers``: the one case-insensitive header mapping (client and simulator)."""

from __future__ import annotations

from smartdc.headers import Headers


def test_names_match_whatever_their_case_and_keep_their_spelling() -> None:
    headers = Headers({"Content-Type": "application/json", "x-request-id": "r1"})
    assert headers["content-type"] == headers["CONTENT-TYPE"] == "application/json"
    assert "X-Request-Id" in headers and "x-resource-count" not in headers
    assert headers.get("X-REQUEST-ID") == "r1" and headers.get("absent", "d") == "d"
    assert list(headers) == ["Content-Type", "x-request-id"]


def test_pairs_with_a_repeated_name_keep_the_last_value() -> None:
    headers = Headers([("Accept", "text/plain"), ("accept", "application/json")])
    assert len(headers) == 1 and headers["Accept"] == "application/json"
