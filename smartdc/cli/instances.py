"""``smartdc instances`` and ``smartdc instance ...``: machines by name, short id or uuid."""

from __future__ import annotations

import argparse
import itertools
import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from smartdc.cli import creating, listings
from smartdc.cli.acting import each, finish, image_names, image_names_ahead
from smartdc.cli.acting import label as machine_label
from smartdc.cli.answers import filters
from smartdc.cli.context import Context
from smartdc.cli.output import cell, terminal_safe
from smartdc.cli.values import parse_assignments
from smartdc.errors import ArgumentError

if TYPE_CHECKING:
    from smartdc.facade import BoundMachine

Adder = Callable[..., argparse.ArgumentParser]
_JSON_LINES_PER_WRITE = 500  # machines written at once by `instances -j` (a page is 1,000)
INSTANCE_COLUMNS = ["shortid", "name", "state", "primaryIp", "package", "created"]
# the operation of each action: with --wait, the spec's waiter of that operation is run
ACTION_OPERATION = {"start": "StartMachine", "stop": "StopMachine", "delete": "DeleteMachine"}


def _show(ctx: Context, machines: Sequence[BoundMachine]) -> None:
    ctx.printer.records(machines, INSTANCE_COLUMNS, formatters={"shortid": listings.shortid})


def _wait(ctx: Context, machines: list[BoundMachine], state: str | Sequence[str]) -> None:
    """Wait for each machine to be in ``state`` (or any of several), with progress on stderr."""
    from smartdc.facade import wait_all
    from smartdc.facade.waiting import checked_states

    states: Any = checked_states(state)  # a typo is a usage error, not an endless wait
    timeout = getattr(ctx.args, "timeout", None)
    label = machine_label(machines[0]) if len(machines) == 1 else f"{len(machines)} instances"
    shown = " or ".join(states)
    progress = ctx.progress(f"waiting for {label} to be {shown}", total=len(machines))
    if len(machines) == 1 or len(states) > 1:
        for index, machine in enumerate(machines):
            progress.at(index)
            machine.wait(states, timeout=timeout, progress=progress)
    else:
        progress.target = states[0]
        wait_all(machines, states[0], timeout=timeout, progress=progress)
    progress.at(len(machines))
    reached = [str(m.state) for m in machines]
    if len(machines) == 1:
        progress.done(reached[0])
    else:
        progress.done(", ".join(f"{reached.count(s)} {s}" for s in sorted(set(reached))))


def _wait_action(ctx: Context, machines: list[BoundMachine], operation: str) -> None:
    """Wait for each machine as the spec's waiter of ``operation`` says: one machine by that
    waiter (cli/waits.wait_for); several polled together (one ListMachines per round) for the
    state the waiter succeeds on, with its deadline and failures."""
    from smartdc.facade.waiting import waiter_state

    api = ctx.datacenter().api
    name = api.meta.operation(operation).waiter
    if name is None:  # pragma: no cover - the spec names one for each action here
        raise ArgumentError(f"{operation} has no waiter in the spec")
    if len(machines) > 1:
        _wait(ctx, machines, waiter_state(api, name))
        return
    from smartdc.cli.waits import wait_for

    machine = machines[0]
    state = waiter_state(api, name)
    found = wait_for(
        ctx, f"waiting for {machine_label(machine)} to be {state}", name, id=machine.id
    )
    if found is not None and hasattr(found, "state"):
        machine.model = found


