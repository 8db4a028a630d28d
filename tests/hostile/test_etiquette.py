"""Library etiquette: nothing on the host's stderr unless it configures logging; the default
connection pool fits the README's 16 workers."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from smartdc.config import Config
from smartdc.transport import Transport

from .rawserver import HostileServer, Script, head, json_answer


def test_a_warning_does_not_reach_stderr_of_an_unconfigured_host(
    hostile: HostileServer, key_path: Path
) -> None:
    hostile.play(json_answer(429, b'{"code":"TooManyRequests","message":"slow down"}'))
    program = (
        "import smartdc\n"
        f"config = smartdc.Config(url={hostile.url!r}, account='alice', secret={str(key_path)!r},"
        " profile='env', environ={}, max_retries=0)\n"
        "try:\n"
        "    smartdc.Transport(config).request('POST', '/alice/machines', body={})\n"
        "except smartdc.CloudAPIError as e:\n"
        "    print(e.status)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "429"
    assert done.stderr == ""


def test_sixteen_workers_fit_the_default_pool(
    hostile: HostileServer, key_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    body = b'{"ok":true}'
    slow = Script(
        head(200, ("Content-Type", "application/json"), ("Content-Length", str(len(body)))),
        lambda: (body,),
        delay=0.2,  # all sixteen requests are in flight at once
        keep_alive=True,
    )
    hostile.play(slow)
    config = Config(url=hostile.url, account="alice", secret=key_path, profile="env", environ={})
    transport = Transport(config)
    barrier = threading.Barrier(16)
    failures: list[BaseException] = []

    def work() -> None:
        barrier.wait()
        try:
            transport.request("GET", "/alice/machines")
        except BaseException as exc:  # recorded for the assertion below
            failures.append(exc)

    with caplog.at_level(logging.WARNING, logger="urllib3"):
        threads = [threading.Thread(target=work) for _ in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    transport.close()
    assert failures == []
    assert not [r for r in caplog.records if "pool is full" in r.getMessage()]
