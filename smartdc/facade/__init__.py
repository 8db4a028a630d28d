"""The hand-written facade: ``DataCenter``, ``Machine``, ``Snapshot`` and ``wait_all``.

Built only on the generated client (``smartdc.CloudAPI``); see ``docs/design.md``.
"""

from __future__ import annotations

from smartdc.facade.datacenter import DataCenter
from smartdc.facade.errors import AmbiguousNameError, NotFoundError
from smartdc.facade.live_maps import MachineMetadata, MachineTags
from smartdc.facade.machine import Machine, wait_all
from smartdc.facade.snapshot import Snapshot

__all__ = [
    "AmbiguousNameError",
    "DataCenter",
    "Machine",
    "MachineMetadata",
    "MachineTags",
    "NotFoundError",
    "Snapshot",
    "wait_all",
]
