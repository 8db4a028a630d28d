"""Small shared types of the auth package (no heavy imports)."""

from __future__ import annotations

from collections.abc import Callable

# A passphrase: the text itself, or a callback given the key file path (e.g. prompting with getpass).
Passphrase = str | bytes | Callable[[str], str | bytes | None] | None
# Signs bytes and returns the signature in http-signature form (DER for ECDSA).
SignFunction = Callable[[bytes], bytes]


class KeyPermissionWarning(UserWarning):
    """A private key file can be read by other users (ssh itself refuses such keys)."""
