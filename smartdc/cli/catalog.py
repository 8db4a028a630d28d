"""Listing commands: account, datacenters, images, packages, keys, networks, fwrules, volumes."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from smartdc.cli.context import Context
from smartdc.cli.values import operation_arguments

Adder = Callable[..., argparse.ArgumentParser]


def short(record: Any) -> str:
    return str(record.get("id", "")).split("-", 1)[0]


def filters(ctx: Context, operation: str) -> dict[str, Any]:
    """The FIELD=VALUE arguments as the operation's typed query parameters."""
    items = getattr(ctx.args, "filters", None) or []
    if not items:
        return {}
    api = ctx.datacenter().api
    return operation_arguments(api.operation(operation), items, api.SERVICE.enum_names)


def cmd_account(ctx: Context) -> int:
    ctx.printer.record(ctx.datacenter().account())
    return 0


def cmd_datacenters(ctx: Context) -> int:
    ctx.printer.mapping(ctx.datacenter().datacenters(), ("name", "url"))
    return 0


def cmd_images(ctx: Context) -> int:
    images = ctx.datacenter().images(**filters(ctx, "ListImages"))
    ctx.printer.records(
        images,
        ["shortid", "name", "version", "os", "type", "published_at"],
        formatters={"shortid": short},
    )
    return 0


def cmd_packages(ctx: Context) -> int:
    packages = ctx.datacenter().packages(**filters(ctx, "ListPackages"))
    ctx.printer.records(
        packages,
        ["shortid", "name", "memory", "disk", "vcpus", "default"],
        formatters={"shortid": short},
    )
    return 0


def cmd_keys(ctx: Context) -> int:
    ctx.printer.records(ctx.datacenter().keys(), ["name", "fingerprint"])
    return 0


def cmd_key_add(ctx: Context) -> int:
    source = ctx.args.file
    text = sys.stdin.read() if source == "-" else Path(source).expanduser().read_text("utf-8")
    key = ctx.datacenter().add_key(ctx.args.name, text)
    ctx.printer.record(key)
    return 0


def cmd_key_delete(ctx: Context) -> int:
    for name in ctx.args.names:
        ctx.datacenter().delete_key(name)
        ctx.err.write(f"deleted key {name}\n")
    return 0


def cmd_networks(ctx: Context) -> int:
    ctx.printer.records(
        ctx.datacenter().networks(),
        ["shortid", "name", "subnet", "gateway", "public", "fabric"],
        formatters={"shortid": short},
    )
    return 0


def cmd_fwrules(ctx: Context) -> int:
    ctx.printer.records(
        ctx.datacenter().firewall_rules(),
        ["shortid", "enabled", "global", "rule"],
        formatters={"shortid": short},
    )
    return 0


def cmd_volumes(ctx: Context) -> int:
    ctx.printer.records(
        ctx.datacenter().volumes(**filters(ctx, "ListVolumes")),
        ["shortid", "name", "size", "type", "state"],
        formatters={"shortid": short},
    )
    return 0


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
    add("keys", cmd_keys, help="list the account's SSH keys")
    key = add("key", None, help="add or delete an SSH key")
    key_sub = key.add_subparsers(dest="key_command", metavar="{add,delete}", required=True)
    key_add = add("add", cmd_key_add, help="upload a public key", parent=key_sub)
    key_add.add_argument("name", help="name of the key")
    key_add.add_argument("file", help="public key file (id_rsa.pub), or - for stdin")
    key_delete = add("delete", cmd_key_delete, help="delete keys", parent=key_sub)
    key_delete.add_argument("names", nargs="+", metavar="NAME", help="name or fingerprint")
    add("networks", cmd_networks, help="list networks")
    add("fwrules", cmd_fwrules, help="list firewall rules")
