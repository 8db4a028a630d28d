"""Fixtures for auth tests: cached generated keys, a real ssh-agent, Joyent's verifier."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import httpsig

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _no_ambient_key_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never see the developer's agent, passphrase or ~/.ssh."""
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    monkeypatch.delenv("SMARTDC_KEY_PASSPHRASE", raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))


class Agent:
    """A real ``ssh-agent`` on a private socket."""

    def __init__(self, socket_path: str, process: subprocess.Popen[bytes]) -> None:
        self.socket_path = socket_path
        self.process = process

    def add(self, private_key: Path) -> None:
        env = dict(os.environ, SSH_AUTH_SOCK=self.socket_path)
        subprocess.run(
            ["ssh-add", str(private_key)], check=True, capture_output=True, env=env, timeout=30
        )

    def remove_all(self) -> None:
        env = dict(os.environ, SSH_AUTH_SOCK=self.socket_path)
        subprocess.run(["ssh-add", "-D"], check=True, capture_output=True, env=env, timeout=30)


@pytest.fixture
def ssh_agent() -> Iterator[Agent]:
    if shutil.which("ssh-agent") is None or shutil.which("ssh-add") is None:
        pytest.skip("ssh-agent/ssh-add not installed (Debian: openssh-client; `make ssh-tools`)")
    # Unix socket paths are limited to ~100 bytes: keep it short rather than under tmp_path.
    directory = tempfile.mkdtemp(prefix="sa-")
    socket_path = os.path.join(directory, "agent.sock")
    process = subprocess.Popen(
        ["ssh-agent", "-D", "-a", socket_path],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not os.path.exists(socket_path):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("ssh-agent did not create its socket")
            time.sleep(0.01)
        yield Agent(socket_path, process)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def httpsig_harness() -> None:
    """Skips the test unless the project's http-signature harness (tests/httpsig) is installed."""
    reason = httpsig.unavailable()
    if reason is not None:
        pytest.skip(reason)
