"""Every stream operation is bounded by the caller's deadline whatever the WebSocket server does
(ping floods, never reading, dropping and refusing, closing each connection at once); a wait
costs no more GetMachine requests than polling, whatever the feed announces; and the handshake's
signature is in no log of any library at any level."""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from typing import Any

import pytest

from smartdc import CloudAPI
from smartdc.errors import RequestTimeout, SmartDCError, WaitTimeout
from smartdc.runtime.streams import StreamGap
from smartdc.websocket import StreamClosed

from .conftest import MakeConfig
from .probes import run_bounded
from .wsserver import (
    HostileWebSocketServer,
    Play,
    close_at_once,
    ping_flood,
    refused,
    sending,
    silent,
    text,
)

MACHINE = "a5b9fbd5-8e5a-4b8f-9d3a-5d2f3c4b6a70"


def _machine(state: str) -> dict[str, Any]:
    return {
        "id": MACHINE,
        "name": "web",
        "type": "smartmachine",
        "brand": "joyent",
        "state": state,
        "memory": 1024,
        "disk": 25600,
        "metadata": {},
        "tags": {},
        "created": "2026-12-08T00:11:10.263Z",
        "updated": "2026-12-08T00:11:10.263Z",
        "ips": [],
        "package": "g4-highcpu-1G",
        "image": "55aa70a0-ecc4-57d3-9a11-b3187dfa9900",
        "networks": [],
        "firewall_enabled": False,
        "deletion_protection": False,
        "compute_node": "9f5d7e2d-792e-581b-8470-019157b2d93a",
    }


