"""Snapshots as CloudAPI and VMAPI treat them: booting from a snapshot is VMAPI's rollback job
(stop the instance if it runs, roll back, start it), answered 202 before the job runs; the
errors carry the server's words."""

from __future__ import annotations

from smartdc.testing.simulator import Simulator

from ..sigclient import SigClient
from .conftest import running_machine


def _state(sig: SigClient, mid: str) -> str:
    return str(sig.get(f"/my/machines/{mid}").json["state"])


def _snapshot(sim: Simulator, sig: SigClient, mid: str, name: str) -> None:
    assert sig.post(f"/my/machines/{mid}/snapshots", {"name": name}).status == 201
    sim.advance(sim.settings.snapshot_seconds + 0.01)


def test_booting_a_running_instance_from_a_snapshot(vsim: Simulator, vsig: SigClient) -> None:
    mid = running_machine(vsim, vsig)
    _snapshot(vsim, vsig, mid, "snap1")
    booted = vsig.post(f"/my/machines/{mid}/snapshots/snap1")
    assert (booted.status, booted.body) == (202, b"")
    assert _state(vsig, mid) == "stopping"  # the rollback job stops it first
    vsim.advance(vsim.settings.stop_seconds + 0.01)
    assert _state(vsig, mid) == "stopped"
    vsim.advance(vsim.settings.start_seconds + 0.01)
    assert _state(vsig, mid) == "running"
    actions = [e["action"] for e in vsig.get(f"/my/machines/{mid}/audit").json]
    assert actions[0] == "rollback_snapshot"


def test_booting_a_stopped_instance_from_a_snapshot(vsim: Simulator, vsig: SigClient) -> None:
    mid = running_machine(vsim, vsig)
    _snapshot(vsim, vsig, mid, "snap1")
    vsig.post(f"/my/machines/{mid}", query={"action": "stop"})
    vsim.advance(vsim.settings.stop_seconds + 0.01)
    assert vsig.post(f"/my/machines/{mid}/snapshots/snap1").status == 202
    assert _state(vsig, mid) == "stopped"
    vsim.advance(vsim.settings.start_seconds + 0.01)
    assert _state(vsig, mid) == "running"


def test_an_unknown_snapshot_fails_the_job_not_the_request(
    vsim: Simulator, vsig: SigClient
) -> None:
    mid = running_machine(vsim, vsig)
    # CloudAPI hands the name to VMAPI unchecked; the job stops the instance, then fails
    assert vsig.post(f"/my/machines/{mid}/snapshots/nope").status == 202
    vsim.advance(vsim.settings.stop_seconds + vsim.settings.start_seconds + 0.02)
    assert _state(vsig, mid) == "stopped"
    audit = vsig.get(f"/my/machines/{mid}/audit").json[0]
    assert (audit["action"], audit["success"]) == ("rollback_snapshot", "no")


def test_snapshot_errors_use_the_server_words(vsim: Simulator, vsig: SigClient) -> None:
    mid = running_machine(vsim, vsig)
    unknown = vsig.get(f"/my/machines/{mid}/snapshots/nope")
    assert (unknown.status, unknown.json["message"]) == (404, "Snapshot does not exist")
    not_there = vsig.delete(f"/my/machines/{mid}/snapshots/nope")
    assert (not_there.status, not_there.json["message"]) == (404, "nope not found")
    kvm = running_machine(vsim, vsig, image="centos-7")
    refused = vsig.post(f"/my/machines/{kvm}/snapshots", {"name": "s"})
    assert (refused.status, refused.json) == (
        409,
        {
            "code": "BrandNotSupported",
            "message": 'snapshots are not supported for VMs of brand "kvm"',
        },
    )
