"""State files: what one simulator run creates is there after a restart."""

from __future__ import annotations

from pathlib import Path

from smartdc.testing.simulator import Simulator

from .sigclient import SigClient, load_private_key


def test_state_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "sim.sqlite"
    key = tmp_path / "id_rsa"
    with Simulator(state_file=state, key_path=key, datacenters=("dc1", "dc2")) as sim:
        client = SigClient(sim.url, sim.account, load_private_key(sim.key_path))
        assert client.post("/my", {"city": "Lisbon"}).status == 200
        assert (
            client.post(
                "/my/users", {"login": "bob", "email": "b@x", "password": "secr3t-pw"}
            ).status
            == 201
        )
        before = client.get("/my").json
    assert state.exists()
    with Simulator(state_file=state, key_path=key, datacenters=("dc1", "dc2")) as sim:
        client = SigClient(sim.url, sim.account, load_private_key(sim.key_path))
        assert client.get("/my").json == before
        assert [u["login"] for u in client.get("/my/users").json] == ["bob"]
        assert len(client.get("/my/keys").json) == 1  # the key is not registered twice
        # seeded tables were loaded, not seeded again
        assert len(client.get("/my/packages").json) == len(
            {p["id"] for p in client.get("/my/packages").json}
        )


def test_saved_after_each_mutation(tmp_path: Path) -> None:
    import sqlite3

    state = tmp_path / "sim.sqlite"
    with Simulator(state_file=state, datacenters=("dc1",)) as sim:
        client = SigClient(sim.url, sim.account, load_private_key(sim.key_path))
        client.post("/my/policies", {"name": "read", "rules": ["can getmachine"]})
        conn = sqlite3.connect(state)
        rows = conn.execute("SELECT data FROM sim_tables WHERE name = 'policies'").fetchall()
        conn.close()
        assert any('"read"' in row[0] for row in rows)
