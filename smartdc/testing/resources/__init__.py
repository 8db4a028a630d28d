"""Resource modules of the simulator, registered in an order where specific routes come first.

Each module exposes ``register(router)`` and optionally ``seed(dc)``. Role-tag ``PUT`` routes match
any resource path, so they are registered last.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from smartdc.testing.router import Router
from smartdc.testing.state import DatacenterState

# Specific paths before generic ones: `/:account/users/:user/keys` before `/:account/:collection`.
MODULE_NAMES = (
    "ping",
    "account",
    "keys",
    "users",
    "roles",
    "policies",
    "access_keys",
    "config",
    "datacenters",
    "services",
    "images",
    "packages",
    "machines",
    "snapshots",
    "disks",
    "metadata",
    "tags",
    "migrations",
    "changefeed",
    "fwrules",
    "fabrics",
    "networks",
    "nics",
    "volumes",
    "role_tags",
)


def modules() -> list[ModuleType]:
    """The resource modules present (a module another engineer has not written yet is skipped)."""
    found = []
    for name in MODULE_NAMES:
        full = f"{__name__}.{name}"
        try:
            found.append(importlib.import_module(full))
        except ModuleNotFoundError as exc:
            if exc.name != full:
                raise
    return found


def build_router() -> Router:
    router = Router()
    for module in modules():
        module.register(router)
    return router


def seed(dc: DatacenterState) -> None:
    """Create the initial objects of a fresh datacenter (images, packages, networks, ...)."""
    for module in modules():
        seeder = getattr(module, "seed", None)
        if seeder is not None:
            seeder(dc)
