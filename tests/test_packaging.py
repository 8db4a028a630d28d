"""The wheel carries everything a user needs: generated code, py.typed, the console script."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(REPO_ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (found,) = out.glob("smartdc-*.whl")
    return found


def test_wheel_contains_generated_code_and_markers(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "smartdc/py.typed" in names
    assert "smartdc/_generated/client.py" in names
    assert "smartdc/testing/simulator.py" in names
    assert not any(n.startswith(("codegen/", "tests/", "spec/")) for n in names)


def test_installed_wheel_runs_help(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    # Dependencies come from the project venv through a .pth file; smartdc itself from the wheel.
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(site, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "-q",
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    result = subprocess.run(
        [str(venv / "bin" / "smartdc"), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "smartdc" in result.stdout
    where = subprocess.run(
        [str(python), "-c", "import smartdc._generated.client as c; print(c.__file__)"],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,  # not the repository, whose smartdc/ would shadow the installed one
    ).stdout
    assert where.startswith(str(venv))
