"""triton-go's acceptance tests (the Go SDK's own `TestAcc*` suite) against the simulator.

`make go-tools` installs Go (Debian's golang-go, with apt where we are root) and copies the suite,
its Go dependencies vendored, from ``../shared/conformance/triton-go`` into ``.cache/triton-go``.
Its ``run.sh`` builds and runs the tests offline (``GOFLAGS=-mod=vendor``, ``GOPROXY=off``) against
a URL, an account and a key. This module starts one simulator, gives it what the suite's README
asks the cloud to hold (an image named ``ubuntu-16.04``, made from a stopped machine through
CloudAPI as a user would make it; the catalogue already has a 128 MiB package and a public
network), runs the four packages once and reports each test's result as its own pytest test.
Skipped with a message when Go or the suite is missing.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from smartdc.testing.simulator import Simulator
from smartdc.testing.state import Settings

REPO_ROOT = Path(__file__).resolve().parents[2]
SUITE = Path(os.environ.get("SMARTDC_TRITON_GO", REPO_ROOT / ".cache/triton-go"))
PACKAGES = ("compute", "account", "identity", "network")
# seconds for the whole run: about 30 s (15 s of it the identity tests' own sleeps) plus the
# first compile; run.sh gives each package 120 s
RUN_TIMEOUT = 900
# the image TestAcc_Instance looks up by name (compute/instances_test.go)
SEED_IMAGE = "ubuntu-16.04"

# Tests that fail because of triton-go itself, with the server code that proves it. Strict: an
# entry whose test passes fails, so the list stays true. None is known (see docs/fidelity.md).
TRITON_GO_BUGS: dict[str, str] = {}
# Tests that fail because the simulator still differs from the server (strict, as above).
SIMULATOR_DIFFERENCES: dict[str, str] = {}

_RESULT = re.compile(r"^(?P<result>PASS|FAIL|SKIP) (?P<name>\w+/\w+) \((?P<detail>.*)\)$")
_SUMMARY = re.compile(r"^(?P<passed>\d+) passed, (?P<failed>\d+) failed$")
_TEST_FUNC = re.compile(r"^func (TestAcc\w*)\(t \*testing\.T\)", re.MULTILINE)


def _go() -> str | None:
    """The Go toolchain run.sh will use: `go` on PATH, else Debian's /usr/lib/go-1.NN."""
    found = shutil.which("go")
    if found:
        return found
    versions = sorted(
        glob.glob("/usr/lib/go-1.*/bin/go"),
        key=lambda p: [int(n) for n in re.findall(r"\d+", p)],
    )
    return versions[-1] if versions else None


def _suite_tests() -> list[str]:
    """``package/TestName`` for every acceptance test in the suite's sources."""
    names: list[str] = []
    for package in PACKAGES:
        for source in sorted((SUITE / package).glob("*_test.go")):
            text = source.read_text(encoding="utf-8")
            names.extend(f"{package}/{name}" for name in _TEST_FUNC.findall(text))
    return sorted(names)


def _missing() -> str | None:
    if not (SUITE / "run.sh").is_file():
        return (
            f"triton-go's suite is not at {SUITE}: `make go-tools` copies it from"
            " ../shared/conformance/triton-go, which is missing here"
        )
    if _go() is None:
        return (
            "Go is not installed: `make go-tools` installs Debian's golang-go with apt-get,"
            " which needs root; triton-go's suite is skipped"
        )
    return None


pytestmark = [
    pytest.mark.skipif(_missing() is not None, reason=_missing() or ""),
    pytest.mark.timeout(RUN_TIMEOUT + 120),
]


@attrs.frozen
class Outcome:
    result: str  # PASS, FAIL or SKIP
    detail: str  # run.sh's time or reason, then the test's own messages


@attrs.frozen
class SuiteRun:
    outcomes: dict[str, Outcome]
    summary: str  # run.sh's last line, "N passed, M failed"
    output: str  # all of run.sh's output, for a failure message


def parse_run(stdout: str) -> SuiteRun:
    """Read run.sh's report: one ``RESULT package/Test (detail)`` line per test, followed by the
    test's indented messages when it did not pass, and a last ``N passed, M failed`` line."""
    outcomes: dict[str, Outcome] = {}
    summary = ""
    current: str | None = None
    messages: list[str] = []

    def close() -> None:
        if current is not None:
            old = outcomes[current]
            outcomes[current] = Outcome(old.result, "\n".join([old.detail, *messages]))

    for line in stdout.splitlines():
        match = _RESULT.match(line)
        if match:
            close()
            current, messages = match["name"], []
            outcomes[current] = Outcome(match["result"], match["detail"])
        elif line.startswith(" ") and current is not None:
            messages.append(line)
        elif _SUMMARY.match(line):
            close()
            current, summary = None, line
        else:
            close()
            current, messages = None, []
    close()
    return SuiteRun(outcomes, summary, stdout)


def _seed(sim: Simulator) -> None:
    """An image named ubuntu-16.04, made as the suite's README says: provision from a linux
    image, stop, CreateImageFromMachine, wait for it to be active, delete the machine."""
    with sim.datacenter() as dc:
        linux = next(i for i in dc.images() if i.model.type == "lx-dataset")
        machine = dc.create_machine(
            name="tritongo-image-seed", image=linux.id, package="g4-highcpu-128M"
        )
        machine.wait("running")
        machine.stop(wait=True)
        machine.create_image(SEED_IMAGE, "1.0.0").wait()
        machine.delete(wait=True)


@pytest.fixture(scope="module")
def suite_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SuiteRun]:
    base = tmp_path_factory.mktemp("triton-go")
    # triton-go polls GetMachine every 2 s: a short provisioning keeps the run short
    settings = Settings(provision_seconds=1.0, stop_seconds=0.3, delete_seconds=0.3)
    with Simulator(account="tritongo", settings=settings) as sim:
        _seed(sim)
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(base),
            "TMPDIR": os.environ.get("TMPDIR", "/tmp"),
            "TRITONGO_OUTPUT_DIR": str(base / "out"),
        }
        result = subprocess.run(
            ["bash", str(SUITE / "run.sh"), sim.url, sim.account, sim.key_id, sim.key_path],
            cwd=SUITE,
            env=env,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            check=False,
        )
    run = parse_run(result.stdout)
    assert result.returncode in (0, 1), (
        f"run.sh exited {result.returncode}:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    )
    print(f"triton-go: {run.summary}")  # `pytest -s tests/conformance` prints the figures
    yield run


def test_every_test_reported(suite_run: SuiteRun) -> None:
    """run.sh reported each test the sources hold, and its count agrees."""
    expected = _suite_tests()
    assert len(expected) == 23, expected  # the suite's README: 23 tests
    assert sorted(suite_run.outcomes) == expected, suite_run.output[-4000:]
    passed = sum(o.result == "PASS" for o in suite_run.outcomes.values())
    assert suite_run.summary == f"{passed} passed, {len(expected) - passed} failed"


@pytest.mark.parametrize("name", _suite_tests() or ["(suite missing)"])
def test_triton_go(name: str, suite_run: SuiteRun) -> None:
    outcome = suite_run.outcomes.get(name)
    assert outcome is not None, f"{name}: no result\n{suite_run.output[-4000:]}"
    for known in (TRITON_GO_BUGS, SIMULATOR_DIFFERENCES):
        if name in known:
            assert outcome.result != "PASS", f"{name} passes now: remove it from the known list"
            pytest.xfail(known[name])
    assert outcome.result == "PASS", f"{outcome.result} {name} ({outcome.detail})"
