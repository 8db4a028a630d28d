"""Errors of the facade's own look-ups (names and short ids are resolved on the client side)."""

from __future__ import annotations

from smartdc.errors import SmartDCError


class NotFoundError(SmartDCError, LookupError):
    """No resource matches the given id, name or short id."""


class AmbiguousNameError(SmartDCError, LookupError):
    """More than one resource matches the given name or short id; use the full id."""

    def __init__(self, message: str, *, candidates: list[str]) -> None:
        super().__init__(message)
        self.candidates = candidates