def cmd_instances(ctx: Context) -> int:
    params = filters(ctx, "ListMachines")
    if ctx.printer.json_mode:
        # Scripts get the server's objects as they arrive, page by page: no model round trip
        # (the whole objects, as triton prints them with -j, whatever -o says), each in the
        # server's own text unless that is not one line of ASCII (then encoded: terminal-safe).
        # Each object gets triton's computed fields (age, img, shortid, flags), appended to
        # the server's text rather than re-encoding it.
        names = image_names_ahead(ctx)
        api = ctx.api()
        out = ctx.printer.out
        encode = json.JSONEncoder(separators=(",", ":")).encode  # made once, not per machine
        lines: list[str] = []
        pages = api.meta.paginate_json("ListMachines", params, prefetch=True)
        first = next(pages, None)  # the first page and the images are asked for at once
        computed = listings.computed_json(names())

        def write() -> None:
            if lines:
                lines.append("")
                out.write("\n".join(lines))
                lines.clear()

        try:
            for item, text in itertools.chain([first] if first else [], pages):
                plain = text.isascii() and "\n" not in text and "\r" not in text
                if not isinstance(item, dict):  # not an object: printed as it came
                    lines.append(text if plain else encode(item))
                    continue
                extra = computed(item)
                if plain and text.endswith("}") and len(text) > 2:
                    lines.append(f"{text[:-1]},{extra}}}")
                else:
                    lines.append(encode(item)[:-1] + ("," if item else "") + extra + "}")
                if len(lines) >= _JSON_LINES_PER_WRITE:
                    write()
        finally:
            write()  # what came before an error is printed too
        return 0
    # A table needs a few fields of each machine: read from the parsed JSON, no model decoded
    api = ctx.api()
    # each page by json.loads alone: the items' texts, which -j prints, are not needed here
    from smartdc.cli.answers import json_array

    listing = listings.instances(lambda: image_names(ctx))
    if ctx.printer.shows("img", listing):  # asked for while the instances are listed
        listing = listings.instances(image_names_ahead(ctx))
    machines = api.meta.paginate("ListMachines", params, result=json_array, prefetch=True)
    ctx.printer.listing(machines, listing, raw=True)
    return 0


def cmd_get(ctx: Context) -> int:
    from smartdc.facade.lookup import is_uuid

    machine = ctx.machine(ctx.args.instance)
    if not is_uuid(ctx.args.instance):
        machine.refresh()  # GetMachine has fields ListMachines leaves out (dns_names), as triton
    ctx.printer.document(machine)  # JSON, as triton's (| json state)
    return 0


def cmd_create(ctx: Context) -> int:
    args = ctx.args
    for flag, positional in (("image", args.image_arg), ("package", args.package_arg)):
        if positional is not None and getattr(args, flag) is not None:
            raise ArgumentError(f"give the {flag} once: as --{flag} or as an argument")
    if args.nics and args.networks:
        raise ArgumentError("--network and --nic cannot be given together")
    dc = ctx.datacenter()
    extra: dict[str, Any] = {}
    for name, value in (
        ("brand", args.brand),
        ("affinity", args.affinity),
        ("deletion_protection", True if args.deletion_protection else None),
        ("delegate_dataset", True if args.delegate_dataset else None),
        ("encrypted", True if args.encrypted else None),
        ("allow_shared_images", True if args.allow_shared_images else None),
        ("volumes", [creating.volume(v) for v in args.volumes] if args.volumes else None),
        ("disks", creating.disks(args.disks or [])),
    ):
        if value is not None:
            extra[name] = value
    params: dict[str, Any] = {
        "name": args.name,
        "image": args.image or args.image_arg,
        "package": args.package or args.package_arg,
        "networks": creating.nics(args.nics or []) or creating.network_ids(dc, args.networks or []),
        "metadata": creating.metadata(args.metadata_items or [], ctx.err),
        "tags": creating.tags(args.tags or [], ctx.err),
        "firewall_enabled": True if args.firewall else None,
        **extra,
    }
    if args.dry_run:
        return _dry_run(ctx, params)
    machine = dc.create_machine(if_absent=args.if_absent, **params)
    try:
        # the id first, on stderr: whatever happens next, the machine can be found again
        ctx.err.write(f"created instance {machine_label(machine)}: {terminal_safe(machine.id)}\n")
        if args.wait and ctx.printer.json_mode:
            ctx.printer.record(machine)  # triton's -w -j: the object as created, then as running
        if args.wait:
            _wait(ctx, [machine], "running")
    except KeyboardInterrupt:
        ctx.err.write(
            f"\ninterrupted: instance {machine_label(machine)} exists (id {machine.id}); wait for it "
            f"with: smartdc instance wait {machine.id}\n"
        )
        return 130
    if ctx.printer.json_mode:
        ctx.printer.record(machine)
    else:
        _show(ctx, [machine])
    return 0


