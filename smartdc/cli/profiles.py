"""Profiles in node-triton's own files, so that ``triton`` and ``smartdc`` share them:
``$TRITON_CONFIG_DIR`` (default ``~/.triton``) ``/profiles.d/NAME.json`` and the current one in
``config.json`` (``"profile"``; ``"oldProfile"`` for ``set-current -``); the ``env`` profile is
the TRITON_*/SDC_* variables. Also ``smartdc env [PROFILE]`` and ``smartdc info``."""

from __future__ import annotations

import argparse
import json
import os
import shlex
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from smartdc.cli.context import Context
from smartdc.cli.output import terminal_safe
from smartdc.cli.values import read_text
from smartdc.errors import ArgumentError, ConfigError

if TYPE_CHECKING:
    from pathlib import Path

Adder = Callable[..., argparse.ArgumentParser]
# a profile's fields as node-triton's validateProfile checks them: required, then optional
REQUIRED = ("url", "account", "keyId")
OPTIONAL: Mapping[str, type] = {"insecure": bool, "user": str, "actAsAccount": str, "roles": list}


def _config_dir() -> Path:
    from smartdc.config import triton_config_dir

    return triton_config_dir(os.environ)


def _profilefile_path(name: str) -> Path:
    if not name or "/" in name or name.startswith("."):
        raise ArgumentError(f"invalid profile name {name!r}")
    return _config_dir() / "profiles.d" / f"{name}.json"


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path} must hold a JSON object")
    return data


def _env_profile() -> dict[str, Any] | None:
    """The ``env`` profile, as node-triton makes it from the environment (None if incomplete)."""
    env = os.environ

    def first(*names: str) -> str | None:
        return next((env[n] for n in names if env.get(n)), None)

    profile: dict[str, Any] = {
        "name": "env",
        "url": first("TRITON_URL", "SDC_URL"),
        "account": first("TRITON_ACCOUNT", "SDC_ACCOUNT"),
        "keyId": first("TRITON_KEY_ID", "SDC_KEY_ID"),
    }
    user, act_as = first("TRITON_USER", "SDC_USER"), first("TRITON_ACT_AS")
    if user:
        profile["user"] = user
    if act_as:
        profile["actAsAccount"] = act_as
    insecure = first("TRITON_TLS_INSECURE", "SDC_TLS_INSECURE")
    if insecure is not None:
        profile["insecure"] = insecure.lower() in ("1", "true", "yes", "on")
    elif env.get("SDC_TESTING"):
        profile["insecure"] = True
    return profile if all(profile.get(k) for k in REQUIRED) else None


def check(profile: Mapping[str, Any], source: str) -> None:
    """node-triton's validateProfile: what triton would refuse to load is refused here."""
    for field in REQUIRED:
        if not isinstance(profile.get(field), str) or not profile[field]:
            raise ConfigError(f"invalid profile {source}: {field} is required (a string)")
    for field, kind in OPTIONAL.items():
        value = profile.get(field)
        if value is not None and not isinstance(value, kind):
            raise ConfigError(f"invalid profile {source}: {field} must be a {kind.__name__}")
    if isinstance(profile.get("roles"), list) and not all(
        isinstance(r, str) for r in profile["roles"]
    ):
        raise ConfigError(f"invalid profile {source}: roles must be strings")


def load(name: str) -> dict[str, Any]:
    if name == "env":
        found = _env_profile()
        if found is None:
            raise ConfigError(
                'could not load "env" profile (missing TRITON_*, or SDC_*, environment variables)'
            )
        return found
    path = _profilefile_path(name)
    if not path.is_file():
        raise ConfigError(f'no such profile "{name}" ({path})')
    data = _read_json(path)
    return {"name": name, **data}


def current_name() -> str:
    """TRITON_PROFILE, else config.json's ``profile``, else ``env`` (as triton decides)."""
    return (
        os.environ.get("TRITON_PROFILE")
        or str(_read_json(_config_dir() / "config.json").get("profile") or "")
        or "env"
    )


def all_profiles() -> list[dict[str, Any]]:
    found = []
    env = _env_profile()
    if env is not None:
        found.append(env)
    directory = _config_dir() / "profiles.d"
    if directory.is_dir():
        for path in sorted(directory.glob("*.json")):
            if path.stem.lower() != "env":
                found.append({"name": path.stem, **_read_json(path)})
    return found


def save(profile: Mapping[str, Any]) -> Path:
    name = str(profile["name"])
    if name == "env":
        raise ArgumentError('cannot save the "env" profile: it is the environment variables')
    check(profile, f'"{name}"')
    path = _profilefile_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {k: v for k, v in profile.items() if k != "name"}
    path.write_text(json.dumps(data, indent=4), "utf-8")  # as triton writes it
    return path


