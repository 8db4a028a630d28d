"""What a command gets: its arguments, where to print, and the DataCenter (made on first use)."""

from __future__ import annotations

import argparse
import time
from typing import TYPE_CHECKING, Any, TextIO

from smartdc.cli.output import Printer, terminal_safe

if TYPE_CHECKING:
    from smartdc.facade import DataCenter, Machine
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

            self._dc = DataCenter(clock=self.clock, **self.config_kwargs())
        return self._dc

    def machine(self, ref: str) -> Machine:
        return self.datacenter().machine(ref)

    def close(self) -> None:
        if self._dc is not None:
            self._dc.close()

    def progress(self, label: str) -> Progress | None:
        """A progress line on stderr, only when stderr is a terminal."""
        isatty = getattr(self.err, "isatty", None)
        if callable(isatty) and isatty():
            return Progress(self.err, label)
        return None


class Progress:
    """``label: state (12 s)`` rewritten in place on a terminal."""

    def __init__(self, stream: TextIO, label: str) -> None:
        self.stream = stream
        self.label = label
        self.started = time.monotonic()

    def __call__(self, state: str, elapsed: float) -> None:
        shown = terminal_safe(f"{self.label}: {state}")
        self.stream.write(f"\r\x1b[K{shown} ({elapsed:.0f} s)")
        self.stream.flush()

    def done(self, state: str) -> None:
        elapsed = time.monotonic() - self.started
        shown = terminal_safe(f"{self.label}: {state}")
        self.stream.write(f"\r\x1b[K{shown} ({elapsed:.1f} s)\n")
        self.stream.flush()
