"""The hand-written facade: ``DataCenter``, ``Machine``, ``Snapshot``, ``FirewallRule``, ``Volume``,
``Image``, ``Network`` and ``wait_all``.

Built only on the generated client (``smartdc.CloudAPI``); see ``docs/design.md``.
"""

from __future__ import annotations

from smartdc.facade.datacenter import DataCenter, DatacenterResult
from smartdc.facade.errors import AmbiguousNameError, NotFoundError
from smartdc.facade.live_maps import MachineMetadata, MachineTags
from smartdc.facade.machine import Machine, wait_all
from smartdc.facade.resources import FirewallRule, Image, Network, Volume
from smartdc.facade.snapshot import Snapshot

__all__ = [
    "AmbiguousNameError",
    "DataCenter",
    "DatacenterResult",
    "FirewallRule",
    "Image",
    "Machine",
    "MachineMetadata",
    "MachineTags",
    "Network",
    "NotFoundError",
    "Snapshot",
    "Volume",
    "wait_all",
]
