"""An instance's parts and moves, as triton's ``instance nic ...``, ``instance disk ...`` and
``instance migration ...``; also ``instance audit`` and ``instance enable/disable-deletion-
protection``."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from typing import Any

from smartdc.cli import listings
from smartdc.cli.context import Context
from smartdc.cli.output import Listing, as_json
from smartdc.cli.waits import wait_for
from smartdc.errors import ArgumentError, SmartDCError

Adder = Callable[..., argparse.ArgumentParser]
MIGRATION_ACTIONS = ("begin", "sync", "switch", "automatic", "pause", "abort", "finalize")


def _machine_id(ctx: Context) -> str:
    return ctx.machine(ctx.args.instance).id


# -- audit ------------------------------------------------------------------------------------


def cmd_audit(ctx: Context) -> int:
    machine = ctx.machine(ctx.args.instance)
    # each entry with the instance's id and short id, as triton adds them
    entries = [
        {**as_json(entry), "id": machine.id, "shortid": listings.short(machine.id)}
        for entry in machine.audit()
    ]
    ctx.printer.listing(
        entries,
        Listing(
            columns=("shortid", "time", "action", "success"),
            long=("id", "time", "action", "success"),
            sort=("time",),
            fields=listings.fields_of(listings.model("AuditEntry")),
        ),
    )
    return 0


def _deletion_protection(enable: bool) -> Callable[[Context], int]:
    def run(ctx: Context) -> int:
        from smartdc.cli.acting import switch_each

        if enable:
            return switch_each(
                ctx,
                "enable deletion protection",
                lambda m, w, t: m.enable_deletion_protection(wait=w, timeout=t),
            )
        return switch_each(
            ctx,
            "disable deletion protection",
            lambda m, w, t: m.disable_deletion_protection(wait=w, timeout=t),
        )

    return run


# -- NICs -------------------------------------------------------------------------------------


def cmd_nic_list(ctx: Context) -> int:
    nics = ctx.datacenter().api.list_nics(id=_machine_id(ctx))
    ctx.printer.listing(
        nics,
        Listing(
            columns=("ip", "mac", "state", "network"),
            long=("ip", "mac", "state", "network", "primary", "gateway"),
            sort=("mac",),
            fields=listings.fields_of(listings.model("Nic")),
        ),
    )
    return 0


def cmd_nic_get(ctx: Context) -> int:
    ctx.printer.document(ctx.datacenter().api.get_nic(id=_machine_id(ctx), mac=_mac(ctx.args.mac)))
    return 0


def nic_network(items: list[str]) -> str | dict[str, Any]:
    """``NETWORK`` (id, name or short id) or triton's NICOPTS ``ipv4_uuid=ID [ipv4_ips=IP]``."""
    from smartdc.cli.creating import nic_object

    pairs = [i for i in items if "=" in i]
    plain = [i for i in items if "=" not in i]
    if pairs and plain:
        raise ArgumentError("give a NETWORK or NICOPT=VALUE arguments, not both")
    if plain:
        if len(plain) != 1:
            raise ArgumentError("give one NETWORK")
        return plain[0]
    return nic_object(pairs)


def cmd_nic_add(ctx: Context) -> int:
    network = nic_network(ctx.args.network)
    if isinstance(network, str):
        from smartdc.cli.creating import network_ids

        network = (network_ids(ctx.datacenter(), [network]) or [network])[0]
    api = ctx.datacenter().api
    machine_id = _machine_id(ctx)
    # CloudAPI answers 302 (the client then returns the NIC there) when the instance already
    # has a NIC on that network: that is a failure here, as triton reports it
    before = {str(n.mac) for n in api.list_nics(id=machine_id)}
    nic = api.add_nic(id=machine_id, network=network, primary=True if ctx.args.primary else None)
    if str(nic.mac) in before:
        raise NicExistsError(
            f"instance {ctx.args.instance} already has a NIC on that network ({nic.mac})"
        )
    if ctx.args.wait:
        nic = _wait_nic(ctx, machine_id, nic.mac)
    if ctx.printer.json_mode:
        ctx.printer.record(nic)
    else:
        ctx.printer.line(f"Created NIC {nic.mac}" + (f" ({nic.ip})" if nic.ip else ""))
    return 0


class NicExistsError(SmartDCError):
    """``nic add`` on a network the instance is already on (exit 1, as triton's)."""


def _wait_nic(ctx: Context, machine_id: str, mac: str) -> Any:
    """Until the NIC is running or stopped (it follows its instance's state), as triton waits:
    the spec's NicReady waiter."""
    return wait_for(ctx, f"NIC {mac}", "NicReady", id=machine_id, mac=_mac(mac))


def _mac(text: str) -> str:
    """A MAC as CloudAPI takes it in paths: 12 hex digits (triton strips the colons too)."""
    return text.replace(":", "").lower()


