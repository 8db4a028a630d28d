"""``ansible-test sanity`` on the collection, offline: validate-modules, ansible-doc, yamllint,
pep8 and runtime-metadata in the environments ``make`` prepared (tests/ansible/sanity_venvs.py),
and the tests that need no environment of their own (compile, shebang, line-endings, ...).

pylint and import are left out (they need more than pinned requirements); test_docs.py makes the
documentation checks on every Python, ansible-test or not.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from tests.ansible.conftest import BIN, COLLECTION, REPO_ROOT, ansible_missing
from tests.ansible.sanity_venvs import WITH_REQUIREMENTS, environment, venv_path

HOME = REPO_ROOT / ".cache" / "ansible-test-home"
NOT_RUN = ("pylint", "import", "pslint", "shellcheck", "changelog")


def test_ansible_test_sanity() -> None:
    reason = ansible_missing()
    if reason or not (BIN / "ansible-test").exists():
        pytest.skip(reason or "ansible-test is not installed")
    if not HOME.is_dir():
        pytest.skip(f"{HOME} not prepared: run make pytest (python -m tests.ansible.sanity_venvs)")
    # ansible-test would make (and download for) the environments that are not ready
    unprepared = [test for test in WITH_REQUIREMENTS if venv_path(test, HOME) is not None]
    skips = [arg for test in (*NOT_RUN, *unprepared) for arg in ("--skip-test", test)]
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    output = COLLECTION / "tests" / "output"
    try:
        done = subprocess.run(
            [str(BIN / "ansible-test"), "sanity", "--python", version, "--color", "no", *skips],
            cwd=COLLECTION,
            env=environment(HOME),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    finally:
        shutil.rmtree(output, ignore_errors=True)
    assert done.returncode == 0, done.stdout[-8000:] + done.stderr[-8000:]
    ran = set(re_tests(done.stdout + done.stderr))
    assert {"compile", "shebang", "line-endings", "empty-init"} <= ran
    assert set(WITH_REQUIREMENTS) - set(unprepared) <= ran
    if unprepared:
        pytest.skip(f"passed, but not run (environment not prepared by make): {unprepared}")


def re_tests(text: str) -> list[str]:
    return re.findall(r'Running sanity test "([\w-]+)"', text)
