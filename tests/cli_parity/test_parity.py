"""The same command lines through ``triton`` and ``smartdc`` against one simulator: exit status,
JSON, table columns (see cases.py). Skipped with a message where node or triton is missing."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.cli_parity.cases import CASES, DELIBERATE, KNOWN, Case, normalise, normalise_text
from tests.cli_parity.conftest import Ran, World


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return [json.loads(line) for line in text.splitlines() if line.strip()]


# An error line as triton writes it: `triton instance get: error (ResourceNotFound): ...`
_ERROR_LINE = re.compile(
    r"^(?:triton|smartdc)(?P<words>(?: [a-z][\w-]*)*): error(?: \((?P<code>[^)]*)\))?: ", re.M
)


def error_lines(err: str) -> list[tuple[str, str | None]]:
    """The command words and error code of each error line (the messages are each tool's own)."""
    return sorted((m["words"].strip(), m["code"]) for m in _ERROR_LINE.finditer(err))


def differences(case: Case, triton: Ran, smartdc: Ran) -> list[str]:
    found = []
    if triton.code != smartdc.code:
        found.append(f"exit status: triton {triton.code}, smartdc {smartdc.code}")
    if triton.code in (1, 3) and smartdc.code == triton.code:
        theirs, ours = error_lines(triton.err), error_lines(smartdc.err)
        if theirs != ours:
            found.append(f"error lines: triton {theirs}, smartdc {ours}")
    if triton.code != 0 or smartdc.code != 0 or case.compare == "exit":
        return found
    if case.compare == "json":
        try:
            theirs, ours = normalise(_json(triton.out)), normalise(_json(smartdc.out))
        except ValueError as exc:
            return [*found, f"not JSON: {exc}: {smartdc.out[:200]!r}"]
        if isinstance(theirs, list) and isinstance(ours, list) and len(theirs) == len(ours):
            theirs = sorted(theirs, key=json.dumps)
            ours = sorted(ours, key=json.dumps)
        if theirs != ours:
            found.append(
                f"JSON: triton {json.dumps(theirs)[:600]}\n  smartdc {json.dumps(ours)[:600]}"
            )
    elif case.compare == "columns":
        head = [t.out.splitlines()[0].split() if t.out.strip() else [] for t in (triton, smartdc)]
        if head[0] != head[1]:
            found.append(f"columns: triton {head[0]}, smartdc {head[1]}")
    elif normalise_text(triton.out) != normalise_text(smartdc.out):
        found.append(f"stdout: triton {triton.out[:300]!r}, smartdc {smartdc.out[:300]!r}")
    return found


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_same_as_triton(world: World, case: Case) -> None:
    triton = world.run("triton", case.argv)
    smartdc = world.run("smartdc", case.smartdc or case.argv)
    found = differences(case, triton, smartdc)
    listed = DELIBERATE.get(case.id) or KNOWN.get(case.id)
    if listed:
        assert found, f"listed as a difference ({listed}) but the tools now agree: unlist it"
        return
    assert not found, "\n".join(
        [*found, f"triton stderr: {triton.err[:300]}", f"smartdc stderr: {smartdc.err[-400:]}"]
    )


def test_cases_are_unique() -> None:
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))
    assert set(DELIBERATE) | set(KNOWN) <= set(ids)