def cmd_nic_delete(ctx: Context) -> int:
    api = ctx.datacenter().api
    machine_id = _machine_id(ctx)
    for mac in ctx.args.macs:
        api.remove_nic(id=machine_id, mac=_mac(mac))
        ctx.printer.line(f"Deleted NIC {mac}")
    return 0


# -- disks ------------------------------------------------------------------------------------


def _disk_listing() -> Listing:
    return listings.of(
        listings.model("Disk"),
        ("shortid", "size", "pci_slot"),
        long=("id", "size", "pci_slot", "boot", "state"),
        sort=("pci_slot",),
    )


def _disk_id(ctx: Context, machine_id: str, ref: str) -> str:
    """A disk by id or short id."""
    from smartdc.facade import NotFoundError

    disks = ctx.datacenter().api.list_machine_disks(id=machine_id)
    found = [d.id for d in disks if d.id == ref] or [d.id for d in disks if d.id.startswith(ref)]
    if len(found) != 1:
        raise NotFoundError(
            f"no disk {ref!r} on that instance" if not found else f"{ref!r} is ambiguous"
        )
    return str(found[0])


def cmd_disk_list(ctx: Context) -> int:
    disks = ctx.datacenter().api.list_machine_disks(id=_machine_id(ctx))
    ctx.printer.listing(disks, _disk_listing())
    return 0


def cmd_disk_get(ctx: Context) -> int:
    machine_id = _machine_id(ctx)
    disk_id = _disk_id(ctx, machine_id, ctx.args.disk)
    ctx.printer.document(ctx.datacenter().api.get_machine_disk(id=machine_id, disk_id=disk_id))
    return 0


def _size(text: str) -> int | str:
    if text == "remaining":
        return text
    try:
        return int(text)
    except ValueError:
        raise ArgumentError(f"SIZE is MiB as a whole number or 'remaining', not {text!r}") from None


def cmd_disk_add(ctx: Context) -> int:
    api = ctx.datacenter().api
    machine_id = _machine_id(ctx)
    before = {d.id for d in api.list_machine_disks(id=machine_id)}
    disk = api.create_machine_disk(id=machine_id, size=_size(ctx.args.size))
    if disk is None:  # 202 without a body: the new disk is the one that was not there before
        added = [d for d in api.list_machine_disks(id=machine_id) if d.id not in before]
        disk = added[0] if added else None
    if disk is None:
        ctx.err.write("disk add: requested\n")
        return 0
    if ctx.args.wait:
        disk = api.wait_disk_ready(id=machine_id, disk_id=disk.id, timeout=ctx.args.timeout)
    if ctx.printer.json_mode:
        ctx.printer.record(disk)
    else:
        ctx.printer.line(f"Added disk {disk.id} ({disk.size} MiB)")
    return 0


def cmd_disk_resize(ctx: Context) -> int:
    api = ctx.datacenter().api
    machine_id = _machine_id(ctx)
    disk_id = _disk_id(ctx, machine_id, ctx.args.disk)
    size = _size(ctx.args.size)
    if not isinstance(size, int):
        raise ArgumentError("a disk is resized to a size in MiB")
    disk = api.resize_machine_disk(
        id=machine_id,
        disk_id=disk_id,
        size=size,
        dangerous_allow_shrink=True if ctx.args.dangerous_allow_shrink else None,
    )
    if ctx.args.wait:
        disk = api.wait_disk_ready(id=machine_id, disk_id=disk_id, timeout=ctx.args.timeout)
    ctx.err.write(
        f"Resizing disk {disk_id} to {size} MiB: {'done' if ctx.args.wait else 'requested'}\n"
    )
    if ctx.printer.json_mode:
        ctx.printer.record(disk)
    return 0


def cmd_disk_delete(ctx: Context) -> int:
    api = ctx.datacenter().api
    machine_id = _machine_id(ctx)
    for ref in ctx.args.disks:
        disk_id = _disk_id(ctx, machine_id, ref)
        api.delete_machine_disk(id=machine_id, disk_id=disk_id)
        ctx.err.write(f"Deleting disk {disk_id}: requested\n")
    return 0


# -- migrations -------------------------------------------------------------------------------


def _migration_listing() -> Listing:
    def shortid(record: Mapping[str, Any]) -> str:
        return listings.short(record.get("machine"))

    return Listing(
        columns=("shortid", "phase", "state", "age"),
        long=("machine", "phase", "state", "created_timestamp"),
        sort=("created_timestamp",),
        computed={
            "shortid": shortid,
            "age": lambda r: listings.age({"created": r.get("created_timestamp")}),
        },
        fields=listings.fields_of(listings.model("Migration")),
    )


def cmd_migration_list(ctx: Context) -> int:
    ctx.printer.listing(ctx.datacenter().api.list_migrations(), _migration_listing())
    return 0


def cmd_migration_get(ctx: Context) -> int:
    ctx.printer.record(ctx.datacenter().api.get_migration(id=_machine_id(ctx)))
    return 0


