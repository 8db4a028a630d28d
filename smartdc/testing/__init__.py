"""smartdc.testing: an embedded CloudAPI 9.20 simulator (real HTTP, real signature checks).

``Simulator`` is imported lazily so that importing the pytest plugin stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from smartdc.testing.clock import RealClock, VirtualClock
    from smartdc.testing.faults import FaultInjector
    from smartdc.testing.simulator import Simulator
    from smartdc.testing.state import Settings

_LAZY = {
    "Simulator": "smartdc.testing.simulator",
    "Settings": "smartdc.testing.state",
    "RealClock": "smartdc.testing.clock",
    "VirtualClock": "smartdc.testing.clock",
    "FaultInjector": "smartdc.testing.faults",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'smartdc.testing' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


__all__ = ["FaultInjector", "RealClock", "Settings", "Simulator", "VirtualClock"]
