"""One exception class per CloudAPI error code (``ResourceNotFound``, ``InvalidArgument``,
``MachineStoppedError`` ...), each a :class:`smartdc.errors.CloudAPIError` named after its code.

Generated from ``spec/errors.yaml`` into ``smartdc._generated.errors``; this is their public home,
apart from the hand-written hierarchy of :mod:`smartdc.errors` (so the code ``CloudApiError`` or
``NotImplementedError`` never sits beside ``CloudAPIError`` or Python's own names)::

    from smartdc import error_codes

    try:
        api.get_machine(machine_id)
    except error_codes.ResourceNotFound:
        ...

An error answer whose code has no class here is a plain :class:`~smartdc.errors.CloudAPIError`;
``error.error_code`` always holds the code as sent.
"""

from __future__ import annotations

from smartdc._generated import errors as _errors
from smartdc._generated.errors import *  # noqa: F403

__all__ = list(_errors.__all__)
