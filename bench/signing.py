"""Cost of signing one CloudAPI request, per key type and source, with and without signature reuse.

Run: ``python -m bench.signing`` (or ``python bench/signing.py``). Keys are generated in a temporary
directory; the agent rows need ``ssh-agent``/``ssh-add`` and are skipped without them.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import write_key
from smartdc.auth import HttpSignatureSigner, load_agent_signer, load_signer
from smartdc.errors import KeyLoadError

DATE = "Thu, 26 Nov 2026 21:00:00 GMT"
MIN_SECONDS = 0.5  # per measurement
KINDS = ("RSA-2048", "RSA-4096", "P-256", "P-384", "P-521", "Ed25519")


def per_request_us(signer: HttpSignatureSigner, *, reuse: bool) -> float:
    """Mean microseconds per ``authorization`` call; without reuse every call really signs."""
    count = 0
    start = time.perf_counter()
    elapsed = 0.0
    while elapsed < MIN_SECONDS:
        for _ in range(20):
            # With reuse the same (date, method, path) repeats as a burst of requests would.
            path = "/acct/machines" if reuse else f"/acct/machines/{count}"
            signer.authorization("GET", path, DATE)
            count += 1
        elapsed = time.perf_counter() - start
    return elapsed / count * 1e6


@contextmanager
def ssh_agent(directory: Path) -> Iterator[str | None]:
    if shutil.which("ssh-agent") is None or shutil.which("ssh-add") is None:
        yield None
        return
    socket_path = str(directory / "agent.sock")
    process = subprocess.Popen(
        ["ssh-agent", "-D", "-a", socket_path],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not os.path.exists(socket_path) and time.monotonic() < deadline:
            time.sleep(0.01)
        yield socket_path if os.path.exists(socket_path) else None
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)


def main() -> None:
    # Short directory name: Unix socket paths are limited to ~100 bytes.
    directory = Path(tempfile.mkdtemp(prefix="sigb-"))
    try:
        keys = {kind: write_key(directory, kind) for kind in KINDS}
        with ssh_agent(directory) as agent:
            print(f"signing cost per request, microseconds (python {sys.version.split()[0]})")
            print(f"{'key':<10} {'source':<7} {'no reuse':>10} {'reuse':>10}")
            for kind, path in keys.items():
                signer = load_signer(account="acct", key_id=None, key_path=path, cache_size=0)
                cached = load_signer(account="acct", key_id=None, key_path=path)
                no_reuse, reuse = (
                    per_request_us(signer, reuse=False),
                    per_request_us(cached, reuse=True),
                )
                print(f"{kind:<10} {'file':<7} {no_reuse:>10.1f} {reuse:>10.1f}")
                if agent is None:
                    print(f"{kind:<10} {'agent':<7} {'(no ssh-agent installed)':>21}")
                    continue
                env = dict(os.environ, SSH_AUTH_SOCK=agent)
                subprocess.run(["ssh-add", str(path)], check=True, capture_output=True, env=env)
                key_id = signer.fingerprint
                try:
                    signer = load_agent_signer(
                        account="acct", key_id=key_id, agent_socket=agent, cache_size=0
                    )
                    cached = load_agent_signer(account="acct", key_id=key_id, agent_socket=agent)
                except KeyLoadError as exc:
                    print(
                        f"{kind:<10} {'agent':<7} {'n/a':>10} {'n/a':>10}  ({exc.__class__.__name__})"
                    )
                    continue
                no_reuse, reuse = (
                    per_request_us(signer, reuse=False),
                    per_request_us(cached, reuse=True),
                )
                print(f"{kind:<10} {'agent':<7} {no_reuse:>10.1f} {reuse:>10.1f}")
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
