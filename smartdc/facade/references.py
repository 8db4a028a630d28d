"""One resolver for what a user types to name a resource, with node-triton's rules.

``DataCenter.image/package/network/machine/volume/firewall_rule`` and every command of the CLI
go through these functions, so a reference means the same everywhere. The rules are
node-triton's (lib/tritonapi.js getImage, getPackage, getNetwork, getInstance, getVolume,
getFirewallRule, 7.17), tried in this order:

=============  =====================================================================
kind           accepted
=============  =====================================================================
image          uuid; ``name@version``; exact name (the newest of its versions, by
               ``published_at``, every state); short id (the uuid's first group)
package        uuid; exact name (several: ambiguous); short id (first group)
network        uuid; exact name (several: ambiguous); short id (first group)
firewall rule  uuid; short id (first group); rules have no names
instance       uuid; exact name; short id: any hex prefix of the uuid (dashes optional)
volume         uuid; exact name (failed volumes left out); short id (any hex prefix)
=============  =====================================================================

A reference that matches nothing raises :class:`~smartdc.errors.NotFoundError`; one that matches
several (two packages of one name, a short id two instances start with) raises
:class:`~smartdc.errors.AmbiguousNameError` naming the candidates. A uuid is fetched directly:
the server's own 404 (``ResourceNotFound``) is raised as it comes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, TypeVar

from smartdc.errors import AmbiguousNameError, NotFoundError
from smartdc.facade import catalog
from smartdc.facade.lookup import is_uuid

if TYPE_CHECKING:
    from smartdc._generated.client import CloudAPI
    from smartdc._generated.models import (
        FirewallRule,
        Image,
        Machine,
        Network,
        Package,
        Volume,
    )

T = TypeVar("T")
_HEX = re.compile(r"^[0-9a-f]+$")
_SPANS = (8, 4, 4, 4, 12)


def first_group(uuid: object) -> str:
    """triton's short id of an id: its first group (``b6979942`` of ``b6979942-7d5d-...``)."""
    return str(uuid or "").split("-", 1)[0]


def uuid_prefix(ref: str) -> str | None:
    """What ``ref`` is the start of, as a uuid prefix with its dashes (node-triton's
    normShortId): ``b6979942``, ``b69799427d5d`` -> ``b6979942-7d5d``, ``b6979942-7d``; None
    when ``ref`` cannot start a uuid (not lowercase hex in uuid groups)."""
    if not ref:
        return None
    if "-" not in ref:
        if not _HEX.match(ref) or len(ref) > 32:
            return None
        parts, rest = [], ref
        for span in _SPANS:
            if not rest:
                break
            parts.append(rest[:span])
            rest = rest[span:]
        return "-".join(parts)
    groups = ref.split("-")
    if len(groups) > len(_SPANS):
        return None
    for index, (group, span) in enumerate(zip(groups, _SPANS, strict=False)):
        last = index == len(groups) - 1
        if not _HEX.match(group) or len(group) > span or (not last and len(group) != span):
            return None
    return ref


def _pick(
    kind: str,
    ref: str,
    named: list[T],
    short: list[T],
    ident: Callable[[T], object],
    *,
    where: str,
) -> T:
    """triton's order: one exact name wins; several are ambiguous; then one short id match."""
    for found in (named, short):
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            ids = [str(ident(f)) for f in found]
            how = "name" if found is named else "short id"
            raise AmbiguousNameError(
                f"{kind} {how} {ref!r} is ambiguous: it matches {len(found)} {kind}s "
                f"({', '.join(ids)}); use the full id",
                candidates=ids,
            )
    raise NotFoundError(f"no {kind} with id, name or short id {ref!r} in {where}")


def _short_matches(items: Iterable[T], ref: str, ident: Callable[[T], object]) -> list[T]:
    """Items whose short id (first uuid group) is ``ref`` exactly (images, packages, networks,
    firewall rules, as triton matches them)."""
    if len(ref) != 8 or not _HEX.match(ref):
        return []
    return [item for item in items if first_group(ident(item)) == ref]


