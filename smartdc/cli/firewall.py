"""Firewall commands as triton's: ``fwrule create/list/update/enable/disable/delete/instances``
and ``instance enable-firewall/disable-firewall/fwrules``."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from smartdc.cli import listings
from smartdc.cli.context import Context
from smartdc.cli.output import Listing, terminal_safe
from smartdc.cli.values import read_text
from smartdc.errors import ArgumentError

if TYPE_CHECKING:
    pass

Adder = Callable[..., argparse.ArgumentParser]
# the fields UpdateFirewallRule takes, and how a KEY=VALUE value is read for each (triton's
# UPDATE_FWRULE_FIELDS)
UPDATE_FIELDS: dict[str, type] = {"rule": str, "enabled": bool, "log": bool, "description": str}


def cmd_fwrules(ctx: Context) -> int:
    ctx.printer.listing(
        ctx.datacenter().firewall_rules(),
        listings.of(
            "FirewallRule",
            ("shortid", "enabled", "global", "log", "rule"),
            long=("id", "enabled", "global", "log", "rule", "description"),
            sort=("rule",),
        ),
    )
    return 0


def fwrule_id(ctx: Context, ref: str) -> str:
    """A firewall rule's id from its id or short id (rules have no names)."""
    from smartdc.facade import references
    from smartdc.facade.lookup import is_uuid

    return ref if is_uuid(ref) else str(references.firewall_rule(ctx.api(), ref).id)


def _fwrule_listing() -> Listing:
    return listings.of(
        listings.model("FirewallRule"),
        ("shortid", "enabled", "global", "rule"),
        long=("id", "enabled", "global", "log", "rule", "description"),
        sort=("rule",),
    )


def cmd_create(ctx: Context) -> int:
    args = ctx.args
    rule = ctx.datacenter().api.create_firewall_rule(
        rule=args.rule,
        enabled=not args.disabled,
        log=True if args.log else None,
        description=args.description,
    )
    if ctx.printer.json_mode:
        ctx.printer.record(rule)
    else:
        disabled = "" if rule.enabled else " (disabled)"
        ctx.printer.line(f"Created firewall rule {terminal_safe(str(rule.id))}{disabled}")
    return 0


def _bool(field: str, text: str) -> bool:
    if text in ("true", "false"):
        return text == "true"
    raise ArgumentError(f"{field} must be true or false, not {text!r}")


def update_values(pairs: list[str], file: str | None) -> dict[str, Any]:
    """The changes of ``fwrule update``: ``FIELD=VALUE`` arguments or a JSON file (``-`` is
    stdin), checked against the fields a rule has."""
    data: Any
    if file is not None:
        if pairs:
            raise ArgumentError("give the changes as FIELD=VALUE arguments or with -f, not both")
        source = "stdin" if file == "-" else file
        text = read_text(file, "rule update file")
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ArgumentError(f"invalid JSON for the rule update in {source}: {exc}") from None
        if not isinstance(data, dict):
            raise ArgumentError(f"the rule update in {source} must be a JSON object")
    else:
        data = {}
        for pair in pairs:
            field, sep, value = pair.partition("=")
            if not sep:
                raise ArgumentError(f"expected FIELD=VALUE, got {pair!r}")
            kind = UPDATE_FIELDS.get(field)
            data[field] = _bool(field, value) if kind is bool else value
    if not data:
        raise ArgumentError("nothing to change: give FIELD=VALUE arguments or -f FILE")
    for field, value in data.items():
        kind = UPDATE_FIELDS.get(field)
        if kind is None:
            known = ", ".join(UPDATE_FIELDS)
            raise ArgumentError(f"a firewall rule has no field {field!r} to update ({known})")
        if not isinstance(value, kind):
            raise ArgumentError(f"{field} must be a {kind.__name__}, not {value!r}")
    return dict(data)


def cmd_update(ctx: Context) -> int:
    changes = update_values(ctx.args.pairs, ctx.args.file)
    rule_id = fwrule_id(ctx, ctx.args.id)
    rule = ctx.datacenter().api.update_firewall_rule(id=rule_id, **changes)
    ctx.err.write(f"Updated firewall rule {rule_id} ({', '.join(changes)})\n")
    if ctx.printer.json_mode:
        ctx.printer.record(rule)
    return 0