def _dry_run(ctx: Context, params: dict[str, Any]) -> int:
    """``create --dry-run``: the CreateMachine parameters, image and package looked up as a
    create looks them up; nothing is created."""
    dc = ctx.datacenter()
    image = params["image"]
    found = dc.image(image) if image else dc.default_image()
    package = params["package"]
    size = dc.package(package) if package else dc.default_package()
    shown = {k: v for k, v in {**params, "image": found.id, "package": size.id}.items() if v}
    ctx.err.write(
        f"dry run: would create instance {terminal_safe(str(params['name'] or '(named by the server)'))}"
        f" from {terminal_safe(f'{found.name}@{found.version}')} with package "
        f"{terminal_safe(str(size.name))}; nothing was sent\n"
    )
    ctx.printer.line(json.dumps(shown, indent=None if ctx.printer.json_mode else 2))
    return 0


def _action(action: str) -> Callable[[Context], int]:
    """start, stop, delete on each instance named (triton's gen_do_ACTION): each is acted on
    and reported; with ``-w`` those acted on are waited for together."""

    def run(ctx: Context) -> int:
        snapshot = getattr(ctx.args, "snapshot", None)

        def act(machine: BoundMachine) -> None:
            if snapshot is not None:
                machine.snapshot(snapshot).start()
            else:
                getattr(machine, action)()
            if not ctx.args.wait:
                ctx.err.write(f"{action}: requested for {machine_label(machine)}\n")

        machines = each(ctx, ctx.args.instances, act)
        if ctx.args.wait and machines:
            try:
                _wait_action(ctx, machines, ACTION_OPERATION[action])
            except Exception as exc:
                from smartdc.cli.failures import report

                ctx.failures.append(report(exc, ctx.err, ctx.words))
                return 1
            if action != "delete":
                _show(ctx, machines)
            else:
                ctx.err.write(f"deleted {', '.join(machine_label(m) for m in machines)}\n")
        return finish(ctx)

    return run


def cmd_reboot(ctx: Context) -> int:
    # no state change: with --wait, the machine's audit trail says when the reboot is done
    def act(machine: BoundMachine) -> None:
        machine.reboot(wait=ctx.args.wait, timeout=ctx.args.timeout)
        ctx.err.write(
            f"reboot: {'done' if ctx.args.wait else 'requested'} for {machine_label(machine)}\n"
        )

    machines = each(ctx, ctx.args.instances, act)
    if ctx.args.wait and machines:
        _show(ctx, machines)
    return finish(ctx)


def cmd_resize(ctx: Context) -> int:
    machine = ctx.machine(ctx.args.instance)
    machine.resize(ctx.args.package, wait=ctx.args.wait, timeout=ctx.args.timeout)
    ctx.err.write(f"resize to {ctx.args.package}: requested for {machine_label(machine)}\n")
    if ctx.args.wait:
        _show(ctx, [machine])
    return 0


def cmd_rename(ctx: Context) -> int:
    machine = ctx.machine(ctx.args.instance)
    machine.rename(ctx.args.name, wait=ctx.args.wait, timeout=ctx.args.timeout)
    ctx.err.write(f"rename to {ctx.args.name}: requested for {machine.id}\n")
    if ctx.args.wait:
        _show(ctx, [machine])
    return 0


