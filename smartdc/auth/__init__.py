"""HTTP Signature authentication for CloudAPI.

Public names: :func:`load_signer` (key file, ssh-agent or ``~/.ssh`` search), :func:`load_agent_signer`,
the :class:`RequestSigner` protocol the transport uses, :class:`HttpSignatureSigner` (what both return),
:func:`ed25519_unsupported_hint`, :class:`KeyPermissionWarning`, and the pure helpers in
:mod:`smartdc.auth.fingerprint`. Key files are parsed with cryptography, imported only when a key
file is loaded.
"""

from __future__ import annotations

from smartdc.auth import fingerprint
from smartdc.auth.hints import ed25519_unsupported_hint
from smartdc.auth.keytypes import KeyPermissionWarning, Passphrase
from smartdc.auth.loader import load_agent_signer, load_signer
from smartdc.auth.signer import (
    DEFAULT_SIGN_HEADERS,
    HttpSignatureSigner,
    RequestSigner,
    build_key_id,
    signing_string,
)

__all__ = [
    "DEFAULT_SIGN_HEADERS",
    "HttpSignatureSigner",
    "KeyPermissionWarning",
    "Passphrase",
    "RequestSigner",
    "build_key_id",
    "ed25519_unsupported_hint",
    "fingerprint",
    "load_agent_signer",
    "load_signer",
    "signing_string",
]
