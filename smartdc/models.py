"""Every CloudAPI model (``Machine``, ``Image``, ``Network``...): typed attrs classes.

Each has ``from_json(data)`` and ``to_json()`` (lossless: fields the spec does not know stay in
``.extra``). Generated from ``spec/`` into ``smartdc._generated.models``; this is their public home.
"""

from __future__ import annotations

from smartdc._generated import models as _models
from smartdc._generated.models import *  # noqa: F403

__all__ = list(_models.__all__)