def cmd_wait(ctx: Context) -> int:
    """triton's ``instance wait [-s STATES] INST...``: until each is in one of the states."""
    machines = [ctx.machine(ref) for ref in ctx.args.instances]
    states = [s for s in ",".join(ctx.args.states).split(",") if s] if ctx.args.states else None
    _wait(ctx, machines, states or ["running", "failed"])
    if any(m.state != "deleted" for m in machines):
        _show(ctx, [m for m in machines if m.state != "deleted"])
    return 0


# -- tags and metadata ----------------------------------------------------------------------


def _live_map(ctx: Context, kind: str) -> Any:
    machine = ctx.machine(ctx.args.instance)
    return machine.tags if kind == "tag" else machine.metadata


def _map_list(kind: str) -> Callable[[Context], int]:
    def run(ctx: Context) -> int:
        ctx.printer.document(_live_map(ctx, kind).to_dict())  # JSON, as triton's
        return 0

    return run


def _settled(ctx: Context, live: Any, kind: str, done: Callable[[dict[str, Any]], bool]) -> None:
    """With ``-w``: until the instance's {kind}s show the change (the server applies it in a
    job), as triton's ``tag set -w`` waits."""
    if getattr(ctx.args, "wait", False):
        from smartdc.cli.waits import poll_until

        poll_until(ctx, f"{kind} change on {ctx.args.instance}", live.to_dict, done)


def _map_set(kind: str) -> Callable[[Context], int]:
    def run(ctx: Context) -> int:
        if kind == "tag":
            values = parse_assignments(ctx.args.pairs, typed=True)
        else:  # as `create -m KEY=VALUE`: true, false and numbers typed, anything else text
            values = {
                name: creating.kv_value(value)
                for name, value in parse_assignments(ctx.args.pairs, typed=False).items()
            }
        live = _live_map(ctx, kind)
        live.update(values)
        _settled(ctx, live, kind, lambda now: all(now.get(k) == v for k, v in values.items()))
        ctx.printer.document(live.to_dict())
        return 0

    return run


def _map_get(kind: str) -> Callable[[Context], int]:
    def run(ctx: Context) -> int:
        live = _live_map(ctx, kind)
        try:
            value = live[ctx.args.key]
        except KeyError:
            from smartdc.facade import NotFoundError

            raise NotFoundError(f"{ctx.args.instance} has no {kind} {ctx.args.key!r}") from None
        if ctx.printer.json_mode:
            ctx.printer.line(json.dumps(value))
        else:
            ctx.printer.line(cell(value))
        return 0

    return run


def cmd_tag_replace_all(ctx: Context) -> int:
    machine = ctx.machine(ctx.args.instance)
    values = parse_assignments(ctx.args.pairs, typed=True)
    machine.tags.replace(values)
    _settled(ctx, machine.tags, "tag", lambda now: now == values)
    ctx.printer.document(machine.tags.to_dict())
    return 0


def _map_delete(kind: str) -> Callable[[Context], int]:
    def run(ctx: Context) -> int:
        live = _live_map(ctx, kind)
        if ctx.args.all:
            live.clear()
        for key in ctx.args.keys:
            try:
                del live[key]
            except KeyError:
                from smartdc.facade import NotFoundError

                raise NotFoundError(f"{ctx.args.instance} has no {kind} {key!r}") from None
        gone = set(ctx.args.keys)
        _settled(
            ctx,
            live,
            kind,
            lambda now: not (gone & set(now)) and (not ctx.args.all or kind != "tag" or not now),
        )
        return 0

    return run


# -- snapshots --------------------------------------------------------------------------------


def cmd_snapshot_list(ctx: Context) -> int:
    snapshots = ctx.machine(ctx.args.instance).snapshots()
    ctx.printer.records(snapshots, ["name", "state", "created"])
    return 0


def cmd_snapshot_get(ctx: Context) -> int:
    ctx.printer.document(ctx.machine(ctx.args.instance).snapshot(ctx.args.name))
    return 0


