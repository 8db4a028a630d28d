"""smartdc: a typed Python client for Joyent Triton / SmartDataCenter CloudAPI.

Where to start:

* :class:`DataCenter`: the Pythonic facade. ``dc = DataCenter()`` (settings from the environment
  or a triton profile); ``dc.machines()``, ``dc.machine("web-1")``, ``dc.create_machine(...)``
  return bound objects (:class:`BoundMachine`, :class:`BoundImage`, :class:`BoundNetwork`,
  :class:`BoundVolume`, :class:`BoundFirewallRule`, :class:`BoundSnapshot`) that act
  (``machine.stop(wait=True)``); :func:`wait_all` waits for many machines.
* :class:`CloudAPI`: the generated client, every CloudAPI operation as a typed method
  (``api.list_machines()``) with its ``head_*``, ``iter_*`` and ``wait_*`` forms; the runtime under
  it (configuration, transport, calls by name, paging, waiting) is ``api.meta``.
* :class:`Config`: the settings (url, account, key), from arguments, environment or profiles.
* :mod:`smartdc.models`, :mod:`smartdc.enums`: the typed answers (``smartdc.models.Machine``, the
  data a bound machine holds) and their enums.
* :mod:`smartdc.errors`: every exception derives from :class:`SmartDCError`; error answers are
  :class:`CloudAPIError`, with one subclass per CloudAPI code in :mod:`smartdc.error_codes`.
* ``smartdc.testing``: an embedded CloudAPI simulator (``Simulator``) and a pytest plugin
  (``cloudapi`` and ``cloudapi_sim`` fixtures). The ``smartdc`` command line is ``smartdc.cli``.

Names are resolved lazily so that ``import smartdc`` stays cheap: cryptography, the generated models
and the facade are imported only when first used. The type checker sees the real names (the
``TYPE_CHECKING`` imports below); the lazy ``__getattr__`` is hidden from it, so a misspelt name is
a type error, not ``Any``.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

from smartdc import errors
from smartdc._version import __version__

# A library logs, the application decides where to: nothing reaches stderr unless it configures
# logging (without a handler, Python would print warnings through its last-resort handler).
logging.getLogger("smartdc").addHandler(logging.NullHandler())

if TYPE_CHECKING:
    from smartdc import enums, error_codes, models
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

    def __dir__() -> list[str]:
        # what help(smartdc) and completion list: the lazy names too
        return sorted(set(globals()) | set(__all__))
