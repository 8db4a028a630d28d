"""docs/fidelity.md is generated from the spec's sources/checked/source keys (codegen.fidelity)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from codegen.__main__ import main
from codegen.fidelity import required_fields_without_source
from codegen.loader import load_spec
from codegen.render import Renderer

FIXTURE = Path(__file__).resolve().parent / "fixture_spec"


def _spec(tmp_path: Path, *edits: tuple[str, str]) -> Path:
    shutil.copytree(FIXTURE, tmp_path / "spec")
    target = tmp_path / "spec" / "groups" / "widgets.yaml"
    text = target.read_text()
    for old, new in edits:
        assert old in text, f"fixture changed: {old!r}"
        text = text.replace(old, new, 1)
    target.write_text(text)
    return tmp_path / "spec" / "cloudapi.yaml"


def test_required_fields_without_source_are_listed(tmp_path: Path) -> None:
    unsourced = required_fields_without_source(load_spec(FIXTURE / "cloudapi.yaml"))
    assert "Widget.id" in unsourced and "Widget.displayName" not in unsourced  # optional
    root = _spec(
        tmp_path,
        (
            'id: {type: uuid, required: true, description: "Id."}',
            'id: {type: uuid, required: true, source: "widgetd lib/w.js", description: "Id."}',
        ),
    )
    after = required_fields_without_source(load_spec(root))
    assert "Widget.id" not in after and set(after) == set(unsourced) - {"Widget.id"}


def test_fidelity_page_shows_sources_checked_and_counts(tmp_path: Path) -> None:
    root = _spec(
        tmp_path,
        (
            "    response: {status: [200, 410], body: Widget}",
            "    sources: [widgetd lib/widgets.js, partsd lib/parts.js]\n"
            "    checked: params, response fields | statuses\n"
            "    response: {status: [200, 410], body: Widget}",
        ),
        (
            'id: {type: uuid, required: true, description: "Id."}',
            'id: {type: uuid, required: true, source: "widgetd lib/w.js", description: "Id."}',
        ),
    )
    page = Renderer(load_spec(root)).fidelity()
    row = next(line for line in page.splitlines() if line.startswith("| GetWidget |"))
    assert "widgetd lib/widgets.js; partsd lib/parts.js" in row
    assert "params, response fields \\| statuses" in row  # a | in the text does not split the cell
    spec = load_spec(root)
    widget_required = [f for f in spec.models["Widget"].fields if f.required]
    part_required = [f for f in spec.models["Part"].fields if f.required]
    assert row.endswith(f"| 1 of {len(widget_required) + len(part_required)} |")
    assert "`Widget.state`" in page and "`Widget.id`" not in page


def test_unsourced_command_prints_them(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["unsourced", "--spec", str(FIXTURE / "cloudapi.yaml")]) == 0
    out = capsys.readouterr().out
    assert "Widget.id" in out.splitlines()
