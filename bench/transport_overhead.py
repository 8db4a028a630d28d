"""Per-request client CPU of :class:`smartdc.transport.Transport` against plain urllib3.

Both send ``GET /alice`` to the same keep-alive loopback server (``bench.loopback``: a separate
process, so its CPU is not counted) and decode the small JSON answer. Plain urllib3 sends a precomputed Date and
Authorization; the transport signs each request (RSA-2048 key file; the signer may reuse a
signature within the same second) and, in a second row, uses a constant signer so that only the
transport's own work (headers, retry loop, bounded read, digest/type checks) is measured.

Run: ``python -m bench.transport_overhead`` (or ``python bench/transport_overhead.py``).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Callable
from email.utils import formatdate
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import urllib3

from bench.common import write_key
from bench.loopback import fixed_answer_server
from smartdc.config import Config
from smartdc.transport import Transport

REQUESTS = 3000
ROUNDS = 3  # best of
BODY = b'{"login":"alice","email":"alice@example.com","companyName":"Example"}'


class _ConstantSigner:
    """Stands in for the key so that only the transport's own work is measured."""

    key_id = "/alice/keys/00:11"
    algorithm = "rsa-sha256"

    def authorization(self, method: str, path: str, date: str) -> str:
        return 'Signature keyId="/alice/keys/00:11",algorithm="rsa-sha256",signature="AAAA"'


def _cpu_per_request(send: Callable[[], object]) -> float:
    """Best-of-ROUNDS client CPU microseconds per request."""
    for _ in range(200):  # warm up: connection, caches
        send()
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.process_time()
        for _ in range(REQUESTS):
            send()
        best = min(best, (time.process_time() - start) / REQUESTS * 1e6)
    return best


def main() -> None:
    with fixed_answer_server(BODY) as url, tempfile.TemporaryDirectory() as directory:
        key_path = write_key(Path(directory), "RSA-2048")
        config = Config(url=url, account="alice", secret=key_path, environ={})
        signed = Transport(config)
        constant = Transport(config, signer=_ConstantSigner())
        date = formatdate(usegmt=True)
        headers = {
            "Date": date,
            "Authorization": signed.signer.authorization("GET", "/alice", date),
            "Accept": "application/json",
            "Accept-Version": "~9||~8",
            "User-Agent": "bench",
        }
        pool = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(10, 60))

        def plain() -> object:
            answer = pool.request("GET", url + "/alice", headers=headers, redirect=False)
            return json.loads(answer.data)

        rows = [
            ("plain urllib3, precomputed Authorization", _cpu_per_request(plain)),
            (
                "Transport, constant signer",
                _cpu_per_request(lambda: constant.request("GET", "/alice").data),
            ),
            (
                "Transport, RSA-2048 key file signer",
                _cpu_per_request(lambda: signed.request("GET", "/alice").data),
            ),
        ]
    baseline = rows[0][1]
    print(f"client CPU per GET over loopback keep-alive (best of {ROUNDS} x {REQUESTS} requests)")
    for name, micros in rows:
        print(f"  {name:<42} {micros:8.1f} us   x{micros / baseline:.2f}")


if __name__ == "__main__":
    main()
