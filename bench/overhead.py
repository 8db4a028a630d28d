"""Benchmark 1: client CPU per GetMachine through ``CloudAPI`` against plain urllib3.

The server is a separate process (``bench.loopback``), so only client CPU (``process_time``) is
counted. (a) The same request repeated, as a polling loop does, against plain urllib3 with the same
headers (a precomputed Authorization) and ``json.loads`` of the answer, at a 0.6 KB and a 1.3 KB
machine; (b) per key type, distinct paths, each needing its own signature, against the floor: plain
urllib3 plus one signature per request made directly with cryptography (0.6 KB answers).

Reproduce: ``python -m bench --only 1``.
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
# issue 21: repeated GetMachine <= 1.25x plain urllib3 at 0.6 KB, <= 1.15x at 1.3 KB; distinct
# requests (a new signature each) <= 1.10x urllib3 plus signing.
TARGET_REPEATED = {"0.6 KB": 1.25, "1.3 KB": 1.15}
TARGET_DISTINCT = 1.10


def small_machine_json() -> dict[str, Any]:
    """A machine of about 0.6 KB: no NICs, DNS names or networks, one metadata key."""
    full = machine_json(1) | {"id": MACHINE_ID, "metadata": {"role": "web"}}
    return {k: v for k, v in full.items() if k not in ("nics", "dns_names", "networks")}


def answers() -> dict[str, bytes]:
    """The two GetMachine answers measured, by their size class."""
    return {
        "0.6 KB": json.dumps(small_machine_json()).encode(),
        "1.3 KB": json.dumps(machine_json(1) | {"id": MACHINE_ID}).encode(),
    }


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


def _setup(url: str, key_path: Path) -> tuple[Any, urllib3.PoolManager, dict[str, str]]:
    from smartdc import CloudAPI
    from smartdc.config import Config

    config = Config(url=url, account=ACCOUNT, secret=key_path, environ={})
    client = CloudAPI(config)
    pool = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(10, 60))
    base_headers = {
        "Accept": "application/json",
        "Accept-Version": client.meta.transport.accept_version or "",
        "User-Agent": "bench",
    }
    return client, pool, base_headers


def measure_repeated(url: str, key_path: Path, *, smoke: bool) -> dict[str, Any]:
    """(a): the same GetMachine again and again, against plain urllib3 with the same headers."""
    client, pool, base_headers = _setup(url, key_path)
    signer = client.meta.transport.signer
    path = f"/{ACCOUNT}/machines/{MACHINE_ID}"
    date = formatdate(usegmt=True)
    fixed = dict(base_headers, Date=date, Authorization=signer.authorization("GET", path, date))

    def plain() -> object:
        answer = pool.request("GET", url + path, headers=fixed, redirect=False)
        return json.loads(answer.data)

    def ours() -> object:
        return client.get_machine(MACHINE_ID)

    count, rounds = (3, 1) if smoke else (2000, 11)
    for action in (plain, ours):  # warm up connections, caches
        for _ in range(1 if smoke else 100):
            action()
    plain_s, ours_s = alternate([_per_call(plain, count), _per_call(ours, count)], rounds)
    client.close()
    pool.clear()
    return {
        "plain": median(plain_s),
        "ours": median(ours_s),
        "ratio": median([a / b for a, b in zip(ours_s, plain_s, strict=True)]),
        "rounds": rounds,
        "count": count,
    }


def measure_distinct(url: str, key_path: Path, kind: str, *, smoke: bool) -> dict[str, Any]:
    """(b): a new path (so a new signature) per request, against urllib3 plus one signature."""
    client, pool, base_headers = _setup(url, key_path)
    signer = client.meta.transport.signer
    algorithm = signer.algorithm
    sign = raw_signer(key_path)
    ids = itertools.count()

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

    def ours() -> object:
        return client.get_machine(distinct_id())

    slow = kind == "RSA-4096"
    count, rounds = (2, 1) if smoke else (150 if slow else 600, 11)
    for action in (floor, ours):
        for _ in range(1 if smoke else 30):
            action()
    floor_s, ours_s = alternate([_per_call(floor, count), _per_call(ours, count)], rounds)
    client.close()
    pool.clear()
    return {
        "kind": kind,
        "floor": median(floor_s),
        "ours": median(ours_s),
        "ratio": median([a / b for a, b in zip(ours_s, floor_s, strict=True)]),
        "rounds": rounds,
        "count": count,
    }


def run(*, smoke: bool = False) -> Section:
    from bench.common import write_key

    section = Section("1. Per-request client overhead (GetMachine, client CPU per request)")
    bodies = answers()
    repeated: dict[str, dict[str, Any]] = {}
    distinct = []
    with tempfile.TemporaryDirectory(prefix="bench-keys-") as directory:
        keys = {kind: write_key(Path(directory), kind) for kind in KEY_KINDS}
        for size, body in bodies.items():
            with fixed_answer_server(body) as url:
                repeated[size] = measure_repeated(url, keys["RSA-2048"], smoke=smoke)
                if size == "0.6 KB":
                    for kind in KEY_KINDS[:1] if smoke else KEY_KINDS:
                        distinct.append(measure_distinct(url, keys[kind], kind, smoke=smoke))
    first = repeated["0.6 KB"]
    section.lines.append(
        "Server: raw-socket keep-alive loopback in a separate process answering one machine "
        f"({', '.join(f'{size}: {len(body)} bytes' for size, body in bodies.items())}). "
        "CPU = `time.process_time()` of the client process per request; medians of "
        f"{first['rounds']} alternated rounds; ratio = median of the per-round ratios. "
        "Reproduce: `python -m bench --only 1`."
    )
    section.lines.append("")
    section.lines.append(
        f"(a) The same GetMachine repeated ({first['count']} per round, RSA-2048 key), against "
        "plain urllib3 (`PoolManager.request` with the same headers and a precomputed "
        "Authorization, then `json.loads`)."
    )
    section.lines.append("")
    rows = []
    for size, r in repeated.items():
        target = TARGET_REPEATED[size]
        rows.append(
            [
                f"{size} ({len(bodies[size])} bytes)",
                f"{r['plain'] * 1e6:.0f}",
                f"{r['ours'] * 1e6:.0f}",
                f"**{r['ratio']:.2f}x**",
                f"{target}x",
            ]
        )
        section.target(
            f"1a repeated GetMachine, {size} answer <= {target}x urllib3",
            r["ratio"] <= target,
            f"{r['ratio']:.2f}x",
        )
    section.lines += table(
        ["answer", "urllib3 us", "CloudAPI.get_machine us", "ratio", "target"], rows
    )
    section.lines.append("")
    section.lines.append(
        f"(b) Distinct requests: a new machine id per request, so a new signature each "
        f"({distinct[0]['count']} per round, 150 for RSA-4096; 0.6 KB answers), against the "
        "floor: plain urllib3 plus one signature per request made directly with cryptography."
    )
    section.lines.append("")
    rows = []
    for r in distinct:
        rows.append(
            [
                r["kind"],
                f"{r['floor'] * 1e6:.0f}",
                f"{r['ours'] * 1e6:.0f}",
                f"**{r['ratio']:.2f}x**",
            ]
        )
        section.target(
            f"1b distinct GetMachine, {r['kind']} <= {TARGET_DISTINCT}x urllib3 + signing",
            r["ratio"] <= TARGET_DISTINCT,
            f"{r['ratio']:.2f}x",
        )
    section.lines += table(
        ["key", "floor (urllib3 + sign) us", "CloudAPI.get_machine us", "ratio"], rows
    )
    return section
