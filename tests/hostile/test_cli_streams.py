"""``smartdc changefeed`` against a lying feed: every value from the server (the messages, a close
reason, a gap's reason) printed terminal-safe on stdout and stderr, ``-v`` included; a message
without ``changeKind`` or with fields of the wrong type is printed or refused cleanly, never a
traceback. And the CLI's streams themselves: a server value printed without
:func:`terminal_safe` still reaches the terminal escaped."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from smartdc.cli.main import run
from smartdc.cli.output import TerminalStream

from .wsserver import HostileWebSocketServer, close_frame, ping_flood, sending, text

EVIL = "\x1b]0;pwned\x07\x1b[2J\x9b31m\u202e\r"
MACHINE = "a5b9fbd5-8e5a-4b8f-9d3a-5d2f3c4b6a70"


def _raw_controls(shown: str) -> list[str]:
    return [
        c
        for c in shown
        if (ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) < 0xA0 or c == "\u202e"
    ]


def _message(**changes: Any) -> dict[str, Any]:
    message: dict[str, Any] = {
        "published": "1733616000000",
        "changedResourceId": MACHINE,
        "changeKind": {"resource": "vm", "subResources": ["state", EVIL]},
        "resourceState": EVIL,
        "resourceObject": {"id": MACHINE, "name": EVIL},
    }
    message.update(changes)
    return {k: v for k, v in message.items() if v is not None}


def _feed(
    tmp_path: Path, key_path: Path, *frames: bytes, argv: tuple[str, ...] = (), count: int = 2
) -> Any:
    play = sending(*frames)
    with HostileWebSocketServer(play) as server:
        out, err = io.StringIO(), io.StringIO()
        code = run(
            [
                "--url",
                server.url,
                "--account",
                "alice",
                "--key-file",
                str(key_path),
                *argv,
                "changefeed",
                "--count",
                str(count),
            ],
            out,
            err,
        )
        return code, out.getvalue(), err.getvalue()


@pytest.fixture(autouse=True)
def _tolerant(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """As a user runs it: decoding tolerant (the test suite's default is strict)."""
    monkeypatch.delenv("SMARTDC_STRICT_DECODING", raising=False)
    monkeypatch.setenv("TRITON_CONFIG_DIR", str(tmp_path / "triton"))


@pytest.mark.parametrize("verbose", [(), ("-v",)])
def test_changefeed_prints_the_servers_text_harmlessly(
    tmp_path: Path, key_path: Path, verbose: tuple[str, ...]
) -> None:
    code, out, err = _feed(
        tmp_path, key_path, text(_message()), text(_message()), close_frame(1011, EVIL),
        argv=verbose, count=3,
    )  # fmt: skip
    assert code == 0, err
    assert "reconnected" in err  # with the close reason
    assert "Traceback" not in err
    assert _raw_controls(out + err) == []
    assert "\\x1b]0;pwned" in out


@pytest.mark.parametrize(
    "message",
    [
        _message(changeKind=None),
        _message(changeKind={"resource": "vm"}),
        _message(changeKind="state"),
        _message(resourceObject=None, resourceState=None),
        _message(published=EVIL, changedResourceId=EVIL),
        _message(published="9" * 40),
        {"foo": EVIL},
    ],
)
def test_a_message_without_its_fields_is_handled_cleanly(
    tmp_path: Path, key_path: Path, message: dict[str, Any]
) -> None:
    code, out, err = _feed(tmp_path, key_path, text(message), text(message))
    assert "Traceback" not in err
    assert _raw_controls(out + err) == []
    assert code in (0, 1), err


@pytest.mark.timeout(60)
def test_changefeed_carries_on_when_the_server_pings_and_never_reads(
    tmp_path: Path, key_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first connection floods pings and never reads: ``smartdc changefeed`` (no timeout of
    its own) ends it after the read timeout, reconnects and prints the next message."""
    from smartdc import config

    from .probes import run_bounded

    monkeypatch.setattr(config, "DEFAULT_READ_TIMEOUT", 1.0)
    message = text(_message())
    with HostileWebSocketServer(ping_flood, sending(message)) as server:
        argv = ["--url", server.url, "--account", "alice", "--key-file", str(key_path)]
        out, err = io.StringIO(), io.StringIO()
        outcome = run_bounded(lambda: run([*argv, "changefeed", "--count", "1"], out, err))
    assert outcome.ended, "smartdc changefeed hung on a connection whose pongs could not be sent"
    assert outcome.value == 0, (outcome, err.getvalue())
    assert "reconnected" in err.getvalue()
    assert "Change (" in out.getvalue()


def test_json_lines_stay_json(tmp_path: Path, key_path: Path) -> None:
    code, out, err = _feed(tmp_path, key_path, text(_message()), text(_message()), argv=("-j",))
    assert code == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines[0]["resourceState"] == EVIL
    assert _raw_controls(out) == []


def test_the_cli_streams_escape_what_was_not_escaped() -> None:
    under = io.StringIO()
    stream = TerminalStream(under)
    stream.write(f"name: {EVIL}\tnext\n")
    assert _raw_controls(under.getvalue()) == []
    assert under.getvalue().endswith("\tnext\n")
    stream.write(json.dumps({"x": "\x7f"}, ensure_ascii=False) + "\n")
    assert json.loads(under.getvalue().splitlines()[-1]) == {"x": "\x7f"}
