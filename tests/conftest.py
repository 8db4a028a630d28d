"""Shared test settings: where the repository and the shared reference data are."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# The suite decodes strictly (docs/design.md, "Decoding answers"): an answer of the simulator that
# does not fit the spec fails the test that got it. Tests of the tolerant policy say so themselves.
os.environ.setdefault("SMARTDC_STRICT_DECODING", "1")

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = REPO_ROOT.parent / "shared"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED_DIR.is_dir():
        pytest.skip(f"shared reference data not found at {SHARED_DIR}")
    return SHARED_DIR
