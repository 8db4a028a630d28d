"""The wheel carries everything a user needs: generated code, py.typed, the console script."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.typed_usage.test_usage import USAGE, check_usage

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


def test_wheel_declares_and_ships_the_mit_licence(wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    (metadata,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
    text = archive.read(metadata).decode()
    assert "License-Expression: MIT" in text
    (licence,) = [n for n in archive.namelist() if n.endswith("licenses/LICENSE")]
    assert archive.read(licence).decode().startswith("MIT License")


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv with smartdc installed from the wheel (its python); dependencies from ours."""
    venv = tmp_path_factory.mktemp("wheel-venv") / "venv"
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
    return python


def test_installed_wheel_runs_help(installed: Path, tmp_path: Path) -> None:
    venv = installed.parent.parent
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
        [str(installed), "-c", "import smartdc._generated.client as c; print(c.__file__)"],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,  # not the repository, whose smartdc/ would shadow the installed one
    ).stdout
    assert where.startswith(str(venv))


def test_installed_wheel_type_checks_user_code(installed: Path, tmp_path: Path) -> None:
    # The typed-usage module, checked by mypy --strict against the wheel's files (py.typed), away
    # from the repository: what passes passes, and the mistakes it marks are errors.
    usage = tmp_path / "usage.py"
    shutil.copy(USAGE, usage)
    check_usage(
        usage,
        "--python-executable",
        str(installed),
        "--cache-dir",
        str(tmp_path / "mypy-cache"),
        cwd=tmp_path,
    )
    found = subprocess.run(
        [str(installed), "-c", "import smartdc; print(smartdc.__file__)"],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    ).stdout
    assert found.startswith(str(installed.parent.parent))
