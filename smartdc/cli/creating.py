"""``instance create``'s options as node-triton reads them (lib/do_instance/do_create.js,
lib/metadataandtags.js): metadata and tags from ``KEY=VALUE``, ``{JSON}`` or ``@FILE`` in the
order given, ``-M KEY=FILE``, ``--script FILE``, volumes ``NAME:/MOUNT[:ro|rw]``, disks as JSON,
networks by id, name or short id."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from smartdc.cli.values import file_path, read_text
from smartdc.errors import ArgumentError

if TYPE_CHECKING:
    from smartdc.facade import DataCenter

_VOLUME_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.\-]+$")


class Ordered(argparse.Action):
    """Appends ``(option kind, value)`` to one shared list, so that metadata given by ``-m``,
    ``-M``, ``--script`` and ``--cloud-config`` applies in command-line order (a later key wins,
    as in triton)."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        items = list(getattr(namespace, self.dest, None) or [])
        items.append((self.metavar_kind, values))
        setattr(namespace, self.dest, items)

    metavar_kind = ""


def ordered(kind: str) -> type[Ordered]:
    return type(f"Ordered_{kind}", (Ordered,), {"metavar_kind": kind})


def kv_value(text: str) -> Any:
    """triton's KEY=VALUE value: ``true``/``false`` and numbers as such, else the text."""
    trimmed = text.strip()
    if trimmed in ("true", "false"):
        return trimmed == "true"
    try:
        number = float(trimmed)
    except ValueError:
        return text
    if not trimmed or trimmed.lower() in ("nan", "inf", "-inf", "+inf", "infinity"):
        return text
    return int(number) if number.is_integer() and "." not in trimmed else number


def _read(path: str, what: str) -> str:
    file = file_path(path).expanduser()
    if not file.is_file():
        raise ArgumentError(f'{what} path "{path}" is not an existing file')
    return read_text(path, f"{what} file")


def _add(kind: str, found: dict[str, Any], key: str, value: Any, err: Any) -> None:
    if not isinstance(value, (str, int, float, bool)):
        raise ArgumentError(
            f"invalid {kind} value type: must be a string, number or boolean: {key}={value!r}"
        )
    if key in found:
        err.write(f"smartdc: warning: {kind} {key!r} replaces its earlier value\n")
    found[key] = value


def _add_text(kind: str, found: dict[str, Any], text: str, source: str, err: Any) -> None:
    """One ``KEY=VALUE``, ``{JSON}`` or ``@FILE`` option value."""
    if not text:
        raise ArgumentError(f"empty {kind} option value")
    if text.startswith("{"):
        _add_json(kind, found, text, source, err)
    elif text.startswith("@"):
        content = _read(text[1:], kind).strip()
        if content.startswith("{"):
            _add_json(kind, found, content, text[1:], err)
        else:
            for line in content.splitlines():
                if line.strip():
                    _add_pair(kind, found, line, err)
    else:
        _add_pair(kind, found, text, err)


def _add_pair(kind: str, found: dict[str, Any], text: str, err: Any) -> None:
    key, sep, value = text.partition("=")
    if not sep:
        raise ArgumentError(f"invalid KEY=VALUE {kind} argument: {text}")
    _add(kind, found, key.strip(), kv_value(value), err)


