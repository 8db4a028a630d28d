"""smartdc.websocket on its own: the message bound, TLS settings and the optional dependency."""

from __future__ import annotations

import ssl
import sys
import warnings

import pytest

from smartdc import CloudAPI, Config, DataCenter, Transport
from smartdc.errors import ResponseTooLargeError
from smartdc.testing import Simulator
from smartdc.websocket import StreamUnavailableError, open_websocket, ssl_context

from .conftest import registered


def test_a_message_over_the_bound_is_refused_typed(
    sim: Simulator, dc: DataCenter, api: CloudAPI
) -> None:
    machine = dc.create_machine(name="big")
    sim.advance(60)
    ws = open_websocket(api.meta.transport, f"/{sim.account}/changefeed", max_message_bytes=64)
    with ws:
        ws.send('{"resource": "vm", "subResources": ["tags"]}')
        registered(sim)
        api.add_machine_tags(machine.id, tags={"grow": "x" * 100})
        with pytest.raises(ResponseTooLargeError):
            ws.recv(timeout=5)


def _transport(**kwargs: object) -> Transport:
    config = Config(account="acct", key_id="aa:" * 15 + "aa", secret="/nonexistent", **kwargs)  # type: ignore[arg-type]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Transport(config)


def test_tls_is_verified_as_the_transport_verifies_it() -> None:
    verified = ssl_context(_transport(url="https://cloudapi.example.test"))
    assert verified is not None
    assert verified.verify_mode == ssl.CERT_REQUIRED and verified.check_hostname
    insecure = ssl_context(_transport(url="https://cloudapi.example.test", insecure=True))
    assert insecure is not None and insecure.verify_mode == ssl.CERT_NONE
    assert ssl_context(_transport(url="http://127.0.0.1:1")) is None  # plain loopback only


def test_without_the_optional_dependency_the_error_says_what_to_install(
    sim: Simulator, api: CloudAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [m for m in sys.modules if m == "websockets" or m.startswith("websockets.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "websockets", None)
    with pytest.raises(StreamUnavailableError, match=r"smartdc\[streaming\]"):
        api.get_changefeed()
