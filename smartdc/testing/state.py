"""The simulator's state: accounts and keys shared by every datacenter, per-datacenter tables.

Every object is a plain JSON-shaped dict (exactly what the server answers, plus private ``_sim*``
keys that responses strip), kept in tables keyed by id, so the whole state can be saved as JSON.
Handlers run with ``SimState.lock`` held, so they may read and write tables freely.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

import attrs

from smartdc.testing.clock import Clock, RealClock, iso_time
from smartdc.testing.releases import Release, release_of
from smartdc.testing.spec_since import SERVER_VERSION

TableKey = tuple[str, str | None]
Table = dict[str, dict[str, Any]]


def by_id_or_name(table: Table, ref: str, field: str = "name") -> dict[str, Any] | None:
    """The object keyed ``ref`` (its id or fingerprint), else the first whose ``field`` is ``ref``:
    how the server finds keys, users, roles and policies named in a path."""
    found = table.get(ref)
    if found is not None:
        return found
    return next((row for row in table.values() if row.get(field) == ref), None)


@attrs.define
class Settings:
    """Knobs of the simulated cloud (durations are in clock seconds)."""

    provision_seconds: float = 2.0
    stop_seconds: float = 1.0
    start_seconds: float = 1.0
    reboot_seconds: float = 1.0
    delete_seconds: float = 1.0
    snapshot_seconds: float = 1.0
    image_create_seconds: float = 2.0
    volume_create_seconds: float = 1.0
    migration_step_seconds: float = 1.0
    # tag and metadata jobs finish (audit entry) this long after the answer, as VMAPI jobs do
    job_seconds: float = 0.5
    # machines created with one of these names (or metadata sim-fail: "true") end up `failed`
    fail_provision_names: set[str] = attrs.Factory(set)
    max_page: int = 1000
    # servers per datacenter that machines are placed on (affinity rules choose among them)
    compute_nodes: int = 4
    # refuse ed25519 keys and signatures whatever server_version says (as servers before 9.18 do)
    before_9_18: bool = False
    fabrics_enabled: bool = True  # off: every fabric route answers 501 NotImplementedError
    volumes_enabled: bool = True  # off: the volume routes answer 405 as the unmounted server's do
    # the CloudAPI release the simulator answers as: what it routes, reads and sends, and its
    # behaviour changes, follow the spec's `since` facts (smartdc.testing.releases)
    server_version: str = SERVER_VERSION

    @property
    def release(self) -> Release:
        return release_of(self.server_version)

    def has(self, change: str) -> bool:
        """Whether the release played has a behaviour change of the spec's ``changes:``."""
        if change == "ed25519_keys" and self.before_9_18:
            return False
        return self.release.has(change)


@attrs.define(eq=False)
class Caller:
    """Who signed a request: the account login, the sub-user login (or None), the key and peer."""

    login: str
    user: str | None = None
    key_id: str = ""
    ip: str = ""
    roles: list[str] = attrs.Factory(list)  # `as-role` names
    # the roles a sub-user acts with, once authorized (smartdc.testing.rbac)
    active_roles: list[str] = attrs.Factory(list)


@attrs.define(eq=False)
class AccountState:
    """An account: ``data`` is the account dict (as GetAccount answers, plus ``_sim*`` keys)."""

    data: dict[str, Any]

    @property
    def login(self) -> str:
        return str(self.data["login"])

    @property
    def uuid(self) -> str:
        return str(self.data["id"])

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


class _Tables:
    """Named tables of JSON dicts, optionally per owner (an account login)."""

    def __init__(self) -> None:
        self.tables: dict[TableKey, Table] = {}

    def table(self, name: str, owner: str | None = None) -> Table:
        return self.tables.setdefault((name, owner), {})


class DatacenterState(_Tables):
    """One datacenter: its name, its loopback URL once served, and its own tables."""

    def __init__(self, sim: SimState, name: str, url: str = "") -> None:
        from smartdc.testing.feed import ChangeFeed

        super().__init__()
        self.sim = sim
        self.name = name
        self.url = url
        self.feed = ChangeFeed(self)  # the changefeed's listeners (lib/changefeed.js Feed)

    def __repr__(self) -> str:
        return f"DatacenterState(name={self.name!r}, url={self.url!r})"


class SimState(_Tables):
    """Everything the simulated cloud knows; global tables hold accounts, users, keys, roles..."""

    def __init__(self, clock: Clock | None = None, settings: Settings | None = None) -> None:
        super().__init__()
        self.clock: Clock = clock if clock is not None else RealClock()
        self.settings = settings if settings is not None else Settings()
        self.datacenters: dict[str, DatacenterState] = {}
        self.lock = threading.RLock()
        self.revision = 0  # bumped on each mutating request; persistence saves when it moves

    @property
    def accounts(self) -> dict[str, AccountState]:
        return {login: AccountState(data) for login, data in self.table("accounts").items()}

    def account(self, login: str) -> AccountState | None:
        data = self.table("accounts").get(login)
        return AccountState(data) if data is not None else None

    def add_datacenter(self, name: str) -> DatacenterState:
        dc = self.datacenters.get(name)
        if dc is None:
            dc = self.datacenters[name] = DatacenterState(self, name)
        return dc

    def new_uuid(self) -> str:
        return str(uuid.uuid4())

    def now_iso(self) -> str:
        return iso_time(self.clock.now())

    def add_account(self, login: str, **fields: Any) -> AccountState:
        """Create an account (or return the existing one)."""
        accounts = self.table("accounts")
        if login in accounts:
            return AccountState(accounts[login])
        now = self.now_iso()
        data: dict[str, Any] = {
            "id": self.new_uuid(),
            "login": login,
            "email": f"{login}@example.com",
            "companyName": "Example Inc",
            "firstName": login.capitalize(),
            "lastName": "Simulated",
            "phone": "123-456-7890",
            "triton_cns_enabled": False,
            "created": now,
            "updated": now,
        }
        data.update(fields)
        accounts[login] = data
        return AccountState(data)

    def find_user(self, account: str, user: str) -> dict[str, Any] | None:
        """A sub-user of ``account`` by id or login."""
        return by_id_or_name(self.table("users", account), user, "login")

    def key_table(self, account: str, user_id: str | None = None) -> Table:
        """SSH keys of an account, or of one of its sub-users (by user id), keyed by fingerprint."""
        owner = account if user_id is None else f"{account}/users/{user_id}"
        return self.table("keys", owner)
