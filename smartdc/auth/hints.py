"""Explanations for authentication failures that the server's answer alone does not make clear."""

from __future__ import annotations

import re

from smartdc.errors import ArgumentError

_VERSION = re.compile(r"(\d+)\.(\d+)")


def ed25519_unsupported_hint(
    server_version: str | None, algorithm: str | None = "ed25519-sha512", *, since: str
) -> str | None:
    """A message for a rejected Ed25519 signature when the server predates Ed25519.

    ``server_version`` is the CloudAPI version the server reports (``"9.17.0"``, ``"cloudapi/9.17.0"``);
    ``algorithm`` the signer's; ``since`` the CloudAPI release that brought Ed25519 (the spec's
    ``changes.ed25519_keys.since``: the client passes its service model's, the core does not restate
    it). Returns ``None`` when the hint does not apply: the key is not Ed25519, or the server is
    that release or later. An unknown version gives a conditional hint.
    """
    first = _VERSION.search(since)
    if first is None:
        raise ArgumentError(f"since must be a CloudAPI version such as 9.18.0, not {since!r}")
    needed = (int(first.group(1)), int(first.group(2)))
    release = f"{needed[0]}.{needed[1]}"
    if algorithm is None or not algorithm.lower().startswith("ed25519"):
        return None
    if server_version is None:
        return (
            f"the server rejected an Ed25519 signature; CloudAPI servers before {release} do not"
            " support Ed25519: if this one is older, use an RSA or ECDSA key"
        )
    found = _VERSION.search(server_version)
    if found is None:
        return None
    if (int(found.group(1)), int(found.group(2))) >= needed:
        return None
    return (
        f"this CloudAPI server ({found.group(0)}) predates Ed25519 support ({release});"
        " use an RSA or ECDSA key"
    )
