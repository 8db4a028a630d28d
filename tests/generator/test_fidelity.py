"""docs/fidelity.md is generated from the spec's sources/checked/source keys (codegen.fidelity)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from codegen.__main__ import main
from codegen.fidelity import required_fields_without_source
from codegen.loader import SpecError, load_spec
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


def test_a_required_response_field_must_name_its_source(tmp_path: Path) -> None:
    assert required_fields_without_source(load_spec(FIXTURE / "cloudapi.yaml")) == []
    root = _spec(
        tmp_path,
        (
            'id: {type: uuid, required: true, source: "widget-server lib/widgets.js translate()", ',
            "id: {type: uuid, required: true, ",
        ),
    )
    with pytest.raises(SpecError) as caught:
        load_spec(root)
    assert "models.Widget.fields.id: a required response field names where the server" in str(
        caught.value
    )


def test_fidelity_page_shows_sources_checked_and_counts(tmp_path: Path) -> None:
    root = _spec(
        tmp_path,
        (
            "    response: {status: [200, 410], body: Widget}",
            "    sources: [widgetd lib/widgets.js, partsd lib/parts.js]\n"
            "    checked: params, response fields | statuses\n"
            "    response: {status: [200, 410], body: Widget}",
        ),
    )
    page = Renderer(load_spec(root)).fidelity()
    row = next(line for line in page.splitlines() if line.startswith("| GetWidget |"))
    assert "widgetd lib/widgets.js; partsd lib/parts.js" in row
    assert "params, response fields \\| statuses" in row  # a | in the text does not split the cell
    spec = load_spec(root)
    widget_required = [f for f in spec.models["Widget"].fields if f.required]
    part_required = [f for f in spec.models["Part"].fields if f.required]
    total = len(widget_required) + len(part_required)
    assert row.endswith(f"| {total} of {total} |")  # every required field names its source


def test_unsourced_command_prints_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # request-only models are not checked by the loader, but are listed by the command
    root = _spec(
        tmp_path,
        (
            '      name: {type: string, required: true, source: "widget-server lib/parts.js translate()", ',
            "      name: {type: string, required: true, ",
        ),
    )
    with pytest.raises(SpecError):
        load_spec(root)  # Part is in Widget's answers: refused
    assert main(["unsourced", "--spec", str(FIXTURE / "cloudapi.yaml")]) == 0
    assert capsys.readouterr().out.strip() == "every required field names its source"
