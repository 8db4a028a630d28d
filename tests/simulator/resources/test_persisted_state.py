"""Machine-side state is plain JSON in the simulator's tables, so it survives a restart with a
state file: machines (with pending transitions), snapshots, fabric networks, volumes, and the
address counters (a restarted simulator does not hand out an address twice)."""

from __future__ import annotations

from pathlib import Path

from smartdc.testing.clock import VirtualClock
from smartdc.testing.simulator import Simulator

from ..sigclient import SigClient, load_private_key


def _client(sim: Simulator) -> SigClient:
    return SigClient(sim.url, sim.account, load_private_key(sim.key_path))


def test_machine_side_state_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "sim.sqlite"
    key = tmp_path / "id_rsa"
    clock = VirtualClock()
    with Simulator(clock=clock, state_file=state, key_path=key) as sim:
        sig = _client(sim)
        image = sig.get("/my/images", query={"name": "base-64-lts"}).json[-1]["id"]
        first = sig.post("/my/machines", {"image": image, "package": "g4-highcpu-1G"}).json["id"]
        clock.advance(sim.settings.provision_seconds + 0.01)
        sig.post(f"/my/machines/{first}/snapshots", {"name": "s1"})
        sig.post("/my/volumes", {"type": "tritonnfs", "name": "keep"})
        pending = sig.post("/my/machines", {"image": image, "package": "g4-highcpu-1G"}).json["id"]
        ips_before = sig.get(f"/my/machines/{first}").json["ips"]
    with Simulator(clock=clock, state_file=state, key_path=key) as sim:
        sig = _client(sim)
        assert sig.get(f"/my/machines/{first}").json["ips"] == ips_before
        assert sig.get(f"/my/machines/{pending}").json["state"] == "provisioning"
        clock.advance(sim.settings.provision_seconds + 0.01)  # the pending change still happens
        second = sig.get(f"/my/machines/{pending}").json
        assert second["state"] == "running"
        third = sig.post("/my/machines", {"image": image, "package": "g4-highcpu-1G"}).json["id"]
        clock.advance(sim.settings.provision_seconds + 0.01)
        ips_after = sig.get(f"/my/machines/{third}").json["ips"]
        # the address counters were persisted too: nothing is handed out twice
        assert not set(ips_after) & (set(ips_before) | set(second["ips"]))
        assert sig.get(f"/my/machines/{first}/snapshots/s1").json["state"] == "created"
        assert [v["name"] for v in sig.get("/my/volumes").json] == ["keep"]
