"""The hand-written facade: ``DataCenter`` and the objects bound to it, ``BoundMachine``,
``BoundSnapshot``, ``BoundFirewallRule``, ``BoundVolume``, ``BoundImage``, ``BoundNetwork``; and
``wait_all``.

Naming (as hcloud-python's): a model (``smartdc.models.Machine``) is the data CloudAPI answered; a
``Bound*`` object holds a model and the datacenter it came from, has every field of the model as a
typed attribute, and acts (``machine.stop()``, ``image.share(...)``). The facade's methods accept
either where an id is all they need (``create_machine(image=...)`` takes an id, a name, a model
or a bound image).

Built only on the generated client (``smartdc.CloudAPI``); see ``docs/design.md``.
"""

from __future__ import annotations

from smartdc.facade.datacenter import DataCenter, DatacenterResult
from smartdc.facade.errors import AmbiguousNameError, NotFoundError
from smartdc.facade.live_maps import MachineMetadata, MachineTags
from smartdc.facade.machine import BoundMachine, wait_all
from smartdc.facade.resources import BoundFirewallRule, BoundImage, BoundNetwork, BoundVolume
from smartdc.facade.snapshot import BoundSnapshot

__all__ = [
    "AmbiguousNameError",
    "BoundFirewallRule",
    "BoundImage",
    "BoundMachine",
    "BoundNetwork",
    "BoundSnapshot",
    "BoundVolume",
    "DataCenter",
    "DatacenterResult",
    "MachineMetadata",
    "MachineTags",
    "NotFoundError",
    "wait_all",
]
