"""Every CloudAPI enumeration (``MachineState``, ``MachineBrand``...).

They are open string enums: a value a newer server sends still parses, and members compare equal
to their strings (``MachineState.RUNNING == "running"``). Generated from ``spec/`` into
``smartdc._generated.enums``; this is their public home.
"""

from __future__ import annotations

from smartdc._generated import enums as _enums
from smartdc._generated.enums import *  # noqa: F403

__all__ = list(_enums.__all__)
