"""The `cloudapi_sim` fixture reaches a test through the installed pytest11 plugin."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SAMPLE = """
import urllib3

def test_uses_the_fixture(cloudapi_sim):
    assert cloudapi_sim.settings.provision_seconds == 0.2
    reply = urllib3.request("GET", cloudapi_sim.url + "/--ping", timeout=10)
    assert reply.status == 200
    assert cloudapi_sim.request_count("Ping") == 1
"""


def test_fixture_is_available_to_any_project(tmp_path: Path) -> None:
    (tmp_path / "test_sample.py").write_text(SAMPLE)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
