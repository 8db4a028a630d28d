"""Errors of the facade's own look-ups (names and short ids are resolved on the client side).

Defined in :mod:`smartdc.errors` with every other error; named here too for existing imports.
"""

from __future__ import annotations

from smartdc.errors import AmbiguousNameError, NotFoundError

__all__ = ["AmbiguousNameError", "NotFoundError"]
