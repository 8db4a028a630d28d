"""Acting on several instances as triton does (each reported, the others still acted on), and
the image names an instance listing shows. Below the command modules that share them."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from smartdc.cli.context import Context
from smartdc.cli.listings import short
from smartdc.cli.output import terminal_safe

if TYPE_CHECKING:
    from smartdc.facade import BoundMachine


def label(machine: BoundMachine) -> str:
    return terminal_safe(f"{machine.name or '-'} ({short(machine.id)})")


def each(
    ctx: Context, refs: Sequence[str], act: Callable[[BoundMachine], object]
) -> list[BoundMachine]:
    """``act(machine)`` on each instance named, as triton does: one that cannot be found or
    refuses is reported on stderr and the others are still acted on. Returns those acted on;
    ``ctx.failures`` counts the others (the command then exits 1, see :func:`finish`)."""
    from smartdc.cli.failures import report
    from smartdc.errors import SmartDCError

    done = []
    for ref in refs:
        try:
            machine = ctx.machine(ref)
            act(machine)
        except SmartDCError as exc:
            status = report(exc, ctx.err, target=True)
            ctx.failures.append(status)
            continue
        done.append(machine)
    return done


def finish(ctx: Context) -> int:
    """The exit status of a command on several targets: 0 if each worked, else 1 (triton's
    "command failure", even when what failed was not found), said in triton's last line."""
    if not ctx.failures:
        return 0
    ctx.err.write(f"smartdc {ctx.words}: error: command failure\n")
    return 1


def switch_each(
    ctx: Context, what: str, switch: Callable[[BoundMachine, bool, float | None], object]
) -> int:
    """``switch(machine, wait, timeout)`` for each of ``--instances``, saying on stderr that
    ``what`` (e.g. "enable firewall") was done, or requested when not waited for."""
    wait, timeout = ctx.args.wait, ctx.args.timeout

    def act(machine: BoundMachine) -> None:
        switch(machine, wait, timeout)
        done = "done" if wait else "requested"
        ctx.err.write(f"{what}: {done} for instance {label(machine)}\n")

    each(ctx, ctx.args.instances, act)
    return finish(ctx)


def image_names(ctx: Context) -> dict[str, str]:
    """Image id -> ``name@version`` for the ``img`` column (every state, as triton looks them up;
    an account that may not list images just gets short ids). Read from the JSON: no model is
    decoded for a column."""
    from smartdc.errors import CloudAPIError

    api = ctx.api()
    try:
        response = api.meta.call(api.meta.operation("ListImages"), {"state": "all"}, decode=False)
    except CloudAPIError as exc:
        if exc.status == 403:
            return {}
        raise
    images = json.loads(response.body) if response.body else []
    if not isinstance(images, list):
        return {}
    return {
        str(i["id"]): f"{i.get('name')}@{i.get('version')}"
        for i in images
        if isinstance(i, dict) and isinstance(i.get("id"), str)
    }


def image_names_ahead(ctx: Context) -> Callable[[], dict[str, str]]:
    """:func:`image_names` asked for now, in a background thread, while the caller lists the
    instances (triton lists both at once too); the function returned waits for the names."""
    from smartdc.runtime.ahead import Ahead

    ctx.api()  # made here, in this thread; the other one only calls it
    return Ahead(lambda: image_names(ctx), name="smartdc-images").result
