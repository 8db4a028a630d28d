"""Run the server's own code (``../shared/oracle``: CloudAPI 9.20 and VMAPI handlers under node).

``node oracle.js COMMAND < input.json`` answers what CloudAPI 9.20, with VMAPI behind it, answers or
refuses (see the oracle's README). Each call is a fresh node process (about 0.2 s), so tests hand
their inputs over in batches: :func:`run_many` runs them side by side.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, settings

ROOT = Path(__file__).resolve().parents[2]
# one node process per call; a few at a time keep the machine usable
WORKERS = 3


def DIFFERENTIAL(max_examples: int) -> settings:
    """Hypothesis settings for tests that call the oracle: each example costs node processes, so
    examples are few, not timed, and a failure is reported as found (no shrinking)."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        phases=(Phase.explicit, Phase.reuse, Phase.generate),
    )


def oracle_dir() -> Path | None:
    """``$SMARTDC_ORACLE``, else the first ``shared/oracle`` beside the checkout or above it."""
    given = os.environ.get("SMARTDC_ORACLE")
    candidates = [Path(given)] if given else []
    candidates += [parent / "shared" / "oracle" for parent in ROOT.parents]
    for candidate in candidates:
        if (candidate / "oracle.js").is_file():
            return candidate
    return None


def unavailable() -> str | None:
    """Why the oracle cannot run here (None when it can)."""
    if shutil.which("node") is None:
        return "node is not installed: the differential tests need node 20 to run the oracle"
    if oracle_dir() is None:
        return "../shared/oracle (the server-code oracle) not found; set SMARTDC_ORACLE"
    return None


class OracleError(AssertionError):
    """The oracle itself could not answer (exit status 2: bad input or an unsimulated path)."""


def run(command: str, doc: dict[str, Any]) -> dict[str, Any]:
    """One oracle command: its JSON answer (``error`` holds a refusal as the client sees it)."""
    directory = oracle_dir()
    assert directory is not None, unavailable()
    proc = subprocess.run(
        ["node", str(directory / "oracle.js"), command],
        input=json.dumps(doc),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if proc.returncode != 0:
        raise OracleError(
            f"oracle {command} failed ({proc.returncode}): {proc.stdout}{proc.stderr}"
        )
    answer: dict[str, Any] = json.loads(proc.stdout)
    answer.pop("trace", None)
    return answer


def run_many(jobs: Sequence[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Several oracle commands, run side by side; answers in the order of ``jobs``."""
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(lambda job: run(*job), jobs))


def verdict(answer: dict[str, Any]) -> tuple[int, str | None]:
    """(status, error code) of an oracle answer; 200/201/202/204 answers carry no code."""
    error = answer.get("error")
    if error is not None:
        return int(error["statusCode"]), error.get("code")
    return int(answer.get("status", 200)), None


def differences(simulated: Any, server: Any, path: str = "") -> list[str]:
    """Where the simulator's JSON differs from the server's: missing or extra keys, other values,
    other JSON types (``1`` is not ``"1"``, ``True`` is not ``1``), other list lengths."""
    if isinstance(simulated, dict) and isinstance(server, dict):
        found = []
        for key in sorted(set(simulated) | set(server)):
            where = f"{path}.{key}" if path else key
            if key not in server:
                found.append(
                    f"{where}: the server does not send it (simulator: {simulated[key]!r})"
                )
            elif key not in simulated:
                found.append(f"{where}: missing (the server sends {server[key]!r})")
            else:
                found += differences(simulated[key], server[key], where)
        return found
    if isinstance(simulated, list) and isinstance(server, list) and len(simulated) == len(server):
        return [
            d
            for i, (a, b) in enumerate(zip(simulated, server, strict=True))
            for d in differences(a, b, f"{path}[{i}]")
        ]
    if type(simulated) is not type(server) or simulated != server:
        return [f"{path}: simulator {simulated!r}, server {server!r}"]
    return []
