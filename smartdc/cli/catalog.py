"""Listing commands: account, datacenters, images, packages, keys, networks, fwrules, volumes."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from smartdc.cli import listings
from smartdc.cli.context import Context
from smartdc.cli.values import file_path, operation_arguments

if TYPE_CHECKING:
    pass

Adder = Callable[..., argparse.ArgumentParser]


def filters(ctx: Context, operation: str) -> dict[str, Any]:
    """The FIELD=VALUE arguments as the operation's typed query parameters."""
    items = getattr(ctx.args, "filters", None) or []
    if not items:
        return {}
    api = ctx.api()
    return operation_arguments(
        api.meta.operation(operation), items, api.meta.service_model.enum_names
    )


def cmd_account(ctx: Context) -> int:
    ctx.printer.record(ctx.datacenter().account())
    return 0


def cmd_datacenters(ctx: Context) -> int:
    ctx.printer.mapping(ctx.datacenter().datacenters(), ("name", "url"))
    return 0


def cmd_images(ctx: Context) -> int:
    images = ctx.datacenter().images(**filters(ctx, "ListImages"))
    ctx.printer.listing(
        images,
        listings.of(
            listings.model("Image"),
            ("shortid", "name", "version", "os", "type", "published_at"),
            long=("id", "name", "version", "state", "os", "type", "published_at"),
            sort=("published_at", "name"),
        ),
    )
    return 0


def cmd_packages(ctx: Context) -> int:
    packages = ctx.datacenter().packages(**filters(ctx, "ListPackages"))
    ctx.printer.listing(
        packages,
        listings.of(
            listings.model("Package"),
            ("shortid", "name", "memory", "swap", "disk", "vcpus"),
            long=("id", "name", "default", "memory", "swap", "disk", "vcpus", "group"),
            sort=("group", "memory"),
        ),
    )
    return 0


def cmd_keys(ctx: Context) -> int:
    ctx.printer.listing(
        ctx.datacenter().keys(),
        listings.of(listings.model("Key"), ("fingerprint", "name"), sort=("name",)),
    )
    return 0


def cmd_key_add(ctx: Context) -> int:
    source = ctx.args.file
    text = sys.stdin.read() if source == "-" else file_path(source).expanduser().read_text("utf-8")
    key = ctx.datacenter().add_key(ctx.args.name, text)
    ctx.printer.record(key)
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
            listings.model("Network"),
            ("shortid", "name", "subnet", "gateway", "fabric", "vlan_id", "public"),
            long=("id", "name", "subnet", "gateway", "fabric", "vlan_id", "public", "description"),
            sort=("name",),
        ),
    )
    return 0


def cmd_fwrules(ctx: Context) -> int:
    ctx.printer.listing(
        ctx.datacenter().firewall_rules(),
        listings.of(
            listings.model("FirewallRule"),
            ("shortid", "enabled", "global", "rule"),
            long=("id", "enabled", "global", "rule", "description"),
            sort=("rule",),
        ),
    )
    return 0


def cmd_volumes(ctx: Context) -> int:
    ctx.printer.listing(
        ctx.datacenter().volumes(**filters(ctx, "ListVolumes")),
        listings.of(
            listings.model("Volume"),
            ("shortid", "name", "size", "type", "state"),
            long=("id", "name", "size", "type", "state", "networks", "created"),
            sort=("created",),
        ),
    )
    return 0


def _getter(kind: str) -> Callable[[Context], int]:
    """``KIND get ID|NAME``: one record (``-o FIELD`` prints its bare value)."""

    def run(ctx: Context) -> int:
        dc = ctx.datacenter()
        ref = ctx.args.ref
        found: Any
        if kind == "fwrule":
            found = dc.api.get_firewall_rule(id=fwrule_id(ctx, ref))
        elif kind == "image":
            from smartdc.cli.images import find_image

            found = find_image(ctx, ref)
        else:
            found = getattr(dc, kind)(ref)
        ctx.printer.record(found)
        return 0

    return run


def fwrule_id(ctx: Context, ref: str) -> str:
    """A firewall rule by id or short id (rules have no names)."""
    from smartdc.facade import NotFoundError

    if len(ref) == 36:
        return ref
    matches = [r.id for r in ctx.datacenter().firewall_rules() if str(r.id).startswith(ref)]
    if len(matches) != 1:
        raise NotFoundError(
            f"no firewall rule with id {ref!r}" if not matches else f"{ref!r} is ambiguous"
        )
    return str(matches[0])


def add_commands(add: Adder) -> None:
    add("account", cmd_account, help="show the account")
    add("datacenters", cmd_datacenters, help="list the datacenters of this cloud")
    for name, func, what in (
        ("images", cmd_images, "images (filters: name=, os=, version=, state=...)"),
        ("packages", cmd_packages, "packages (filters: name=, memory=, group=...)"),
        ("volumes", cmd_volumes, "volumes (filters: name=, state=, type=...)"),
    ):
        parser = add(name, func, help=f"list {what}")
        parser.add_argument("filters", nargs="*", metavar="FIELD=VALUE")
        listings.table_flags(parser)
    listings.table_flags(add("keys", cmd_keys, help="list the account's SSH keys"))
    key = add("key", None, help="list, show, add or delete SSH keys")
    key_sub = key.add_subparsers(dest="key_command", metavar="COMMAND", required=True)
    groups: dict[str, Any] = {"key": key_sub}
    key_add = add("add", cmd_key_add, help="upload a public key", parent=key_sub)
    key_add.add_argument("name", help="name of the key")
    key_add.add_argument("file", help="public key file (id_rsa.pub), or - for stdin")
    key_delete = add("delete", cmd_key_delete, help="delete keys", parent=key_sub)
    key_delete.add_argument("names", nargs="+", metavar="NAME", help="name or fingerprint")
    listings.table_flags(add("networks", cmd_networks, help="list networks"))
    listings.table_flags(add("fwrules", cmd_fwrules, help="list firewall rules"))
    group_help = {
        "image": "list, show, create, wait for, share, clone or delete images",
        "package": "list or show packages",
        "network": "list or show networks",
        "fwrule": "list, show, create, update, enable, disable or delete firewall rules",
    }
    for kind, what in (
        ("image", "an image (id, name, name@version or short id)"),
        ("package", "a package (id or name)"),
        ("network", "a network (id or name)"),
        ("key", "an SSH key (name or fingerprint)"),
        ("fwrule", "a firewall rule (id or short id)"),
    ):
        if kind not in groups:
            parser = add(kind, None, help=group_help[kind])
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
        listings.table_flags(listed)
    from smartdc.cli import firewall, images

    firewall.add_fwrule_commands(add, groups["fwrule"])
    images.add_commands(add, groups["image"])