def _add_json(kind: str, found: dict[str, Any], text: str, source: str, err: Any) -> None:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ArgumentError(f"{kind} ({source}) is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ArgumentError(f"{kind} ({source}) must be a JSON object")
    for key, value in data.items():
        _add(kind, found, str(key), value, err)


def metadata(items: Sequence[tuple[str, str]], err: Any) -> dict[str, Any] | None:
    """The metadata of ``-m``, ``-M``, ``--script`` and ``--cloud-config`` options in order.

    Values keep their JSON types (``-m n=64`` and ``-m '{"flag": true}'`` send a number and a
    boolean, as triton does): CloudAPI copies ``metadata.*`` values unchanged and VMAPI keeps
    strings, numbers and booleans."""
    found: dict[str, Any] = {}
    for kind, value in items:
        if kind == "metadata":
            _add_text("metadata", found, value, value, err)
        elif kind == "metadata_file":
            key, sep, path = value.partition("=")
            if not sep:
                raise ArgumentError(f"invalid KEY=FILE metadata argument: {value}")
            _add("metadata", found, key.strip(), _read(path, "metadata"), err)
        elif kind == "script":
            _add("metadata", found, "user-script", _read(value, "metadata"), err)
        elif kind == "cloud_config":
            _add("metadata", found, "cloud-init:user-data", _read(value, "metadata"), err)
    return found or None


def tags(items: Sequence[str], err: Any) -> dict[str, Any] | None:
    found: dict[str, Any] = {}
    for text in items:
        _add_text("tag", found, text, text, err)
    return found or None


def volume(text: str) -> dict[str, str]:
    """``NAME:/MOUNT[:MODE]`` as CreateMachine's volume object, checked as triton checks it."""
    parts = text.split(":")
    if len(parts) not in (2, 3):
        raise ArgumentError(
            f'invalid volume specified, must be in the form "<volume name>:<mount path>[:<mode>]",'
            f' got: "{text}"'
        )
    name, mountpoint = parts[0], parts[1]
    mode = parts[2] if len(parts) == 3 else "rw"
    if not _VOLUME_NAME.match(name):
        raise ArgumentError(f'invalid volume name, got: "{text}"')
    if not mountpoint.startswith("/") or "\0" in mountpoint or not mountpoint.strip("/"):
        raise ArgumentError(f'invalid volume mountpoint, must be an absolute path, got: "{text}"')
    if mode not in ("ro", "rw"):
        raise ArgumentError(f'invalid volume mode, got: "{text}"')
    return {"name": name, "mountpoint": mountpoint, "mode": mode}


def disks(items: Sequence[str]) -> list[dict[str, Any]] | None:
    """``--disk`` values: a JSON object each, or ``@FILE`` holding a JSON array of them."""
    found: list[dict[str, Any]] = []
    for text in items:
        source = text
        if text.startswith("@"):
            source = text[1:]
            text = sys.stdin.read() if source == "-" else _read(source, "disk")
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ArgumentError(f"disk ({source}) is not valid JSON: {exc}") from None
        for disk in data if isinstance(data, list) else [data]:
            if not isinstance(disk, dict):
                raise ArgumentError(f"disk ({source}) must be a JSON object, not {disk!r}")
            found.append(disk)
    return found or None


def network_ids(dc: DataCenter, refs: Sequence[str]) -> list[str] | None:
    """``-N`` values (each may list several, comma-separated) as network ids: by id, exact
    name, or a unique short id, as triton resolves them."""
    wanted = [r.strip() for ref in refs for r in ref.split(",") if r.strip()]
    if not wanted:
        return None
    from smartdc.facade.lookup import is_uuid

    return [ref if is_uuid(ref) else str(dc.network(ref).id) for ref in wanted]


NIC_FIELDS = ("ipv4_uuid", "ipv4_ips")  # triton's NETWORK_OBJECT_FIELDS


def nic_object(pairs: Sequence[str]) -> dict[str, Any]:
    """triton's NICOPTS: ``ipv4_uuid=NETWORK-UUID[,ipv4_ips=IP]`` (pairs in one argument split
    on commas, several addresses on ``|``; one address at most, as triton allows)."""
    from smartdc.facade.lookup import is_uuid

    found: dict[str, Any] = {}
    for pair in (p for item in pairs for p in item.split(",") if p):
        key, sep, value = pair.partition("=")
        if not sep or key not in NIC_FIELDS:
            raise ArgumentError(
                f"invalid NIC option {pair!r} (NICOPTS are {', '.join(f'{k}=...' for k in NIC_FIELDS)})"
            )
        found[key] = value
    if not found.get("ipv4_uuid"):
        raise ArgumentError("ipv4_uuid must be specified in network object")
    if not is_uuid(found["ipv4_uuid"]):
        raise ArgumentError(f"ipv4_uuid must be a network uuid, not {found['ipv4_uuid']!r}")
    if "ipv4_ips" in found:
        found["ipv4_ips"] = found["ipv4_ips"].split("|")
        if len(found["ipv4_ips"]) != 1:
            raise ArgumentError("only 1 ipv4_ip may be specified")
    return found


def nics(items: Sequence[str]) -> list[dict[str, Any]] | None:
    """``--nic`` values as NetworkObjects (one network once, as triton checks)."""
    objects = [nic_object([item]) for item in items]
    seen: set[str] = set()
    for nic in objects:
        if nic["ipv4_uuid"] in seen:
            raise ArgumentError(
                f"only 1 ip on a network allowed (network {nic['ipv4_uuid']} specified multiple "
                "times)"
            )
        seen.add(nic["ipv4_uuid"])
    return objects or None
