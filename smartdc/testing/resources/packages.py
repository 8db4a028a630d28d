"""Packages: seeded per datacenter; ListPackages filters (``*`` wildcards), GetPackage by id or name."""

from __future__ import annotations

import fnmatch
import uuid
from typing import Any

from smartdc.testing.resources.common import as_bool, get_and_head, invalid, not_found, ok
from smartdc.testing.router import Router, SimRequest, SimResponse
from smartdc.testing.state import DatacenterState, Table

_NAMESPACE = uuid.UUID("6f1d9a7e-3c55-4a8e-9d2b-2c0f5e8a1b11")
STRING_FILTERS = ("name", "version", "group", "brand")
NUMBER_FILTERS = ("memory", "disk", "swap", "lwps", "vcpus")

# (name, memory MiB, disk MiB, vcpus, group, extra fields)
_SEED: tuple[tuple[str, int, int, int, str, dict[str, Any]], ...] = (
    ("g4-highcpu-128M", 128, 3072, 1, "Compute Optimized", {}),
    ("g4-highcpu-256M", 256, 5120, 1, "Compute Optimized", {}),
    ("g4-highcpu-512M", 512, 10240, 1, "Compute Optimized", {}),
    # python-smartdc's default_package() picks the package flagged default
    ("g4-highcpu-1G", 1024, 25600, 1, "Compute Optimized", {"default": True}),
    ("g4-highcpu-2G", 2048, 51200, 2, "Compute Optimized", {}),
    ("g4-general-4G", 4096, 102400, 2, "General Purpose", {}),
    ("g4-highram-16G", 16384, 409600, 4, "Memory Optimized", {}),
    (
        "b1-flexible-2G",
        2048,
        51200,
        2,
        "Flexible Disk",
        {"brand": "bhyve", "flexible_disk": True, "disks": [{"size": "remaining"}]},
    ),
)


def package_id(name: str, version: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{name}@{version}"))


def seed(dc: DatacenterState) -> None:
    packages = dc.table("packages")
    for name, memory, disk, vcpus, group, extra in _SEED:
        for version, active in (("1.0.0", True),):
            pid = package_id(name, version)
            if pid in packages:
                continue
            package: dict[str, Any] = {
                "id": pid,
                "name": name,
                "memory": memory,
                "disk": disk,
                "swap": memory * 2,
                "lwps": 4000,
                "vcpus": vcpus,
                "version": version,
                "group": group,
                "description": f"{group} {memory} MiB",
                "default": False,
            }
            package.update(extra)
            package["_sim_active"] = active
            packages[pid] = package
    # an older, inactive version: hidden from listings, never picked by name
    old = package_id("g4-highcpu-1G", "0.9.0")
    if old not in packages:
        current = packages[package_id("g4-highcpu-1G", "1.0.0")]
        packages[old] = {
            **current,
            "id": old,
            "version": "0.9.0",
            "default": False,
            "_sim_active": False,
        }


def _active(packages: Table) -> list[dict[str, Any]]:
    return [p for p in packages.values() if p.get("_sim_active", True)]


def _matches(package: dict[str, Any], filters: dict[str, str]) -> bool:
    for name, wanted in filters.items():
        value = package.get(name)
        if name in STRING_FILTERS:
            if value is None or not fnmatch.fnmatchcase(str(value), wanted):
                return False
        elif name in NUMBER_FILTERS:
            try:
                if value is None or float(value) != float(wanted):
                    return False
            except ValueError:
                raise invalid(f"{name} must be a number") from None
        elif name == "flexible_disk" and bool(value) != as_bool(wanted, name):
            return False
    return True


def _js_truthy(value: Any) -> bool:
    """JavaScript's truthiness: only false, 0, "", null and undefined are false."""
    return value is not None and value is not False and value != 0 and value != ""


def render(package: dict[str, Any]) -> dict[str, Any]:
    """The package as sdc-cloudapi lib/packages.js translate() shows the PAPI package: its
    fields only, ``default`` and ``vcpus`` always (false and 0 when unset), ``flexible_disk`` and
    ``disks`` only for bhyve packages."""
    shown: dict[str, Any] = {
        k: package[k]
        for k in ("brand", "description", "disk", "group", "id", "lwps", "memory", "name", "swap")
        if k in package
    }
    shown["default"] = package["default"] if _js_truthy(package.get("default")) else False
    shown["vcpus"] = package["vcpus"] if _js_truthy(package.get("vcpus")) else 0
    if "version" in package:
        shown["version"] = package["version"]
    if package.get("brand") == "bhyve":
        if "flexible_disk" in package:
            shown["flexible_disk"] = package["flexible_disk"]
        if _js_truthy(package.get("disks")):
            shown["disks"] = package["disks"]
    return shown


def list_packages(req: SimRequest) -> SimResponse:
    names = (*STRING_FILTERS, *NUMBER_FILTERS, "flexible_disk")
    filters = {k: v for k, v in req.query.items() if k in names}
    found = [p for p in _active(req.dc.table("packages")) if _matches(p, filters)]
    return ok([render(p) for p in found])


def find_package(dc: DatacenterState, name: str) -> dict[str, Any] | None:
    """By id (any state), or by name: the highest active version.

    The name goes to PAPI as a filter, where ``*`` is a wildcard (sdc-cloudapi lib/packages.js
    loadPackages, sdc-papi lib/papi.js esc() keeps ``*``): ``g4-*`` gives the highest version of
    any package whose name starts with ``g4-``.
    """
    packages = dc.table("packages")
    if name in packages:
        return packages[name]
    named = [p for p in _active(packages) if _matches(p, {"name": name})]
    if not named:
        return None
    return max(named, key=lambda p: tuple(int(x) for x in str(p["version"]).split(".")))


def get_package(req: SimRequest) -> SimResponse:
    name = req.params["package"]
    package = find_package(req.dc, name)
    if package is None:
        raise not_found(f"{name} does not exist")
    return ok(render(package))


def register(router: Router) -> None:
    get_and_head(router, "/:account/packages", "ListPackages", "HeadPackages", list_packages)
    get_and_head(router, "/:account/packages/:package", "GetPackage", "HeadPackage", get_package)
