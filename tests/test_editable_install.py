"""A user's script outside the repository, type-checked against the editable install that
``make demo`` and ``make test`` create: mypy and pyright both see ``smartdc`` (an import hook
finder hid it from them; ``package-dir`` in pyproject.toml makes the install a static .pth)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYRIGHT = ROOT / ".cache" / "pyright" / "node_modules" / ".bin" / "pyright"

SCRIPT = """
from smartdc import DataCenter
from smartdc.models import Machine

dc = DataCenter()
model: Machine = dc.machine("web-1").model
count: int = dc.machine("web-1").stauts  # a misspelt attribute must be an error
"""


@pytest.fixture
def script(tmp_path: Path) -> Path:
    path = tmp_path / "user_script.py"
    path.write_text(SCRIPT)
    return path


def test_mypy_sees_the_editable_install(script: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(script)],
        cwd=script.parent,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "import-not-found" not in result.stdout, result.stdout
    assert result.stdout.count("error:") == 1, result.stdout
    assert 'has no attribute "stauts"' in result.stdout


def test_pyright_sees_the_editable_install(script: Path) -> None:
    if not PYRIGHT.exists():
        pytest.skip("pyright not installed (make node-tools)")
    result = subprocess.run(
        [str(PYRIGHT), "--pythonpath", sys.executable, str(script)],
        cwd=script.parent,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "could not be resolved" not in result.stdout, result.stdout
    assert "1 error" in result.stdout and '"stauts"' in result.stdout, result.stdout
