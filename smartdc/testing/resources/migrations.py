"""Instance migrations: Migrate with ``action`` (begin, sync, switch, automatic, pause, abort,
finalize, watch), the estimate, ListMigrations and GetMigration. Each phase takes
``settings.migration_step_seconds`` and leaves a progress event in ``progress_history``.
"""

from __future__ import annotations

import json
from typing import Any

from smartdc.testing.clock import iso_time
from smartdc.testing.lazy import schedule, settle
from smartdc.testing.resources.common import invalid, login_of, not_found, ok
from smartdc.testing.resources.machines import audit, find_machine
from smartdc.testing.router import ApiError, Router, SimRequest, SimResponse

ACTIONS = ("begin", "sync", "switch", "automatic", "pause", "abort", "finalize", "watch")


def _table(req: SimRequest) -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = req.dc.table("migrations", login_of(req))
    now = req.sim.clock.now()
    for migration in table.values():
        settle(migration, now)
    return table


def _event(phase: str, state: str, at: float, message: str) -> dict[str, Any]:
    return {
        "type": "progress",
        "phase": phase,
        "state": state,
        "current_progress": 100,
        "total_progress": 100,
        "message": message,
        "started_timestamp": iso_time(at),
        "finished_timestamp": iso_time(at),
    }


def _run(req: SimRequest, migration: dict[str, Any], phases: list[str], final_state: str) -> None:
    step = req.sim.settings.migration_step_seconds
    at = req.sim.clock.now()
    history = list(migration.get("progress_history", []))
    migration.update(phase=phases[0], state="running")
    for phase in phases:
        at += step
        history = [*history, _event(phase, "success", at, f"{phase} phase completed")]
        last = phase == phases[-1]
        fields: dict[str, Any] = {"phase": phase, "progress_history": history}
        if last:
            fields["state"] = final_state
            if final_state == "successful":
                fields["finished_timestamp"] = iso_time(at)
        schedule(migration, at, **fields)


def migrate(req: SimRequest) -> SimResponse:
    action = req.param("action")
    if not action:
        raise ApiError(409, "MissingParameter", '"action" must be specified')
    if action not in ACTIONS:
        raise invalid(f"{action} is not a valid migration action")
    machine = find_machine(req)
    table = _table(req)
    migration = table.get(machine["id"])
    if action in ("begin", "automatic"):
        if migration is not None and migration.get("state") not in ("aborted", "failed"):
            raise ApiError(409, "InvalidState", f"Instance {machine['id']} is already migrating")
        migration = {
            "machine": machine["id"],
            "automatic": action == "automatic",
            "phase": "begin",
            "state": "running",
            "created_timestamp": iso_time(req.sim.clock.now()),
            "progress_history": [],
        }
        table[machine["id"]] = migration
        if action == "begin":
            _run(req, migration, ["begin"], "paused")
        else:
            _run(req, migration, ["begin", "sync", "switch"], "successful")
        audit(req, machine, "migrate")
        return SimResponse(201, _render(migration))
    if migration is None:
        raise not_found(f"Instance {machine['id']} has no migration")
    state = migration.get("state")
    if action == "watch":
        lines = [json.dumps(e) for e in migration.get("progress_history", [])]
        lines.append(json.dumps({"type": "end", "phase": migration["phase"], "state": state}))
        body = ("\n".join(lines) + "\n").encode()
        return SimResponse(200, body, content_type="application/x-json-stream")
    if action == "sync" and state == "paused":
        _run(req, migration, ["sync"], "paused")
    elif action == "switch" and state == "paused":
        _run(req, migration, ["switch"], "successful")
    elif action == "pause" and state == "running":
        migration["state"] = "paused"
    elif action == "abort" and state in ("running", "paused"):
        migration.pop("_sim_pending", None)
        migration.update(state="aborted", phase="abort")
    elif action == "finalize" and state == "successful":
        del table[machine["id"]]
        return SimResponse(200)
    else:
        raise ApiError(409, "InvalidState", f"cannot {action} a migration that is {state}")
    return SimResponse(201, _render(migration))


def _render(migration: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in migration.items() if not k.startswith("_sim")}


def estimate(req: SimRequest) -> SimResponse:
    machine = find_machine(req)
    size = int(machine.get("disk", 0)) * 1024 * 1024
    return ok(
        {
            "size": size,
            "duration_ms": max(1000, size // 100_000),
            "eta_ms": max(1000, size // 100_000),
        }
    )


def list_migrations(req: SimRequest) -> SimResponse:
    return ok([_render(m) for m in _table(req).values()])


def get_migration(req: SimRequest) -> SimResponse:
    migration = _table(req).get(req.params["machine"])
    if migration is None:
        raise not_found("VM not found")
    return ok(_render(migration))


def register(router: Router) -> None:
    router.add("POST", "/:account/machines/:machine/migrate", "Migrate", migrate)
    router.add("GET", "/:account/machines/:machine/migrate", "MigrateMachineEstimate", estimate)
    router.add("GET", "/:account/migrations", "ListMigrations", list_migrations)
    router.add("GET", "/:account/migrations/:machine", "GetMigration", get_migration)
