"""Instance migrations as CloudAPI passes them to VMAPI: Migrate with ``action`` (begin, sync,
switch, automatic, pause, abort, finalize, and watch, a stream), the estimate, ListMigrations and
GetMigration.

Each action is a VMAPI job of ``settings.migration_step_seconds``: it adds a progress entry
(``running``, then ``successful``) to ``progress_history`` and leaves the record ``paused`` (begin,
sync) or ``successful`` (switch, abort); an automatic migration runs begin, sync and switch in a
row. A finished abort removes the record. The state rules and their words are VMAPI's (412
``PreconditionFailed``); records and entries are shown as VMAPI translates them (``vm_uuid`` as
``machine``, ``duration_ms`` on every progress entry).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from smartdc.testing.clock import iso_time
from smartdc.testing.lazy import cancel, schedule, settle
from smartdc.testing.resources.common import invalid, login_of, not_found, ok
from smartdc.testing.resources.machines import audit, find_machine, machines_of
from smartdc.testing.router import ApiError, Router, SimRequest, SimResponse, SimStream, Wait

# CloudAPI's list (lib/migrations.js); `watch` is routed before it
ACTIONS = ("begin", "sync", "switch", "automatic", "abort", "pause", "finalize")
# the progress message of each action (VMAPI workflows, vm-migration/common.js)
MESSAGES = {
    "begin": "reserving instance",
    "sync": "syncing data",
    "switch": "switching instances",
    "abort": "aborting migration",
}
# record fields VMAPI's translation passes on (vm_uuid becomes `machine`)
RECORD_FIELDS = (
    "automatic",
    "created_timestamp",
    "duration_ms",
    "error",
    "finished_timestamp",
    "phase",
    "started_timestamp",
    "state",
)
ENTRY_FIELDS = (
    "current_progress",
    "duration_ms",
    "finished_timestamp",
    "error",
    "message",
    "phase",
    "state",
    "started_timestamp",
    "total_progress",
    "type",
)
WATCH_POLL_SECONDS = 0.1
GONE_KEY = "_sim_gone"  # a finished abort: VMAPI deleted the record; a watch still sees its end


def _precondition(message: str) -> ApiError:
    return ApiError(412, "PreconditionFailed", message)


def _all(req: SimRequest) -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = req.dc.table("migrations", login_of(req))
    now = req.sim.clock.now()
    for migration in table.values():
        settle(migration, now)
    return table


def _live(req: SimRequest) -> dict[str, dict[str, Any]]:
    return {k: m for k, m in _all(req).items() if not m.get(GONE_KEY)}


def _stamp(epoch: float) -> str:
    return iso_time(epoch)


def _millis(start: str, end: str) -> int:
    """Milliseconds between two of our timestamps (``2015-12-21T11:48:54.884Z``)."""

    def parse(text: str) -> datetime:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")

    return round((parse(end) - parse(start)).total_seconds() * 1000)


def _entry_view(entry: dict[str, Any], now: float) -> dict[str, Any]:
    """A progress entry as VMAPI sends it, with ``duration_ms`` (so far, for a running one)."""
    shown: dict[str, Any] = {"type": "progress"}
    shown.update({k: entry[k] for k in ENTRY_FIELDS if k in entry})
    if "duration_ms" not in entry:
        end = entry.get("finished_timestamp") or _stamp(now)
        shown["duration_ms"] = _millis(entry["started_timestamp"], end)
    return shown


def _render(migration: dict[str, Any], now: float) -> dict[str, Any]:
    shown: dict[str, Any] = {k: migration[k] for k in RECORD_FIELDS if k in migration}
    shown["machine"] = migration["machine"]
    shown["progress_history"] = [_entry_view(e, now) for e in migration["progress_history"]]
    return shown


def _run(req: SimRequest, migration: dict[str, Any], actions: list[str], final_state: str) -> None:
    """Schedule the jobs of ``actions`` in a row; the record ends in ``final_state``."""
    step = req.sim.settings.migration_step_seconds
    at = req.sim.clock.now()
    history = [dict(e) for e in migration["progress_history"]]
    syncs = int(migration.get("_sim_syncs", 0))
    migration.pop("error", None)
    for index, action in enumerate(actions):
        entry = {
            "type": "progress",
            "message": MESSAGES[action],
            "phase": action,
            "state": "running",
            "started_timestamp": _stamp(at),
            "current_progress": 1,
            "total_progress": 100,
        }
        history = [*history, entry]
        start: dict[str, Any] = {"phase": action, "state": "running", "progress_history": history}
        if index == 0:  # the job starts at once
            migration.update(start)
        else:
            schedule(migration, at, **start)
        at += step
        finished = {
            **entry,
            "state": "successful",
            "current_progress": 100,
            "finished_timestamp": _stamp(at),
        }
        history = [*history[:-1], finished]
        syncs += action == "sync"
        last = action == actions[-1]
        end: dict[str, Any] = {
            "progress_history": history,
            "finished_timestamp": _stamp(at),
            "state": final_state if last else "running",
            "_sim_syncs": syncs,
        }
        if last and action == "abort":
            end[GONE_KEY] = True
        schedule(migration, at, **end)


def _check(migration: dict[str, Any], action: str) -> None:
    """VMAPI's rules for an action on an existing migration (vm-migration/migrate.js)."""
    phase, state = migration.get("phase"), migration.get("state")
    if action == "abort" and state in ("running", "successful"):
        raise _precondition(f"Abort cannot work on a {state} migration")
    if action == "finalize" and state != "successful":
        raise _precondition("Finalize only works on a successful migration")
    if action == "pause" and (phase != "sync" or state != "running"):
        raise _precondition("Pause requires a running migration sync action")
    if action == "switch":
        if phase not in ("begin", "sync"):
            raise _precondition(f"Cannot switch in migration phase: {phase}")
        if state not in ("paused", "failed"):
            raise _precondition(f"Cannot switch in migration state: {state}")
        if not migration.get("_sim_syncs"):
            raise _precondition(
                'You must perform at least one "migration sync" operation before switching'
            )
    if action == "sync":
        if state not in ("paused", "failed"):
            raise _precondition(f"Cannot sync in migration state: {state}")
        if not (phase == "begin" and state == "paused") and phase != "sync":
            raise _precondition(f"Cannot sync when in migration phase: {phase}")


