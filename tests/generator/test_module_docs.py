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


def test_every_model_with_guaranteed_fields_says_they_may_be_none() -> None:
    """Honest types: tolerant decoding may leave a guaranteed field None; help() says so."""
    import attrs

    import smartdc.models

    silent = []
    for name in smartdc.models.__all__:
        cls = getattr(smartdc.models, name)
        if not attrs.has(cls):
            continue
        guaranteed = [f for f in attrs.fields(cls) if f.default is attrs.NOTHING]
        if guaranteed and "None, whatever its type says" not in (cls.__doc__ or ""):
            silent.append(name)
    assert silent == []
