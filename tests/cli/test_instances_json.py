"""``smartdc instances -j``: each machine in the server's own JSON text, one per line, page by
page, terminal-safe, and what came before an error still printed."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable

from smartdc.testing import Simulator

from .conftest import Result

Cli = Callable[..., Result]


def _server_items(sim: Simulator, **query: object) -> list[str]:
    """The text of each machine of a ListMachines answer, cut from the body as sent."""
    api = sim.client()
    response = api.meta.call(api.meta.operation("ListMachines"), query)
    body = response.body.decode("utf-8")
    return [body[start:end] for start, end in _spans(body)]


def _with_triton_fields(lines: list[str]) -> list[str]:
    """Each line as the server sent it, once triton's computed members (``age``, ``img``,
    ``shortid``, ``flags``) appended to it are taken off again."""
    plain = []
    for line in lines:
        cut = line.rindex(',"age":')
        assert set(json.loads(line)) - set(json.loads(line[:cut] + "}")) <= {
            "age",
            "img",
            "shortid",
            "flags",
        }
        plain.append(line[:cut] + "}")
    return plain


def _spans(body: str) -> list[tuple[int, int]]:
    decoder = json.JSONDecoder()
    spans, at = [], 1  # the sim writes as restify does: '[' then items joined by ',' then ']'
    while body[at] != "]":
        _, end = decoder.raw_decode(body, at)
        spans.append((at, end))
        at = end + 1 if body[end] == "," else end
    return spans


def test_each_machine_is_printed_as_the_server_sent_it(cli: Cli, cloudapi_sim: Simulator) -> None:
    cloudapi_sim.populate_machines(1203)  # two pages of 1,000 and more
    result = cli("instances", "-j")
    assert result.code == 0, result.err
    lines = _with_triton_fields(result.out.splitlines())
    assert lines == _server_items(cloudapi_sim, limit=1000) + _server_items(
        cloudapi_sim, offset=1000, limit=1000
    )
    assert len({json.loads(line)["id"] for line in lines}) == 1203


def test_text_that_is_not_plain_ascii_is_encoded(cli: Cli, cloudapi_sim: Simulator) -> None:
    made = cli("instance", "create", "-n", "cafe", "-t", "note=caf\u00e9 \u009b31m", "-w")
    assert made.code == 0, made.err
    result = cli("instances", "-j")
    assert result.code == 0, result.err
    (line,) = result.out.splitlines()
    assert line.isascii()  # no raw C1 control (\u009b is CSI) reaches a terminal
    assert "\\u00e9 \\u009b31m" in line
    assert json.loads(line)["tags"] == {"note": "caf\u00e9 \u009b31m"}


def test_machines_listed_before_an_error_are_printed(cli: Cli, cloudapi_sim: Simulator) -> None:
    cloudapi_sim.populate_machines(700)
    cloudapi_sim.faults.delay("ListMachines", 0, times=1)  # the first page comes as usual
    cloudapi_sim.faults.error("ListMachines", 500, times=1)  # the second does not
    result = cli("instances", "-j", "limit=300")
    assert result.code == 1
    assert "InternalError" in result.err
    assert _with_triton_fields(result.out.splitlines()) == _server_items(cloudapi_sim, limit=300)


def test_it_loads_no_model_and_no_facade(connection: list[str], cloudapi_sim: Simulator) -> None:
    cloudapi_sim.populate_machines(2)
    probe = (
        "import sys\n"
        "from smartdc.cli import main\n"
        f"code = main({[*connection, 'instances', '-j']!r})\n"
        "loaded = [m for m in sys.modules if m.startswith(('smartdc.facade', "
        "'smartdc._generated.models.', 'smartdc._generated.operations.'))]\n"
        "print(code, sorted(loaded), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.stderr.strip() == "0 []"
    assert len(done.stdout.splitlines()) == 2


def test_tables_load_no_model_and_no_facade(connection: list[str], cloudapi_sim: Simulator) -> None:
    # a table shows a few fields of the parsed answer: nothing is decoded into models
    cloudapi_sim.populate_machines(2)
    commands = [
        [*connection, *command]
        for command in (
            ["instances"],
            ["instances", "-o", "name,state", "-s", "-name"],
            ["images"],
            ["packages"],
        )
    ]
    probe = (
        "import sys\n"
        "from smartdc.cli import main\n"
        f"codes = [main(argv) for argv in {commands!r}]\n"
        "loaded = [m for m in sys.modules if m.startswith(('smartdc.facade', "
        "'smartdc._generated.models.', 'smartdc._generated.operations.'))]\n"
        "print(codes, sorted(loaded), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.stderr.strip().splitlines()[-1] == "[0, 0, 0, 0] []"