def _switch(enable: bool) -> Callable[[Context], int]:
    def run(ctx: Context) -> int:
        api = ctx.datacenter().api
        for ref in ctx.args.ids:
            rule_id = fwrule_id(ctx, ref)
            if enable:
                api.enable_firewall_rule(id=rule_id)
            else:
                api.disable_firewall_rule(id=rule_id)
            ctx.printer.line(f"{'Enabled' if enable else 'Disabled'} firewall rule {rule_id}")
        return 0

    return run


def cmd_delete(ctx: Context) -> int:
    api = ctx.datacenter().api
    for ref in ctx.args.ids:
        rule_id = fwrule_id(ctx, ref)
        api.delete_firewall_rule(id=rule_id)
        ctx.printer.line(f"Deleted rule {rule_id}")
    return 0


def cmd_rule_instances(ctx: Context) -> int:
    from smartdc.cli.acting import image_names

    api = ctx.datacenter().api
    machines = api.list_firewall_rule_machines(id=fwrule_id(ctx, ctx.args.id))
    ctx.printer.listing(machines, listings.instances(lambda: image_names(ctx)))
    return 0


def cmd_instance_fwrules(ctx: Context) -> int:
    machine = ctx.machine(ctx.args.instance)
    rules = ctx.datacenter().api.list_machine_firewall_rules(id=machine.id)
    ctx.printer.listing(rules, _fwrule_listing())
    return 0


def _instance_switch(enable: bool) -> Callable[[Context], int]:
    def run(ctx: Context) -> int:
        from smartdc.cli.acting import switch_each

        if enable:
            return switch_each(
                ctx, "enable firewall", lambda m, w, t: m.enable_firewall(wait=w, timeout=t)
            )
        return switch_each(
            ctx, "disable firewall", lambda m, w, t: m.disable_firewall(wait=w, timeout=t)
        )

    return run


def add_fwrule_commands(add: Adder, group: Any) -> None:
    """Under ``fwrule`` (whose ``get`` catalog adds)."""
    create = add("create", cmd_create, help="create a firewall rule", parent=group)
    create.add_argument("rule", metavar="RULE", help='e.g. "FROM any TO all vms ALLOW tcp PORT 22"')
    create.add_argument("-d", "--disabled", action="store_true", help="create it disabled")
    create.add_argument("-D", "--description", help="what the rule is for")
    create.add_argument("-l", "--log", action="store_true", help="log new connections")
    listings.table_flags(
        add("list", cmd_fwrules, help="list firewall rules", parent=group, aliases=["ls"])
    )
    update = add("update", cmd_update, help="change a firewall rule", parent=group)
    update.add_argument("id", metavar="FWRULE", help="id or short id")
    update.add_argument(
        "pairs", nargs="*", metavar="FIELD=VALUE", help="rule=..., enabled=, log=, description="
    )
    update.add_argument("-f", "--file", help="a JSON object of changes (- for stdin)")
    for name, func, text in (
        ("enable", _switch(True), "enable firewall rules"),
        ("disable", _switch(False), "disable firewall rules"),
    ):
        parser = add(name, func, help=text, parent=group)
        parser.add_argument("ids", nargs="+", metavar="FWRULE")
    delete = add("delete", cmd_delete, help="delete firewall rules", parent=group, aliases=["rm"])
    delete.add_argument("ids", nargs="+", metavar="FWRULE")
    delete.add_argument(
        "-f", "--force", action="store_true", help="accepted for triton (no question is asked)"
    )
    machines = add(
        "instances",
        cmd_rule_instances,
        help="list the instances a rule applies to",
        parent=group,
        aliases=["insts"],
    )
    machines.add_argument("id", metavar="FWRULE")
    listings.table_flags(machines)


def add_instance_commands(add: Adder, group: Any, wait_flags: Callable[[Any], None]) -> None:
    """Under ``instance``."""
    for name, enable in (("enable-firewall", True), ("disable-firewall", False)):
        parser = add(
            name,
            _instance_switch(enable),
            help=f"{'enable' if enable else 'disable'} the firewall of instances",
            parent=group,
        )
        parser.add_argument("instances", nargs="+", metavar="INSTANCE")
        wait_flags(parser)
    rules = add(
        "fwrules", cmd_instance_fwrules, help="list the firewall rules of an instance", parent=group
    )
    rules.add_argument("instance")
    listings.table_flags(rules)
