"""``instance ip`` and ``instance ssh`` as triton's (lib/do_instance/do_ssh.js), minus its flaw.

``ssh`` runs ``ssh -o ControlMaster=no -o ControlPath=none -p PORT [-o ProxyJump=U@PROXY]
[SSH-OPTIONS...] -l USER -- IP [COMMAND...]``: the IP is the ``tritoncli.ssh.ip`` tag (one of the
instance's IPs) or the primary IP; the port the ``tritoncli.ssh.port`` tag or 22; the user
``USER@`` from the command line, else the image's ``default_user`` tag, else ``root``; a
``tritoncli.ssh.proxy`` tag names an instance to jump through (its ``tritoncli.ssh.proxyuser``
tag, else the same user rules). SSH-ARGS are ssh's options first, then the remote command.
``SMARTDC_SSH`` names another program to run in ``ssh``'s place.

Every value that came from the server is checked for what it must be before ssh sees it (an
address parses as an IP address, a user name is a plain login name, a port is a number), and
``--`` ends ssh's option parsing before the address: an instance whose address is
``-oProxyCommand=...``, or a tag or image that names the user ``$(...)`` (OpenSSH runs ProxyJump
through ``/bin/sh -c``), is refused with ``UnsafeValueError`` and ssh never runs.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import re
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

# A login name as useradd(8) takes it (its NAME_REGEX, upper case allowed for images such as
# Windows' "Administrator"): nothing a shell, ssh's option parser or ProxyJump's user@host[:port]
# syntax reads as anything but a name. fullmatch: "$" would let a trailing newline through.
_USER_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,31}")
# ssh's options that take an argument (OpenSSH ssh.c's getopt string).
_SSH_OPTIONS_WITH_ARGUMENT = frozenset("BDEFIJLOPQRSWbceilmopw")


def _shown(value: object) -> str:
    return repr(terminal_safe(str(value)))


def _unsafe(what: str, value: object, must: str) -> Exception:
    from smartdc.errors import UnsafeValueError

    return UnsafeValueError(f"{what} {_shown(value)} is {must}; refusing to hand it to ssh")


def checked_ip(value: object, what: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """``value`` as an IP address (no IPv6 scope: a scope id may hold anything but ``%``)."""
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        address = ipaddress.ip_address(value)
    except ValueError:
        raise _unsafe(what, value, "not an IP address") from None
    if isinstance(address, ipaddress.IPv6Address) and address.scope_id is not None:
        raise _unsafe(what, value, "not an IP address without a scope")
    return address


def checked_user(value: object, what: str) -> str:
    if not isinstance(value, str) or not _USER_NAME.fullmatch(value):
        raise _unsafe(what, value, "not a valid user name")
    return value


def checked_port(value: object, what: str) -> int:
    text = str(value) if isinstance(value, (int, str)) and not isinstance(value, bool) else ""
    if not (text.isascii() and text.isdigit() and 0 < int(text) < 65536):
        raise _unsafe(what, value, "not a port number")
    return int(text)


def ssh_ip(machine: BoundMachine) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """The address to ssh to: the ``tritoncli.ssh.ip`` tag (one of the instance's IPs) or the
    primary IP, checked to be an IP address."""
    from smartdc.errors import ArgumentError

    label = terminal_safe(machine.name or machine.id)
    tags = machine.model.tags or {}
    wanted = tags.get(TAG_SSH_IP)
    if wanted:
        address = checked_ip(wanted, f"the {TAG_SSH_IP} tag of instance {label}")
        ips = [  # a NIC without an address shows as null (translate())
            checked_ip(ip, f"an IP of instance {label}")
            for ip in machine.model.ips or []
            if ip is not None
        ]
        if address not in ips:
            raise ArgumentError(f"IP address {_shown(wanted)} not attached to the instance")
        return address
    if not machine.model.primary_ip:
        raise ArgumentError(f"instance {label} has no IP address")
    return checked_ip(machine.model.primary_ip, f"the primary IP of instance {label}")


def default_user(ctx: Context, machine: BoundMachine) -> str:
    """The image's ``default_user`` tag, else ``root`` (also when the image is gone)."""
    from smartdc.errors import CloudAPIError

    try:
        image = ctx.datacenter().api.get_image(id=str(machine.model.image))
    except CloudAPIError:
        return "root"
    user = (image.tags or {}).get("default_user")
    if not user:
        return "root"
    return checked_user(user, f"the default_user tag of image {terminal_safe(str(image.id))}")


def split_ssh_args(extra: list[str]) -> tuple[list[str], list[str]]:
    """The user's SSH-ARGS as (ssh options, remote command): options run up to the first word
    that is neither an option nor an option's argument, or up to ``--`` (dropped)."""
    i = 0
    while i < len(extra):
        word = extra[i]
        if word == "--":
            return extra[:i], extra[i + 1 :]
        if not word.startswith("-") or word == "-":
            break
        i += 1
        for at, letter in enumerate(word[1:], 1):
            if letter in _SSH_OPTIONS_WITH_ARGUMENT:
                if at == len(word) - 1:
                    i += 1  # "-L 8080:..." : the next word is the argument
                break  # "-L8080:..." : the rest of this word is
    return extra[:i], extra[i:]


def ssh_command(ctx: Context, ref: str, extra: list[str], *, proxy: bool = True) -> list[str]:
    from smartdc.errors import ArgumentError, UnsafeValueError

    user: str | None = None
    if "@" in ref:
        user, ref = ref.split("@", 1)
        try:
            checked_user(user, "the user")
        except UnsafeValueError as exc:
            raise ArgumentError(str(exc)) from None
    machine = ctx.machine(ref)
    ip = ssh_ip(machine)
    tags = machine.model.tags or {}
    label = terminal_safe(machine.name or machine.id)
    port = checked_port(tags.get(TAG_SSH_PORT) or 22, f"the {TAG_SSH_PORT} tag of {label}")
    login = user or default_user(ctx, machine)
    command = ["-o", "ControlMaster=no", "-o", "ControlPath=none", "-p", str(port)]
    proxy_ref = tags.get(TAG_SSH_PROXY) if proxy else None
    if proxy_ref:
        jump = ctx.machine(str(proxy_ref))
        jump_label = terminal_safe(jump.name or jump.id)
        jump_tags = jump.model.tags or {}
        tagged = jump_tags.get(TAG_SSH_PROXY_USER)
        if tagged:
            jump_user = checked_user(tagged, f"the {TAG_SSH_PROXY_USER} tag of {jump_label}")
        else:
            jump_user = user or default_user(ctx, jump)
        jump_ip = ssh_ip(jump)
        host = f"[{jump_ip}]" if jump_ip.version == 6 else str(jump_ip)
        # OpenSSH runs ProxyJump as "ssh -l USER ... HOST" through /bin/sh -c: only checked
        # values (a plain user name, an IP address in canonical form) are put in it.
        command += ["-o", f"ProxyJump={jump_user}@{host}"]
    options, remote = split_ssh_args(extra)
    command += [*options, "-l", login, "--", str(ip), *remote]
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
    # printed for scripts ("ssh $(smartdc ip web)"): only what parses as an IP address
    label = terminal_safe(machine.name or machine.id)
    address = checked_ip(machine.model.primary_ip, f"the primary IP of instance {label}")
    ctx.printer.line(str(address))
    return 0


def add_commands(add: Adder, group: Any) -> None:
    def shortcut(name: str) -> dict[str, Any]:  # at the top level: fails as `instance NAME`
        return {} if group is not None else {"words": ("instance", name)}

    ip = add(
        "ip", cmd_ip, help="print the primary IP of an instance", parent=group, **shortcut("ip")
    )
    ip.add_argument("instance")
    ssh = add(
        "ssh",
        cmd_ssh,
        help="ssh to an instance ([USER@]INSTANCE [SSH-ARGS...])",
        parent=group,
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
        **shortcut("ssh"),
    )
    ssh.add_argument("instance", metavar="[USER@]INSTANCE")
    ssh.add_argument("ssh_args", nargs=argparse.REMAINDER, metavar="SSH-ARGS")
    ssh.add_argument("--no-proxy", action="store_true", help=f"ignore the {TAG_SSH_PROXY} tag")
