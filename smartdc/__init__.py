"""smartdc: a typed Python client for Joyent Triton / SmartDataCenter CloudAPI.

Names are resolved lazily so that ``import smartdc`` stays cheap: cryptography, the generated models
and the facade are imported only when first used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from smartdc._version import __version__

# public name -> module that defines it
_LAZY: dict[str, str] = {
    "Config": "smartdc.config",
    "Transport": "smartdc.transport",
    "Response": "smartdc.transport",
    "CloudAPI": "smartdc._generated.client",
    "DataCenter": "smartdc.facade",
    "Machine": "smartdc.facade",
}

if TYPE_CHECKING:
    from smartdc._generated.client import CloudAPI
    from smartdc.config import Config
    from smartdc.facade import DataCenter, Machine
    from smartdc.transport import Response, Transport


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        # Error classes (generated per error code, and the core ones) are importable from smartdc.
        errors = importlib.import_module("smartdc.errors")
        if hasattr(errors, name):
            return getattr(errors, name)
        generated = importlib.import_module("smartdc._generated.errors")
        if hasattr(generated, name):
            return getattr(generated, name)
        raise AttributeError(f"module 'smartdc' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


__all__ = [
    "CloudAPI",
    "Config",
    "DataCenter",
    "Machine",
    "Response",
    "Transport",
    "__version__",
]
