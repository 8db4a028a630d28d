"""Listing commands: account, datacenters, images, packages, keys, networks, fwrules, volumes."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from smartdc.cli import firewall, images, listings
from smartdc.cli.answers import answer_json, filters
from smartdc.cli.context import Context
from smartdc.cli.output import terminal_safe
from smartdc.cli.values import read_text
from smartdc.errors import ArgumentError

if TYPE_CHECKING:
    pass

Adder = Callable[..., argparse.ArgumentParser]


def cmd_services(ctx: Context) -> int:
    ctx.printer.mapping(dict(ctx.api().list_services()), ("name", "endpoint"))
    return 0


def cmd_account(ctx: Context) -> int:
    ctx.printer.record(ctx.datacenter().account())
    return 0


def cmd_datacenters(ctx: Context) -> int:
    ctx.printer.mapping(ctx.datacenter().datacenters(), ("name", "url"))
    return 0


def cmd_packages(ctx: Context) -> int:
    packages = answer_json(ctx, "ListPackages", filters(ctx, "ListPackages"))
    ctx.printer.listing(
        packages,
        listings.of(
            "Package",
            ("shortid", "name", "memory", "swap", "disk", "vcpus"),
            long=("id", "name", "memory", "swap", "disk", "vcpus", "description"),
            sort=("_groupPlus", "memory"),
            computed={"_groupPlus": listings.group_plus},
            shown={size: listings.human_mib for size in ("memory", "swap", "disk")},
            right=("memory", "swap", "disk", "vcpus"),
        ),
        raw=True,
    )
    return 0


def cmd_keys(ctx: Context) -> int:
    if getattr(ctx.args, "authorized_keys", False):
        for key in ctx.api().list_keys():  # triton's -A: an authorized_keys file
            ctx.printer.line(terminal_safe(str(key.key).rstrip("\n")))
        return 0
    ctx.printer.listing(
        ctx.datacenter().keys(),
        listings.of(
            "Key",
            ("fingerprint", "name"),
            long=("fingerprint", "name", "key"),
            sort=("name",),
        ),
    )
    return 0


def cmd_key_add(ctx: Context) -> int:
    """triton's ``key add [-n NAME] FILE`` (and smartdc's older ``key add NAME FILE``)."""
    args = ctx.args
    name, source = args.name, args.file
    if args.file2 is not None:
        if name is not None:
            raise ArgumentError("give the key name once: as -n or as an argument")
        name, source = args.file, args.file2
    text = read_text(source, "public key file")
    key = ctx.datacenter().add_key(name, text)
    if ctx.printer.json_mode:
        ctx.printer.record(key)
    elif key.name:
        ctx.printer.line(terminal_safe(f'Added key "{key.name}" ({key.fingerprint})'))
    else:
        ctx.printer.line(terminal_safe(f"Added key {key.fingerprint}"))
    return 0


def cmd_key_delete(ctx: Context) -> int:
    for name in ctx.args.names:
        ctx.datacenter().delete_key(name)
        ctx.err.write(f"deleted key {name}\n")
    return 0


def cmd_networks(ctx: Context) -> int:
    ctx.printer.listing(
        ctx.datacenter().networks(),
        listings.of(
            "Network",
            ("shortid", "name", "subnet", "gateway", "fabric", "vlan", "public"),
            long=("id", "name", "subnet", "gateway", "fabric", "vlan", "public"),
            sort=("name",),
            computed={"vlan": lambda r: r.get("vlan_id")},
        ),
    )
    return 0


def cmd_volumes(ctx: Context) -> int:
    ctx.printer.listing(
        ctx.datacenter().volumes(**filters(ctx, "ListVolumes")),
        listings.of(
            "Volume",
            ("shortid", "name", "size", "type", "state", "age"),
            long=("id", "name", "size", "type", "resource", "state", "created"),
            sort=("created",),
            computed={"age": listings.age, "resource": lambda r: r.get("resource")},
        ),
    )
    return 0


def _getter(kind: str) -> Callable[[Context], int]:
    """``KIND get ID|NAME``: one record (``-o FIELD`` prints its bare value)."""

    def run(ctx: Context) -> int:
        dc = ctx.datacenter()
        method: Callable[[str], Any] = dc.firewall_rule if kind == "fwrule" else getattr(dc, kind)
        found = method(ctx.args.ref)
        if kind != "key":
            ctx.printer.document(found)  # JSON, as triton prints these
        elif ctx.printer.json_mode or ctx.printer.columns:
            ctx.printer.record(found)
        else:
            ctx.printer.line(terminal_safe(str(found.key).rstrip("\n")))  # as triton: the key
        return 0

    return run


def keys_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-A",
        "--authorized-keys",
        action="store_true",
        help="the public keys alone, as a ~/.ssh/authorized_keys file holds them",
    )
    listings.table_flags(parser)


def add_commands(add: Adder) -> None:
    account = add("account", cmd_account, help="show the account")
    account.add_argument("get", nargs="?", choices=["get"], help="triton's spelling (same)")
    add("datacenters", cmd_datacenters, help="list the datacenters of this cloud")
    add("services", cmd_services, help="list the services of this datacenter")
    for name, func, what, aliases in (
        (
            "images",
            images.cmd_images,
            "images (filters: name=, os=, version=, state=...)",
            ["imgs"],
        ),
        ("packages", cmd_packages, "packages (filters: name=, memory=, group=...)", ["pkgs"]),
        ("volumes", cmd_volumes, "volumes (filters: name=, state=, type=...)", ["vols"]),
    ):
        parser = add(name, func, help=f"list {what}", aliases=aliases)
        parser.add_argument("filters", nargs="*", metavar="FIELD=VALUE")
        if name == "images":
            images.all_images_flag(parser)
        listings.table_flags(parser)
    keys_flags(add("keys", cmd_keys, help="list the account's SSH keys"))
    key = add("key", None, help="list, show, add or delete SSH keys")
    key_sub = key.add_subparsers(dest="key_command", metavar="COMMAND", required=True)
    groups: dict[str, Any] = {"key": key_sub}
    key_add = add(
        "add",
        cmd_key_add,
        help="upload a public key",
        parent=key_sub,
    )
    key_add.add_argument("-n", "--name", help="name of the key (default: its fingerprint)")
    key_add.add_argument("file", help="public key file (id_rsa.pub), or - for stdin")
    key_add.add_argument("file2", nargs="?", metavar="FILE", help=argparse.SUPPRESS)
    key_delete = add("delete", cmd_key_delete, help="delete keys", parent=key_sub, aliases=["rm"])
    key_delete.add_argument("names", nargs="+", metavar="NAME", help="name or fingerprint")
    key_delete.add_argument("-y", "--yes", action="store_true", help="(no prompt: accepted)")
    listings.table_flags(add("networks", cmd_networks, help="list networks"))
    listings.table_flags(add("fwrules", firewall.cmd_fwrules, help="list firewall rules"))
    group_help = {
        "image": "list, show, create, wait for, share, clone or delete images",
        "package": "list or show packages",
        "network": "list or show networks",
        "fwrule": "list, show, create, update, enable, disable or delete firewall rules",
    }
    group_aliases = {"image": ["img"], "package": ["pkg"]}
    for kind, what in (
        ("image", "an image (id, name, name@version or short id)"),
        ("package", "a package (id, name or short id)"),
        ("network", "a network (id, name or short id)"),
        ("key", "an SSH key (name or fingerprint)"),
        ("fwrule", "a firewall rule (id or short id)"),
    ):
        if kind not in groups:
            parser = add(kind, None, help=group_help[kind], aliases=group_aliases.get(kind, ()))
            groups[kind] = parser.add_subparsers(
                dest=f"{kind}_command", metavar="COMMAND", required=True
            )
        group = groups[kind]
        getter = add("get", _getter(kind), help=f"show {what}", parent=group)
        getter.add_argument("ref", metavar=kind.upper())
    # triton's `KIND list` (alias ls) next to the plural commands
    for kind, func, filtered in (
        ("package", cmd_packages, True),
        ("network", cmd_networks, False),
        ("key", cmd_keys, False),
    ):
        listed = add("list", func, help=f"list {kind}s", parent=groups[kind], aliases=["ls"])
        if filtered:
            listed.add_argument("filters", nargs="*", metavar="FIELD=VALUE")
        if kind == "key":
            keys_flags(listed)
        else:
            listings.table_flags(listed)
    firewall.add_fwrule_commands(add, groups["fwrule"])
    images.add_commands(add, groups["image"])
