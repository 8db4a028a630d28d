"""``Simulator``: a local CloudAPI 9.20 with real HTTP and real signature checks.

    with Simulator() as sim:
        api = sim.client()                 # smartdc.CloudAPI signed with the simulator's key
        sim.faults.throttle("ListMachines")  # next ListMachines answers 429
        sim.clock  # RealClock, or pass clock=VirtualClock() and advance it

Each datacenter is its own server on 127.0.0.1 (free ports); accounts, users and keys are shared,
machines, networks and images created by users belong to one datacenter.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from smartdc.testing import resources
from smartdc.testing.clock import Clock, RealClock, VirtualClock
from smartdc.testing.dispatch import Dispatcher
from smartdc.testing.faults import FaultInjector
from smartdc.testing.keyfiles import public_key_of, shared_rsa_key, write_key
from smartdc.testing.persistence import StateFile
from smartdc.testing.releases import UnknownRelease, release_of
from smartdc.testing.server import RequestLogEntry, SimHTTPServer
from smartdc.testing.sshkeys import md5_fingerprint, parse_public_key
from smartdc.testing.state import AccountState, DatacenterState, Settings, SimState

if TYPE_CHECKING:
    from smartdc import CloudAPI, DataCenter

DEFAULT_DATACENTERS = ("us-sim-1", "us-sim-2", "eu-sim-1")
DEFAULT_KEY_NAME = "sim"
# How often a server's loop looks for a shutdown request (what close() waits for at most).
SERVE_POLL_SECONDS = 0.02


class SimulatorError(RuntimeError):
    """The simulator was used wrongly (not started, unknown datacenter or account)."""


def write_key_pair(directory: Path, name: str = "id_rsa") -> Path:
    """Write this process's simulator key (RSA-2048, generated once) as ``name`` and ``name.pub``."""
    return write_key(directory, name, shared_rsa_key(), comment="smartdc-simulator")