def _migration_action(action: str) -> Callable[[Context], int]:
    def run(ctx: Context) -> int:
        api = ctx.datacenter().api
        machine_id = _machine_id(ctx)
        migration = api.migrate(id=machine_id, action=action)
        if getattr(ctx.args, "wait", False) and action != "finalize":
            # until the action is over, as the spec's MigrationActionDone waiter says (a
            # finished abort removes the record: then there is none to show)
            found = wait_for(ctx, f"migration {action}", "MigrationActionDone", id=machine_id)
            migration = found if hasattr(found, "state") else None
        if migration is not None and ctx.printer.json_mode:
            ctx.printer.record(migration)
        elif migration is not None:
            ctx.err.write(
                f"migration {action}: {migration.phase} {migration.state} for {machine_id}\n"
            )
        else:
            ctx.err.write(f"migration {action}: done for {machine_id}\n")
        return 0

    return run


# -- the parser -------------------------------------------------------------------------------


def add_commands(add: Adder, group: Any, wait_flags: Callable[[Any], None]) -> None:
    """Under ``instance``."""
    audit = add("audit", cmd_audit, help="list the actions done to an instance", parent=group)
    audit.add_argument("instance")
    listings.table_flags(audit)
    for name, enable in (
        ("enable-deletion-protection", True),
        ("disable-deletion-protection", False),
    ):
        parser = add(
            name,
            _deletion_protection(enable),
            help=f"{'refuse' if enable else 'allow'} deleting instances",
            parent=group,
        )
        parser.add_argument("instances", nargs="+", metavar="INSTANCE")
        wait_flags(parser)

    nic = add("nic", None, help="list, add or delete an instance's NICs", parent=group)
    nics = nic.add_subparsers(dest="nic_command", metavar="COMMAND", required=True)
    for listed in (
        add("list", cmd_nic_list, help="list NICs", parent=nics, aliases=["ls"]),
        add("nics", cmd_nic_list, help="list an instance's NICs", parent=group),
    ):
        listed.add_argument("instance")
        listings.table_flags(listed)
    got = add("get", cmd_nic_get, help="show a NIC", parent=nics)
    got.add_argument("instance")
    got.add_argument("mac")
    created = add(
        "add",
        cmd_nic_add,
        help="add a NIC (the instance reboots)",
        parent=nics,
        aliases=["create"],
        words=("instance", "nic", "create"),  # as triton names it in an error line
    )
    created.add_argument("instance")
    created.add_argument(
        "network", nargs="+", metavar="NETWORK|NICOPT=VALUE", help="network or ipv4_uuid=..."
    )
    created.add_argument("-p", "--primary", action="store_true", help="make it the primary NIC")
    wait_flags(created)
    deleted = add("delete", cmd_nic_delete, help="remove NICs", parent=nics, aliases=["rm"])
    deleted.add_argument("instance")
    deleted.add_argument("macs", nargs="+", metavar="MAC")
    deleted.add_argument("-f", "--force", action="store_true", help="accepted for triton")

    disk = add("disk", None, help="list, add, resize or delete disks (bhyve)", parent=group)
    disks = disk.add_subparsers(dest="disk_command", metavar="COMMAND", required=True)
    for listed in (
        add("list", cmd_disk_list, help="list disks", parent=disks, aliases=["ls"]),
        add("disks", cmd_disk_list, help="list an instance's disks (bhyve)", parent=group),
    ):
        listed.add_argument("instance")
        listings.table_flags(listed)
    got = add("get", cmd_disk_get, help="show a disk", parent=disks)
    got.add_argument("instance")
    got.add_argument("disk", metavar="DISK", help="id or short id")
    added = add("add", cmd_disk_add, help="add a disk", parent=disks)
    added.add_argument("instance")
    added.add_argument("size", metavar="SIZE", help="MiB, or 'remaining'")
    wait_flags(added)
    resized = add("resize", cmd_disk_resize, help="resize a disk", parent=disks)
    resized.add_argument("instance")
    resized.add_argument("disk", metavar="DISK")
    resized.add_argument("size", metavar="SIZE", help="MiB")
    resized.add_argument(
        "--dangerous-allow-shrink", action="store_true", help="allow a smaller size (data loss)"
    )
    wait_flags(resized)
    deleted = add("delete", cmd_disk_delete, help="delete disks", parent=disks, aliases=["rm"])
    deleted.add_argument("instance")
    deleted.add_argument("disks", nargs="+", metavar="DISK")

    migration = add("migration", None, help="migrate an instance to another server", parent=group)
    migrations = migration.add_subparsers(
        dest="migration_command", metavar="COMMAND", required=True
    )
    listings.table_flags(
        add("list", cmd_migration_list, help="list migrations", parent=migrations, aliases=["ls"])
    )
    got = add("get", cmd_migration_get, help="show an instance's migration", parent=migrations)
    got.add_argument("instance")
    for action in MIGRATION_ACTIONS:
        parser = add(
            action, _migration_action(action), help=f"{action} a migration", parent=migrations
        )
        parser.add_argument("instance")
        if action != "finalize":
            wait_flags(parser)
