# Copyright: smartdc developers
# MIT License (see LICENSE in the smartdc repository)
"""What the collection's inventory plugin and modules share: connecting with the smartdc CLI's
settings, one host-variable shape for an instance, and CloudAPI errors as Ansible failures."""

from __future__ import annotations

import enum
import traceback
from collections.abc import Callable, Iterable, Mapping
from typing import Any

SMARTDC_IMPORT_ERROR: str | None
try:
    from smartdc import DataCenter, SmartDCError
    from smartdc.errors import CloudAPIError, NotFoundError, WaitFailed, WaitTimeout
except ImportError:  # reported by require_smartdc() as missing_required_lib does
    SMARTDC_IMPORT_ERROR = traceback.format_exc()
    HAS_SMARTDC = False

    # Stand-ins, so that the plugins import (and say what is missing) without smartdc.
    class SmartDCError(Exception):  # type: ignore[no-redef]
        pass

    class CloudAPIError(SmartDCError):  # type: ignore[no-redef]
        pass

    class NotFoundError(SmartDCError):  # type: ignore[no-redef]
        pass

    class WaitFailed(SmartDCError):  # type: ignore[no-redef]
        pass

    class WaitTimeout(SmartDCError):  # type: ignore[no-redef]
        pass

    DataCenter = None  # type: ignore[assignment,misc]
else:
    SMARTDC_IMPORT_ERROR = None
    HAS_SMARTDC = True

# The options of doc_fragments/connection.py (DOCUMENTATION), as an argument_spec.
CONNECTION_ARGS: dict[str, dict[str, Any]] = {
    "profile": {"type": "str"},
    "url": {"type": "str"},
    "account": {"type": "str"},
    "user": {"type": "str"},
    # fingerprints and file names, not secrets (said outright: their names contain "key")
    "key_id": {"type": "str", "no_log": False},
    "key_file": {"type": "path", "no_log": False},
    "key_passphrase": {"type": "str", "no_log": True},
    "insecure": {"type": "bool"},
    "ca_certs": {"type": "path"},
    "roles": {"type": "list", "elements": "str"},
    "act_as": {"type": "str"},
}
# ... and of its MODULE part.
MODULE_ARGS: dict[str, dict[str, Any]] = {**CONNECTION_ARGS, "datacenter": {"type": "str"}}

# option -> smartdc.Config argument
_CONFIG_NAMES = {
    "profile": "profile",
    "url": "url",
    "account": "account",
    "user": "user",
    "key_id": "key_id",
    "key_file": "secret",
    "key_passphrase": "passphrase",
    "insecure": "insecure",
    "ca_certs": "ca_certs",
    "roles": "roles",
    "act_as": "act_as",
}


