"""The official CLI's own integration suite (node-triton 7.15.0 `test/integration`) against the simulator.

Each `*.test.js` file runs on its own against a fresh simulator, configured as a user would configure
it (see `../shared/conformance/README.md`): a throwaway HOME with the key in `~/.ssh`, a
`TEST_CONFIG` file with write actions, volumes, affinity, KVM and flexible-disk tests on, the images
and packages taken from the simulator's catalog. Its TAP is read and the failed assertions listed.

`make node-tools` installs the CLI (npm `triton@7.15.3`, which these tests run with) and `tap` into
`.cache/node-triton-7.15/` and copies the suite into the installed package. Skipped with a message when node, the CLI or the suite
is missing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import attrs
import pytest

from smartdc import CloudAPI
from smartdc.testing.simulator import Simulator
from smartdc.testing.state import Settings
from tests.conformance import tap
from tests.triton_home import triton_home

REPO_ROOT = Path(__file__).resolve().parents[2]
PACKAGE = Path(
    os.environ.get("SMARTDC_NODE_TRITON", REPO_ROOT / ".cache/node-triton-7.15/node_modules/triton")
)
SUITE = PACKAGE / "test" / "integration"
# seconds for one file: the slowest (cli-subcommands, about 470 CLI runs) takes one to three minutes
FILE_TIMEOUT = 600
# files run at once, each against its own simulator (node is most of the work; CI has 2 CPUs)
JOBS = int(os.environ.get("SMARTDC_NODE_TRITON_JOBS", "2"))

# Tests broken in node-triton itself. The suite skips them unless TEST_KNOWN_FAIL is set, which the
# harness never sets; they are listed here so the reason stays on record.
NODE_TRITON_BUGS = {
    "cli-nics.test.js > triton instance nic create (TRITON-1398)": (
        "adds a NIC on the network the new instance already uses; a real server answers 302 and"
        " the test expects a new NIC"
    ),
    "cli-networks.test.js > triton network create (TRITON-1389)": (
        "the 7.15 CLI refuses `network create` without --gateway or --no-nat before any request"
    ),
    "helpers.js getTestBhyveImg": (
        "picks a SmartOS image unless `bhyveImage` is configured (operator precedence); the"
        " harness sets bhyveImage"
    ),
}


@attrs.frozen
class Known:
    """Assertions (a regular expression searched in the assertion path) that fail against the
    simulator: because it differs from the server, or because node-triton expects what a real
    server never sends (the reason says which). Strict: an entry that no longer fails fails the test, so
    fixing the simulator means deleting the entry. ``sometimes``: the failure depends on timing
    (a consequence of another entry); it may pass without failing the test."""

    pattern: str
    reason: str
    sometimes: bool = False


EXPECTED_FAILURES: dict[str, list[Known]] = {
    "cli-migrations.test.js": [
        Known(
            r"^triton instance migration > triton instance migration get > Total runtime$",
            "node-triton expects a migration's total duration_ms, which a 9.20 server never sends:"
            " VMAPI's translateVmMigration sums it onto its input record, not onto the answer"
            " (sdc-vmapi lib/vm-migration/migrate.js), so `migration get` shows no Total runtime",
        ),
    ],
}


def _suite_files() -> list[str]:
    if not SUITE.is_dir():
        return []
    return sorted(p.name for p in SUITE.glob("*.test.js"))


def _missing() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed; the node-triton integration suite needs it"
    if not (PACKAGE / "bin" / "triton").exists():
        return f"the triton CLI is not installed at {PACKAGE}; run `make node-tools` (needs npm)"
    if not (PACKAGE / "node_modules" / "tap").is_dir() and not (PACKAGE.parent / "tap").is_dir():
        return "npm `tap` is not installed next to the triton CLI; run `make node-tools`"
    if not SUITE.is_dir():
        return (
            f"the node-triton suite is not at {SUITE}: `make node-tools` copies it from"
            " ../shared/conformance/node-triton-7.15.0/test, which is missing here"
        )
    return None


pytestmark = [
    pytest.mark.skipif(_missing() is not None, reason=_missing() or ""),
    # a test waits for its file, which may still be queued behind JOBS others
    pytest.mark.timeout(2 * FILE_TIMEOUT),
]

# short job durations: the CLI polls on the real clock, about once a second. Provisioning stays
# long enough for a test to start `triton inst wait` (a new node process) before it ends.
SETTINGS: dict[str, Any] = dict(
    provision_seconds=2.0,
    stop_seconds=0.3,
    start_seconds=0.3,
    reboot_seconds=0.3,
    delete_seconds=0.3,
    snapshot_seconds=0.3,
    image_create_seconds=0.5,
    volume_create_seconds=0.3,
    migration_step_seconds=0.3,
    job_seconds=0.2,
)


def _catalog(api: CloudAPI, account: str) -> dict[str, object]:
    """KVM, bhyve and flexible-disk settings picked from the image and package lists, as a user
    would pick them from `triton image list` and `triton package list`."""
    images = _json_list(api, f"/{account}/images")
    packages = _json_list(api, f"/{account}/packages")

    def image_of(brand: str) -> object:
        return next(
            (
                i["name"]
                for i in reversed(images)
                if i.get("type") == "zvol" and (i.get("requirements") or {}).get("brand") == brand
            ),
            None,
        )

    flexible = [p["name"] for p in packages if p.get("flexible_disk")]
    small = sorted(packages, key=lambda p: int(p.get("memory", 0)))
    hvm = [p["name"] for p in small if int(p.get("memory", 0)) >= 1024 and not p.get("brand")]
    return {
        "kvmImage": image_of("kvm"),
        "kvmPackage": hvm[0] if hvm else None,
        "bhyveImage": image_of("bhyve"),
        "bhyvePackage": flexible[0] if flexible else None,
        "flexPackage": flexible[0] if flexible else None,
    }


def _json_list(api: CloudAPI, path: str) -> list[dict[str, Any]]:
    data = api.meta.transport.request("GET", path).data
    assert isinstance(data, list), f"GET {path} answered {data!r}"
    return data


def _home(sim: Simulator, base: Path) -> Path:
    return triton_home(sim, base / "home")


def _existing_instances(sim: Simulator) -> None:
    """The `api-*` files inspect instances that already exist: create two, as a user would."""
    with sim.datacenter() as dc:
        made = [
            dc.create_machine(name=name, image="base-64-lts", package="g4-highcpu-128M")
            for name in ("existing-1", "existing-2")
        ]
        for machine in made:
            machine.wait("running")


@attrs.frozen
class FileRun:
    report: tap.TapReport
    problems: str  # node's exit and stderr when it failed without a failed assertion
    seconds: float


def run_file(filename: str, base: Path) -> FileRun:
    """Run one suite file against a fresh simulator."""
    started = time.monotonic()
    with Simulator(settings=Settings(**SETTINGS)) as sim:
        if filename.startswith("api-"):
            _existing_instances(sim)
        config: dict[str, object] = {
            "profile": {
                "url": sim.url,
                "account": sim.account,
                "keyId": sim.key_id,
                "insecure": False,
            },
            "allowWriteActions": True,
            "allowVolumesTests": True,
            "skipAffinityTests": False,
            "skipKvmTests": False,
            "skipFlexDiskTests": False,
        }
        with sim.client() as api:
            config.update(_catalog(api, sim.account))
        config_path = base / "config.json"
        config_path.write_text(json.dumps(config, indent=2), encoding="utf-8")
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(_home(sim, base)),
            "TEST_CONFIG": str(config_path),
        }
        result = subprocess.run(
            ["node", str(SUITE / filename)],
            cwd=PACKAGE,
            env=env,
            capture_output=True,
            text=True,
            timeout=FILE_TIMEOUT,
        )
    report = tap.parse(result.stdout)
    problems = ""
    if result.returncode != 0 and not report.failures:
        problems = f"node exited {result.returncode}: {result.stderr[-4000:]}"
    return FileRun(report, problems, time.monotonic() - started)


@pytest.fixture(scope="module")
def suite_runs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Future[FileRun]]]:
    """The selected files, run JOBS at a time (each on its own simulator) as soon as the first
    test of this module starts; each test waits for its own file."""
    selected = [
        item.callspec.params["filename"]
        for item in request.session.items
        if getattr(item, "module", None) is request.module and hasattr(item, "callspec")
    ]
    base = tmp_path_factory.mktemp("node-triton")
    with ThreadPoolExecutor(max_workers=JOBS, thread_name_prefix="node-triton") as pool:
        futures = {}
        for filename in selected:
            workdir = base / filename
            workdir.mkdir()
            futures[filename] = pool.submit(run_file, filename, workdir)
        yield futures
        for future in futures.values():
            future.cancel()


@pytest.mark.parametrize("filename", _suite_files() or ["(suite missing)"])
def test_node_triton(filename: str, suite_runs: dict[str, Future[FileRun]]) -> None:
    run = suite_runs[filename].result()
    report = run.report
    assert not run.problems, run.problems
    assert report.count > 0, f"{filename}: no TAP assertions"
    expected = EXPECTED_FAILURES.get(filename, [])
    matched: set[int] = set()
    unexpected = []
    for failure in report.failures:
        hits = [n for n, known in enumerate(expected) if re.search(known.pattern, failure.path)]
        if hits:
            matched.update(hits)
        else:
            unexpected.append(failure)
    fixed = [k.reason for n, k in enumerate(expected) if n not in matched and not k.sometimes]
    summary = (
        f"{filename}: {len(report.failures)} failed of {report.count} assertions"
        f" ({run.seconds:.0f} s)"
    )
    print(f"node-triton {summary}")  # `pytest -s tests/conformance` prints the figures
    details = "\n".join(f"  not ok: {f.path}\n{_indent(f.diagnostics)}" for f in unexpected)
    assert not unexpected and report.bailed_out is None, (
        f"{summary}\n{report.bailed_out or ''}\n{details}"
    )
    assert not fixed, f"{summary}; expected failures that now pass (remove them): {fixed}"
    if matched:
        pytest.xfail(f"{summary}: " + "; ".join(sorted({expected[n].reason for n in matched})))


def _indent(text: str) -> str:
    return "\n".join("      " + line for line in text.splitlines()[:12])
