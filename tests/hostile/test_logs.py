"""Nothing from a server reaches a log unchecked: the server's header names and values, error
texts and paths are written into log records with their control characters escaped, so a log read
on a terminal is not driven by the server and a line cannot be forged; and no signature appears."""

from __future__ import annotations

import logging

import pytest

from smartdc import CloudAPI
from smartdc.errors import SmartDCError

from .conftest import MakeConfig
from .rawserver import HostileServer, Script, head, json_answer

EVIL = "\x1b]0;pwned\x07\x1b[2J"


def test_a_servers_headers_and_errors_are_logged_escaped(
    hostile: HostileServer, make_config: MakeConfig, caplog: pytest.LogCaptureFixture
) -> None:
    body = b'{"code":"InternalError","message":"\\u001b]0;pwned\\u0007\\nFAKE LOG LINE"}'
    hostile.play(
        json_answer(200, b"{}", ("X-Evil", EVIL), ("Server", f"cloudapi {EVIL}")),
        Script(head(503, ("X-Evil", EVIL), ("Content-Length", str(len(body)))), lambda: (body,)),
    )
    caplog.set_level(logging.DEBUG)
    api = CloudAPI(make_config(hostile.url, allow_plaintext=True))
    api.list_datacenters()
    try:
        api.list_datacenters()
    except SmartDCError:
        pass
    assert caplog.records
    for record in caplog.records:
        text = record.getMessage()
        assert "\x1b" not in text and "\x07" not in text, text
        assert "Signature" not in text
