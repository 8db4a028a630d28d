"""GetMigration and ListMigrations answers: the simulator shows a migration as VMAPI's
translateVmMigration() and CloudAPI's translate() show the record VMAPI stores for it.

Oracle command ``migration``: sdc-vmapi lib/vm-migration/migrate.js getVmMigration()
translateVmMigration() translateProgressEntry(), then sdc-cloudapi lib/migrations.js translate().
Migrations are driven through the API (begin, sync, switch, automatic, pause while a sync runs)
and read at every step, running and finished; the record the simulator keeps is turned back into
VMAPI's moray record (``machine`` as ``vm_uuid``) and translated by the server's code again.

Known difference, by design: a running progress entry's ``duration_ms`` is "now - started"
(translateProgressEntry()), each side reading its own clock: the simulator its virtual clock, the
oracle the wall clock. It is compared as an integer only.
"""

from __future__ import annotations

from typing import Any

from smartdc.testing import Simulator
from smartdc.testing.resources.images import image_id
from tests.simulator.sigclient import SigClient

from . import oracle
from .world import stored

# each: the actions run one after the other, the migration read after every step of the job
PLANS = (
    ("begin", "sync", "switch"),
    ("automatic",),
    ("begin", "sync", "pause"),
)


def _record(sim: Simulator, sig: SigClient, mid: str, server: str) -> dict[str, Any]:
    """The simulator's migration record as VMAPI's moray bucket holds it."""
    kept = stored(sim.dc().table("migrations", sig.login)[mid])
    record = {("vm_uuid" if k == "machine" else k): v for k, v in kept.items()}
    return {"source_server_uuid": server, **record}


def _read(
    sim: Simulator, sig: SigClient, mid: str, server: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(GetMigration's answer, the record behind it)."""
    shown = sig.get(f"/{sig.login}/migrations/{mid}").json
    return shown, _record(sim, sig, mid, server)


def _running_durations(answer: dict[str, Any]) -> list[Any]:
    """Take out the clock-dependent ``duration_ms`` of running progress entries."""
    return [
        entry.pop("duration_ms", None)
        for entry in answer.get("progress_history", [])
        if not entry.get("finished_timestamp")
    ]


def test_migration_answers_are_what_vmapi_and_cloudapi_make_of_the_record(
    sim: Simulator, sig: SigClient, world: dict[str, Any]
) -> None:
    seen: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for plan in PLANS:
        body = {"image": image_id("base-64-lts", "23.4.0"), "package": "g4-highcpu-1G"}
        made = sig.post(f"/{sig.login}/machines", body)
        assert made.status == 201, made.json
        mid = made.json["id"]
        sim.advance(sim.settings.provision_seconds + 1)
        server = sig.get(f"/{sig.login}/machines/{mid}").json["compute_node"]
        for action, after in zip(plan, (*plan[1:], None), strict=True):
            reply = sig.post(f"/{sig.login}/machines/{mid}/migrate", {"action": action})
            assert reply.status in (200, 201, 202), (action, reply.json)
            for _ in range(7 if action == "automatic" else 1):
                seen.append(_read(sim, sig, mid, server))
                sim.advance(sim.settings.migration_step_seconds / 2)
            if after != "pause":  # a pause needs the sync still running
                sim.advance(sim.settings.migration_step_seconds * 3)
                seen.append(_read(sim, sig, mid, server))
    answers = oracle.run_many(
        [("migration", {"account": world["account"], "migration": r}) for _, r in seen]
    )
    states = set()
    for (shown, _), answer in zip(seen, answers, strict=True):
        server = answer["body"]
        mine, theirs = _running_durations(shown), _running_durations(server)
        assert [type(d) for d in mine] == [type(d) for d in theirs] == [int] * len(mine)
        assert not oracle.differences(shown, server), shown
        states.add((shown["phase"], shown["state"]))
    # the plans reached running and finished states of each action
    assert {("begin", "paused"), ("sync", "running"), ("switch", "successful")} <= states
    listed = {m["machine"]: m for m in sig.get(f"/{sig.login}/migrations").json}
    last = {shown["machine"]: shown for shown, _ in seen}
    for mid, shown in last.items():  # list items are the same objects
        assert set(listed[mid]) == set(shown)
