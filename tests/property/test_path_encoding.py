"""Any string given as a path parameter reaches the server as exactly that string.

The simulator logs each request-target as received; decoding its last segment must give back the
value, whatever it holds (``/``, ``..``, ``?``, ``#``, ``%``, spaces, CR/LF, non-ASCII), and the
request must reach the intended route (no traversal, no query or fragment split).
"""

from __future__ import annotations

from urllib.parse import unquote

from hypothesis import example, given, settings
from hypothesis import strategies as st

from smartdc import CloudAPI
from smartdc.errors import CloudAPIError
from smartdc.testing import Simulator

MACHINE = "3a4f4a5c-0d4e-4b1c-9a44-1e0d8c1f2b3a"
NASTY = st.sampled_from(["/", "..", "?", "#", "%", " ", "\r\n", "é", "☃", "%2F", "+", "&", ";"])
VALUES = st.lists(NASTY | st.text(min_size=1, max_size=4), min_size=1, max_size=5).map("".join)


@settings(max_examples=60, deadline=None)
@given(value=VALUES.filter(lambda v: v.strip() != ""))
@example(value="../../keys")
@example(value="a/b?c=d#e")
@example(value="100% \r\nX-Injected: 1")
def test_tag_name_reaches_the_server_intact(sim: Simulator, api: CloudAPI, value: str) -> None:
    before = len(sim.requests)
    try:
        api.get_machine_tag(id=MACHINE, tag=value)
    except CloudAPIError as error:
        assert error.status == 404  # the machine does not exist; the path was still routed
    _, method, raw_path, route, _ = sim.requests[before]
    assert (method, route) == ("GET", "GetMachineTag")
    prefix = f"/{sim.account}/machines/{MACHINE}/tags/"
    assert raw_path.startswith(prefix)
    segment = raw_path[len(prefix) :]
    assert "/" not in segment and "?" not in segment and "#" not in segment
    assert unquote(segment, errors="strict") == value
