"""A command line wait on anything the spec has no waiter for: ``poll_until(ctx, what, fetch,
done)``, run by the client's waiter engine (its clock, backoff, transient errors, a deadline)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from smartdc.cli.context import Context

POLL_SECONDS = 2.0  # the longest delay between two polls of a CLI wait (triton polls every 1-2 s)
WAIT_SECONDS = 1800.0  # a CLI wait's deadline without --timeout


def poll_until(
    ctx: Context, what: str, fetch: Callable[[], Any], done: Callable[[Any], bool]
) -> Any:
    """``fetch()`` until ``done`` says so, run by the client's waiter engine: its clock, jittered
    backoff, transient errors retried, a deadline (``--timeout``, else WAIT_SECONDS), progress."""
    from smartdc.runtime.waiting import Checked, Poll, WaiterSpec, derived_waiter

    api = ctx.datacenter().api
    progress = ctx.progress(what)
    timing = WaiterSpec(
        what, "", f"Waits until {what} is done.", 1.0, POLL_SECONDS, WAIT_SECONDS, ()
    )
    spec = derived_waiter(timing, what)

    def poll() -> tuple[int, Checked]:
        found = fetch()
        return 200, Checked(found, done(found), state=str(getattr(found, "state", "")))

    def on_poll(seen: Poll) -> None:
        progress(str(seen.state), seen.elapsed)

    found: Checked = api.meta.run_waiter(
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
