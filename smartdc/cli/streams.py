"""``smartdc changefeed`` and ``smartdc instance vnc``: CloudAPI's two WebSocket endpoints."""

from __future__ import annotations

import argparse
import json
import socket
import threading
from collections.abc import Callable
from datetime import datetime, timezone

from smartdc.cli.context import Context
from smartdc.cli.listings import short
from smartdc.cli.output import terminal_safe
from smartdc.cli.values import positive_int
from smartdc.errors import SmartDCError

Adder = Callable[..., argparse.ArgumentParser]


def cmd_changefeed(ctx: Context) -> int:
    """Print each change as it comes: JSON lines with ``-j``, else triton's layout."""
    from smartdc.models import ChangefeedMessage
    from smartdc.runtime.streams import StreamGap

    args = ctx.args
    vms = None
    if args.instances:
        vms = [ctx.machine(ref).id for ref in ",".join(args.instances).split(",") if ref]
    subs = ",".join(args.sub_resources).split(",") if args.sub_resources else None
    api = ctx.datacenter().api
    left = args.count
    with api.get_changefeed(sub_resources=subs, vms=vms) as feed:
        ctx.err.write("smartdc: listening for changes (Ctrl-C to stop)\n")
        ctx.err.flush()
        for item in feed:
            if isinstance(item, StreamGap):
                ctx.err.write(
                    f"smartdc: the changefeed reconnected after {item.down_for:.1f} s "
                    f"({terminal_safe(item.reason)}); changes in between were not sent\n"
                )
                continue
            assert isinstance(item, ChangefeedMessage)
            if ctx.printer.json_mode:
                ctx.out.write(json.dumps(item.to_json(), separators=(",", ":")) + "\n")
            else:
                ctx.out.write(_human(item))
            ctx.out.flush()
            if left is not None:
                left -= 1
                if left <= 0:
                    break
    return 0


def _human(message: object) -> str:
    """triton's layout; every value from the server shown terminal-safe, and a message without
    a field it should have (``changeKind``...) printed with that field empty, not a traceback."""
    from smartdc.models import ChangefeedMessage

    assert isinstance(message, ChangefeedMessage)
    try:
        when = datetime.fromtimestamp(int(message.published) / 1000, tz=timezone.utc)
        stamp = when.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    except (TypeError, ValueError, OverflowError, OSError):
        stamp = str(message.published)
    resource = message.resource_object
    name = getattr(resource, "name", None) if resource is not None else None
    kind = message.change_kind
    subs = getattr(kind, "sub_resources", None) if kind is not None else None
    modified = ",".join(str(s) for s in subs) if isinstance(subs, (list, tuple)) else ""
    changed = message.changed_resource_id
    shown = short(str(changed)) if changed is not None else ""
    lines = (
        f"Change ({terminal_safe(stamp)}) =>",
        f"    modified: {terminal_safe(modified)}",
        f"    state: {terminal_safe(str(message.resource_state or ''))}",
        f"    object: {terminal_safe(shown)}" + (f" ({terminal_safe(str(name))})" if name else ""),
    )
    return "\n".join(lines) + "\n"


def cmd_vnc(ctx: Context) -> int:
    """Relay one local VNC viewer to the instance's console.

    The console is opened first, so a refusal (not a hardware VM, stopped) is reported before
    anything listens; then ``Listening on vnc://127.0.0.1:PORT`` says where to point the viewer.
    """
    from smartdc.errors import RequestTimeout

    machine = ctx.machine(ctx.args.instance)
    with ctx.datacenter().api.connect_machine_vnc(machine.id) as console:
        with socket.create_server(("127.0.0.1", ctx.args.port or 0)) as server:
            ctx.out.write(f"Listening on vnc://127.0.0.1:{server.getsockname()[1]}\n")
            ctx.out.flush()
            viewer, _ = server.accept()
        with viewer:
            viewer.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            done = threading.Event()

            def upstream() -> None:
                try:
                    while data := viewer.recv(65536):
                        console.send(data)
                except (OSError, SmartDCError):
                    pass
                finally:
                    done.set()

            threading.Thread(target=upstream, name="vnc-upstream", daemon=True).start()
            while not done.is_set():
                try:
                    viewer.sendall(console.recv(timeout=0.5))
                except RequestTimeout:
                    continue
                except (OSError, SmartDCError):
                    break
    return 0


def add_commands(add: Adder, instance_commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    feed = add("changefeed", cmd_changefeed, help="stream changes to the account's instances")
    feed.add_argument(
        "--instances",
        action="append",
        metavar="INST[,INST]",
        help="only these instances (names, short ids or ids)",
    )
    feed.add_argument(
        "--sub-resources",
        action="append",
        metavar="NAME[,NAME]",
        help="only changes of these: alias, customer_metadata, destroyed, nics, owner_uuid, "
        "server_uuid, state, tags (default all)",
    )
    feed.add_argument(
        "--count",
        type=positive_int,
        metavar="N",
        help="stop after N changes (default: run until Ctrl-C)",
    )
    vnc = add(
        "vnc",
        cmd_vnc,
        help="relay a local VNC viewer to an instance's console",
        parent=instance_commands,
    )
    vnc.add_argument("instance", help="name, short id or uuid")
    vnc.add_argument(
        "-p", "--port", type=int, help="local port to listen on (default: any free one)"
    )