def cmd_snapshot_create(ctx: Context) -> int:
    if ctx.args.name and ctx.args.name_opt:
        raise ArgumentError("give the snapshot name once: as -n or as an argument")
    name = ctx.args.name or ctx.args.name_opt
    snapshot = ctx.machine(ctx.args.instance).create_snapshot(name)
    if ctx.args.wait:
        progress = ctx.progress(f"snapshot {snapshot.name}")
        snapshot.poll_until("created", timeout=ctx.args.timeout)
        progress.done(str(snapshot.state))
    ctx.printer.records([snapshot], ["name", "state", "created"])
    return 0


def cmd_snapshot_delete(ctx: Context) -> int:
    machine = ctx.machine(ctx.args.instance)
    for name in ctx.args.names:
        machine.snapshot(name).delete(wait=ctx.args.wait, timeout=ctx.args.timeout)
        ctx.err.write(f"deleted snapshot {name} of {machine_label(machine)}\n")
    return 0


def cmd_snapshot_boot(ctx: Context) -> int:
    machine = ctx.machine(ctx.args.instance)
    machine.snapshot(ctx.args.name).start()
    ctx.err.write(f"booting {machine_label(machine)} from snapshot {ctx.args.name}\n")
    if ctx.args.wait:
        _wait(ctx, [machine], "running")
        _show(ctx, [machine])
    return 0


# -- the parser -------------------------------------------------------------------------------


def _wait_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-w", "--wait", action="store_true", help="wait until it is done")
    parser.add_argument(
        "--wait-timeout",
        "--timeout",
        dest="timeout",
        type=float,
        metavar="SECONDS",
        help="seconds to wait at most (with --wait)",
    )


