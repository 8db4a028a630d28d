"""``smartdc changefeed`` and ``smartdc instance vnc`` against the simulator."""

from __future__ import annotations

import io
import re
import socket
import threading
import time
from collections.abc import Callable

import pytest

from smartdc.cli.main import run
from smartdc.testing import Simulator

from .conftest import Result

pytest.importorskip("websockets", reason="the streaming commands need smartdc[streaming]")


class _Output(io.StringIO):
    """Written by the command's thread, read by the test's."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()

    def write(self, text: str) -> int:
        with self.lock:
            return super().write(text)

    def text(self) -> str:
        with self.lock:
            return self.getvalue()


def _in_background(argv: list[str], sim: Simulator) -> tuple[threading.Thread, _Output, list[int]]:
    out, err = _Output(), _Output()
    codes: list[int] = []
    thread = threading.Thread(
        target=lambda: codes.append(run(argv, out, err, clock=sim.wait_clock)), daemon=True
    )
    thread.start()
    return thread, out, codes


def _until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.01)


def test_changefeed_prints_each_change_as_a_json_line(
    cli: Callable[..., Result], connection: list[str], cloudapi_sim: Simulator
) -> None:
    sim = cloudapi_sim
    assert cli("instance", "create", "-n", "fed", "-w").code == 0
    feed = sim.state.datacenters[sim.datacenter_names[0]].feed
    argv = [*connection, "changefeed", "-j", "--count", "1", "--instances", "fed"]
    thread, out, codes = _in_background(argv, sim)
    _until(lambda: feed.registered() == 1)
    assert cli("instance", "tag", "set", "fed", "role=db").code == 0
    thread.join(10)
    assert codes == [0]
    (line,) = Result(0, out.text(), "").json_lines()
    assert line["changeKind"] == {"resource": "vm", "subResources": ["tags"]}
    assert line["resourceObject"]["name"] == "fed"


def test_changefeed_for_people_reads_like_tritons(
    cli: Callable[..., Result], connection: list[str], cloudapi_sim: Simulator
) -> None:
    sim = cloudapi_sim
    assert cli("instance", "create", "-n", "human", "-w").code == 0
    feed = sim.state.datacenters[sim.datacenter_names[0]].feed
    argv = [*connection, "changefeed", "--count", "1", "--sub-resources", "state"]
    thread, out, codes = _in_background(argv, sim)
    _until(lambda: feed.registered() == 1)
    assert cli("instance", "stop", "human").code == 0
    thread.join(10)
    assert codes == [0]
    assert re.match(r"Change \(\d{4}-\d\d-\d\dT[\d:.]+Z\) =>\n    modified: state\n", out.text())
    assert "    state: stopping\n" in out.text()
    assert "(human)" in out.text()


def test_instance_vnc_relays_a_viewer_to_the_console(
    cli: Callable[..., Result], connection: list[str], cloudapi_sim: Simulator
) -> None:
    sim = cloudapi_sim
    created = cli(
        "instance", "create", "-n", "desk", "-w", "ubuntu-certified-22.04", "b1-flexible-2G"
    )
    assert created.code == 0, created.err
    thread, out, codes = _in_background([*connection, "instance", "vnc", "desk"], sim)
    _until(lambda: "Listening on vnc://127.0.0.1:" in out.text())
    port = int(out.text().rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as viewer:
        assert viewer.recv(12) == b"RFB 003.008\n"
        viewer.sendall(b"RFB 003.008\n")
        assert viewer.recv(2) == b"\x01\x01"
    thread.join(10)
    assert codes == [0]


def test_instance_vnc_reports_a_refusal_before_listening(cli: Callable[..., Result]) -> None:
    assert cli("instance", "create", "-n", "zone", "-w").code == 0
    result = cli("instance", "vnc", "zone")
    assert result.code == 1
    assert "MachineHasNoVNCError" in result.err
    assert "Listening" not in result.out
