"""smartdc: a typed Python client for Joyent Triton / SmartDataCenter CloudAPI.

Names are resolved lazily so that ``import smartdc`` stays cheap: cryptography, the generated models
and the facade are imported only when first used. The type checker sees the real names (the
``TYPE_CHECKING`` imports below); the lazy ``__getattr__`` is hidden from it, so a misspelt name is
a type error, not ``Any``. Every error class is importable from here and from :mod:`smartdc.errors`.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

from smartdc._version import __version__

# A library logs, the application decides where to: nothing reaches stderr unless it configures
# logging (without a handler, Python would print warnings through its last-resort handler).
logging.getLogger("smartdc").addHandler(logging.NullHandler())

if TYPE_CHECKING:
    from smartdc import enums, error_codes, errors, models
    from smartdc._generated.client import CloudAPI
    from smartdc.config import Config
    from smartdc.errors import *  # noqa: F403  (every error class)
    from smartdc.facade import (
        BoundFirewallRule,
        BoundImage,
        BoundMachine,
        BoundNetwork,
        BoundSnapshot,
        BoundVolume,
        DataCenter,
        wait_all,
    )
    from smartdc.runtime.jsonvalues import DecodeProblem, strict_decoding
    from smartdc.transport import Response, Transport

# public homes reachable as attributes: smartdc.error_codes.ResourceNotFound, smartdc.models.Machine
_SUBMODULES = frozenset({"enums", "error_codes", "errors", "models"})

# public name -> module that defines it (error classes: smartdc.errors)
_LAZY: dict[str, str] = {
    "Config": "smartdc.config",
    "Transport": "smartdc.transport",
    "Response": "smartdc.transport",
    "CloudAPI": "smartdc._generated.client",
    "DataCenter": "smartdc.facade",
    "BoundFirewallRule": "smartdc.facade",
    "BoundImage": "smartdc.facade",
    "BoundMachine": "smartdc.facade",
    "BoundNetwork": "smartdc.facade",
    "BoundSnapshot": "smartdc.facade",
    "BoundVolume": "smartdc.facade",
    "wait_all": "smartdc.facade",
    "DecodeProblem": "smartdc.runtime.jsonvalues",
    "strict_decoding": "smartdc.runtime.jsonvalues",
}

__all__ = [
    "BoundFirewallRule",
    "BoundImage",
    "BoundMachine",
    "BoundNetwork",
    "BoundSnapshot",
    "BoundVolume",
    "CloudAPI",
    "Config",
    "DataCenter",
    "DecodeProblem",
    "Response",
    "Transport",
    "__version__",
    "enums",
    "error_codes",
    "errors",
    "models",
    "strict_decoding",
    "wait_all",
]
if TYPE_CHECKING:
    __all__ += errors.__all__

if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        if name in _SUBMODULES:
            return importlib.import_module(f"smartdc.{name}")
        if name.startswith("_"):
            raise AttributeError(f"module 'smartdc' has no attribute {name!r}")
        module = importlib.import_module(_LAZY.get(name, "smartdc.errors"))
        if name == "Transport":
            # A bare transport types error answers by code too: the package wires the generated
            # per-code classes in (they register themselves); the core never imports them.
            importlib.import_module("smartdc.error_codes")
        try:
            value = getattr(module, name)
        except AttributeError:
            raise AttributeError(f"module 'smartdc' has no attribute {name!r}") from None
        globals()[name] = value
        return value
