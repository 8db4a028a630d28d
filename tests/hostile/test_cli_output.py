"""Server text reaches the terminal only with its control characters shown, never obeyed; ``-j``
stays exact JSON; deeply nested server data prints without a RecursionError."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from smartdc.cli.main import run
from smartdc.cli.output import terminal_safe
from smartdc.testing import Simulator

from .rawserver import HostileServer, json_answer

EVIL = "\x1b]0;pwned\x07\x1b[2J\x9b31m\u202ename"


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def _raw_controls(text: str) -> list[str]:
    return [
        c for c in text if (ord(c) < 32 and c != "\n") or 0x7F <= ord(c) < 0xA0 or c == "\u202e"
    ]


def test_terminal_safe_shows_every_control_character() -> None:
    shown = terminal_safe(EVIL)
    assert _raw_controls(shown) == []
    assert shown == "\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m\\u202ename"
    assert terminal_safe("plain ünïcode, tabs\tand\nlines") == "plain ünïcode, tabs\\tand\\nlines"


@pytest.fixture
def sim_cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[tuple[Simulator, str]]:
    monkeypatch.setenv("TRITON_CONFIG_DIR", str(tmp_path / "triton"))
    with Simulator() as sim:
        with sim.datacenter() as dc:
            machine = dc.create_machine(name="web-1", tags={"role": EVIL}, metadata={"m": EVIL})
        yield sim, machine.id


def _connection(sim: Simulator) -> list[str]:
    return ["--url", sim.url, "--account", sim.account, "--key-file", sim.key_path]


@pytest.mark.parametrize(
    "command",
    [
        ["instance", "tag", "list", "web-1"],
        ["instance", "metadata", "list", "web-1"],
        ["instance", "get", "web-1"],
        ["instances", "-o", "name,tags"],
    ],
)
def test_tags_and_metadata_are_printed_harmlessly(
    sim_cli: tuple[Simulator, str], command: list[str]
) -> None:
    sim, _ = sim_cli
    code, out, err = _run(*_connection(sim), *command)
    assert code == 0, err
    assert _raw_controls(out + err) == []
    assert "\\x1b]0;pwned" in out or "\\u001b]0;pwned" in out  # shown (a table or JSON)


def test_json_output_stays_exact(sim_cli: tuple[Simulator, str]) -> None:
    sim, _ = sim_cli
    code, out, err = _run(*_connection(sim), "instance", "tag", "list", "-j", "web-1")
    assert code == 0, err
    assert json.loads(out) == {"role": EVIL}


def test_server_error_text_and_request_id_are_printed_harmlessly(
    hostile: HostileServer, key_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TRITON_CONFIG_DIR", str(tmp_path / "triton"))
    body = json.dumps({"code": "InvalidArgument", "message": EVIL}).encode()
    hostile.play(json_answer(409, body, ("Request-Id", "\x1b[2Jrid")))
    code, out, err = _run(
        "--url", hostile.url, "--account", "alice", "--key-file", str(key_path), "instances"
    )
    assert code == 1
    assert _raw_controls(out + err.rstrip("\n")) == []
    assert "\\x1b]0;pwned" in err


def test_deeply_nested_server_data_prints_without_recursion_error(
    hostile: HostileServer, key_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TRITON_CONFIG_DIR", str(tmp_path / "triton"))
    with Simulator() as sim, sim.datacenter() as dc:
        record = dc.create_machine(name="deep").model.to_json()
    deep = "[" * 900 + "]" * 900
    record["tags"] = {"t": "DEEP"}
    record["weird"] = "DEEP"
    machine = json.dumps(record).replace('"DEEP"', deep)
    hostile.play(json_answer(200, f"[{machine}]".encode()))
    connection = ["--url", hostile.url, "--account", "alice", "--key-file", str(key_path)]
    code, out, err = _run(*connection, "instances", "-o", "name,tags")
    assert code == 0, err
    assert "deep" in out
    assert "..." in out
    # -j prints the record as JSON, or says it is nested too deeply to print: never a traceback
    code, out, err = _run(*connection, "instances", "-j")
    assert (code, err) == (0, "") or (code == 1 and "nested too deeply" in err), err


def test_the_cli_error_line_carries_the_servers_details(
    hostile: HostileServer, key_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TRITON_CONFIG_DIR", str(tmp_path / "triton"))
    body = {
        "code": "InvalidParameters",
        "message": "Invalid parameters",
        "errors": [
            {
                "field": "rule",
                "code": "InvalidParameter",
                "message": "Error at character 0: 'ALLOW', expected: 'FROM'" + "x" * 5000,
            }
        ],
    }
    hostile.play(json_answer(422, json.dumps(body).encode()))
    code, _, err = _run(
        "--url", hostile.url, "--account", "alice", "--key-file", str(key_path), "instances"
    )
    assert code == 1
    assert "rule: Error at character 0: 'ALLOW', expected: 'FROM'" in err
    assert len(err) < 3000
