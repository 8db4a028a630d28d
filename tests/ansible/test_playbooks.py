"""The modules through ``ansible-playbook`` against the simulator: create, change and delete,
each run twice (nothing changes the second time), in check mode first (nothing changes at all)."""

from __future__ import annotations

from pathlib import Path

from smartdc.testing import Simulator
from tests.ansible.conftest import Ansible

PLAYBOOKS = Path(__file__).resolve().parent / "playbooks"


def machines(sim: Simulator) -> dict[str, str]:
    """Name -> state of every instance of the account in the first datacenter."""
    with sim.datacenter() as dc:
        return {str(m.name): str(m.state) for m in dc.machines()}


def rules(sim: Simulator) -> list[tuple[str, bool]]:
    with sim.datacenter() as dc:
        return [(r.rule, r.enabled) for r in dc.firewall_rules()]


def test_create_change_delete_idempotent_and_check_mode(ansible: Ansible, sim: Simulator) -> None:
    create, change, delete = (
        str(PLAYBOOKS / f"{name}.yml") for name in ("create", "change", "delete")
    )

    # check mode: every creation reported, nothing made
    dry = ansible.playbook(create, "--check", "--diff")
    assert dry.changed == 3, dry.results()  # web server, rule, workers (the snapshot skipped)
    assert dry.results()["web server"]["diff"]["after"]["web-a"]["state"] == "running"
    assert machines(sim) == {}
    assert rules(sim) == []

    planned = dry.results()["web server"]["instances"][0]
    first = ansible.playbook(create)
    assert first.stats["failures"] == 0
    made = first.results()["web server"]["instances"][0]
    assert set(planned) == set(made)  # one shape, in check mode too
    known = [k for k, v in planned.items() if v not in (None, []) and k != "metadata"]
    assert {k: planned[k] for k in known} == {k: made[k] for k in known}
    # the server adds root_authorized_keys to what was asked
    assert planned["metadata"].items() <= made["metadata"].items()
    assert first.changed == 4  # web server, rule, snapshot, workers
    assert machines(sim) == {"web-a": "running", "worker-1": "running", "worker-2": "running"}
    again = ansible.playbook(create)
    assert again.changed == 0, again.results()

    # check mode of a change: reported with its diff, not made
    dry = ansible.playbook(change, "--check", "--diff")
    assert dry.changed == 4
    diff = dry.results()["renamed"]["diff"]
    assert diff == {
        "before": {"web-a": diff["before"]["web-a"]},
        "after": {"web-b": {**diff["before"]["web-a"], "name": "web-b"}},
    }
    assert machines(sim)["web-a"] == "running"

    changed = ansible.playbook(change, "--diff")
    assert changed.changed == 4
    result = changed.results()["bigger and stopped"]["instances"][0]  # as it is after the change
    assert (result["name"], result["state"], result["package"]) == (
        "web-b",
        "stopped",
        "g4-highcpu-1G",
    )
    assert result["tags"] == {"role": "web", "tier": 2}
    assert result["metadata"]["motd"] == "changed"
    with sim.datacenter() as dc:
        web = dc.machine("web-b")
        assert (web.state, web.package) == ("stopped", "g4-highcpu-1G")
        assert web.model.tags == {"role": "web", "tier": 2}
        assert web.model.metadata["motd"] == "changed"
    assert sorted(machines(sim)) == ["web-b", "worker-1"]
    assert rules(sim)[0][1] is False
    assert ansible.playbook(change).changed == 0

    dry = ansible.playbook(delete, "--check")
    assert dry.changed == 4
    assert sorted(machines(sim)) == ["web-b", "worker-1"]

    gone = ansible.playbook(delete)
    assert gone.changed == 4
    assert machines(sim) == {}
    assert rules(sim) == []
    assert ansible.playbook(delete).changed == 0
