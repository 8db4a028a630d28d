"""mypy --strict on typical user code (tests/typed_usage/usage.py): what must pass passes, what must fail fails.

What the usage module proves, for a user of the editable install and of the installed wheel
(tests/test_packaging.py runs the same check against the wheel):

* the public names of ``smartdc`` are typed, and a misspelt one (``DataCentre``,
  ``ResourceNotFund``) is an error, in ``from smartdc import`` and in ``smartdc.X``;
* every error class (core and generated per code) is importable, typed, from ``smartdc`` and
  ``smartdc.errors``, is a real class (``type[CloudAPIError]``) and is usable in ``except`` with
  typed attributes;
* models and enums have public homes (``smartdc.models``, ``smartdc.enums``); model fields are typed
  (``machine.state`` is ``MachineState``, ``machine.memory`` is ``int``) and a misspelt field is
  an error;
* client methods take typed arguments and return typed models; a wrong argument type, an unknown
  keyword (``stat=``) or a broken name (``list_network_i_ps``) is an error; the fixed names
  (``list_network_ips``, ``list_fabric_vlans``) exist;
* ``head_*`` and ``iter_*`` take exactly the method's arguments (one signature, derived): unknown
  keywords and wrong types are errors there too; ``iter_*`` yields typed models; a plain paginated
  call returns ``list[Model]``, with or without ``limit``/``offset``;
* arguments accept any ``Mapping``/``Sequence`` (``MappingProxyType``, tuples), and a sequence of
  the wrong item type is an error;
* the facade: ``dc.machine(...)`` has a typed attribute for every model field (``.stauts`` is an
  error), ``tags`` is a live mapping, ``dc.machines(stat=...)`` and ``dc.images(nme=...)`` are
  errors (the facade takes the client method's arguments), snapshots are typed the same way.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

USAGE = Path(__file__).with_name("usage.py")
MARK = re.compile(r"#\s*E:\s*(.+?)\s*$")
ERROR = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): error: (?P<message>.*)$")


def expected_errors(source: str) -> dict[int, str]:
    """Line number -> the text its error message must contain."""
    found = {}
    for number, line in enumerate(source.splitlines(), start=1):
        mark = MARK.search(line)
        if mark:
            found[number] = mark.group(1)
    return found


def mypy_errors(path: Path, *extra: str, cwd: Path | None = None) -> dict[int, list[str]]:
    """Run mypy --strict on ``path``; its errors by line (only errors in that file)."""
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", *extra, str(path)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
    )
    errors: dict[int, list[str]] = {}
    for line in result.stdout.splitlines():
        match = ERROR.match(line)
        if match is None:
            continue
        assert Path(match["file"]).name == path.name, f"an error outside the usage module: {line}"
        errors.setdefault(int(match["line"]), []).append(match["message"])
    assert result.returncode in (0, 1), result.stdout + result.stderr
    return errors


def check_usage(path: Path, *extra: str, cwd: Path | None = None) -> None:
    expected = expected_errors(path.read_text(encoding="utf-8"))
    assert expected, "the usage module must hold lines that must fail"
    errors = mypy_errors(path, *extra, cwd=cwd)
    unexpected = {n: m for n, m in errors.items() if n not in expected}
    missing = {
        n: text for n, text in expected.items() if not any(text in m for m in errors.get(n, []))
    }
    assert unexpected == {}, "lines that should type-check do not"
    assert missing == {}, f"lines that must be errors are not (mypy said: {errors})"


def test_marks_are_read() -> None:
    assert expected_errors('x = 1\ny = z  # E: Name "z" is not defined\n') == {
        2: 'Name "z" is not defined'
    }


def test_typical_user_code_type_checks_and_mistakes_do_not() -> None:
    check_usage(USAGE)
