"""The documentation site's examples run as written (`make test` also builds the site with
`mkdocs build --strict`: `make docs-strict`)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["index.md", "simulator.md"]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def _examples() -> list[tuple[str, str]]:
    found = []
    for page in PAGES:
        text = (ROOT / "docs" / page).read_text(encoding="utf-8")
        found += [(f"{page}#{n}", code) for n, code in enumerate(BLOCK.findall(text), 1)]
    return found


EXAMPLES = _examples()


def test_the_guide_has_examples() -> None:
    assert len(EXAMPLES) >= 4


@pytest.mark.parametrize(("where", "code"), EXAMPLES, ids=[w for w, _ in EXAMPLES])
def test_an_example_runs(where: str, code: str, tmp_path: Path) -> None:
    if "def test_" in code:  # a test on the pytest plugin: run by pytest, as a user would
        (tmp_path / "test_example.py").write_text(code)
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)]
    else:
        command = [sys.executable, "-W", "error", "-c", code]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, f"{where}:\n{result.stdout}\n{result.stderr}"