class FakeTime:
    """A client clock: sleeps move it on at once."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def _api(make_config: MakeConfig, server: HostileWebSocketServer, **kwargs: Any) -> CloudAPI:
    config = make_config(server.url, allow_plaintext=True, timeout=(0.5, 1.0))
    return CloudAPI(config, **kwargs)


def test_close_returns_when_the_server_pings_and_never_reads(make_config: MakeConfig) -> None:
    with HostileWebSocketServer(ping_flood) as server:
        feed = _api(make_config, server).get_changefeed()
        flooded = threading.Event()
        threading.Timer(1.0, flooded.set).start()
        flooded.wait()  # the pongs have filled the send buffer by now
        outcome = run_bounded(feed.close)
        assert outcome.ended, "close() hung"
        assert outcome.error is None


def test_a_wait_that_succeeds_returns_though_the_feed_floods_pings(
    make_config: MakeConfig,
) -> None:
    def http(line: str) -> tuple[int, Any]:
        return 200, _machine("running")

    with HostileWebSocketServer(ping_flood, http=http) as server:
        api = _api(make_config, server)
        outcome = run_bounded(lambda: api.wait_machine_running(id=MACHINE, timeout=10))
        assert outcome.ended, "the wait hung closing its feed"
        assert outcome.error is None, outcome.error


@pytest.mark.timeout(60)
def test_iterating_without_a_timeout_ends_when_the_server_pings_and_never_reads(
    make_config: MakeConfig,
) -> None:
    """``for m in feed`` (as ``smartdc changefeed`` does) has no timeout of its own: the pongs
    that cannot be sent must end the connection (the library's reader thread was held in
    sendall, its keepalive behind it, and iteration waited forever)."""
    with HostileWebSocketServer(ping_flood) as server:
        feed = _api(make_config, server).get_changefeed(reconnect=False)
        outcome = run_bounded(lambda: list(feed))
        assert outcome.ended, "iteration hung on a connection whose pongs could not be sent"
        assert isinstance(outcome.error, StreamClosed), outcome
        feed.close()


@pytest.mark.timeout(60)
def test_a_feed_flooded_with_pings_reconnects_and_carries_on(make_config: MakeConfig) -> None:
    announce = text(
        {
            "changedResourceId": MACHINE,
            "changeKind": {"resource": "vm", "subResources": ["state"]},
            "published": "1",
            "resourceState": "running",
            "resourceObject": _machine("running"),
        }
    )
    with HostileWebSocketServer(ping_flood, sending(announce)) as server:
        feed = _api(make_config, server).get_changefeed()
        items = iter(feed)
        outcome = run_bounded(lambda: [next(items), next(items)])
        assert outcome.ended, "iteration hung on a connection whose pongs could not be sent"
        assert outcome.error is None, outcome
        assert isinstance(outcome.value, list)
        gap, message = outcome.value
        assert isinstance(gap, StreamGap)
        assert message is not None and not isinstance(message, StreamGap)
        feed.close()


def test_next_keeps_its_timeout_while_reconnecting(make_config: MakeConfig) -> None:
    """The feed drops once, then every handshake is answered 503."""
    with HostileWebSocketServer(close_at_once, refused(503)) as server:
        feed = _api(make_config, server).get_changefeed()
        for _ in range(3):
            outcome = run_bounded(lambda: feed.next(timeout=1.0), within=8.0)
            assert outcome.ended, "next(timeout=1) was held by the reconnection"
            assert outcome.error is None and outcome.value is None, outcome
        feed.close()


def test_a_reconnection_within_the_timeout_gives_a_gap(make_config: MakeConfig) -> None:
    announce = text(
        {
            "changedResourceId": MACHINE,
            "changeKind": {"resource": "vm", "subResources": ["state"]},
            "published": "1",
            "resourceState": "running",
            "resourceObject": _machine("running"),
        }
    )
    with HostileWebSocketServer(close_at_once, sending(announce)) as server:
        feed = _api(make_config, server).get_changefeed()
        seen = [feed.next(timeout=5.0) for _ in range(2)]
        assert isinstance(seen[0], StreamGap)
        assert seen[1] is not None and not isinstance(seen[1], StreamGap)
        feed.close()


def test_backoff_runs_across_connections_and_has_a_total_bound(make_config: MakeConfig) -> None:
    """Each handshake is accepted and the connection closed at once: the reconnections get
    rarer, and the feed gives up after reconnect_deadline (300 s) of never staying up."""
    with HostileWebSocketServer(close_at_once) as server:
        clock = FakeTime()
        feed = _api(make_config, server, clock=clock).get_changefeed()
        with pytest.raises(SmartDCError):
            for _ in range(100):
                feed.next(timeout=3600)
        feed.close()
    assert server.upgrades < 40, server.upgrades
    assert clock.now >= 300
    assert max(clock.sleeps) >= 10  # the backoff grew although every handshake succeeded


def _announcing(count: int | None) -> Play:
    """A feed that announces the watched machine again and again (``count`` times, or forever)
    though nothing changed."""
    message = text({"changedResourceId": MACHINE, "changeKind": {"subResources": ["state"]}})

    def play(conn: Any, head: bytes, stop: threading.Event) -> None:
        from .wsserver import accept, send_all

        accept(conn, head)
        for _ in itertools.repeat(None) if count is None else range(count):
            if not send_all(conn, message * 32, stop):
                return
        stop.wait()

    return play


def test_a_wait_costs_what_polling_costs_whatever_the_feed_announces(
    make_config: MakeConfig,
) -> None:
    def http(line: str) -> tuple[int, Any]:
        return 200, _machine("provisioning")

    def polls(changefeed_waits: bool) -> int:
        with HostileWebSocketServer(_announcing(None), http=http) as server:
            api = _api(make_config, server, changefeed_waits=changefeed_waits)
            outcome = run_bounded(lambda: api.wait_machine_running(id=MACHINE, timeout=4))
            assert outcome.ended
            assert isinstance(outcome.error, WaitTimeout), outcome.error
            return server.count(f"/machines/{MACHINE}")

    polled = polls(changefeed_waits=False)
    assert polls(changefeed_waits=True) <= polled + 1


SECRETS = ("Signature", "keyId", "signature=")


@pytest.mark.parametrize("play", [silent, close_at_once, refused(401)])
def test_the_handshakes_signature_is_in_no_log_at_any_level(
    make_config: MakeConfig, caplog: pytest.LogCaptureFixture, play: Callable[..., None]
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, every library
    for name in ("websockets", "websockets.client", "smartdc", "urllib3"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    with HostileWebSocketServer(play) as server:
        try:
            feed = _api(make_config, server).get_changefeed(reconnect=False)
            feed.next(timeout=0.5)
            feed.close()
        except SmartDCError:
            pass
    assert caplog.records
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records)
    for secret in SECRETS:
        assert secret not in logged


def test_a_console_read_keeps_its_timeout_however_the_bytes_are_spread(
    make_config: MakeConfig,
) -> None:
    """The server sends one byte per message, each well within the timeout."""
    from .wsserver import BINARY, accept, frame, send_all

    def trickle(conn: Any, head: bytes, stop: threading.Event) -> None:
        accept(conn, head)
        while not stop.wait(0.2) and send_all(conn, frame(BINARY, b"R"), stop):
            pass

    with HostileWebSocketServer(trickle) as server:
        console = _api(make_config, server).connect_machine_vnc(id=MACHINE)
        outcome = run_bounded(lambda: console.read(100, timeout=1.0), within=8.0)
        assert outcome.ended, "read(100, timeout=1) took a timeout per byte"
        assert isinstance(outcome.error, RequestTimeout), outcome
        console.close()
