"""docs/developing.md's worked example, done as a newcomer would: on a copy of the repository, add
the spec group and the simulator module exactly as the document shows them, regenerate, and call
the new operations and waiter (its "try it" block) against the simulator."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from codegen.__main__ import render_files, write
from codegen.loader import load_spec
from tests.conftest import REPO_ROOT

DOC = REPO_ROOT / "docs" / "developing.md"


def _blocks() -> dict[str, str]:
    """The document's example blocks, by the name in their ``developing-example`` marker."""
    text = DOC.read_text(encoding="utf-8")
    found = re.findall(r"<!-- developing-example: (\S+) -->\n```\w+\n(.*?)```", text, re.S)
    return dict(found)


def test_the_worked_example_adds_a_callable_operation_waiter_and_route(tmp_path: Path) -> None:
    blocks = _blocks()
    assert set(blocks) == {"spec/groups/notes.yaml", "smartdc/testing/resources/notes.py", "try-it"}

    # 1. the spec, on a copy
    spec = tmp_path / "spec"
    shutil.copytree(REPO_ROOT / "spec", spec)
    (spec / "groups" / "notes.yaml").write_text(blocks["spec/groups/notes.yaml"])
    root_file = spec / "cloudapi.yaml"
    listed = root_file.read_text()
    assert "  - groups/volumes.yaml\n" in listed
    root_file.write_text(
        listed.replace(
            "  - groups/volumes.yaml\n", "  - groups/volumes.yaml\n  - groups/notes.yaml\n"
        )
    )
    assert "PutMachineNote" in load_spec(root_file).operations

    # 2. generate, into a copy of the package
    out = tmp_path / "repo"
    shutil.copytree(
        REPO_ROOT / "smartdc",
        out / "smartdc",
        ignore=shutil.ignore_patterns("_generated", "__pycache__"),
    )
    write(render_files(root_file), out)
    client = (out / "smartdc" / "_generated" / "client.py").read_text()
    for method in (
        "def get_machine_note(",
        "def put_machine_note(",
        "def wait_machine_note_written(",
    ):
        assert method in client

    # 3. the simulator module, registered as the document says
    resources = out / "smartdc" / "testing" / "resources"
    (resources / "notes.py").write_text(blocks["smartdc/testing/resources/notes.py"])
    registry = (resources / "__init__.py").read_text()
    registry = registry.replace("    networks,\n", "    networks,\n    notes,\n", 2)
    assert registry.count("    notes,\n") == 2  # the import and MODULES
    (resources / "__init__.py").write_text(registry)

    # 4. the try-it block, with the copy first on the path
    done = subprocess.run(
        [sys.executable, "-c", blocks["try-it"]],
        env={"PYTHONPATH": str(out), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        cwd=tmp_path,  # not the repository: `python -c` puts the working directory first
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
