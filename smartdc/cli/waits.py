"""A command line wait on anything the spec has no waiter for: ``poll_until(ctx, what, fetch,
done)``, run by the client's waiter engine (its clock, backoff, transient errors, a deadline)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from smartdc.cli.context import Context

POLL_SECONDS = 2.0  # the longest delay between two polls of a CLI wait (triton polls every 1-2 s)
WAIT_SECONDS = 1800.0  # a CLI wait's deadline without --timeout


class _Seen:
    """One poll of a CLI wait: the fetched object and whether it is what is awaited."""

    def __init__(self, value: Any, done: bool) -> None:
        self.value = value
        self.done = done
        self.state = str(getattr(value, "state", ""))


def poll_until(
    ctx: Context, what: str, fetch: Callable[[], Any], done: Callable[[Any], bool]
) -> Any:
    """``fetch()`` until ``done`` says so, run by the client's waiter engine: its clock, jittered
    backoff, transient errors retried, a deadline (``--timeout``, else WAIT_SECONDS), progress."""
    from smartdc.runtime.waiting import AcceptorSpec, Poll, WaiterSpec

    api = ctx.datacenter().api
    progress = ctx.progress(what)
    spec = WaiterSpec(
        name=what,
        operation="",
        description=f"Waits until {what} is done.",
        min_delay=1.0,
        max_delay=POLL_SECONDS,
        timeout=WAIT_SECONDS,
        acceptors=(AcceptorSpec("success", "path", True, "done"),),
        shown="state",
    )

    def poll() -> tuple[int, _Seen]:
        found = fetch()
        return 200, _Seen(found, done(found))

    def on_poll(seen: Poll) -> None:
        progress(str(seen.state), seen.elapsed)

    found: _Seen = api.meta.run_waiter(
        spec, poll, timeout=ctx.args.timeout, on_poll=on_poll, what=what
    )
    progress.done(found.state)
    return found.value


def wait_for(ctx: Context, what: str, waiter: str, **params: Any) -> Any:
    """Run the spec's waiter ``waiter`` (its delays, acceptors and deadline, or ``--timeout``) with
    the command line's progress: where the spec has a waiter, the CLI does not restate it."""
    from smartdc.runtime.waiting import Poll

    api = ctx.datacenter().api
    progress = ctx.progress(what)

    def on_poll(seen: Poll) -> None:
        progress(str(seen.state), seen.elapsed)

    found = api.meta.wait(waiter, timeout=ctx.args.timeout, on_poll=on_poll, **params)
    progress.done(str(getattr(found, "state", "")))
    return found
