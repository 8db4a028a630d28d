"""Shared pieces of the benchmarks: statistics, key files, realistic machine JSON, the repository."""

from __future__ import annotations

import os
import shutil
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
TRITON_CLI = Path(
    os.environ.get("SMARTDC_TRITON_CLI", REPO_ROOT / ".cache/node/node_modules/triton/bin/triton")
)
KEY_KINDS = ("RSA-2048", "RSA-4096", "P-256")


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def alternate(variants: Sequence[Callable[[], float]], rounds: int) -> list[list[float]]:
    """Run each variant once per round, in turn (A B C A B C ...); one list of samples per variant.

    Alternating spreads slow drifts of the machine (frequency scaling, other load) over all
    variants instead of biasing whichever ran last.
    """
    samples: list[list[float]] = [[] for _ in variants]
    for _ in range(rounds):
        for index, variant in enumerate(variants):
            samples[index].append(variant())
    return samples


def cpu_seconds(action: Callable[[], object], count: int) -> float:
    """Process CPU seconds for ``count`` calls of ``action``."""
    start = time.process_time()
    for _ in range(count):
        action()
    return time.process_time() - start


def write_key(directory: Path, kind: str) -> Path:
    """A private key file of ``kind`` (``RSA-2048``, ``RSA-4096``, ``P-256``, ``P-384``,
    ``P-521``, ``Ed25519``) in OpenSSH format, with its ``.pub``."""
    from smartdc.testing.keyfiles import generate_key
    from smartdc.testing.keyfiles import write_key as write

    name = kind.lower().replace("-", "")
    return write(directory, name, generate_key(kind), "openssh", comment="bench")


def machine_json(index: int) -> dict[str, Any]:
    """A machine as ListMachines/GetMachine answer it, with NICs, tags and metadata."""
    ip = f"10.{(index >> 16) & 255}.{(index >> 8) & 255}.{index & 255}"
    public_ip = f"165.225.{(index >> 8) & 255}.{index & 255}"
    machine_id = f"{index:08x}-7d5d-4fe6-a2ec-b812e950625a"
    return {
        "id": machine_id,
        "name": f"web-{index:06d}",
        "type": "smartmachine",
        "brand": "joyent",
        "state": "running",
        "image": "2b683a82-a066-11e3-97ab-2faa44701c5a",
        "ips": [public_ip, ip],
        "memory": 1024,
        "disk": 25600,
        "metadata": {
            "root_authorized_keys": "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ bench@example",
            "user-script": "#!/bin/sh\necho hello",
            "role": "web",
        },
        "tags": {"role": "web", "env": "prod", "owner": f"team-{index % 7}"},
        "created": "2026-11-26T21:00:00.123Z",
        "updated": "2026-11-26T21:05:00.456Z",
        "docker": False,
        "networks": [
            "f4c5f3b4-c9a4-4e32-9f2e-8ac4c8b8d1a0",
            "aa1c5e9b-4c57-4a34-9f0e-a3b6d9b8e0ff",
        ],
        "nics": [
            {
                "mac": f"90:b8:d0:{(index >> 16) & 255:02x}:{(index >> 8) & 255:02x}:{index & 255:02x}",
                "ip": public_ip,
                "primary": True,
                "netmask": "255.255.255.0",
                "gateway": "165.225.0.1",
                "state": "running",
                "network": "f4c5f3b4-c9a4-4e32-9f2e-8ac4c8b8d1a0",
            },
            {
                "mac": f"90:b8:d0:{(index >> 16) & 255:02x}:{(index >> 8) & 255:02x}:{(index + 1) & 255:02x}",
                "ip": ip,
                "primary": False,
                "netmask": "255.255.0.0",
                "gateway": "10.0.0.1",
                "state": "running",
                "network": "aa1c5e9b-4c57-4a34-9f0e-a3b6d9b8e0ff",
            },
        ],
        "primaryIp": public_ip,
        "firewall_enabled": False,
        "deletion_protection": False,
        "compute_node": "44454c4c-5400-1034-8052-b5c04f383432",
        "package": "g4-highcpu-1G",
        "dns_names": [f"{machine_id}.inst.bench.us-east-1.cns.example.com"],
    }


def which(name: str) -> str | None:
    return shutil.which(name)


def triton_available() -> str | None:
    """None when the triton CLI can run, else why not."""
    if which("node") is None:
        return "node is not installed"
    if not TRITON_CLI.exists():
        return f"the triton CLI is not installed at {TRITON_CLI} (run `make node-tools`)"
    return None


@dataclass
class Section:
    """One benchmark's part of RESULTS.md: markdown lines and its targets (met, figure)."""

    title: str
    lines: list[str] = field(default_factory=list)
    targets: list[tuple[str, bool | None, str]] = field(default_factory=list)

    def target(self, name: str, met: bool | None, figure: str) -> None:
        self.targets.append((name, met, figure))


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    """A markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines
