"""Instance migrations as VMAPI runs them behind CloudAPI: the watch stream stays open until the
running phase ends, records and progress entries carry the fields VMAPI's translation sends, and
the state rules answer with VMAPI's 412 PreconditionFailed words."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import urllib3

from smartdc.testing.simulator import Simulator

from ..sigclient import SigClient
from .conftest import running_machine


def _events(response: urllib3.BaseHTTPResponse) -> Iterator[dict[str, Any]]:
    """The JSON lines of a watch, each as soon as its chunk arrives."""
    pending = b""
    for chunk in response.read_chunked():
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            if line.strip():
                yield json.loads(line)


def _act(sig: SigClient, mid: str, action: str) -> Any:
    return sig.post(f"/my/machines/{mid}/migrate", query={"action": action})


def test_watch_stays_open_until_the_phase_ends(vsim: Simulator, vsig: SigClient) -> None:
    mid = running_machine(vsim, vsig)
    begun = _act(vsig, mid, "begin")
    assert begun.status == 201
    # VMAPI answers the record as it was, with the phase asked for and the state running
    assert (begun.json["phase"], begun.json["state"], begun.json["progress_history"]) == (
        "begin",
        "running",
        [],
    )
    watch = vsig.stream("POST", f"/my/machines/{mid}/migrate", query={"action": "watch"})
    assert watch.status == 200
    assert watch.headers["content-type"] == "application/x-json-stream"
    events = _events(watch)
    first = next(events)
    assert (first["type"], first["phase"], first["state"]) == ("progress", "begin", "running")
    assert first["message"] == "reserving instance"
    assert isinstance(first["duration_ms"], int)
    vsim.advance(vsim.settings.migration_step_seconds + 0.01)
    assert next(events) == {"type": "end", "phase": "begin", "state": "paused"}
    assert list(events) == []
    # a watch of a migration that is not running only says how it ended
    again = vsig.post(f"/my/machines/{mid}/migrate", query={"action": "watch"})
    assert [json.loads(line) for line in again.body.decode().splitlines()] == [
        {"type": "end", "phase": "begin", "state": "paused"}
    ]


def test_migration_and_progress_fields(vsim: Simulator, vsig: SigClient) -> None:
    mid = running_machine(vsim, vsig)
    step = vsim.settings.migration_step_seconds
    _act(vsig, mid, "begin")
    vsim.advance(step + 0.01)
    synced = _act(vsig, mid, "sync").json
    assert (synced["phase"], synced["state"]) == ("sync", "running")
    assert [e["phase"] for e in synced["progress_history"]] == ["begin"]
    vsim.advance(step + 0.01)
    migration = vsig.get(f"/my/migrations/{mid}").json
    assert sorted(migration) == [
        "automatic",
        "created_timestamp",
        "finished_timestamp",
        "machine",
        "phase",
        "progress_history",
        "state",
    ]
    assert (migration["phase"], migration["state"], migration["automatic"]) == (
        "sync",
        "paused",
        False,
    )
    sync = migration["progress_history"][-1]
    assert sync == {
        "type": "progress",
        "phase": "sync",
        "state": "successful",
        "message": "syncing data",
        "current_progress": 100,
        "total_progress": 100,
        "started_timestamp": sync["started_timestamp"],
        "finished_timestamp": sync["finished_timestamp"],
        "duration_ms": int(step * 1000),
    }
    assert vsig.get("/my/migrations").json == [migration]


def test_state_rules_answer_as_vmapi(vsim: Simulator, vsig: SigClient) -> None:
    mid = running_machine(vsim, vsig)
    step = vsim.settings.migration_step_seconds

    def refused(action: str) -> tuple[int, str, str]:
        reply = _act(vsig, mid, action)
        return reply.status, reply.json["code"], reply.json["message"]

    assert refused("fly") == (409, "InvalidArgument", "fly is not a valid migration action")
    assert refused("sync") == (404, "ResourceNotFound", "migration not found")
    assert vsig.get(f"/my/machines/{mid}/migrate").json["size"] > 0  # the estimate
    assert _act(vsig, mid, "begin").status == 201
    assert refused("begin") == (
        412,
        "PreconditionFailed",
        "An active migration already exists for this instance",
    )
    assert refused("sync") == (412, "PreconditionFailed", "Cannot sync in migration state: running")
    assert refused("abort") == (
        412,
        "PreconditionFailed",
        "Abort cannot work on a running migration",
    )
    vsim.advance(step + 0.01)
    assert refused("switch") == (
        412,
        "PreconditionFailed",
        'You must perform at least one "migration sync" operation before switching',
    )
    assert refused("pause") == (
        412,
        "PreconditionFailed",
        "Pause requires a running migration sync action",
    )
    assert refused("finalize") == (
        412,
        "PreconditionFailed",
        "Finalize only works on a successful migration",
    )
    assert _act(vsig, mid, "sync").status == 201
    assert _act(vsig, mid, "pause").status == 201
    vsim.advance(step + 0.01)
    paused = vsig.get(f"/my/migrations/{mid}").json
    assert (paused["phase"], paused["state"]) == ("sync", "paused")
    assert paused["progress_history"][-1]["state"] == "paused"
    assert _act(vsig, mid, "sync").status == 201
    vsim.advance(step + 0.01)
    switched = _act(vsig, mid, "switch").json
    assert (switched["phase"], switched["state"]) == ("switch", "running")
    vsim.advance(step + 0.01)
    assert vsig.get(f"/my/migrations/{mid}").json["state"] == "successful"
    assert refused("begin") == (
        412,
        "PreconditionFailed",
        "A previous migration exists for this instance, use migration finalize to complete it.",
    )
    assert _act(vsig, mid, "finalize").status == 200
    assert vsig.get(f"/my/migrations/{mid}").status == 404


def test_abort_removes_the_migration_once_done(vsim: Simulator, vsig: SigClient) -> None:
    mid = running_machine(vsim, vsig)
    _act(vsig, mid, "begin")
    vsim.advance(vsim.settings.migration_step_seconds + 0.01)
    aborting = _act(vsig, mid, "abort").json
    assert (aborting["phase"], aborting["state"]) == ("abort", "running")
    events = _events(vsig.stream("POST", f"/my/machines/{mid}/migrate", query={"action": "watch"}))
    assert next(events)["message"] == "aborting migration"
    vsim.advance(vsim.settings.migration_step_seconds + 0.01)
    assert next(events) == {"type": "end", "phase": "abort", "state": "successful"}
    gone = vsig.get(f"/my/migrations/{mid}")
    assert (gone.status, gone.json["message"]) == (404, "migration not found")
    assert vsig.get("/my/migrations").json == []
    assert _act(vsig, mid, "begin").status == 201  # a new migration can start


def test_automatic_runs_every_phase(vsim: Simulator, vsig: SigClient) -> None:
    mid = running_machine(vsim, vsig)
    started = _act(vsig, mid, "automatic").json
    assert (started["phase"], started["state"], started["automatic"]) == (
        "begin",
        "running",
        True,
    )
    for _ in range(3):
        vsim.advance(vsim.settings.migration_step_seconds + 0.01)
    done = vsig.get(f"/my/migrations/{mid}").json
    assert (done["phase"], done["state"]) == ("switch", "successful")
    assert [(e["phase"], e["state"]) for e in done["progress_history"]] == [
        ("begin", "successful"),
        ("sync", "successful"),
        ("switch", "successful"),
    ]
    unknown = vsig.get("/my/migrations/" + "0" * 8 + "-0000-4000-8000-" + "0" * 12)
    assert (unknown.status, unknown.json["message"]) == (404, "VM not found")
