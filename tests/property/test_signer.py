"""For any method, request-target and date, the simulator's verifier accepts our signature and
rejects it once a single byte of the path or the date differs from what was signed."""

from __future__ import annotations

from collections.abc import Mapping
from email.utils import formatdate
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smartdc.auth import RequestSigner, load_signer
from smartdc.testing import Simulator
from smartdc.testing.auth import (
    load_public_key,
    parse_authorization,
    signing_string,
    verify_signature,
)

METHODS = st.sampled_from(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
# A request-target as the transport sends it: percent-encoded, so printable ASCII without spaces.
TARGET_CHARS = st.characters(min_codepoint=0x21, max_codepoint=0x7E)
TARGETS = st.text(TARGET_CHARS, max_size=60).map(lambda t: "/" + t)
DATES = st.integers(0, 4_102_444_800).map(lambda t: formatdate(t, usegmt=True))


@pytest.fixture(scope="module")
def signer(sim: Simulator) -> RequestSigner:
    return load_signer(account=sim.account, key_id=sim.key_id, key_path=Path(sim.key_path))


def _verifies(sim: Simulator, authorization: str, method: str, target: str, date: str) -> bool:
    parsed = parse_authorization(authorization)
    headers: Mapping[str, str] = {"date": date}
    data = signing_string(parsed, method, target, headers)
    return verify_signature(
        load_public_key(sim.public_key), parsed.algorithm, data, parsed.signature
    )


def _changed(text: str, index: int, char: str) -> str:
    index %= len(text)
    if text[index] == char:
        char = "A" if char != "A" else "B"
    return text[:index] + char + text[index + 1 :]


@settings(max_examples=40, deadline=None)
@given(
    method=METHODS,
    target=TARGETS,
    date=DATES,
    index=st.integers(0, 200),
    char=TARGET_CHARS,
)
def test_signature_verifies_and_any_changed_byte_breaks_it(
    sim: Simulator,
    signer: RequestSigner,
    method: str,
    target: str,
    date: str,
    index: int,
    char: str,
) -> None:
    authorization = signer.authorization(method, target, date)
    assert 'headers="(request-target) date"' in authorization
    assert _verifies(sim, authorization, method, target, date)
    assert not _verifies(sim, authorization, method, _changed(target, index, char), date)
    assert not _verifies(sim, authorization, method, target, _changed(date, index, char))
