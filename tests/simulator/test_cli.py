"""`smartdc sim`: prints the exports, serves signed requests, stops on SIGTERM."""

from __future__ import annotations

import os
import shlex
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
                lines[name] = shlex.split(value)[0]
            if line.startswith("# serving"):
                break
        key_path = lines["SMARTDC_KEY_FILE"]
        assert set(lines) == {
            "SDC_URL",
            "SDC_ACCOUNT",
            "SDC_KEY_ID",
            "TRITON_URL",
            "TRITON_ACCOUNT",
            "TRITON_KEY_ID",
            "SMARTDC_KEY_FILE",
        }
        assert lines["SDC_ACCOUNT"] == lines["TRITON_ACCOUNT"] == "demo"
        assert lines["TRITON_KEY_ID"] == lines["SDC_KEY_ID"]
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
            if line.startswith("export SMARTDC_KEY_FILE="):
                key_path = shlex.split(line.split("=", 1)[1])[0]
            if line.startswith("# serving"):
                break
        assert Path(key_path).exists()
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0
    assert not Path(key_path).exists()


def _no_settings(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TRITON_", "SDC_", "SMARTDC_", "SSH_AUTH_SOCK"))
    }
    env["TRITON_CONFIG_DIR"] = str(tmp_path / "triton")
    env["HOME"] = str(tmp_path)  # no ~/.ssh keys to fall back on
    return env


def test_background_sim_as_a_first_contact(tmp_path: Path) -> None:
    """The README's first contact, in a shell: its lines are eval'ed as printed, smartdc works
    with them alone, -v logs the requests served, --stop ends it."""
    pid_file = tmp_path / "sim dir" / "sim.pid"  # a space: the printed lines must be quoted
    pid_file.parent.mkdir()
    smartdc = f"{shlex.quote(sys.executable)} -m smartdc.cli"
    script = f"""
        set -e
        eval "$({smartdc} sim --background -v --pid-file {shlex.quote(str(pid_file))})"
        {smartdc} account -o login
        {smartdc} sim --stop --pid-file {shlex.quote(str(pid_file))}
    """
    done = subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        env=_no_settings(tmp_path),
        cwd=Path(__file__).resolve().parents[2],
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "sim\n"
    assert "stopped" in done.stderr
    assert not pid_file.exists()
    log = pid_file.with_name("sim.pid.log").read_text()
    assert "GET /sim -> 200 GetAccount" in log


def test_a_second_background_sim_is_refused(tmp_path: Path) -> None:
    pid_file = tmp_path / "sim.pid"
    command = [sys.executable, "-m", "smartdc.cli", "sim", "--pid-file", str(pid_file)]
    env = _no_settings(tmp_path)
    first = subprocess.run(
        [*command, "--background"], capture_output=True, text=True, env=env, timeout=60
    )
    try:
        assert first.returncode == 0, first.stderr
        assert "# stop it with: smartdc sim --stop --pid-file" in first.stdout
        second = subprocess.run(
            [*command, "--background"], capture_output=True, text=True, env=env, timeout=60
        )
        assert second.returncode == 1
        assert "already running" in second.stderr
    finally:
        stopped = subprocess.run(
            [*command, "--stop"], capture_output=True, text=True, env=env, timeout=60
        )
    assert stopped.returncode == 0, stopped.stderr
    again = subprocess.run([*command, "--stop"], capture_output=True, text=True, env=env)
    assert again.returncode == 1 and "no background simulator" in again.stderr


def test_sim_command_answers_as_an_older_release() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", RUN, "sim", "--api-version", "9.10.0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        lines: dict[str, str] = {}
        for line in proc.stdout:
            if line.startswith("export "):
                name, _, value = line[len("export ") :].strip().partition("=")
                lines[name] = shlex.split(value)[0]
            if line.startswith("# serving"):
                break
        client = SigClient(lines["SDC_URL"], "sim", load_private_key(lines["SMARTDC_KEY_FILE"]))
        reply = client.get("/my/keys")
        assert (reply.status, reply.headers["server"]) == (200, "cloudapi/9.10.0")
        assert client.get("/my/accesskeys").status == 404  # ListAccessKeys came with 9.11.0
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0


def test_sim_command_refuses_a_release_the_spec_does_not_describe() -> None:
    result = subprocess.run(
        [sys.executable, "-c", RUN, "sim", "--api-version", "9.99.0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "CloudAPI 9.99.0 cannot be played" in result.stderr
