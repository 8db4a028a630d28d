"""Optional persistence of the simulator's tables in SQLite (standard library only).

Each table (global or per datacenter) is one row of JSON. The file is loaded when the simulator
starts and rewritten after every mutating request and at close, so a restarted simulator sees the
same accounts, keys, machines and images.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import threading
from pathlib import Path

from smartdc.testing.state import SimState

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sim_tables (
    scope TEXT NOT NULL,      -- '' for global tables, else the datacenter name
    name TEXT NOT NULL,
    owner TEXT NOT NULL,      -- '' when the table has no owner
    data TEXT NOT NULL,       -- the table as a JSON object
    PRIMARY KEY (scope, name, owner)
)
"""


class StateFile:
    """Loads and saves a :class:`SimState` to one SQLite file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._saved_revision = -1

    def _secure(self) -> None:
        """Make sure the file is a regular file of ours, mode 0600 (it holds metadata values such
        as ``credentials``): created 0600 when missing, never reached through a link."""
        try:
            info = os.lstat(self.path)
        except FileNotFoundError:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
            os.close(os.open(self.path, flags, 0o600))
            return
        if stat.S_ISLNK(info.st_mode):
            raise OSError(f"state file {self.path} is a symbolic link; refusing to use it")
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"state file {self.path} is not a regular file")
        if stat.S_IMODE(info.st_mode) & 0o077:
            os.chmod(self.path, 0o600)

    def _connect(self) -> sqlite3.Connection:
        self._secure()
        conn = sqlite3.connect(self.path, timeout=10)
        conn.execute(_SCHEMA)
        return conn

    def load(self, state: SimState) -> set[str]:
        """Fill ``state`` from the file; return the datacenter names that had saved tables."""
        if not os.path.lexists(self.path):
            return set()
        self._secure()
        loaded: set[str] = set()
        with self._lock:
            conn = self._connect()
            try:
                rows = conn.execute("SELECT scope, name, owner, data FROM sim_tables").fetchall()
            finally:
                conn.close()
        for scope, name, owner, data in rows:
            table = json.loads(data)
            key = (str(name), str(owner) if owner else None)
            if scope:
                dc = state.add_datacenter(str(scope))
                dc.tables[key] = table
                loaded.add(str(scope))
            else:
                state.tables[key] = table
        return loaded

    def save(self, state: SimState, *, force: bool = False) -> None:
        """Write every table (call with ``state.lock`` held, or when nothing else runs)."""
        if not force and state.revision == self._saved_revision:
            return
        rows: list[tuple[str, str, str, str]] = []
        for (name, owner), table in state.tables.items():
            rows.append(("", name, owner or "", json.dumps(table)))
        for dc in state.datacenters.values():
            for (name, owner), table in dc.tables.items():
                rows.append((dc.name, name, owner or "", json.dumps(table)))
        with self._lock:
            conn = self._connect()
            try:
                with conn:
                    conn.execute("DELETE FROM sim_tables")
                    conn.executemany("INSERT INTO sim_tables VALUES (?, ?, ?, ?)", rows)
            finally:
                conn.close()
            self._saved_revision = state.revision
