"""More bad-spec cases (beyond tests/generator): each gives one clear message naming file and key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from codegen.loader import SpecError, load_spec

FIXTURE = Path(__file__).resolve().parents[1] / "generator" / "fixture_spec"
WIDGETS = "groups/widgets.yaml"


def _broken(tmp_path: Path, old: str, new: str, file: str = WIDGETS) -> Path:
    shutil.copytree(FIXTURE, tmp_path / "spec")
    target = tmp_path / "spec" / file
    text = target.read_text()
    assert old in text, f"fixture changed: {old!r} not in {file}"
    target.write_text(text.replace(old, new, 1))
    return tmp_path / "spec" / "cloudapi.yaml"


def test_the_unchanged_fixture_is_valid() -> None:
    assert [op.name for op in load_spec(FIXTURE / "cloudapi.yaml").operations.values()]


@pytest.mark.parametrize(
    ("old", "new", "file", "where", "message"),
    [
        pytest.param(
            'shine: {in: body, type: integer, required: true, description: "How much."}',
            'shine: {in: path, type: integer, required: true, description: "How much."}',
            WIDGETS,
            "operations.PolishWidget.params.shine",
            "`in: path` but not in the path",
            id="path-param-absent-from-path",
        ),
        pytest.param(
            "operation: GetWidget",
            "operation: FetchWidget",
            WIDGETS,
            "waiters.WidgetReady",
            "unknown operation 'FetchWidget'",
            id="waiter-operation-unknown",
        ),
        pytest.param(
            "state: {type: WidgetState, required: true",
            "state: {type: WidgetStatus, required: true",
            WIDGETS,
            "models.Widget.fields.state",
            "unknown type 'WidgetStatus'",
            id="unknown-enum-in-model",
        ),
        pytest.param(
            'shine: {in: body, type: integer, required: true, description: "How much."}',
            'shine: {in: body, type: integer, required: true, description: "How much."}\n'
            '      class: {in: body, type: integer, description: "Kind."}',
            WIDGETS,
            "operations.PolishWidget.params.class",
            "Python keyword",
            id="keyword-param",
        ),
        pytest.param(
            "display_name: {json: displayName,",
            "list: {json: displayName,",
            WIDGETS,
            "models.Widget.fields.list",
            "shadows a type name",
            id="field-shadows-builtin-type",
        ),
        pytest.param(
            "display_name: {json: displayName,",
            "extra: {json: displayName,",
            WIDGETS,
            "models.Widget.fields.extra",
            "must be snake_case and not",
            id="field-reserved-extra",
        ),
        pytest.param(
            "  - groups/notes.yaml",
            "  - groups/notes.yaml\n  - groups/missing.yaml",
            "cloudapi.yaml",
            "groups/missing.yaml",
            "file not found",
            id="missing-group-file",
        ),
        pytest.param(
            "paginators:\n  ListWidgets:\n    operation: ListWidgets",
            "paginators:\n  ListWidgets:\n    operation: ListGadgets",
            WIDGETS,
            "paginators.ListWidgets",
            "unknown operation 'ListGadgets'",
            id="paginator-operation-unknown",
        ),
        pytest.param(
            "    limit_header: x-query-limit",
            "    limit_header: x-query-limit\n    item_key: serial",
            WIDGETS,
            "paginators.ListWidgets",
            "Widget has no field 'serial'",
            id="paginator-item-key-unknown",
        ),
    ],
)
def test_bad_spec_is_reported_with_file_and_key(
    tmp_path: Path, old: str, new: str, file: str, where: str, message: str
) -> None:
    with pytest.raises(SpecError) as info:
        load_spec(_broken(tmp_path, old, new, file))
    text = str(info.value)
    assert message in text
    assert where in text


def test_a_keyword_field_becomes_a_trailing_underscore_attribute(tmp_path: Path) -> None:
    spec = load_spec(
        _broken(tmp_path, "display_name: {json: displayName,", "from: {json: displayName,")
    )
    widget = next(m for g in spec.groups for m in g.models if m.name == "Widget")
    field = next(f for f in widget.fields if f.json_name == "displayName")
    assert field.py_name == "from"
    assert field.attr == "from_"


CLOSE = """  Close:
    summary: Closes a widget.
    method: POST
    path: /{login}/widgets/{id}/close
    params:
      id: {in: path, type: uuid, required: true, description: "Id."}
    response: {status: [204]}
"""


@pytest.mark.parametrize(
    ("name", "method"),
    [("Close", "close"), ("Meta", "meta"), ("WaitWidgetReady", "wait_widget_ready")],
)
def test_an_operation_named_like_a_client_member_is_refused(
    tmp_path: Path, name: str, method: str
) -> None:
    """An operation added the documented way must not silently replace ``close()``, ``meta`` or
    another generated method (a waiter's wait_* form)."""
    op = CLOSE.replace("  Close:", f"  {name}:").replace("/close", f"/{method}")
    with pytest.raises(SpecError) as info:
        load_spec(_broken(tmp_path, "operations:\n", "operations:\n" + op, "groups/notes.yaml"))
    text = str(info.value)
    assert f"operations.{name}" in text
    assert f"method name {method!r}" in text
    assert "groups/notes.yaml" in text or "waiters.WidgetReady" in text