def set_current(name: str) -> None:
    config_file = _config_dir() / "config.json"
    config = _read_json(config_file)
    previous = config.get("profile")
    config["profile"] = name
    if previous and previous != name:
        config["oldProfile"] = previous
    config_file.parent.mkdir(parents=True, exist_ok=True)
    config_file.write_text(json.dumps(config, indent=4), "utf-8")


# -- commands ---------------------------------------------------------------------------------


def cmd_list(ctx: Context) -> int:
    current = current_name()
    profiles = all_profiles()
    if ctx.printer.json_mode:
        for profile in profiles:
            ctx.printer.line(json.dumps({**profile, "curr": profile["name"] == current}))
        return 0
    rows = [
        {**p, "curr": "*" if p["name"] == current else "", "user": p.get("user") or "-"}
        for p in profiles
    ]
    ctx.printer.records(rows, ["name", "curr", "account", "user", "url"])
    return 0


def cmd_get(ctx: Context) -> int:
    ctx.printer.record(load(ctx.args.name or current_name()))
    return 0


def cmd_create(ctx: Context) -> int:
    args = ctx.args
    if args.file:
        text = read_text(args.file, "profile file")
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ArgumentError(f"profile file {args.file} is not valid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise ArgumentError(f"profile file {args.file} must hold a JSON object")
    elif args.copy:
        data = {k: v for k, v in load(args.copy).items() if k != "name"}
    else:
        data = {}
    for flag, field in (
        ("url", "url"),
        ("account", "account"),
        ("key_id", "keyId"),
        ("user", "user"),
    ):
        value = getattr(args, flag, None)
        if value:
            data[field] = value
    if getattr(args, "insecure", False):
        data["insecure"] = True
    name = args.name or data.get("name")
    if not name:
        raise ArgumentError("give the profile a NAME")
    data["name"] = name
    if _profilefile_path(str(name)).exists() and not args.yes:
        raise ArgumentError(f'profile "{name}" exists (--yes replaces it)')
    missing = [f for f in REQUIRED if not data.get(f)]
    if missing:
        flags = {"url": "--url", "account": "--account", "keyId": "--key-id"}
        raise ArgumentError(
            "a profile needs " + ", ".join(flags[f] for f in missing) + " (or -f FILE)"
        )
    path = save(data)
    ctx.err.write(f'Saved profile "{terminal_safe(str(name))}" ({path}).\n')
    if args.set_current:
        set_current(str(name))
        ctx.err.write(f'Set "{terminal_safe(str(name))}" as current profile.\n')
    return 0


def cmd_edit(ctx: Context) -> int:
    import subprocess

    name = ctx.args.name or current_name()
    if name == "env":
        raise ArgumentError('cannot edit the "env" profile: change the environment variables')
    path = _profilefile_path(name)
    if not path.is_file():
        raise ConfigError(f'no such profile "{name}" ({path})')
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    code = subprocess.call([*shlex.split(editor), str(path)])
    if code != 0:
        ctx.err.write(f"smartdc: the editor exited with {code}; {path} is as it left it\n")
        return 1
    check({"name": name, **_read_json(path)}, f'"{name}" from {path}')
    ctx.err.write(f'Edited profile "{terminal_safe(name)}".\n')
    return 0


def cmd_set_current(ctx: Context) -> int:
    name = ctx.args.name
    if name == "-":
        name = _read_json(_config_dir() / "config.json").get("oldProfile")
        if not name:
            raise ArgumentError("no previous profile to switch back to")
    load(str(name))  # it must exist
    set_current(str(name))
    ctx.err.write(f'Set "{terminal_safe(str(name))}" as current profile.\n')
    return 0


def cmd_delete(ctx: Context) -> int:
    for name in ctx.args.names:
        if name == "env":
            raise ArgumentError('cannot delete the "env" profile')
        path = _profilefile_path(name)
        if not path.is_file():
            raise ConfigError(f'no such profile "{name}" ({path})')
        if current_name() == name:
            config_file = _config_dir() / "config.json"
            config = _read_json(config_file)
            config.pop("profile", None)
            config_file.write_text(json.dumps(config, indent=4), "utf-8")
            ctx.err.write(f'"{terminal_safe(name)}" was the current profile; now there is none.\n')
        path.unlink()
        ctx.err.write(f'Deleted profile "{terminal_safe(name)}".\n')
    return 0


def cmd_env(ctx: Context) -> int:
    """triton env's form: ``TRITON_PROFILE`` for triton and smartdc, ``SDC_*`` for older tools."""
    profile = load(ctx.args.name or current_name())
    lines = ["# triton, smartdc", f"export TRITON_PROFILE={shlex.quote(profile['name'])}"]
    if ctx.args.unset:
        triton = ("PROFILE", "URL", "ACCOUNT", "USER", "KEY_ID", "TLS_INSECURE")
        legacy = ("URL", "ACCOUNT", "USER", "KEY_ID", "TESTING")
        lines = ["# triton, smartdc", *(f"unset TRITON_{v}" for v in triton)]
        lines += ["# smartdc (legacy SDC_*)", *(f"unset SDC_{v}" for v in legacy)]
    else:
        lines.append("# smartdc (legacy SDC_*)")
        for variable, field in (("SDC_URL", "url"), ("SDC_ACCOUNT", "account")):
            lines.append(f"export {variable}={shlex.quote(str(profile[field]))}")
        user = profile.get("user")
        lines.append(f"export SDC_USER={shlex.quote(str(user))}" if user else "unset SDC_USER")
        lines.append(f"export SDC_KEY_ID={shlex.quote(str(profile['keyId']))}")
        lines.append("export SDC_TESTING=true" if profile.get("insecure") else "unset SDC_TESTING")
    named = "" if ctx.args.name is None else f" {shlex.quote(ctx.args.name)}"
    lines.append("# Run this command to configure your shell:")
    lines.append(f'#     eval "$(smartdc env{" -u" if ctx.args.unset else ""}{named})"')
    for line in lines:
        ctx.printer.line(line)
    return 0


def _size(mib: float) -> str:
    units = ("MiB", "GiB", "TiB")
    index = 0
    while mib >= 1024 and index < len(units) - 1:
        mib /= 1024
        index += 1
    return f"{mib:.1f} {units[index]}" if index else f"{mib:.0f} {units[index]}"


def cmd_info(ctx: Context) -> int:
    """triton info: the account and a summary of its instances."""
    dc = ctx.datacenter()
    account = dc.api.get_account()
    states: dict[str, int] = {}
    memory = disk = count = 0
    for machine in dc.api.iter_list_machines():
        count += 1
        states[str(machine.state)] = states.get(str(machine.state), 0) + 1
        memory += int(machine.memory or 0)
        disk += int(machine.disk or 0)
    name = " ".join(str(p) for p in (account.first_name, account.last_name) if p)
    info: dict[str, Any] = {
        "login": account.login,
        "name": name or None,
        "email": account.email,
        "url": dc.url,
        "totalDisk": disk * 1024 * 1024,
        "totalMemory": memory * 1024 * 1024,
        "totalInstances": count,
        "instances": dict(sorted(states.items())),
    }
    if ctx.printer.json_mode:
        ctx.printer.line(json.dumps(info))
        return 0
    for key in ("login", "name", "email", "url"):
        if info[key]:
            ctx.printer.line(f"{key}: {terminal_safe(str(info[key]))}")
    ctx.printer.line(f"totalDisk: {_size(disk)}")
    ctx.printer.line(f"totalMemory: {_size(memory)}")
    ctx.printer.line(f"instances: {count}")
    for state, number in info["instances"].items():
        ctx.printer.line(f"    {terminal_safe(state)}: {number}")
    return 0


def add_commands(add: Adder) -> None:
    profile = add("profile", None, help="list, show, create, edit, switch or delete profiles")
    sub = profile.add_subparsers(dest="profile_command", metavar="COMMAND", required=True)
    # positional dests are never `profile`: that is the connection flag's
    add("list", cmd_list, help="list profiles (* the current one)", parent=sub, aliases=["ls"])
    add("profiles", cmd_list, help="list profiles (same as profile list)")
    got = add("get", cmd_get, help="show a profile (default: the current one)", parent=sub)
    got.add_argument("name", nargs="?", metavar="PROFILE")
    create = add(
        "create",
        cmd_create,
        help="create a profile from --url/--account/--key-id[/--user/--insecure] or -f FILE",
        parent=sub,
    )
    create.add_argument("name", nargs="?", metavar="PROFILE", help="its name (or in the file)")
    create.add_argument("-f", "--file", help="a profile as JSON (triton's fields), - for stdin")
    create.add_argument("--copy", metavar="PROFILE", help="start from another profile")
    create.add_argument("-y", "--yes", action="store_true", help="replace an existing profile")
    create.add_argument("--set-current", action="store_true", help="make it the current one")
    edit = add("edit", cmd_edit, help="edit a profile in $EDITOR", parent=sub)
    edit.add_argument("name", nargs="?", metavar="PROFILE")
    current = add(
        "set-current", cmd_set_current, help="make a profile current", parent=sub, aliases=["set"]
    )
    current.add_argument("name", metavar="PROFILE", help="a profile, or - for the previous one")
    delete = add("delete", cmd_delete, help="delete profiles", parent=sub, aliases=["rm"])
    delete.add_argument("names", nargs="+", metavar="PROFILE")
    delete.add_argument("-f", "--force", action="store_true", help="accepted for triton")
    env = add("env", cmd_env, help="print shell exports for a profile (eval them)")
    env.add_argument("name", nargs="?", metavar="PROFILE")
    env.add_argument("-u", "--unset", action="store_true", help="print unset lines instead")
    add("info", cmd_info, help="the account and a summary of its instances")