def _begin(
    req: SimRequest, machine: dict[str, Any], existing: dict[str, Any] | None, automatic: bool
) -> dict[str, Any]:
    if existing is not None:
        if existing.get("state") == "successful":
            raise _precondition(
                "A previous migration exists for this instance, use migration finalize to "
                "complete it."
            )
        history = existing.get("progress_history") or [{}]
        retry = (
            existing.get("phase") == "begin"
            and existing.get("state") == "failed"
            and history[-1].get("phase") == "begin"
        )
        if not retry:
            raise _precondition("An active migration already exists for this instance")
        return existing
    return {
        "machine": machine["id"],
        "automatic": automatic,
        "created_timestamp": _stamp(req.sim.clock.now()),
        "phase": "begin",
        "state": "running",
        "progress_history": [],
        "_sim_syncs": 0,
    }


def migrate(req: SimRequest) -> SimResponse:
    action = req.param("action")
    if action == "watch":
        return _watch(req)
    if not action:
        raise ApiError(409, "MissingParameter", '"action" must be specified')
    # lib/migrations.js MIGRATION_ACTIONS: what the release played lists (finalize from 9.8.1)
    if action not in ACTIONS or not req.sim.settings.release.knows("MigrationAction", action):
        raise invalid(f"{action} is not a valid migration action")
    machine = find_machine(req)
    table = _all(req)
    migration = table.get(machine["id"])
    if migration is not None and migration.get(GONE_KEY):
        migration = None
    now = req.sim.clock.now()
    if action in ("begin", "automatic"):
        migration = _begin(req, machine, migration, automatic=action == "automatic")
        table[machine["id"]] = migration
        answer = {**_render(migration, now), "phase": "begin", "state": "running"}
        if action == "begin":
            _run(req, migration, ["begin"], "paused")
        else:
            _run(req, migration, ["begin", "sync", "switch"], "successful")
        audit(req, machine, "migrate")
        return SimResponse(201, answer)
    if migration is None:
        raise not_found("migration not found")
    _check(migration, action)
    if action == "finalize":
        del table[machine["id"]]
        return SimResponse(200)
    answer = {**_render(migration, now), "phase": action, "state": "running"}
    if action == "pause":
        _pause(req, migration)
    elif action == "sync":
        _run(req, migration, ["sync"], "paused")
    elif action == "switch":
        _run(req, migration, ["switch"], "successful")
    else:  # abort
        _run(req, migration, ["abort"], "successful")
    audit(req, machine, "migrate")
    return SimResponse(201, answer)


