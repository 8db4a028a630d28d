"""Benchmark 1: client CPU per GetMachine through ``CloudAPI`` against plain urllib3.

The server is a separate process (``bench.loopback``), so only client CPU (``process_time``) is
counted. Per key type: (a) the same request repeated, as a polling loop does, against plain urllib3
with a precomputed Authorization header; (b) distinct paths, each needing its own signature, against
the floor: plain urllib3 plus one signature per request made directly with cryptography.
"""

from __future__ import annotations

import base64
import itertools
import json
import tempfile
from collections.abc import Callable
from email.utils import formatdate
from pathlib import Path
from typing import Any

import urllib3

from bench.common import KEY_KINDS, Section, alternate, cpu_seconds, machine_json, median, table
from bench.loopback import fixed_answer_server

ACCOUNT = "alice"
MACHINE_ID = "b6979942-7d5d-4fe6-a2ec-b812e950625a"
TARGET_REPEATED = 1.25
TARGET_DISTINCT = 1.15


def raw_signer(key_path: Path) -> Callable[[bytes], bytes]:
    """Sign bytes with the key as http-signature wants it: the floor's one signature."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

    key = serialization.load_ssh_private_key(key_path.read_bytes(), password=None)
    if isinstance(key, rsa.RSAPrivateKey):
        rsa_key = key
        return lambda data: rsa_key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    ec_key = key
    return lambda data: ec_key.sign(data, ec.ECDSA(hashes.SHA256()))


def _per_call(action: Callable[[], object], count: int) -> Callable[[], float]:
    return lambda: cpu_seconds(action, count) / count


def measure_key(url: str, key_path: Path, kind: str, *, smoke: bool) -> dict[str, Any]:
    from smartdc import CloudAPI
    from smartdc.config import Config

    config = Config(url=url, account=ACCOUNT, secret=key_path, environ={})
    client = CloudAPI(config)
    signer = client.meta.transport.signer
    algorithm = signer.algorithm
    sign = raw_signer(key_path)
    pool = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(10, 60))
    base_headers = {
        "Accept": "application/json",
        "Accept-Version": config.accept_version,
        "User-Agent": "bench",
    }
    path = f"/{ACCOUNT}/machines/{MACHINE_ID}"
    date = formatdate(usegmt=True)
    fixed = dict(base_headers, Date=date, Authorization=signer.authorization("GET", path, date))
    ids = itertools.count()

    def plain() -> object:
        answer = pool.request("GET", url + path, headers=fixed, redirect=False)
        return json.loads(answer.data)

    def ours_repeated() -> object:
        return client.get_machine(MACHINE_ID)

    def distinct_id() -> str:
        return f"{next(ids):08x}-7d5d-4fe6-a2ec-b812e950625a"

    def floor() -> object:
        target = f"/{ACCOUNT}/machines/{distinct_id()}"
        now = formatdate(usegmt=True)
        text = f"(request-target): get {target}\ndate: {now}".encode()
        signature = base64.b64encode(sign(text)).decode()
        headers = dict(
            base_headers,
            Date=now,
            Authorization=(
                f'Signature keyId="{signer.key_id}",algorithm="{algorithm}",'
                f'headers="(request-target) date",signature="{signature}"'
            ),
        )
        answer = pool.request("GET", url + target, headers=headers, redirect=False)
        return json.loads(answer.data)

    def ours_distinct() -> object:
        return client.get_machine(distinct_id())

    slow = kind == "RSA-4096"
    repeat_n, distinct_n, rounds = (3, 2, 1) if smoke else (2000, 150 if slow else 600, 7)
    for action in (plain, ours_repeated, floor, ours_distinct):  # warm up connections, caches
        for _ in range(1 if smoke else 50):
            action()
    plain_s, repeated_s, floor_s, distinct_s = alternate(
        [
            _per_call(plain, repeat_n),
            _per_call(ours_repeated, repeat_n),
            _per_call(floor, distinct_n),
            _per_call(ours_distinct, distinct_n),
        ],
        rounds,
    )
    client.close()
    pool.clear()
    return {
        "kind": kind,
        "plain": median(plain_s),
        "repeated": median(repeated_s),
        "repeated_ratio": median([a / b for a, b in zip(repeated_s, plain_s, strict=True)]),
        "floor": median(floor_s),
        "distinct": median(distinct_s),
        "distinct_ratio": median([a / b for a, b in zip(distinct_s, floor_s, strict=True)]),
        "rounds": rounds,
        "repeat_n": repeat_n,
        "distinct_n": distinct_n,
    }


def run(*, smoke: bool = False) -> Section:
    section = Section("1. Per-request client overhead (GetMachine, client CPU per request)")
    body = json.dumps(machine_json(1) | {"id": MACHINE_ID}).encode()
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-keys-") as directory:
        from bench.common import write_key

        keys = {kind: write_key(Path(directory), kind) for kind in KEY_KINDS}
        with fixed_answer_server(body) as url:
            for kind in KEY_KINDS[:1] if smoke else KEY_KINDS:
                results.append(measure_key(url, keys[kind], kind, smoke=smoke))
    first = results[0]
    section.lines.append(
        f"Server: raw-socket keep-alive loopback in a separate process, {len(body)}-byte machine "
        f"JSON. Medians of {first['rounds']} alternated rounds; (a) {first['repeat_n']} "
        f"requests per round, (b) {first['distinct_n']} (150 for RSA-4096). CPU = "
        "`time.process_time()` of the client process."
    )
    section.lines.append("")
    rows = []
    for r in results:
        rows.append(
            [
                r["kind"],
                f"{r['plain'] * 1e6:.0f}",
                f"{r['repeated'] * 1e6:.0f}",
                f"**{r['repeated_ratio']:.2f}x**",
                f"{r['floor'] * 1e6:.0f}",
                f"{r['distinct'] * 1e6:.0f}",
                f"**{r['distinct_ratio']:.2f}x**",
            ]
        )
        section.target(
            f"1a {r['kind']} repeated <= {TARGET_REPEATED}x urllib3",
            r["repeated_ratio"] <= TARGET_REPEATED,
            f"{r['repeated_ratio']:.2f}x",
        )
        section.target(
            f"1b {r['kind']} distinct <= {TARGET_DISTINCT}x floor",
            r["distinct_ratio"] <= TARGET_DISTINCT,
            f"{r['distinct_ratio']:.2f}x",
        )
    section.lines += table(
        [
            "key",
            "urllib3 us",
            "(a) CloudAPI same req us",
            "(a) ratio",
            "floor (urllib3+sign) us",
            "(b) CloudAPI distinct us",
            "(b) ratio",
        ],
        rows,
    )
    return section
