"""Resource modules of the simulator.

Each module exposes ``register(router)`` and optionally ``seed(dc)``. The router matches routes by
specificity, so the order here only fixes the order of seeding.
"""

from __future__ import annotations

from types import ModuleType

from smartdc.testing.resources import (
    access_keys,
    account,
    changefeed,
    config,
    datacenters,
    disks,
    fabrics,
    fwrules,
    images,
    keys,
    machines,
    metadata,
    migrations,
    networks,
    nics,
    packages,
    ping,
    policies,
    role_tags,
    roles,
    services,
    snapshots,
    tags,
    users,
    volumes,
)
from smartdc.testing.router import Router
from smartdc.testing.state import DatacenterState

MODULES: tuple[ModuleType, ...] = (
    ping,
    account,
    keys,
    users,
    roles,
    policies,
    access_keys,
    config,
    datacenters,
    services,
    images,
    packages,
    machines,
    snapshots,
    disks,
    metadata,
    tags,
    migrations,
    changefeed,
    fwrules,
    fabrics,
    networks,
    nics,
    volumes,
    role_tags,
)


def modules() -> list[ModuleType]:
    """The resource modules, in seeding order."""
    return list(MODULES)


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
