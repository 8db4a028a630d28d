"""The repository and the package as users get them: nothing of one developer's machine is
tracked, and the version sorts above every earlier release of the name."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from packaging.version import Version

import smartdc

ROOT = Path(__file__).resolve().parent.parent
# An absolute path into someone's machine: a work tree, a home, root's home.
MACHINE_PATH = re.compile(rb"(?<![\w.~-])/(?:work|root|home|Users)/[\w.-]+")


def _tracked() -> list[tuple[str, str]]:
    """(mode, path) of every tracked file."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    listing = subprocess.run(
        ["git", "ls-files", "-s", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode("utf-8", "surrogateescape")
    entries = []
    for entry in filter(None, listing.split("\0")):
        meta, path = entry.split("\t", 1)
        entries.append((meta.split()[0], path))
    return entries


def machine_specific(root: Path, tracked: list[tuple[str, str]]) -> list[str]:
    found = []
    for mode, path in tracked:
        full = root / path
        if mode == "120000":
            target = os.readlink(full) if full.is_symlink() else ""
            inside = (full.parent / target).resolve().is_relative_to(root.resolve())
            if os.path.isabs(target) or not inside:
                found.append(f"{path}: symlink to {target} (outside the repository)")
            continue
        if full.is_file() and full.stat().st_size < 5_000_000:
            hit = MACHINE_PATH.search(full.read_bytes())
            if hit:
                found.append(f"{path}: {hit.group().decode('utf-8', 'replace')}")
    return found


def test_nothing_machine_specific_is_tracked() -> None:
    assert machine_specific(ROOT, _tracked()) == []


def test_the_check_finds_a_dangling_symlink_and_an_absolute_path(tmp_path: Path) -> None:
    away = "/" + "work/wt/stream/.venv"  # (written so that this file holds no such path)
    (tmp_path / ".venv-stream").symlink_to(away)
    (tmp_path / "inside").symlink_to("notes.md")
    (tmp_path / "notes.md").write_text(
        "see /" + "root/.ssh/id_rsa and ~/.ssh/id_rsa and a/home/b\n"
    )
    tracked = [("120000", ".venv-stream"), ("120000", "inside"), ("100644", "notes.md")]
    assert machine_specific(tmp_path, tracked) == [
        f".venv-stream: symlink to {away} (outside the repository)",
        "notes.md: /" + "root/.ssh",
    ]


def test_the_version_sorts_above_every_earlier_release_of_the_name() -> None:
    # PyPI's smartdc: 0.1.x and 0.2.0 (2013, Joyent's python-smartdc).
    assert Version(smartdc.__version__) > Version("0.2.0")
    assert not Version(smartdc.__version__).is_prerelease  # pip skips pre-releases


def test_help_lists_what_matters() -> None:
    import pydoc

    text = re.sub(".\b", "", pydoc.render_doc(smartdc, renderer=pydoc.TextDoc()))  # no bold
    for name in (
        "class DataCenter",
        "class CloudAPI",
        "class Config",
        "class BoundMachine",
        "class BoundImage",
        "class CloudAPIError",
        "class SmartDCError",
        "wait_all",
    ):
        assert name in text, name
    for module in ("smartdc.models", "smartdc.errors", "smartdc.error_codes", "smartdc.testing"):
        assert module in (smartdc.__doc__ or ""), module
    assert set(smartdc.__all__) <= set(dir(smartdc))
