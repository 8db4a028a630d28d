"""Shared test settings: where the repository is, strict decoding, keys made once per run.

``../shared`` is read only by the external conformance suites (tests/conformance, through
``make node-tools``) and by the differential tests (tests/fidelity runs the server-code oracle,
``../shared/oracle``, under node); everything else the tests need is in this repository.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from smartdc.testing.keyfiles import KEY_KINDS, PrivateKey, generate_key

# The suite decodes strictly (docs/design.md, "Decoding answers"): an answer of the simulator that
# does not fit the spec fails the test that got it. Tests of the tolerant policy say so themselves.
os.environ.setdefault("SMARTDC_STRICT_DECODING", "1")

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def generated_keys() -> dict[str, PrivateKey]:
    """One key of each kind (``rsa2048``, ``rsa4096``, ``p256``...), made once per run: RSA-4096
    alone takes a second or more to generate."""
    return {kind: generate_key(kind) for kind in KEY_KINDS}