def module_argument_spec(**own: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A module's argument_spec: its own options and the connection ones."""
    return {**own, **MODULE_ARGS}


def connect(options: Mapping[str, Any]) -> DataCenter:
    """A smartdc DataCenter from the options that are set; the others come from the environment
    and the triton profile exactly as the smartdc CLI reads them (smartdc.Config does that)."""
    settings = {
        _CONFIG_NAMES[name]: options[name]
        for name in _CONFIG_NAMES
        if options.get(name) not in (None, "", [])
    }
    dc = DataCenter(**settings)
    wanted = options.get("datacenter")
    if wanted:
        other = dc.datacenter(wanted)
        if other.url != dc.url:
            dc.close()
            return other
        dc.location = wanted
    return dc


def datacenter_name(dc: DataCenter, urls: Mapping[str, str] | None = None) -> str:
    """The name ListDatacenters gives the datacenter's URL (its host name if none does)."""
    if dc.location:
        return dc.location
    listed = dc.datacenters() if urls is None else urls
    for name, url in sorted(listed.items()):
        if url.rstrip("/") == dc.url.rstrip("/"):
            return name
    return dc.url.split("://", 1)[-1].split(":", 1)[0]


# -- the instance as host variables ------------------------------------------------------------


def plain(value: Any) -> Any:
    """JSON-ready: enums as their value, datetimes as ISO 8601 text, containers copied."""
    if isinstance(value, enum.Enum):
        return plain(value.value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return type(value)(value) if value is not None else None
    isoformat = getattr(value, "isoformat", None)
    if callable(isoformat):
        return isoformat()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return str(value)


class ImageNames:
    """Image id -> name in one datacenter: ListImages once, then GetImage for ids it missed
    (an image deleted or not shared any more has no name: None)."""

    def __init__(self, dc: DataCenter) -> None:
        self._dc = dc
        self._names: dict[str, str | None] = {}
        self._listed = False

    def prefetch(self) -> ImageNames:
        if not self._listed:
            self._listed = True
            for image in self._dc.api.list_images():
                self._names[str(image.id)] = image.name
        return self

    def name(self, image_id: str | None) -> str | None:
        if not image_id:
            return None
        if image_id not in self._names:
            try:
                self._names[image_id] = self._dc.api.get_image(id=image_id).name
            except CloudAPIError:
                self._names[image_id] = None
        return self._names[image_id]


def instance_hostvars(machine: Any, datacenter: str, images: ImageNames) -> dict[str, Any]:
    """One instance as the inventory's host variables and the modules' results (one shape).

    ``machine`` is a smartdc ``Machine`` model (or the facade object around one)."""
    model = getattr(machine, "model", machine)
    nics = [
        {
            "mac": nic.mac,
            "ip": nic.ip,
            "primary": nic.primary,
            "network": nic.network,
            "netmask": nic.netmask,
            "gateway": nic.gateway,
            "state": plain(nic.state),
        }
        for nic in (model.nics or [])
    ]
    return {
        "id": model.id,
        "name": model.name,
        "datacenter": datacenter,
        "state": plain(model.state),
        "brand": plain(model.brand),
        "type": plain(model.type),
        "image": model.image,
        "image_name": images.name(model.image),
        "package": model.package,
        "memory": model.memory,
        "disk": model.disk,
        "primary_ip": model.primary_ip,
        "ips": list(model.ips or []),
        "networks": [str(n) for n in (model.networks or [])],
        "nics": nics,
        "tags": plain(dict(model.tags or {})),
        "metadata": plain(dict(model.metadata or {})),
        "firewall_enabled": bool(model.firewall_enabled),
        "deletion_protection": bool(model.deletion_protection),
        "compute_node": model.compute_node,
        "dns_names": list(model.dns_names or []),
        "docker": bool(model.docker),
        "created": plain(model.created),
        "updated": plain(model.updated),
    }


def model_dict(model: Any) -> dict[str, Any]:
    """A smartdc model (image, package, firewall rule, snapshot...) as a plain dict: its fields by
    their Python names (``global_`` as ``global``), nested models likewise; the server's keys the
    model does not know are left out."""
    import attrs

    def convert(value: Any) -> Any:
        if attrs.has(type(value)):
            return model_dict(value)
        if isinstance(value, (list, tuple)):
            return [convert(v) for v in value]
        if isinstance(value, Mapping):
            return {str(k): convert(v) for k, v in value.items()}
        return plain(value)

    return {
        field.name.rstrip("_"): convert(getattr(model, field.name))
        for field in attrs.fields(type(model))
        if field.name not in ("extra", "json_nulls", "decode_problems")
    }


def planned_hostvars(datacenter: str, **known: Any) -> dict[str, Any]:
    """The host variables of an instance not created yet (check mode): what is known, and None,
    [] or {} for what only the server will tell (id, addresses...)."""
    empty: dict[str, Any] = {
        "id": None,
        "name": None,
        "datacenter": datacenter,
        "state": None,
        "brand": None,
        "type": None,
        "image": None,
        "image_name": None,
        "package": None,
        "memory": None,
        "disk": None,
        "primary_ip": None,
        "ips": [],
        "networks": [],
        "nics": [],
        "tags": {},
        "metadata": {},
        "firewall_enabled": False,
        "deletion_protection": False,
        "compute_node": None,
        "dns_names": [],
        "docker": False,
        "created": None,
        "updated": None,
    }
    return {**empty, **known}


def sorted_by_name(items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(items, key=lambda i: (str(i.get("name") or ""), str(i.get("id"))))


# -- failures ----------------------------------------------------------------------------------


def error_details(exc: BaseException) -> dict[str, Any]:
    """What a failure reports besides its message: the server's code, status and request id."""
    details: dict[str, Any] = {"error_type": type(exc).__name__}
    if isinstance(exc, CloudAPIError):
        details.update(
            status=exc.status,
            error_code=exc.error_code,
            request_id=exc.request_id,
            server_message=exc.message,
        )
    elif isinstance(exc, WaitTimeout):
        details["last_state"] = plain(getattr(exc, "last_state", None))
    return details


def require_smartdc(module: Any) -> None:
    if not HAS_SMARTDC:
        from ansible.module_utils.basic import missing_required_lib

        module.fail_json(msg=missing_required_lib("smartdc"), exception=SMARTDC_IMPORT_ERROR)


def run_module(module: Any, work: Callable[[], dict[str, Any]]) -> None:
    """Run a module's work and exit with its result; a smartdc error becomes a failure with the
    server's message, code and request id (never a traceback); anything else a failure too, its
    traceback kept in ``exception`` (shown with -vvv) as Ansible does."""
    require_smartdc(module)
    failure: dict[str, Any] | None = None
    try:
        result = work()
    except SmartDCError as exc:
        failure = {"msg": str(exc), **error_details(exc)}
    except Exception as exc:
        failure = {
            "msg": f"unexpected error: {type(exc).__name__}: {exc}",
            "exception": traceback.format_exc(),
        }
    if failure is not None:
        # outside the except block: Ansible would attach the traceback of the active exception
        module.fail_json(**failure)
    module.exit_json(**result)


__all__ = [
    "HAS_SMARTDC",
    "ImageNames",
    "NotFoundError",
    "WaitFailed",
    "WaitTimeout",
    "connect",
    "datacenter_name",
    "error_details",
    "instance_hostvars",
    "module_argument_spec",
    "run_module",
]