class Simulator:
    """A running set of simulated CloudAPI datacenters (a context manager).

    ``api_version`` is the CloudAPI release (server version, e.g. ``"9.15.0"``) to answer as:
    what the spec's ``since`` facts say came later is not routed, read or sent, and the spec's
    behaviour ``changes`` follow it (``Settings.server_version``; smartdc.testing.releases). It
    is not the ``Accept-Version`` API version a request negotiates (9.0.0 and older).
    """

    def __init__(
        self,
        account: str = "sim",
        *,
        datacenters: Sequence[str] = DEFAULT_DATACENTERS,
        clock: Clock | None = None,
        settings: Settings | None = None,
        state_file: str | Path | None = None,
        port: int = 0,
        key_path: str | Path | None = None,
        api_version: str | None = None,
    ) -> None:
        if not datacenters:
            raise SimulatorError("a simulator needs at least one datacenter")
        self.account = account
        self.datacenter_names = tuple(datacenters)
        self.clock: Clock = clock if clock is not None else RealClock()
        self.settings = settings if settings is not None else Settings()
        # the CloudAPI release to answer as (default: the spec's): routes, parameters, fields
        # and behaviour changes newer than it are left out, from the spec's `since` facts
        if api_version is not None:
            self.settings.server_version = api_version
        try:
            release_of(self.settings.server_version)
        except UnknownRelease as exc:
            raise SimulatorError(str(exc)) from None
        self.faults = FaultInjector()
        self.state = SimState(self.clock, self.settings)
        self.requests: list[RequestLogEntry] = []
        # Every route of every resource module; add your own routes before start() or after.
        self.router = resources.build_router()
        self._state_file = StateFile(state_file) if state_file is not None else None
        self._port = port
        self._given_key = Path(key_path) if key_path is not None else None
        self._tmpdir: Path | None = None
        self._servers: dict[str, SimHTTPServer] = {}
        self._threads: list[threading.Thread] = []
        self._closing = threading.Event()
        self.key_path = ""
        self.key_id = ""
        self.public_key = ""

    def __repr__(self) -> str:
        state = "running" if self._servers else "stopped"
        return f"Simulator(account={self.account!r}, url={self.url_or_none!r}, {state})"

    # -- lifecycle ---------------------------------------------------------------------------
    def __enter__(self) -> Simulator:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def start(self) -> Simulator:
        if self._servers:
            return self
        self._closing.clear()
        loaded: set[str] = set()
        if self._state_file is not None:
            loaded = self._state_file.load(self.state)
        dispatcher = Dispatcher(self.state, self.router, on_mutation=self._save)
        for name in self.datacenter_names:
            dc = self.state.add_datacenter(name)
            if name not in loaded:
                resources.seed(dc)
        self._setup_key()
        for index, name in enumerate(self.datacenter_names):
            server = SimHTTPServer(
                self.state.datacenters[name],
                dispatcher,
                self.faults,
                port=self._port if index == 0 else 0,
                closing=self._closing,
                request_log=self.requests,
            )
            self.state.datacenters[name].url = server.url
            self._servers[name] = server
        for name, server in self._servers.items():
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": SERVE_POLL_SECONDS},
                name=f"cloudapi-sim-{name}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)
        self._save(force=True)
        return self

    def close(self) -> None:
        """Stop every server (hung requests are released) and save the state file."""
        self._closing.set()
        for dc in self.state.datacenters.values():
            dc.feed.close()  # WebSocket sessions end with a close frame
        # each shutdown() waits for its loop's next poll: stop them all at once, not in turn
        stoppers = [threading.Thread(target=s.shutdown) for s in self._servers.values()]
        for stopper in stoppers:
            stopper.start()
        for stopper in stoppers:
            stopper.join()
        for server in self._servers.values():
            server.server_close()
            server.close_connections()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers.clear()
        self._threads.clear()
        with self.state.lock:
            self._save(force=True)
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def _save(self, *, force: bool = False) -> None:
        if self._state_file is not None:
            with self.state.lock:
                self._state_file.save(self.state, force=force)

    def _setup_key(self) -> None:
        if self._given_key is not None:
            private_path = self._given_key
            if not private_path.exists():
                write_key_pair(private_path.parent, private_path.name)
        else:
            self._tmpdir = Path(tempfile.mkdtemp(prefix="smartdc-sim-"))
            private_path = write_key_pair(self._tmpdir)
        self.key_path = str(private_path)
        self.public_key = public_key_of(private_path)
        self.key_id = md5_fingerprint(self.public_key)
        self.add_account(self.account)
        self.add_key(self.account, self.public_key, DEFAULT_KEY_NAME)

    # -- where it listens --------------------------------------------------------------------
    @property
    def url_or_none(self) -> str | None:
        dc = self.state.datacenters.get(self.datacenter_names[0])
        return dc.url or None if dc else None

    @property
    def url(self) -> str:
        """The first datacenter's URL."""
        url = self.url_or_none
        if url is None:
            raise SimulatorError("the simulator is not started (use it as a context manager)")
        return url

    @property
    def urls(self) -> dict[str, str]:
        return {name: dc.url for name, dc in self.state.datacenters.items() if dc.url}

    def dc(self, name: str | None = None) -> DatacenterState:
        """The state of a datacenter (the first one by default)."""
        name = name or self.datacenter_names[0]
        try:
            return self.state.datacenters[name]
        except KeyError:
            raise SimulatorError(
                f"no datacenter named {name!r} (have {self.datacenter_names})"
            ) from None

    def env(self, dc: str | None = None) -> dict[str, str]:
        """``SDC_URL``, ``SDC_ACCOUNT`` and ``SDC_KEY_ID`` for tools like the triton CLI."""
        return {"SDC_URL": self.dc(dc).url, "SDC_ACCOUNT": self.account, "SDC_KEY_ID": self.key_id}

    # -- observing ---------------------------------------------------------------------------
    def connections_done(self) -> int:
        """Client connections whose handling has ended (the handler finished and closed them),
        over every datacenter: what a test waits for instead of sleeping."""
        return sum(s.connections_done for s in self._servers.values())

    def wait_connections_done(self, count: int, timeout: float = 60.0) -> bool:
        """Until :meth:`connections_done` reaches ``count`` (False after ``timeout``)."""
        deadline = time.monotonic() + timeout
        while self.connections_done() < count:
            if time.monotonic() >= deadline:
                return False
            for server in self._servers.values():  # woken by the next one to end
                server.wait_connections_done(server.connections_done + 1, 0.05)
        return True

    def request_count(self, route: str | None = None) -> int:
        """Requests seen (for one route name, or in total), faulted ones included."""
        return self.faults.seen(route)

    # -- shaping the cloud -------------------------------------------------------------------
    def add_account(self, login: str, **fields: Any) -> AccountState:
        with self.state.lock:
            account = self.state.add_account(login, **fields)
            self.state.revision += 1
        self._save()
        return account

    def clear_config(self, account: str, dc: str | None = None) -> None:
        """Leave ``account`` without a local configuration in ``dc`` (GetConfig answers ``{}``),
        as a new account is until napi-ufds-watcher creates one, or where fabrics are off."""
        with self.state.lock:
            self.dc(dc).table("config")[account] = {}
            self.state.revision += 1
        self._save()

    def set_limits(self, account: str, limits: list[dict[str, Any]]) -> None:
        """Give ``account`` provisioning limits as an operator writes them (``{"value": 25}``,
        ``{"value": 2048, "by": "ram", "check": "os", "os": "windows"}``...); GetAccountLimits
        answers them with their use, and CreateMachine and ResizeMachine refuse what would exceed
        them (403 NotAuthorized), as the provision_limits plugin does."""
        with self.state.lock:
            table = self.state.table("limits", account)
            table.clear()
            table.update({str(i): dict(limit) for i, limit in enumerate(limits)})
            self.state.revision += 1
        self._save()

    def add_user(self, account: str, login: str, **fields: Any) -> dict[str, Any]:
        """Create a sub-user of ``account`` (as CreateUser would) and return its dict. A
        ``password``, when given, must pass UFDS's policy (7 characters, a letter and a digit)."""
        from smartdc.testing.resources import users

        with self.state.lock:
            if self.state.account(account) is None:
                raise SimulatorError(f"no account named {account!r}")
            user: dict[str, Any] = users.create_user(self.state, account, login, **fields)
            self.state.revision += 1
        self._save()
        return user

    def add_key(
        self, login: str, public_key: str, name: str | None = None, user: str | None = None
    ) -> dict[str, Any]:
        """Register an OpenSSH public key for an account (or one of its sub-users)."""
        parse_public_key(public_key)
        fingerprint = md5_fingerprint(public_key)
        with self.state.lock:
            if self.state.account(login) is None:
                raise SimulatorError(f"no account named {login!r}")
            user_id = None
            if user is not None:
                found = self.state.find_user(login, user)
                if found is None:
                    raise SimulatorError(f"account {login!r} has no user {user!r}")
                user_id = str(found["id"])
            keys = self.state.key_table(login, user_id)
            key = {
                "name": name or fingerprint,
                "fingerprint": fingerprint,
                "key": public_key.strip(),
                "_sim_created": self.state.now_iso(),
            }
            keys[fingerprint] = key
            self.state.revision += 1
        self._save()
        return key

    def populate_machines(self, n: int, dc: str | None = None, account: str | None = None) -> None:
        """Create ``n`` running machines at once (for listing and paging tests)."""
        from smartdc.testing.resources import machines

        with self.state.lock:
            machines.populate(self.dc(dc), account or self.account, n)
            self.state.revision += 1
        self._save()

    # -- clients (lazy: the simulator itself never depends on the client) --------------------
    def _client_config(self, config_kwargs: dict[str, Any]) -> dict[str, Any]:
        config_kwargs.setdefault("url", self.url)
        config_kwargs.setdefault("account", self.account)
        config_kwargs.setdefault("key_id", self.key_id)
        config_kwargs.setdefault("secret", self.key_path)
        return config_kwargs

    def advance(self, seconds: float) -> float:
        """Move virtual time forward by ``seconds`` and return the new time (``VirtualClock``
        simulators only: a real clock cannot be moved)."""
        if not isinstance(self.clock, VirtualClock):
            raise SimulatorError("advance() needs a simulator on a VirtualClock")
        return self.clock.advance(seconds)

    @property
    def wait_clock(self) -> VirtualClock | None:
        """The clock clients' waits should use: the simulator's own when it is virtual."""
        return self.clock if isinstance(self.clock, VirtualClock) else None

    def client(self, **config_kwargs: Any) -> CloudAPI:
        """A ``smartdc.CloudAPI`` for the first datacenter, signed with the simulator's key.

        With a ``VirtualClock``, the client's waits advance it instead of sleeping."""
        from smartdc import CloudAPI

        return CloudAPI(clock=self.wait_clock, **self._client_config(config_kwargs))

    def datacenter(self, **config_kwargs: Any) -> DataCenter:
        """A ``smartdc.DataCenter`` facade for the first datacenter (waits as ``client()``)."""
        from smartdc import DataCenter

        return DataCenter(clock=self.wait_clock, **self._client_config(config_kwargs))
