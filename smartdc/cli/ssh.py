"""``instance ip`` and ``instance ssh`` as triton's (lib/do_instance/do_ssh.js).

``ssh`` runs ``ssh -o ControlMaster=no -o ControlPath=none -p PORT [-o ProxyJump=U@PROXY] -l USER
IP [SSH-ARGS...]``: the IP is the ``tritoncli.ssh.ip`` tag (one of the instance's IPs) or the
primary IP; the port the ``tritoncli.ssh.port`` tag or 22; the user ``USER@`` from the command
line, else the image's ``default_user`` tag, else ``root``; a ``tritoncli.ssh.proxy`` tag names
an instance to jump through (its ``tritoncli.ssh.proxyuser`` tag, else the same user rules).
``SMARTDC_SSH`` names another program to run in ``ssh``'s place.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from smartdc.cli.context import Context
from smartdc.cli.output import terminal_safe

if TYPE_CHECKING:
    from smartdc.facade import BoundMachine

Adder = Callable[..., argparse.ArgumentParser]
TAG_SSH_IP = "tritoncli.ssh.ip"
TAG_SSH_PORT = "tritoncli.ssh.port"
TAG_SSH_PROXY = "tritoncli.ssh.proxy"
TAG_SSH_PROXY_USER = "tritoncli.ssh.proxyuser"
SSH_PROGRAM_ENV = "SMARTDC_SSH"


def ssh_ip(machine: BoundMachine) -> str:
    from smartdc.errors import ArgumentError

    tags = machine.model.tags or {}
    wanted = tags.get(TAG_SSH_IP)
    if wanted:
        if str(wanted) not in (machine.model.ips or []):
            raise ArgumentError(f"IP address {wanted} not attached to the instance")
        return str(wanted)
    if not machine.model.primary_ip:
        raise ArgumentError(f"instance {machine.name or machine.id} has no IP address")
    return str(machine.model.primary_ip)


def default_user(ctx: Context, machine: BoundMachine) -> str:
    """The image's ``default_user`` tag, else ``root`` (also when the image is gone)."""
    from smartdc.errors import CloudAPIError

    try:
        image = ctx.datacenter().api.get_image(id=str(machine.model.image))
    except CloudAPIError:
        return "root"
    user = (image.tags or {}).get("default_user")
    return str(user) if user else "root"


def ssh_command(ctx: Context, ref: str, extra: list[str], *, proxy: bool = True) -> list[str]:
    user: str | None = None
    if "@" in ref:
        user, ref = ref.split("@", 1)
    machine = ctx.machine(ref)
    ip = ssh_ip(machine)
    tags = machine.model.tags or {}
    port = str(tags.get(TAG_SSH_PORT) or 22)
    login = user or default_user(ctx, machine)
    command = ["-o", "ControlMaster=no", "-o", "ControlPath=none", "-p", port]
    proxy_ref = tags.get(TAG_SSH_PROXY) if proxy else None
    if proxy_ref:
        jump = ctx.machine(str(proxy_ref))
        jump_tags = jump.model.tags or {}
        jump_user = jump_tags.get(TAG_SSH_PROXY_USER) or user or default_user(ctx, jump)
        command += ["-o", f"ProxyJump={jump_user}@{ssh_ip(jump)}"]
    command += ["-l", login, ip, *extra]
    program = shlex.split(os.environ.get(SSH_PROGRAM_ENV) or "ssh")
    return [*program, *command]


def cmd_ssh(ctx: Context) -> int:
    import subprocess

    command = ssh_command(ctx, ctx.args.instance, ctx.args.ssh_args, proxy=not ctx.args.no_proxy)
    ctx.out.flush()
    # ssh owns the terminal: Ctrl-C goes to it, and its exit status is ours
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        return subprocess.call(command)
    except FileNotFoundError:
        ctx.err.write(f"smartdc: error: cannot run {terminal_safe(command[0])}: not found\n")
        return 127
    finally:
        signal.signal(signal.SIGINT, previous)


def cmd_ip(ctx: Context) -> int:
    machine = ctx.machine(ctx.args.instance)
    if not machine.model.primary_ip:
        ctx.err.write(f"smartdc: instance {terminal_safe(machine.id)} has no primary IP\n")
        return 1
    ctx.printer.line(terminal_safe(str(machine.model.primary_ip)))
    return 0


def add_commands(add: Adder, group: Any) -> None:
    ip = add("ip", cmd_ip, help="print the primary IP of an instance", parent=group)
    ip.add_argument("instance")
    ssh = add(
        "ssh",
        cmd_ssh,
        help="ssh to an instance ([USER@]INSTANCE [SSH-ARGS...])",
        parent=group,
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
    )
    ssh.add_argument("instance", metavar="[USER@]INSTANCE")
    ssh.add_argument("ssh_args", nargs=argparse.REMAINDER, metavar="SSH-ARGS")
    ssh.add_argument("--no-proxy", action="store_true", help=f"ignore the {TAG_SSH_PROXY} tag")
