"""The TAP reader the node-triton harness relies on: assertions vs subtests, failures, directives."""

from __future__ import annotations

from tests.conformance import tap

SAMPLE = """TAP version 13
# Subtest: triton create
    # Subtest:  setup
        ok 1 - should not error
        1..1
    ok 1 - setup # time=12ms

    # Subtest:  create db2
        ok 1 - should not error
        not ok 2 - landed on different CN
          ---
          found: a
          wanted: b
          ...
        ok 3 - cleanup # SKIP not needed
        1..3
    not ok 2 - create db2 # time=40ms

    # Subtest:  hangs
        ok 1 - started
        1..1
    not ok 3 - hangs # time=30000ms
      ---
      timeout: 30000
      ...
    1..3
not ok 1 - triton create # time=50ms
1..1
"""


def test_leaf_assertions_are_counted_and_named_by_their_subtests() -> None:
    report = tap.parse(SAMPLE)
    assert [a.path for a in report.assertions] == [
        "triton create > setup > should not error",
        "triton create > create db2 > should not error",
        "triton create > create db2 > landed on different CN",
        "triton create > create db2 > cleanup",
        "triton create > hangs > started",
    ]
    assert report.count == 5
    assert report.assertions[3].skipped


def test_failures_are_failed_assertions_and_subtests_failing_on_their_own() -> None:
    report = tap.parse(SAMPLE)
    assert [f.path for f in report.failures] == [
        "triton create > create db2 > landed on different CN",
        "triton create > hangs",
    ]
    assert "wanted: b" in report.failures[0].diagnostics
    assert "timeout: 30000" in report.failures[1].diagnostics


def test_bail_out_is_reported() -> None:
    report = tap.parse("TAP version 13\nok 1 - a\nBail out! no server\n")
    assert report.bailed_out == "Bail out! no server"
    assert report.count == 1
