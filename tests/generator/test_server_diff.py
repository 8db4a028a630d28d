"""`python -m codegen server-diff` on CloudAPI's own history (9.15.0 and 9.20.0, copied by
`make cloudapi-history` from ../shared), and the replay of that release on the spec: the spec
as it was at 9.15.0 (what it says came later taken out), server-diff against 9.20.0 finds
exactly what was taken out, and putting it back as docs/developing.md says gives back the
generated code and passing tests."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from codegen.__main__ import main
from codegen.loader import load_spec
from codegen.serverdiff import (
    IGNORE_FILE,
    compare_spec,
    compare_trees,
    load_ignores,
    render_text,
)
from codegen.servertree import TreeFacts, read_tree
from codegen.since import Removal, put_back, spec_as_of
from tests.conftest import REPO_ROOT

HISTORY = next(
    (
        p
        for p in (
            Path(os.environ.get("SMARTDC_CLOUDAPI_HISTORY", "/nonexistent")),
            REPO_ROOT / ".cache" / "cloudapi-history",
            REPO_ROOT.parent / "shared" / "cloudapi" / "history",
        )
        if (p / "9.20.0" / "lib").is_dir() and (p / "9.15.0" / "lib").is_dir()
    ),
    None,
)
pytestmark = pytest.mark.skipif(
    HISTORY is None,
    reason="CloudAPI's history trees are missing: `make cloudapi-history` copies them from"
    " ../shared/cloudapi/history",
)
SPEC = REPO_ROOT / "spec" / "cloudapi.yaml"


@pytest.fixture(scope="module")
def trees() -> tuple[TreeFacts, TreeFacts]:
    assert HISTORY is not None
    return read_tree(HISTORY / "9.15.0"), read_tree(HISTORY / "9.20.0")


def test_the_release_is_read_from_the_code(trees: tuple[TreeFacts, TreeFacts]) -> None:
    old, new = trees
    report = compare_trees(old, new)
    assert "operations" not in report  # 9.16 to 9.20 added no route
    assert report["params"] == [{"operation": "CreateMachine", "added": ["disks[].block_size"]}]
    fields = {row["model"]: row for row in report["fields"]}
    assert fields["lib/endpoints/disks.js translate()"]["added"] == ["block_size"]
    assert "ListMachineDisks" in fields["lib/endpoints/disks.js translate()"]["answered_by"]
    assert fields["lib/machines.js translate() disks[]"]["added"] == ["block_size"]
    assert {(r["operation"], tuple(r["added"])) for r in report["assignments"]} >= {
        ("GetNetwork", ("lib/endpoints/networks.js translateNetwork: suffixes",)),
        ("ListNetworks", ("n.suffixes",)),
    }
    validation = {row["operation"]: row for row in report["validation"]}
    assert validation["CreateMachine"]["removed"] == [
        "InvalidArgumentError: The use of `flexible_disk` is not supported with %s"
    ]
    assert (
        "InvalidArgumentError: Cannot set block_size and image_uuid."
        in (validation["CreateMachineDisk"]["added"])
    )
    code = {(row["file"], row.get("function") or row.get("table")): row for row in report["code"]}
    assert code[("lib/validation/disk.js", None)]["change"] == "file added"
    assert any("ED25519-SHA512" in line for line in code[("lib/auth.js", "SIGN_ALGOS")]["lines"])
    assert any(
        "delete md . affinity" in line for row in report["code"] for line in row.get("lines", [])
    )
    docs = report["docs"]
    assert [e["version"] for e in docs["entries"]] == ["9.19.0", "9.18.0", "9.17.0", "9.16.0"]
    by_version = {e["version"]: e for e in docs["entries"]}
    # the docs name ListDisks; the route is ListMachineDisks
    assert by_version["9.19.0"]["not_seen_in_code"] == ["ListDisks"]
    assert by_version["9.18.0"]["seen_in_code"] == ["ED25519"]
    assert "suffixes" in docs["code_not_in_docs"]  # 9.20's CNS suffixes have no entry
    assert docs["version_without_entry"] == "9.20.0"
    assert "problems" not in report


def test_identical_trees_give_no_output(trees: tuple[TreeFacts, TreeFacts]) -> None:
    _, new = trees
    report = compare_trees(new, new)
    assert set(report) == {"old", "new"}
    assert render_text(report).splitlines()[1:] == ["no differences"]


def test_the_text_is_a_to_do_list_and_json_the_same_facts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert HISTORY is not None
    old, new = str(HISTORY / "9.15.0"), str(HISTORY / "9.20.0")
    assert main(["server-diff", old, new]) == 0
    text = capsys.readouterr().out
    assert "  lib/endpoints/disks.js translate()" in text
    assert "    [ ] add field block_size" in text
    assert "package.json 9.20.0 has no entry in Versions" in text
    assert main(["server-diff", old, new, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert render_text(data) == text.rstrip("\n")
    assert main(["server-diff", str(REPO_ROOT / "spec")]) == 2  # not a server tree
    assert "not an sdc-cloudapi tree" in capsys.readouterr().err


def test_the_spec_at_9_20_against_the_9_20_tree_is_no_to_do(
    capsys: pytest.CaptureFixture[str], trees: tuple[TreeFacts, TreeFacts]
) -> None:
    """Both sides the same release: every finding is fixed in the spec or the reader, or is a
    reviewed exception of spec/server_diff.yaml that still matches."""
    assert HISTORY is not None
    assert main(["server-diff", str(HISTORY / "9.20.0")]) == 0
    text = capsys.readouterr().out
    assert [line for line in text.splitlines() if "[ ]" in line] == []
    report = compare_spec(trees[1], load_spec(SPEC), load_ignores(SPEC.parent / IGNORE_FILE))
    assert {"operations", "params", "fields", "ignores_unused", "problems"} & set(report) == set()


def test_an_exception_needs_a_reason_and_one_that_matches_nothing_is_a_to_do(
    tmp_path: Path, trees: tuple[TreeFacts, TreeFacts]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("ignore:\n  - operations: [GetMachine]\n    remove: [credentials]\n")
    with pytest.raises(ValueError, match=r"ignore\[0\]: no reason"):
        load_ignores(bad)
    stale = tmp_path / "stale.yaml"
    stale.write_text(
        "ignore:\n  - operations: [GetMachine]\n    add: [colour]\n    reason: none left\n"
    )
    report = compare_spec(trees[1], load_spec(SPEC), load_ignores(stale))
    assert report["ignores_unused"] == ["GetMachine: add parameter colour"]
    assert "  [ ] GetMachine: add parameter colour" in render_text(report)
    # without the exceptions, what they cover is reported
    assert "GetMachine" in {row["operation"] for row in report["params"]}


def _items(report: dict[str, Any]) -> set[tuple[str, str]]:
    """What a report asks to add to the spec, as (kind, name) pairs."""
    found = {("operation", row["name"]) for row in report.get("operations", {}).get("added", [])}
    for row in report.get("params", []):
        found |= {("param", f"{row['operation']}.{p}") for p in row.get("added", [])}
    for row in report.get("fields", []):
        found |= {("field", f"{row['model']}.{f}") for f in row.get("added", [])}
    return found


def _expected(removals: list[Removal]) -> set[tuple[str, str]]:
    """What server-diff should ask for, for what was taken out: an answer's field as that
    model's field, a field of a request item model as the parameter's item key."""
    spec = load_spec(SPEC)
    expected = set()
    for removal in removals:
        if removal.kind in ("operation", "param"):
            expected.add((removal.kind, removal.name))
        elif removal.kind == "field":
            model, field = removal.name.split(".")
            users = [
                f"{op.name}.{p.wire_name}[].{field}"
                for op in spec.operations.values()
                for p in op.params
                if model in p.type.named_refs()
            ]
            if users:
                expected |= {("param", name) for name in users}
            else:
                expected.add(("field", removal.name))
    return expected


def test_replaying_9_20_on_the_spec_of_9_15(
    tmp_path: Path, trees: tuple[TreeFacts, TreeFacts]
) -> None:
    _, new = trees
    # 1. The spec as it was at 9.15.0: what it says came later, taken out.
    removals = spec_as_of(SPEC, "9.15.0", tmp_path / "spec")
    old_spec = load_spec(tmp_path / "spec" / "cloudapi.yaml")
    assert old_spec.info.server_version == "9.15.0"
    assert {r.kind for r in removals} == {"field", "change", "server_version"}
    # 2. server-diff against 9.20.0 finds exactly what was taken out (against the whole spec
    #    it finds nothing: test_the_spec_at_9_20_against_the_9_20_tree_is_no_to_do).
    replay = compare_spec(new, old_spec, load_ignores(tmp_path / "spec" / IGNORE_FILE))
    assert _items(replay) == _expected(removals)
    assert "ignores_unused" not in replay
    # the behaviour changes taken out are the docs entries it lists (the one the docs lack,
    # affinity_metadata_hidden, is in the code changes of the two trees: see the test above)
    entries = {e["version"] for e in replay["docs"]["entries"]}
    taken = {r.text.split("since: ")[1].split("\n")[0] for r in removals if r.kind == "change"}
    assert entries == {"9.16.0", "9.17.0", "9.18.0", "9.19.0"}
    assert taken - entries == set()
    assert replay["docs"]["version_without_entry"] == "9.20.0"
    # 3. Put back as docs/developing.md says (each block with its `since:`): the spec is the
    #    committed one again, `codegen --check` passes on a copy, and the tests that read the
    #    versions pass there.
    put_back(tmp_path / "spec", removals)
    for path in (REPO_ROOT / "spec").rglob("*.yaml"):
        assert (tmp_path / "spec" / path.relative_to(REPO_ROOT / "spec")).read_bytes() == (
            path.read_bytes()
        ), path
    copy = tmp_path / "repo"
    for part in ("smartdc", "codegen", "tests", "docs"):
        shutil.copytree(
            REPO_ROOT / part, copy / part, ignore=shutil.ignore_patterns("__pycache__", "golden")
        )
    shutil.copy(REPO_ROOT / "pyproject.toml", copy / "pyproject.toml")
    shutil.copytree(tmp_path / "spec", copy / "spec")
    run = [sys.executable, "-m", "codegen"]
    env = {**os.environ, "PYTHONPATH": str(copy)}
    checked = subprocess.run([*run, "--check"], cwd=copy, env=env, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    tests = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            "tests/generator/test_since.py",
            "tests/simulator/resources/test_releases.py",
        ],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
    )
    assert tests.returncode == 0, tests.stdout[-2000:]