def image(api: CloudAPI, ref: str, version: str | None = None) -> Image:
    """An image by uuid, ``name@version``, name (its newest version, inactive ones included, as
    triton finds them) or short id."""
    if is_uuid(ref) and version is None:
        return api.get_image(id=ref)
    name, at, named_version = ref.partition("@")
    if at:
        if version is not None:
            raise NotFoundError(f"give the version once: in {ref!r} or as version={version!r}")
        version = named_version
    if version is not None:
        # IMGAPI reads a leading "~" as "contains": keep the exact name and version
        found = [
            i
            for i in api.list_images(name=name, version=version, state="all")
            if i.name == name and i.version == version
        ]
        newest = catalog.latest(found)
        if newest is None:
            raise NotFoundError(f"no image {name}@{version} in {api.meta.config.url}")
        return newest
    could_be_short = len(ref) == 8 and bool(_HEX.match(ref))
    images = list(
        api.list_images(state="all") if could_be_short else api.list_images(name=ref, state="all")
    )
    newest = catalog.latest(i for i in images if i.name == ref)
    if newest is not None:
        return newest
    return _pick(
        "image",
        ref,
        [],
        _short_matches(images, ref, lambda i: i.id),
        lambda i: i.id,
        where=api.meta.config.url,
    )


def package(api: CloudAPI, ref: str) -> Package:
    """A package by uuid, exact name or short id."""
    if is_uuid(ref):
        return api.get_package(package=ref)
    packages = list(api.list_packages())
    return _pick(
        "package",
        ref,
        [p for p in packages if p.name == ref],
        _short_matches(packages, ref, lambda p: p.id),
        lambda p: p.id,
        where=api.meta.config.url,
    )


def network(api: CloudAPI, ref: str) -> Network:
    """A network (or network pool) by uuid, exact name or short id."""
    if is_uuid(ref):
        return api.get_network(id=ref)
    networks = list(api.list_networks())
    return _pick(
        "network",
        ref,
        [n for n in networks if n.name == ref],
        _short_matches(networks, ref, lambda n: n.id),
        lambda n: n.id,
        where=api.meta.config.url,
    )


def firewall_rule(api: CloudAPI, ref: str) -> FirewallRule:
    """A firewall rule by uuid or short id."""
    if is_uuid(ref):
        return api.get_firewall_rule(id=ref)
    rules = list(api.list_firewall_rules())
    return _pick(
        "firewall rule",
        ref,
        [],
        _short_matches(rules, ref, lambda r: r.id),
        lambda r: r.id,
        where=api.meta.config.url,
    )


def machine_id(api: CloudAPI, ref: str) -> tuple[str, Machine | None]:
    """The uuid an instance reference names, and the instance when a listing found it (a uuid
    is not fetched here: the caller fetches it, which also tells a deleted instance)."""
    if is_uuid(ref):
        return ref.lower(), None
    prefix = uuid_prefix(ref)
    if prefix is not None and is_uuid(prefix):
        return prefix, None
    others: list[str] = []
    # ListMachines' name= is a prefix match (VMAPI's alias filter): `web` lists `web-1` too
    for model in api.iter_list_machines(name=ref):
        if model.name == ref:
            return str(model.id), model  # names are unique per account and datacenter
        if len(others) < 5:
            others.append(str(model.name))
    if prefix is not None:
        matches = [m for m in api.iter_list_machines() if str(m.id).startswith(prefix)]
        if matches:
            found = _pick("instance", ref, [], matches, lambda m: m.id, where=api.meta.config.url)
            return str(found.id), found
    longer = f" (names starting with it: {', '.join(others)})" if others else ""
    raise NotFoundError(
        f"no instance with id, name or short id {ref!r} in {api.meta.config.url}{longer}"
    )


def volume(api: CloudAPI, ref: str) -> Volume:
    """A volume by uuid, exact name or short id (failed volumes are left out of names and short
    ids, as triton leaves them out)."""
    if is_uuid(ref):
        return api.get_volume(id=ref)
    named = [v for v in api.list_volumes(name=ref) if v.name == ref and v.state != "failed"]
    if named:
        return _pick("volume", ref, named, [], lambda v: v.id, where=api.meta.config.url)
    prefix = uuid_prefix(ref)
    short = (
        [v for v in api.list_volumes() if v.state != "failed" and str(v.id).startswith(prefix)]
        if prefix is not None
        else []
    )
    return _pick("volume", ref, [], short, lambda v: v.id, where=api.meta.config.url)
