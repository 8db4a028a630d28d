"""Every bad argument or unreadable file is a usage error or a clean message, never a traceback:
files that are missing, directories, unreadable or not UTF-8, for every command that reads one;
odd numbers and names for the commands that take them."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from smartdc.cli.main import run
from smartdc.testing import Simulator


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator() as simulator:
        with simulator.datacenter() as dc:
            dc.create_machine(name="web").wait("running", timeout=60)
        yield simulator


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("TRITON_CONFIG_DIR", str(tmp_path / "triton"))
    binary = tmp_path / "binary"
    binary.write_bytes(b"\xff\xfe\x00\x80 not utf-8 \xc3")
    locked = tmp_path / "locked"
    locked.write_text("{}")
    locked.chmod(0)
    return {
        "missing": str(tmp_path / "missing"),
        "directory": str(tmp_path),
        "binary": str(binary),
        "locked": str(locked),
    }


def _run(sim: Simulator, *argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    connection = ["--url", sim.url, "--account", sim.account, "--key-file", str(sim.key_path)]
    code = run([*connection, *argv], out, err)  # a traceback would be raised here
    return code, err.getvalue()


COMMANDS = [
    ("key", "add", "{file}"),
    ("key", "add", "-n", "k", "{file}"),
    ("fwrule", "update", "-f", "{file}", "00000000-0000-0000-0000-000000000000"),
    ("profile", "create", "-f", "{file}"),
    ("instance", "create", "-n", "x", "--script", "{file}"),
    ("instance", "create", "-n", "x", "-M", "k=@{file}"),
    ("instance", "create", "-n", "x", "--cloud-config", "{file}"),
]


@pytest.mark.parametrize("kind", ["missing", "directory", "binary", "locked"])
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:3]))
def test_an_unreadable_file_is_a_clean_message(
    sim: Simulator, files: dict[str, str], kind: str, command: tuple[str, ...]
) -> None:
    if kind == "locked" and os.geteuid() == 0:
        pytest.skip("root reads a file of mode 000")
    argv = [part.format(file=files[kind]) for part in command]
    code, err = _run(sim, *argv)
    assert code != 0
    assert err.startswith("smartdc")
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "argv",
    [
        ("changefeed", "--count", "-1"),
        ("changefeed", "--count", "x"),
        ("changefeed", "--instances", "no-such-instance"),
        ("instance", "vnc", "-p", "99999", "web"),
        ("instance", "vnc", "-p", "-5", "web"),
        ("instances", "-o", "\x1b[2J"),
        ("instance", "get", "\x1b]0;x\x07"),
        ("instance", "tag", "set", "web", "=x"),
        ("api", "GetMachine", "id=\x00"),
        ("profile", "get", "../../etc/passwd"),
    ],
)
def test_a_bad_argument_is_a_usage_error_or_a_clean_message(
    sim: Simulator, files: dict[str, str], argv: tuple[str, ...]
) -> None:
    code, err = _run(sim, *argv)
    assert code != 0
    assert "Traceback" not in err
    assert "\x1b" not in err and "\x00" not in err