def _pause(req: SimRequest, migration: dict[str, Any]) -> None:
    """The running sync job is cancelled; its entry and the record end up ``paused``."""
    cancel(migration)
    at = req.sim.clock.now() + req.sim.settings.migration_step_seconds
    history = [dict(e) for e in migration["progress_history"]]
    if history and history[-1].get("state") == "running":
        history[-1].update(state="paused", error="", finished_timestamp=_stamp(at))
    schedule(migration, at, state="paused", error="", progress_history=history)


def _watch(req: SimRequest) -> SimResponse:
    """VMAPI's watch: the running entry, then every new entry, then an ``end`` event."""
    machine = find_machine(req)
    migration = _all(req).get(machine["id"])
    if migration is None or migration.get(GONE_KEY):
        raise not_found("migration not found")
    sim, key = req.sim, machine["id"]
    table = req.dc.table("migrations", login_of(req))

    def line(event: dict[str, Any]) -> bytes:
        return (json.dumps(event) + "\n").encode()

    def end(record: dict[str, Any]) -> bytes:
        event = {"type": "end", "phase": record.get("phase"), "state": record.get("state")}
        if record.get("error"):
            event["message"] = record["error"]
        return line(event)

    def produce(wait: Wait) -> Iterator[bytes]:
        with sim.lock:
            record = settle(table.get(key, migration), sim.clock.now())
            history = record["progress_history"]
            first = b""
            if history and history[-1].get("state") == "running":
                first = line(_entry_view(history[-1], sim.clock.now()))
            sent = len(history)
            if record.get("state") != "running":
                yield first + end(record)
                return
        yield first
        while wait(WATCH_POLL_SECONDS):
            with sim.lock:
                now = sim.clock.now()
                record = settle(table.get(key, migration), now)
                history = record["progress_history"]
                out = b"".join(line(_entry_view(e, now)) for e in history[sent:])
                sent = max(sent, len(history))
                if record.get("state") != "running":
                    yield out + end(record)
                    return
            if out:
                yield out

    return SimResponse(200, SimStream(produce), content_type="application/x-json-stream")


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
    now = req.sim.clock.now()
    return ok([_render(m, now) for m in _live(req).values()])


def get_migration(req: SimRequest) -> SimResponse:
    if machines_of(req).get(req.params["machine"]) is None:  # VMAPI loads the VM first
        raise not_found("VM not found")
    migration = _live(req).get(req.params["machine"])
    if migration is None:
        raise not_found("migration not found")
    return ok(_render(migration, req.sim.clock.now()))


def register(router: Router) -> None:
    router.add("POST", "/:account/machines/:machine/migrate", "Migrate", migrate)
    router.add("GET", "/:account/machines/:machine/migrate", "MigrateMachineEstimate", estimate)
    router.add("GET", "/:account/migrations", "ListMigrations", list_migrations)
    router.add("GET", "/:account/migrations/:machine", "GetMigration", get_migration)
