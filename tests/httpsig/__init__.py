"""The project's own signature harness: node with http-signature 1.4.0 (as CloudAPI 9.20 runs it)
judges requests our signer made. ``make node-tools`` installs it into ``.cache/httpsig``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

HERE = Path(__file__).resolve().parent
INSTALLED = HERE.parents[1] / ".cache" / "httpsig"
SCRIPT = INSTALLED / "verify.js"


def unavailable() -> str | None:
    """Why the harness cannot run here (None when it can)."""
    if shutil.which("node") is None:
        return "node is not installed: cannot run the http-signature harness"
    if not SCRIPT.is_file() or not (INSTALLED / "node_modules" / "http-signature").is_dir():
        return f"the http-signature harness is not installed in {INSTALLED} (run `make node-tools`)"
    if (HERE / "verify.js").read_bytes() != SCRIPT.read_bytes():
        return f"{SCRIPT} is older than tests/httpsig/verify.js (run `make node-tools`)"
    return None


def verify(public_key: Path, request: Mapping[str, object], *, before_9_18: bool = False) -> str:
    """``ok`` or ``bad: <why>`` for ``request`` ({method, path, headers}) signed by ``public_key``'s
    private half."""
    env = {k: v for k, v in os.environ.items() if k != "CLOUDAPI_BEFORE_9_18"}
    if before_9_18:
        env["CLOUDAPI_BEFORE_9_18"] = "1"
    done = subprocess.run(
        ["node", str(SCRIPT), str(public_key)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    verdict = done.stdout.strip()
    if not verdict.startswith(("ok", "bad:")):
        raise RuntimeError(f"the harness failed: {done.stderr.strip() or verdict}")
    return verdict
