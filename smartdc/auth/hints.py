"""Explanations for authentication failures that the server's answer alone does not make clear."""

from __future__ import annotations

import re

ED25519_MIN_VERSION = (9, 18)
_VERSION = re.compile(r"(\d+)\.(\d+)")


def ed25519_unsupported_hint(
    server_version: str | None, algorithm: str | None = "ed25519-sha512"
) -> str | None:
    """A message for a rejected Ed25519 signature when the server predates Ed25519 (9.18).

    ``server_version`` is the CloudAPI version the server reports (``"9.17.0"``, ``"cloudapi/9.17.0"``);
    ``algorithm`` the signer's. Returns ``None`` when the hint does not apply: the key is not Ed25519,
    or the server is 9.18 or later. An unknown version gives a conditional hint.
    """
    if algorithm is None or not algorithm.lower().startswith("ed25519"):
        return None
    if server_version is None:
        return (
            "the server rejected an Ed25519 signature; CloudAPI servers before 9.18 do not support"
            " Ed25519: if this one is older, use an RSA or ECDSA key"
        )
    found = _VERSION.search(server_version)
    if found is None:
        return None
    if (int(found.group(1)), int(found.group(2))) >= ED25519_MIN_VERSION:
        return None
    return (
        f"this CloudAPI server ({found.group(0)}) predates Ed25519 support (9.18);"
        " use an RSA or ECDSA key"
    )
