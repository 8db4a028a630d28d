"""The generator itself: golden output, determinism, drift detection, spec validation, diff, and
code generated from a tiny spec working against a loopback server."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from codegen.__main__ import check, main, render_files, write
from codegen.diff import describe_changes
from codegen.loader import SpecError, load_spec

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
FIXTURE = HERE / "fixture_spec" / "cloudapi.yaml"
GOLDEN = HERE / "golden"


def test_fixture_output_matches_the_golden_record() -> None:
    # To update after an intended change: python -m codegen --spec tests/generator/fixture_spec/cloudapi.yaml --out tests/generator/golden
    assert check(render_files(FIXTURE), GOLDEN) == []


def test_output_is_deterministic() -> None:
    assert render_files(FIXTURE) == render_files(FIXTURE)


def test_committed_generated_code_is_current() -> None:
    assert check(render_files(REPO / "spec" / "cloudapi.yaml"), REPO) == []


def test_check_names_drifted_missing_and_extra_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(GOLDEN, tmp_path, dirs_exist_ok=True)
    (tmp_path / "smartdc/_generated/enums.py").write_text("# edited by hand\n")
    (tmp_path / "smartdc/_generated/waiters.py").unlink()
    (tmp_path / "smartdc/_generated/stray.py").write_text("")
    assert main(["--check", "--spec", str(FIXTURE), "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "differs: smartdc/_generated/enums.py" in err
    assert "missing: smartdc/_generated/waiters.py" in err
    assert "extra (not generated): smartdc/_generated/stray.py" in err
    assert main(["--spec", str(FIXTURE), "--out", str(tmp_path)]) == 0
    assert not (tmp_path / "smartdc/_generated/stray.py").exists()
    assert main(["--check", "--spec", str(FIXTURE), "--out", str(tmp_path)]) == 0


def _broken_spec(tmp_path: Path, old: str, new: str, file: str = "groups/widgets.yaml") -> Path:
    shutil.copytree(FIXTURE.parent, tmp_path / "spec")
    target = tmp_path / "spec" / file
    text = target.read_text()
    assert old in text
    target.write_text(text.replace(old, new))
    return tmp_path / "spec" / "cloudapi.yaml"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('body: "list[Widget]"', 'body: "list[Gadget]"', "unknown type 'Gadget'"),
        (
            "path: /{login}/widgets/{id}\n    params:\n      id:",
            "path: /{login}/widgets/{wid}\n    params:\n      id:",
            "path parameter {wid} has no `in: path` definition",
        ),
        ("errors: [ResourceNotFound]", "errors: [NoSuchCode]", "unknown error code 'NoSuchCode'"),
        (
            "argument: state, expected: ready",
            "argument: colour, expected: ready",
            "'colour' is not an attribute of Widget",
        ),
        (
            "method: GET\n    path: /{login}/widgets\n",
            "method: FETCH\n    path: /{login}/widgets\n",
            "'FETCH' is not one of",
        ),
        (
            "summary: Gets a widget.",
            "summary: Gets a widget.\n    colour: red",
            "unknown key 'colour'",
        ),
        ("  GetWidget:", "  ListWidgets:", "duplicate"),
        ("offset_param: offset", "offset_param: start", "ListWidgets has no parameter 'start'"),
    ],
)
def test_invalid_specs_fail_with_a_clear_message(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    with pytest.raises(SpecError) as info:
        load_spec(_broken_spec(tmp_path, old, new))
    assert message in str(info.value)
    assert "widgets.yaml" in str(info.value) or "duplicate" in message


def test_diff_lists_added_removed_and_changed(tmp_path: Path) -> None:
    new_root = _broken_spec(
        tmp_path,
        '      shine: {in: body, type: integer, required: true, description: "How much."}',
        '      shine: {in: body, type: number, required: true, description: "How much."}\n      wax: {in: body, type: string, description: "Wax."}',
    )
    text = describe_changes(load_spec(FIXTURE), load_spec(new_root))
    assert "~ operation PolishWidget" in text
    assert "+ param wax: body string" in text
    assert "~ param shine: body integer required -> body number required" in text


def test_generated_fixture_client_works_over_http(tmp_path: Path) -> None:
    root = tmp_path / "root"
    shutil.copytree(
        REPO / "smartdc",
        root / "smartdc",
        ignore=shutil.ignore_patterns("_generated", "__pycache__"),
    )
    write(render_files(FIXTURE), root)
    result = subprocess.run(
        [sys.executable, str(HERE / "fixture_client_check.py"), str(tmp_path)],
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


# -- reproducible: one formatter version, its failures fail generation, one digest ------------------


def _fake_ruff(tmp_path: Path, version: str, *, format_exit: int = 0) -> list[str]:
    script = tmp_path / "ruff"
    script.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = "--version" ]; then echo "ruff {version}"; exit 0; fi\n'
        'if [ "$1" = "format" ]; then echo "error: cannot format" >&2; '
        f"exit {format_exit}; fi\n"
        "exit 0\n"
    )
    script.chmod(0o755)
    return [str(script)]


def test_the_dev_extra_pins_the_formatter_generation_runs() -> None:
    from codegen.render import _ruff, pinned_ruff

    pinned = pinned_ruff(REPO / "pyproject.toml")
    assert pinned is not None, "pyproject.toml's dev extra must pin ruff==X.Y.Z"
    found = subprocess.run([*_ruff(), "--version"], capture_output=True, text=True, check=True)
    assert found.stdout.split()[1] == pinned


def test_another_ruff_version_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from codegen import render

    monkeypatch.setattr(render, "_ruff", lambda: _fake_ruff(tmp_path, "0.6.9"))
    assert main(["--check", "--spec", str(FIXTURE), "--out", str(GOLDEN)]) == 1
    err = capsys.readouterr().err
    assert "ruff==" in err and "found 0.6.9" in err


def test_a_formatter_failure_fails_generation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from codegen import render

    pinned = render.pinned_ruff(REPO / "pyproject.toml")
    assert pinned is not None
    monkeypatch.setattr(render, "_ruff", lambda: _fake_ruff(tmp_path, pinned, format_exit=2))
    with pytest.raises(render.FormatterError, match="cannot format"):
        render_files(FIXTURE)


def test_the_spec_digest_is_written_once() -> None:
    files = render_files(FIXTURE)
    holding = sorted(rel for rel, text in files.items() if "SPEC_DIGEST =" in text)
    assert holding == ["smartdc/_generated/__init__.py"]
