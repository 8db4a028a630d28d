"""DSA without cryptography's deprecation warnings.

cryptography deprecates DSA and warns when its classes are merely named or a DSA key is loaded.
CloudAPI still accepts DSA public keys (the simulator does as the server does), and a DSA private
key must be refused with a clear :class:`~smartdc.errors.UnsupportedKeyError`, so smartdc names
the classes and loads such keys here, with that one warning silenced, only for DSA keys: nothing
smartdc does prints a warning a user did not cause (``python -W error`` stays usable).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from cryptography.utils import CryptographyDeprecationWarning

T = TypeVar("T")

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.dsa import DSAPrivateKey, DSAPublicKey
else:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        from cryptography.hazmat.primitives.asymmetric import dsa as _dsa

        DSAPrivateKey = _dsa.DSAPrivateKey
        DSAPublicKey = _dsa.DSAPublicKey

__all__ = ["DSAPrivateKey", "DSAPublicKey", "is_dsa", "quietly"]

_MARKS = (b"ssh-dss", b"BEGIN DSA ", b"\x00\x00\x00\x07ssh-dss")


def is_dsa(data: bytes) -> bool:
    """Whether key material (an OpenSSH line or a PEM) is a DSA key; an OpenSSH private key's
    type is inside its base64 body, so callers loading those go through :func:`quietly` always."""
    return any(mark in data for mark in _MARKS)


def quietly(load: Callable[[], T], *, when: bool = True) -> T:
    """Run ``load`` with cryptography's deprecation warning silenced (loading a DSA key), only
    ``when`` it may be one (the warnings filter is process-wide while it runs)."""
    if not when:
        return load()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        return load()
