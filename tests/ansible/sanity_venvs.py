"""Prepare ``ansible-test sanity``'s virtual environments for the collection (run by ``make``).

ansible-test makes one virtual environment per sanity test and bootstraps pip into it with a
script it downloads from Ansible's CI host, which this project's machines cannot reach. This makes
those environments the way ansible-test would (the same paths, found with ``--explain``; the same
pinned requirements, from the package index as ``make`` installs everything else; the marker that
says "ready"), so that ``tests/ansible/test_sanity.py`` runs the sanity tests offline.

    python -m tests.ansible.sanity_venvs HOME_DIR     # the HOME ansible-test is then run with
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import venv
from pathlib import Path

COLLECTION = Path(__file__).resolve().parents[2] / "ansible" / "ansible_collections"
COLLECTION = COLLECTION / "smartdc" / "triton"
# the sanity tests with requirements of their own that run offline once prepared (pylint and
# import are left out: they need more than a pinned requirements file; pslint and shellcheck are
# for PowerShell and shell scripts, which the collection has none of)
WITH_REQUIREMENTS = ("validate-modules", "ansible-doc", "yamllint", "pep8", "runtime-metadata")
VENV_PATH = re.compile(r"-m venv --without-pip (\S+)")


def ansible_test_root() -> Path | None:
    spec = importlib.util.find_spec("ansible_test")
    return Path(spec.origin).parent if spec and spec.origin else None


def environment(home: Path) -> dict[str, str]:
    return {**os.environ, "HOME": str(home), "PYTHONWARNINGS": "ignore"}


def python_version() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def venv_path(test: str, home: Path) -> Path | None:
    """Where ansible-test would make the environment of ``test`` (as --explain says), or None
    when it needs none: ready already (or a test without requirements)."""
    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "ansible-test"),
            "sanity",
            "--test",
            test,
            "--python",
            python_version(),
            "--explain",
        ],
        cwd=COLLECTION,
        env=environment(home),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    found = VENV_PATH.search(done.stdout + done.stderr)
    return Path(found.group(1)) if found else None


def prepare(test: str, home: Path, root: Path) -> str:
    path = venv_path(test, home)
    if path is None:
        return "ready"
    venv.create(path, with_pip=True, clear=True)
    python = path / "bin" / "python"
    requirements = root / "_data" / "requirements" / f"sanity.{test}.txt"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "-r", str(requirements)],
        check=True,
        timeout=600,
    )
    # what ansible-test records after installing: whether PyYAML has libyaml
    yamlcheck = root / "_util" / "target" / "tools" / "yamlcheck.py"
    meta = subprocess.run(
        [str(python), str(yamlcheck)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    (path / "meta.yaml.json").write_text(meta, encoding="utf-8")
    (path / "marker.txt").touch()
    return "prepared"


def main(argv: list[str]) -> int:
    home = Path(argv[0]).resolve()
    root = ansible_test_root()
    if root is None:
        print("note: ansible-test not installed; the collection's sanity tests will be skipped")
        return 0
    home.mkdir(parents=True, exist_ok=True)
    for test in WITH_REQUIREMENTS:
        try:
            print(f"ansible-test sanity {test}: {prepare(test, home, root)}")
        except (OSError, subprocess.SubprocessError) as exc:
            print(f"warning: could not prepare ansible-test sanity {test}: {exc}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