def _lifecycle_commands(add: Adder, parent: Any) -> None:
    """create, start, stop, delete, reboot: under ``instance``, and (``parent`` None) at the top
    level as triton's shortcuts (``triton create``, ``triton stop`` ...)."""
    # the shortcuts fail as triton's do: as the `instance` command they stand for
    words = {} if parent is not None else {"words": ("instance", "create")}
    create = add("create", cmd_create, help="create an instance", parent=parent, **words)
    create.add_argument("-n", "--name", help="name of the instance")
    create.add_argument("-i", "--image", help="image id or name (default: latest base image)")
    create.add_argument("-p", "--package", help="package id or name (default: default package)")
    # triton's form: `instance create IMAGE PACKAGE`
    create.add_argument("image_arg", nargs="?", metavar="IMAGE", help="same as --image")
    create.add_argument("package_arg", nargs="?", metavar="PACKAGE", help="same as --package")
    create.add_argument(
        "-N",
        "--network",
        dest="networks",
        action="append",
        metavar="NETWORK[,NETWORK]",
        help="networks by id, name or short id (repeatable)",
    )
    create.add_argument(
        "--nic",
        dest="nics",
        action="append",
        metavar="NICOPTS",
        help="a NIC as ipv4_uuid=NETWORK-UUID[,ipv4_ips=IP] (repeatable; not with -N)",
    )
    create.add_argument("-b", "--brand", help="bhyve or kvm (default: from image and package)")
    create.add_argument(
        "-t",
        "--tag",
        dest="tags",
        action="append",
        metavar="TAG",
        help="KEY=VALUE (true/false and numbers typed), {JSON} or @FILE (repeatable)",
    )
    create.add_argument(
        "-a",
        "--affinity",
        action="append",
        metavar="RULE",
        help="placement: instance==INST, instance!=INST, instance==~INST, instance!=~INST",
    )
    for flags, kind, metavar, text in (
        (("-m", "--metadata"), "metadata", "DATA", "KEY=VALUE, {JSON} or @FILE (repeatable)"),
        (("-M", "--metadata-file"), "metadata_file", "KEY=FILE", "KEY set to FILE's contents"),
        (("--script",), "script", "FILE", "FILE as the user-script metadata"),
        (("--cloud-config",), "cloud_config", "FILE", "FILE as cloud-init:user-data"),
    ):
        create.add_argument(
            *flags,
            dest="metadata_items",
            action=creating.ordered(kind),
            metavar=metavar,
            help=text,
        )
    create.add_argument(
        "-v",
        "--volume",
        dest="volumes",
        action="append",
        metavar="VOLMOUNT",
        help="NAME:/MOUNT/POINT[:ro|rw] (not for KVM; repeatable)",
    )
    create.add_argument(
        "--disk",
        dest="disks",
        action="append",
        metavar="DATA",
        help='a disk as JSON ({"size": 10240}, the last may be "remaining") or @FILE '
        "holding an array (packages with flexible disks)",
    )
    create.add_argument("--firewall", action="store_true", help="enable the firewall")
    create.add_argument(
        "--deletion-protection", action="store_true", help="refuse deletes until disabled"
    )
    create.add_argument("--delegate-dataset", action="store_true", help="a delegated dataset")
    create.add_argument("--encrypted", action="store_true", help="on an encrypted server")
    create.add_argument(
        "--allow-shared-images", action="store_true", help="allow an image shared with you"
    )
    create.add_argument(
        "--dry-run", action="store_true", help="print what would be created; create nothing"
    )
    create.add_argument(
        "--if-absent", action="store_true", help="reuse an instance of that name if it exists"
    )
    _wait_flags(create)
    for action, text in (
        ("start", "start instances"),
        ("stop", "stop instances"),
        ("delete", "delete instances"),
    ):
        parser = add(
            action,
            _action(action),
            help=text,
            parent=parent,
            aliases=["rm"] if action == "delete" else [],
            **({} if parent is not None else {"words": ("instance", action)}),
        )
        parser.add_argument(
            "instances", nargs="+", metavar="INSTANCE", help="name, short id or uuid"
        )
        _wait_flags(parser)
        if action == "start":
            parser.add_argument(
                "--snapshot", metavar="SNAPNAME", help="boot from this snapshot (stopped only)"
            )
        if action == "delete":
            parser.add_argument(
                "-f", "--force", action="store_true", help="(no prompt: accepted for triton)"
            )
    shortcut = {} if parent is not None else {"words": ("instance", "reboot")}
    reboot = add("reboot", cmd_reboot, help="reboot instances", parent=parent, **shortcut)
    reboot.add_argument("instances", nargs="+", metavar="INSTANCE", help="name, short id or uuid")
    _wait_flags(reboot)


