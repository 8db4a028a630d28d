"""``python -m codegen``: generate, check for drift, or diff two specs.

python -m codegen                     # write smartdc/_generated/, docs/reference.md, docs/fidelity.md
python -m codegen --check             # exit 1 and name the files that differ
python -m codegen diff OLD_ROOT NEW_ROOT
python -m codegen server-diff OLD_TREE NEW_TREE [--json]   # two sdc-cloudapi trees' code
python -m codegen server-diff TREE [--json] [--spec ...]   # a tree's code against spec/
python -m codegen unsourced [--spec spec/cloudapi.yaml]   # required fields without a source
options: --spec spec/cloudapi.yaml --out <repo root>
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from codegen.diff import describe_changes
from codegen.fidelity import required_fields_without_source
from codegen.loader import SpecError, load_spec
from codegen.render import FormatterError, Renderer
from codegen.serverdiff import IGNORE_FILE, compare_spec, compare_trees, load_ignores, render_text
from codegen.servertree import read_tree

REPO = Path(__file__).resolve().parent.parent
OWNED = ("smartdc/_generated",)
OWNED_FILES = ("docs/reference.md", "docs/fidelity.md", "smartdc/testing/spec_since.py")


def render_files(spec_root: Path) -> dict[str, str]:
    return Renderer(load_spec(spec_root)).files()


def existing_files(out: Path) -> set[str]:
    found = set()
    for owned in OWNED:
        base = out / owned
        if base.is_dir():
            found |= {str(p.relative_to(out)) for p in base.rglob("*.py")}
    found |= {f for f in OWNED_FILES if (out / f).is_file()}
    return found


def write(files: dict[str, str], out: Path) -> list[str]:
    stale = sorted(existing_files(out) - set(files))
    for rel in stale:
        (out / rel).unlink()
    for rel, text in sorted(files.items()):
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    return stale


def check(files: dict[str, str], out: Path) -> list[str]:
    problems = []
    for rel, text in sorted(files.items()):
        path = out / rel
        if not path.exists():
            problems.append(f"missing: {rel}")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"differs: {rel}")
    problems += [
        f"extra (not generated): {rel}" for rel in sorted(existing_files(out) - set(files))
    ]
    return problems


def server_diff_main(args: list[str]) -> int:
    """``server-diff OLD_TREE NEW_TREE`` or ``server-diff TREE`` (against --spec)."""
    parser = argparse.ArgumentParser(
        prog="python -m codegen server-diff",
        description="What changed between two sdc-cloudapi source trees (or a tree and spec/),"
        " read from the server code: a to-do list for the spec.",
    )
    parser.add_argument(
        "trees", type=Path, nargs="+", metavar="TREE", help="OLD_TREE NEW_TREE, or TREE"
    )
    parser.add_argument("--spec", type=Path, default=REPO / "spec" / "cloudapi.yaml")
    parser.add_argument("--json", action="store_true", help="the same facts as JSON")
    options = parser.parse_args(args)
    if len(options.trees) > 2:
        parser.error("give OLD_TREE NEW_TREE, or one TREE to compare with the spec")
    try:
        trees = [read_tree(tree) for tree in options.trees]
        if len(trees) == 2:
            report = compare_trees(trees[0], trees[1])
        else:
            report = compare_spec(
                trees[0], load_spec(options.spec), load_ignores(options.spec.parent / IGNORE_FILE)
            )
    except (FileNotFoundError, NotADirectoryError) as exc:
        print(f"server-diff: {exc}", file=sys.stderr)
        return 2
    except (SpecError, ValueError) as exc:
        print(exc, file=sys.stderr)
        return 1
    print(json.dumps(report, indent=2, sort_keys=True) if options.json else render_text(report))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["diff"]:
        parser = argparse.ArgumentParser(prog="python -m codegen diff")
        parser.add_argument("old", type=Path)
        parser.add_argument("new", type=Path)
        options = parser.parse_args(args[1:])
        try:
            print(describe_changes(load_spec(options.old), load_spec(options.new)))
        except SpecError as exc:
            print(exc, file=sys.stderr)
            return 1
        return 0
    if args[:1] == ["server-diff"]:
        return server_diff_main(args[1:])
    if args[:1] == ["unsourced"]:
        parser = argparse.ArgumentParser(prog="python -m codegen unsourced")
        parser.add_argument("--spec", type=Path, default=REPO / "spec" / "cloudapi.yaml")
        options = parser.parse_args(args[1:])
        try:
            names = required_fields_without_source(load_spec(options.spec))
        except SpecError as exc:
            print(exc, file=sys.stderr)
            return 1
        print("\n".join(names) if names else "every required field names its source")
        return 0
    parser = argparse.ArgumentParser(prog="python -m codegen", description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if the committed output differs")
    parser.add_argument("--spec", type=Path, default=REPO / "spec" / "cloudapi.yaml")
    parser.add_argument(
        "--out", type=Path, default=REPO, help="root the output paths are relative to"
    )
    options = parser.parse_args(args)
    started = time.perf_counter()
    try:
        files = render_files(options.spec)
    except (SpecError, FormatterError) as exc:
        print(f"codegen: {exc}", file=sys.stderr)
        return 1
    if options.check:
        problems = check(files, options.out)
        if problems:
            print(
                "generated code is out of date with spec/ (run `make generate`):", file=sys.stderr
            )
            for problem in problems:
                print(f"  {problem}", file=sys.stderr)
            return 1
        print(f"codegen --check: {len(files)} files up to date")
        return 0
    stale = write(files, options.out)
    elapsed = time.perf_counter() - started
    print(f"codegen: wrote {len(files)} files ({len(stale)} stale removed) in {elapsed:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
