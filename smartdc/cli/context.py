"""What a command gets: its arguments, where to print, and the DataCenter or the bare client (made
on first use)."""

from __future__ import annotations

import argparse
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

from smartdc.cli.output import Printer, terminal_safe

if TYPE_CHECKING:
    from smartdc import CloudAPI
    from smartdc.facade import BoundMachine, DataCenter
    from smartdc.runtime.waiting import WaitClock

# connection flags -> Config argument (flags win over the environment, which wins over profiles)
CONNECTION_FLAGS = {
    "url": "url",
    "account": "account",
    "user": "user",
    "key_id": "key_id",
    "key_file": "secret",
    "profile": "profile",
    "insecure": "insecure",
    "ca_certs": "ca_certs",
    "allow_plaintext": "allow_plaintext",
}


class Context:
    def __init__(
        self,
        args: argparse.Namespace,
        out: TextIO,
        err: TextIO,
        *,
        clock: WaitClock | None = None,
    ) -> None:
        self.args = args
        self.clock = clock  # what waits run on (None: real time)
        self.out = out
        self.err = err
        self.printer = Printer(
            out,
            json_mode=getattr(args, "json", False),
            columns=getattr(args, "output", None),
            header=not getattr(args, "no_header", False),
            long=getattr(args, "long", False),
            sort=getattr(args, "sort", None),
        )
        self._dc: DataCenter | None = None
        self._api: CloudAPI | None = None
        self._progresses: list[Progress] = []
        self.failures: list[int] = []  # exit statuses of targets that failed (see instances.each)

    @property
    def words(self) -> str:
        """The command's words (``instance get``), as its error lines name it."""
        return str(getattr(self.args, "command_words", ""))

    def config_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {}
        for flag, setting in CONNECTION_FLAGS.items():
            value = getattr(self.args, flag, None)
            if value is not None and value is not False:
                kwargs[setting] = value
        return kwargs

    def datacenter(self) -> DataCenter:
        if self._dc is None:
            from smartdc.facade import DataCenter

            if self._api is not None:
                self._dc = DataCenter.from_client(self._api)
            else:
                self._dc = DataCenter(clock=self.clock, **self.config_kwargs())
        return self._dc

    def api(self) -> CloudAPI:
        """The generated client (the DataCenter's, once there is one): a command that needs no
        facade object uses it without importing the facade."""
        if self._dc is not None:
            return self._dc.api
        if self._api is None:
            from smartdc import CloudAPI, Config

            self._api = CloudAPI(Config(**self.config_kwargs()), clock=self.clock)
        return self._api

    def machine(self, ref: str) -> BoundMachine:
        """The instance ``ref`` names (smartdc.facade.references); a deleted one is not found
        (triton's InstanceDeleted, exit 3)."""
        machine = self.datacenter().machine(ref)
        if machine.state == "deleted":
            from smartdc.cli.failures import InstanceDeletedError

            raise InstanceDeletedError(f"instance {terminal_safe(ref)} was deleted")
        return machine

    def close(self) -> None:
        for progress in self._progresses:
            progress.close()
        if self._dc is not None:
            self._dc.close()
        elif self._api is not None:
            self._api.close()

    def progress(self, label: str, *, total: int = 1) -> Progress:
        """Progress of a wait on stderr (never stdout): a status line rewritten in place on a
        terminal, else one line per change of state."""
        from smartdc.cli.output import raw_stream

        isatty = getattr(self.err, "isatty", None)
        tty = bool(callable(isatty) and isatty())
        # the raw stream: the line is rewritten with the CLI's own codes; its text is escaped
        progress = Progress(raw_stream(self.err), label, tty=tty, total=total)
        self._progresses.append(progress)  # its ticker stops when the command ends, whatever
        return progress


class Progress:
    """``label: state, 12 s[, 1/3 done]`` while a command waits.

    On a terminal the line is rewritten in place and cleared at the end, so that only the result
    stays, and it keeps counting the seconds between two polls (a ticker thread redraws it every
    ``tick_seconds``); otherwise a line is written each time the state changes (logs, CI), and
    one at the end. ``total``: the machines waited on; a state such as ``2 running, 1
    provisioning`` (what a wait on several reports) counts those in the wanted state as done."""

    def __init__(
        self,
        stream: TextIO,
        label: str,
        *,
        tty: bool,
        total: int = 1,
        now: Callable[[], float] = time.monotonic,
        tick_seconds: float = 1.0,
    ) -> None:
        self.stream = stream
        self.label = label
        self.tty = tty
        self.total = total
        self.done_count = 0
        self.target: str | None = None
        self.elapsed = 0.0
        self._last: str | None = None
        self._now = now
        self._since = 0.0  # when the last poll reported (``now()``)
        self._tick_seconds = tick_seconds
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def tick(self) -> None:
        """Redraw the terminal line with the seconds counted since the last poll."""
        with self._lock:
            if self.tty and self._last is not None and not self._stop.is_set():
                self._draw(self._last, self.elapsed + max(0.0, self._now() - self._since))

    def _tick_until_stopped(self) -> None:
        while not self._stop.wait(self._tick_seconds):
            self.tick()

    def close(self) -> None:
        """Stop the ticker (done() does; so does the end of the command)."""
        self._stop.set()
        ticker, self._ticker = self._ticker, None
        if ticker is not None and ticker is not threading.current_thread():
            ticker.join(timeout=2 * self._tick_seconds)

    def _draw(self, state: str, elapsed: float) -> None:
        shown = terminal_safe(f"{self.label}: {state}, {elapsed:.0f} s{self._counted(state)}")
        self.stream.write(f"\r\x1b[K{shown}")
        self.stream.flush()

    def at(self, done: int) -> None:
        """``done`` of ``total`` are finished (when they are waited on one after another)."""
        self.done_count = done

    def _counted(self, state: str) -> str:
        if self.total <= 1:
            return ""
        done = self.done_count
        if self.target is not None:
            for part in state.split(", "):
                number, _, name = part.partition(" ")
                if name == self.target and number.isdigit():
                    done = int(number)
        return f", {done}/{self.total} done"

    def __call__(self, state: str, elapsed: float) -> None:
        with self._lock:
            self.elapsed = elapsed
            self._since = self._now()
            if self.tty:
                self._draw(state, elapsed)
            elif state != self._last:
                counted = self._counted(state)
                shown = terminal_safe(f"{self.label}: {state} ({elapsed:.0f} s{counted})")
                self.stream.write(f"{shown}\n")
                self.stream.flush()
            self._last = state
        if self.tty and self._ticker is None and not self._stop.is_set():
            self._ticker = threading.Thread(
                target=self._tick_until_stopped, name="smartdc-progress", daemon=True
            )
            self._ticker.start()

    def done(self, state: str) -> None:
        self.close()
        if self.tty:
            self.stream.write("\r\x1b[K")  # the result follows on stdout; the status goes
        elif state != self._last:
            shown = terminal_safe(f"{self.label}: {state} ({self.elapsed:.0f} s)")
            self.stream.write(f"{shown}\n")
        self.stream.flush()
