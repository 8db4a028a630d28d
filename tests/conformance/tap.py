"""A reader for the TAP that node-tap 12 prints: nested subtests, leaf assertions, failures.

Subtests open with ``# Subtest: NAME`` and close with an ``ok``/``not ok`` line at the same
indentation; every other ``ok``/``not ok`` line is an assertion. An assertion is named by the path of
subtest names leading to it and its own description, e.g. ``cli-basics > triton create > empty stderr``.
"""

from __future__ import annotations

import re

import attrs

_RESULT = re.compile(r"^(?P<indent> *)(?P<ok>not ok|ok)\b(?: \d+)?(?: - )?(?P<desc>.*)$")
_SUBTEST = re.compile(r"^(?P<indent> *)# Subtest: ?(?P<name>.*)$")
_DIRECTIVE = re.compile(r"\s+#\s+(?P<kind>SKIP|TODO|time=)(?P<rest>.*)$", re.IGNORECASE)


@attrs.frozen
class Assertion:
    path: str  # subtest names and the description, joined by " > "
    ok: bool
    skipped: bool = False
    todo: bool = False
    diagnostics: str = ""  # the YAML block under a failed assertion


@attrs.define
class TapReport:
    assertions: list[Assertion] = attrs.Factory(list)
    # subtests that failed without a failed assertion inside (a timeout, an exception)
    failed_subtests: list[Assertion] = attrs.Factory(list)
    bailed_out: str | None = None

    @property
    def failures(self) -> list[Assertion]:
        leaf = [a for a in self.assertions if not a.ok and not a.todo]
        return leaf + self.failed_subtests

    @property
    def count(self) -> int:
        return len(self.assertions)


def _split_directive(desc: str) -> tuple[str, str]:
    match = _DIRECTIVE.search(desc)
    if match is None:
        return desc.strip(), ""
    return desc[: match.start()].strip(), match.group("kind").upper()


def parse(text: str) -> TapReport:
    report = TapReport()
    # open subtests: (indent, name, failures counted when it opened)
    stack: list[tuple[int, str, int]] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if line.lstrip().startswith("Bail out!"):
            report.bailed_out = line.strip()
            continue
        opened = _SUBTEST.match(line)
        if opened is not None:
            stack.append((len(opened.group("indent")), opened.group("name").strip(), 0))
            stack[-1] = (*stack[-1][:2], len(report.failures))
            continue
        result = _RESULT.match(line)
        if result is None:
            continue
        indent = len(result.group("indent"))
        desc, directive = _split_directive(result.group("desc"))
        ok = result.group("ok") == "ok"
        diagnostics = []
        if index < len(lines) and lines[index].strip() == "---":
            while index < len(lines):
                diagnostics.append(lines[index])
                index += 1
                if diagnostics[-1].strip() == "...":
                    break
        if stack and stack[-1][0] == indent:
            _, name, failures_before = stack.pop()
            if not ok and directive != "TODO" and len(report.failures) == failures_before:
                names = [n for _, n, _ in stack] + [name]
                report.failed_subtests.append(
                    Assertion(" > ".join(names), False, diagnostics="\n".join(diagnostics))
                )
            continue
        names = [n for i, n, _ in stack if i < indent]
        report.assertions.append(
            Assertion(
                " > ".join([*names, desc]),
                ok,
                skipped=directive == "SKIP",
                todo=directive == "TODO",
                diagnostics="\n".join(diagnostics),
            )
        )
    return report
