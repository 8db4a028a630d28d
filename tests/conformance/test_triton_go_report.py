"""The reader of triton-go's run.sh report (runs without Go)."""

from __future__ import annotations

from tests.conformance.test_triton_go import Outcome, parse_run

REPORT = """go1.19.8, triton-go acceptance tests, http://127.0.0.1:1 as tritongo
== compute (3 s, go test exit 1)
PASS compute/TestAccDataCenters_List (0.01s)
FAIL compute/TestAcc_Instance (2.03s)
        instances_test.go:172: Expected instance Metadata "metadata_bool" to equal true
== identity (16 s, go test exit 1)
FAIL identity/TestAccUser_ChangeUserPassword (no result: timed out, crashed or not run)
        panic: test timed out after 2m0s
SKIP network/TestAccNetworks_Get (0.00s)
2 passed, 2 failed
"""


def test_each_result_with_its_messages_and_the_summary() -> None:
    run = parse_run(REPORT)
    assert run.summary == "2 passed, 2 failed"
    assert run.outcomes["compute/TestAccDataCenters_List"] == Outcome("PASS", "0.01s")
    instance = run.outcomes["compute/TestAcc_Instance"]
    assert instance.result == "FAIL" and "metadata_bool" in instance.detail
    crashed = run.outcomes["identity/TestAccUser_ChangeUserPassword"]
    assert crashed.result == "FAIL" and "timed out after 2m0s" in crashed.detail
    assert run.outcomes["network/TestAccNetworks_Get"].result == "SKIP"
    assert "== identity" not in instance.detail  # a header ends the messages
