"""What the simulator's verifier does with captured, replayed and altered signatures.

Requests are sent with urllib3 directly, headers exactly as captured from the client.
"""

from __future__ import annotations

from email.utils import formatdate

import urllib3

from smartdc.config import Config
from smartdc.testing import Simulator

from .conftest import PASSPHRASE, HeaderRecorder


def _config(sim: Simulator) -> Config:
    return Config(
        url=sim.url,
        account=sim.account,
        key_id=sim.key_id,
        secret=sim.key_path,
        passphrase=PASSPHRASE,
    )


def _send(sim: Simulator, path: str, date: str, authorization: str) -> int:
    http = urllib3.PoolManager(retries=False, timeout=5)
    reply = http.request(
        "GET",
        sim.url + path,
        headers={"Date": date, "Authorization": authorization, "Accept-Version": "~9"},
    )
    return int(reply.status)


def test_request_target_is_signed_by_default(sim: Simulator) -> None:
    signer = _config(sim).signer()
    date = formatdate(usegmt=True)
    authorization = signer.authorization("GET", f"/{sim.account}", date)
    assert 'headers="(request-target) date"' in authorization
    assert _send(sim, f"/{sim.account}", date, authorization) == 200


def test_captured_header_replayed_against_another_path_is_rejected(sim: Simulator) -> None:
    recorder = HeaderRecorder(sim, "GetAccount")
    api = sim.client(passphrase=PASSPHRASE)
    api.get_account()
    api.close()
    (captured,) = recorder.seen
    date = formatdate(usegmt=True)
    # Same signature, same date on another path: the (request-target) no longer matches.
    assert _send(sim, f"/{sim.account}/keys", date, captured) in (400, 401)
    assert _send(sim, f"/{sim.account}/machines", date, captured) in (400, 401)
    assert sim.request_count("ListKeys") == 1


def test_tampered_path_is_rejected(sim: Simulator) -> None:
    signer = _config(sim).signer()
    date = formatdate(usegmt=True)
    authorization = signer.authorization("GET", f"/{sim.account}/keys/sim", date)
    assert _send(sim, f"/{sim.account}/keys/sim", date, authorization) == 200
    assert _send(sim, f"/{sim.account}/keys/sin", date, authorization) == 401
    assert _send(sim, f"/{sim.account}/keys/sim?x=1", date, authorization) == 401
    assert sim.request_count("GetKey") == 3


def test_replay_outside_the_skew_window_is_rejected(sim: Simulator) -> None:
    import time

    signer = _config(sim).signer()
    path = f"/{sim.account}"
    for offset in (-301, 301, -3600):
        date = formatdate(time.time() + offset, usegmt=True)
        assert _send(sim, path, date, signer.authorization("GET", path, date)) == 400
    date = formatdate(time.time() - 200, usegmt=True)  # inside the 300 s window
    assert _send(sim, path, date, signer.authorization("GET", path, date)) == 200
