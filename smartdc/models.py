"""Every CloudAPI model (``Machine``, ``Image``, ``Network``...): typed attrs classes.

Each has ``from_json(data)`` and ``to_json()`` (lossless: fields the spec does not know stay in
``.extra``). Generated from ``spec/`` into ``smartdc._generated.models``; this is their public home.
A model's group is imported when one of its names is first read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from smartdc._generated import models as _models

if TYPE_CHECKING:
    from smartdc._generated.models import *  # noqa: F403

__all__ = list(_models.__all__)

if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        if name not in __all__:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(_models, name)
        globals()[name] = value
        return value