def add_commands(add: Adder) -> None:
    def instance_listing(parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "filters", nargs="*", metavar="FIELD=VALUE", help="e.g. state=running tag.role=db"
        )
        listings.table_flags(parser)

    instance_listing(
        add("instances", cmd_instances, help="list instances", aliases=["insts", "ls"])
    )
    inst = add("instance", None, help="show, create, change and delete instances", aliases=["inst"])
    sub = inst.add_subparsers(dest="instance_command", metavar="COMMAND", required=True)
    instance_listing(add("list", cmd_instances, help="list instances", parent=sub, aliases=["ls"]))

    def one(name: str, func: Callable[[Context], int], text: str) -> argparse.ArgumentParser:
        parser = add(name, func, help=text, parent=sub)
        parser.add_argument("instance", help="name, short id or uuid")
        return parser

    one("get", cmd_get, "show an instance")
    from smartdc.cli import streams

    streams.add_commands(add, sub)
    _lifecycle_commands(add, sub)
    resize = one("resize", cmd_resize, "resize an instance to another package")
    resize.add_argument("package", help="package id or name")
    _wait_flags(resize)
    rename = one("rename", cmd_rename, "rename an instance")
    rename.add_argument("name", help="the new name")
    _wait_flags(rename)
    from smartdc.cli import firewall

    firewall.add_instance_commands(add, sub, _wait_flags)
    from smartdc.cli import parts, ssh

    parts.add_commands(add, sub, _wait_flags)
    ssh.add_commands(add, sub)
    # triton's top-level shortcuts for the everyday actions
    _lifecycle_commands(add, None)
    ssh.add_commands(add, None)
    wait = add("wait", cmd_wait, help="wait until instances are in a state", parent=sub)
    wait.add_argument("instances", nargs="+", metavar="INSTANCE")
    wait.add_argument(
        "-s",
        "--states",
        action="append",
        metavar="STATE[,STATE]",
        help="the states to wait for (default: running,failed, as triton)",
    )
    wait.add_argument(
        "--wait-timeout", "--timeout", dest="timeout", type=float, help="seconds to wait at most"
    )

    for kind, plural in (("tag", "tags"), ("metadata", "metadata")):
        group = add(kind, None, help=f"list, set or delete {plural}", parent=sub)
        kinds = group.add_subparsers(dest=f"{kind}_command", metavar="COMMAND", required=True)
        listed = add("list", _map_list(kind), help=f"list {plural}", parent=kinds, aliases=["ls"])
        listed.add_argument("instance")
        # triton's `instance tags INST` / `instance metadatas INST`
        plural_list = add(
            "tags" if kind == "tag" else "metadatas",
            _map_list(kind),
            help=f"list {plural}",
            parent=sub,
        )
        plural_list.add_argument("instance")
        getter = add("get", _map_get(kind), help=f"show one of the {plural}", parent=kinds)
        getter.add_argument("instance")
        getter.add_argument("key")
        if kind == "tag":
            replacer = add(
                "replace-all", cmd_tag_replace_all, help="replace every tag", parent=kinds
            )
            replacer.add_argument("instance")
            replacer.add_argument("pairs", nargs="*", metavar="KEY=VALUE")
            _wait_flags(replacer)
        setter = add("set", _map_set(kind), help=f"set {plural}", parent=kinds)
        setter.add_argument("instance")
        setter.add_argument("pairs", nargs="+", metavar="KEY=VALUE")
        _wait_flags(setter)
        deleter = add(
            "delete", _map_delete(kind), help=f"delete {plural}", parent=kinds, aliases=["rm"]
        )
        deleter.add_argument("instance")
        deleter.add_argument("keys", nargs="*", metavar="KEY")
        deleter.add_argument("-a", "--all", action="store_true", help=f"delete all {plural}")
        _wait_flags(deleter)
        if kind == "metadata":
            deleter.add_argument("-f", "--force", action="store_true", help="(accepted: no prompt)")

    snap = add("snapshot", None, help="list, create, delete or boot from snapshots", parent=sub)
    snaps = snap.add_subparsers(dest="snapshot_command", metavar="COMMAND", required=True)
    listed = add("list", cmd_snapshot_list, help="list snapshots", parent=snaps, aliases=["ls"])
    listed.add_argument("instance")
    add("snapshots", cmd_snapshot_list, help="list snapshots", parent=sub).add_argument("instance")
    got = add("get", cmd_snapshot_get, help="show a snapshot", parent=snaps)
    got.add_argument("instance")
    got.add_argument("name")
    created = add("create", cmd_snapshot_create, help="take a snapshot", parent=snaps)
    created.add_argument("instance")
    created.add_argument("name", nargs="?", help="name (default: a timestamp)")
    created.add_argument("-n", "--name", dest="name_opt", help="same as NAME")
    _wait_flags(created)
    deleted = add(
        "delete", cmd_snapshot_delete, help="delete snapshots", parent=snaps, aliases=["rm"]
    )
    deleted.add_argument("instance")
    deleted.add_argument("names", nargs="+", metavar="NAME")
    _wait_flags(deleted)
    boot = add(
        "boot", cmd_snapshot_boot, help="boot a stopped instance from a snapshot", parent=snaps
    )
    boot.add_argument("instance")
    boot.add_argument("name")
    _wait_flags(boot)
