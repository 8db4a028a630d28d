"""Generated module docstrings are whole sentences (none stops mid-sentence)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

GENERATED = Path(__file__).resolve().parents[2] / "smartdc" / "_generated"


@pytest.mark.parametrize(
    "path", sorted(GENERATED.rglob("*.py")), ids=lambda p: str(p.relative_to(GENERATED))
)
def test_module_docstring_ends_a_sentence(path: Path) -> None:
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    assert doc, f"{path.name} has no module docstring"
    assert doc.rstrip().endswith((".", ".)", ")", "!", "?")), doc
