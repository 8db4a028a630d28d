"""`smartdc sim`: prints the exports, serves signed requests, stops on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from .sigclient import SigClient, load_private_key

RUN = "import sys; from smartdc.cli.main import run; sys.exit(run(sys.argv[1:]))"


def test_sim_command_prints_exports_and_serves(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            RUN,
            "sim",
            "--account",
            "demo",
            "--state",
            str(state),
            "--provision-seconds",
            "0.5",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        lines: dict[str, str] = {}
        key_path = ""
        for line in proc.stdout:
            if line.startswith("export "):
                name, _, value = line[len("export ") :].strip().partition("=")
                lines[name] = value
            if line.startswith("# key: "):
                key_path = line[len("# key: ") :].strip()
            if line.startswith("# serving"):
                break
        assert set(lines) == {"SDC_URL", "SDC_ACCOUNT", "SDC_KEY_ID"}
        assert lines["SDC_ACCOUNT"] == "demo"
        assert lines["SDC_URL"].startswith("http://127.0.0.1:")
        client = SigClient(lines["SDC_URL"], "demo", load_private_key(key_path))
        reply = client.get("/my/keys")
        assert reply.status == 200
        assert reply.json[0]["fingerprint"] == lines["SDC_KEY_ID"]
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    assert state.exists()


def test_sim_command_with_a_missing_key_file(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", RUN, "sim", "--key", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "does not exist" in result.stderr


def test_generated_key_is_removed_at_exit() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", RUN, "sim", "--account", "tmpkey"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    key_path = ""
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("# key: "):
                key_path = line[len("# key: ") :].strip()
            if line.startswith("# serving"):
                break
        assert Path(key_path).exists()
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0
    assert not Path(key_path).exists()
