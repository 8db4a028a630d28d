"""The Authorization header, the private key and its passphrase never reach logs, reprs or errors.

A whole flow runs with every logger at DEBUG (urllib3 included): listing, creating, a throttled
and a failed request, retries, a lost answer and a wait. Then everything that was logged, repr'd
or raised is searched for the signatures the server received, the key's PEM lines and the
passphrase.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from smartdc.config import Config
from smartdc.errors import CloudAPIError, KeyPassphraseError, SmartDCError
from smartdc.testing import Simulator

from .conftest import PASSPHRASE, HeaderRecorder


def _secrets(key_path: Path, signatures: list[str]) -> list[str]:
    pem_lines = [
        line for line in key_path.read_text().splitlines() if line and not line.startswith("-----")
    ]
    values = [re.search(r'signature="([^"]+)"', s) for s in signatures]
    found = [m.group(1) for m in values if m]
    assert found, "the server saw no signed request"
    return [PASSPHRASE, *pem_lines, *found, *(v[:40] for v in found)]


def test_full_flow_at_debug_leaks_nothing(
    sim: Simulator, encrypted_key: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # root: every library's DEBUG output is captured
    recorders = [HeaderRecorder(sim, r) for r in ("GetAccount", "ListMachines", "CreateMachine")]
    shown: list[str] = []
    dc = sim.datacenter(passphrase=PASSPHRASE, timeout=0.5, retry_backoff=0.01, max_retries=2)
    shown += [repr(dc), repr(dc.api), repr(dc.config)]
    dc.account()
    sim.faults.throttle("ListMachines", times=1, retry_after=0)
    sim.faults.error("GetAccount", 503, times=1)
    dc.account()
    machine = dc.create_machine(name="web-1")
    shown.append(repr(machine))
    list(dc.machines())
    errors: list[BaseException] = []
    sim.faults.add("CreateMachine", reset_after=True, times=1)
    sim.faults.error("GetAccount", 500, times=1)
    for action in (
        lambda: dc.create_machine(name="web-2"),
        dc.account,
        lambda: dc.api.get_machine("3a4f4a5c-0d4e-4b1c-9a44-1e0d8c1f2b3a"),
    ):
        with pytest.raises(SmartDCError) as caught:
            action()
        errors.append(caught.value)
    dc.close()
    with pytest.raises(KeyPassphraseError) as wrong:
        Config(
            url=sim.url,
            account=sim.account,
            key_id=sim.key_id,
            secret=str(encrypted_key),
            passphrase=PASSPHRASE[::-1],
        ).signer()
    errors.append(wrong.value)
    for error in errors:
        shown += [str(error), repr(error), repr(error.args)]
        if isinstance(error, CloudAPIError):
            shown.append(repr(vars(error)))
    signatures = [s for r in recorders for s in r.seen]
    text = "\n".join([caplog.text, *(r.getMessage() for r in caplog.records), *shown])
    assert "retrying" in text and "giving up" not in text  # the retries were logged
    for secret in _secrets(encrypted_key, signatures):
        assert secret not in text
    assert "Signature keyId" not in text and "BEGIN" not in text


def test_passphrase_is_not_in_config_repr(sim: Simulator, encrypted_key: Path) -> None:
    config = Config(
        url=sim.url,
        account=sim.account,
        key_id=sim.key_id,
        secret=str(encrypted_key),
        passphrase=PASSPHRASE,
    )
    assert PASSPHRASE not in repr(config) and PASSPHRASE not in str(config)
    signer = config.signer()
    assert PASSPHRASE not in repr(signer)
    assert "BEGIN" not in repr(signer)


def test_access_key_secret_is_not_in_the_model_repr() -> None:
    # CreateAccessKey/ListAccessKeys/GetAccessKey answer the secret (sdc-cloudapi
    # lib/endpoints/accesskeys.js translateAccessKey()): the field is marked secret in spec/, so
    # the model's repr leaves it out while the value stays readable.
    with Simulator() as sim:
        api = sim.client()
        key = api.create_access_key()
        listed = api.list_access_keys()
        api.close()
    assert len(key.accesskeysecret) == 64
    for shown in (repr(key), str(key), repr(listed)):
        assert key.accesskeysecret not in shown
        assert key.accesskeyid in shown
