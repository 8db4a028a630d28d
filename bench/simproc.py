"""``smartdc sim`` in a separate process, so its CPU and memory stay out of the client's figures."""

from __future__ import annotations

import shlex
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import attrs


@attrs.frozen
class SimProcess:
    url: str
    account: str
    key_id: str
    key_path: str

    @property
    def env(self) -> dict[str, str]:
        return {"SDC_URL": self.url, "SDC_ACCOUNT": self.account, "SDC_KEY_ID": self.key_id}


@contextmanager
def sim_process(*args: str, timeout: float = 300) -> Iterator[SimProcess]:
    """Run ``smartdc sim ARGS`` until the block ends (SIGTERM, then wait)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "smartdc.cli", "sim", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        values: dict[str, str] = {}
        for line in process.stdout:
            if line.startswith("export "):
                name, _, value = line[len("export ") :].strip().partition("=")
                values[name] = shlex.split(value)[0]  # the lines are quoted for the shell
            elif line.startswith("# serving"):
                break
        else:
            stderr = process.stderr.read() if process.stderr else ""
            raise RuntimeError(f"smartdc sim exited before serving: {stderr.strip()[-500:]}")
        yield SimProcess(
            values["SDC_URL"],
            values["SDC_ACCOUNT"],
            values["SDC_KEY_ID"],
            values["SMARTDC_KEY_FILE"],
        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
