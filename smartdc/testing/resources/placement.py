"""Compute nodes and where a new machine lands on them, as CNAPI's allocator (sdc-designation) decides.

Each datacenter has ``Settings.compute_nodes`` servers. A machine is placed when CreateMachine is
answered (VMAPI asks CNAPI ``/allocate`` before it answers), so ``compute_node`` is set from the start.
The steps that matter to a user follow sdc-designation:

* ``calculate-affinity``: affinity rules become locality hints (``near``/``far`` machine ids). Hard
  rules win: soft ones are dropped when any rule is hard. A rule matching no machine is dropped,
  except a hard ``==`` rule, which fails the allocation ("no active containers found matching ...").
* ``hard-filter-locality-hints`` (strict locality): no server hosting a ``far`` machine; the one
  server hosting every ``near`` machine.
* ``soft-filter-locality-hints``: the same as a preference when not strict; with no hints at all, a
  spread: servers without the account's machines first.
* Then the least loaded server (fewest machines) is chosen.

When no server remains, CNAPI's 409 ``NoAllocatableServersError`` ("No compute resources available:
REASON") is the answer, as VMAPI and CloudAPI pass it on.
"""

from __future__ import annotations

import fnmatch
import re
import uuid
from collections.abc import Iterable
from typing import Any

from smartdc.testing.resources.affinity import Rule
from smartdc.testing.router import ApiError
from smartdc.testing.state import DatacenterState

_NAMESPACE = uuid.UUID("0b5e7f53-6a0c-4a57-9a55-3c1d2a4e8f10")
_UUID = re.compile(r"^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$")
_GONE = ("deleted", "failed")  # not on a server for the allocator (VMAPI's `active` excludes them)
_HARD_STEP = "servers with requested hard locality considered"


def compute_nodes(dc: DatacenterState) -> list[str]:
    """The server UUIDs of a datacenter (stable for a datacenter name)."""
    count = max(1, dc.sim.settings.compute_nodes)
    return [str(uuid.uuid5(_NAMESPACE, f"{dc.name}/cn{index}")) for index in range(count)]


def no_servers(reason: str) -> ApiError:
    return ApiError(409, "NoAllocatableServersError", f"No compute resources available: {reason}")


def _machines(dc: DatacenterState, login: str) -> list[dict[str, Any]]:
    return [m for m in dc.table("machines", login).values() if m.get("state") not in _GONE]


def _all_machines(dc: DatacenterState) -> Iterable[dict[str, Any]]:
    for (name, _owner), table in dc.tables.items():
        if name == "machines":
            yield from (m for m in table.values() if m.get("state") not in _GONE)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _tag_matches(machine: dict[str, Any], rule: Rule) -> bool:
    tags = machine.get("tags") or {}
    values = [tags[k] for k in (rule.key, f"docker:label:{rule.key}") if k in tags]
    if rule.kind == "re":
        pattern = re.compile(rule.value[1:-1])
        return any(pattern.search(_text(v)) for v in values)
    # VMAPI's LDAP equality on the stringified value; `*` is its wildcard
    return any(fnmatch.fnmatchcase(_text(v), rule.value) for v in values)


def _matching_ids(machines: list[dict[str, Any]], rule: Rule) -> list[str]:
    """The account's active machines a rule names (sdc-designation ``vmUuidsFromAffinity``)."""
    if not rule.is_instance:
        return [m["id"] for m in machines if _tag_matches(m, rule)]
    if _UUID.match(rule.value):
        return [rule.value]
    if re.fullmatch(r"[a-f0-9]{64}", rule.value):
        return []  # a docker id: the simulator runs no docker containers
    if rule.kind == "re":
        pattern = re.compile(rule.value[1:-1])
        return [m["id"] for m in machines if m.get("name") and pattern.search(str(m["name"]))]
    # exact names and `*` globs match the alias
    return [
        m["id"]
        for m in machines
        if m.get("name") and fnmatch.fnmatchcase(str(m["name"]), rule.value)
    ]


def locality_from_affinity(
    dc: DatacenterState, login: str, rules: list[Rule]
) -> dict[str, Any] | None:
    """Locality hints for affinity rules (None when no rule names a machine)."""
    hard = [r for r in rules if not r.soft]
    if hard:
        rules = hard  # mixed hard and soft: the soft ones are dropped
    strict = bool(hard)
    machines = _machines(dc, login)
    near: list[str] = []
    far: list[str] = []
    for rule in rules:
        if rule.key == "image":
            continue
        ids = _matching_ids(machines, rule)
        if ids:
            (near if rule.operator == "==" else far).extend(ids)
        elif strict and rule.operator == "==":
            if rule.is_instance:
                raise no_servers(
                    f'no active containers found matching "{rule.value}" for affinity "{rule}"'
                )
            raise no_servers(
                f'no active containers found matching tag "{rule.key}={rule.value}"'
                f' for affinity "{rule}"'
            )
    if not near and not far:
        return None
    locality: dict[str, Any] = {"strict": strict}
    if near:
        locality["near"] = near
    if far:
        locality["far"] = far
    return locality


def _ids(value: Any) -> list[str]:
    if value is None or value == "" or value == []:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def choose_server(
    dc: DatacenterState,
    login: str,
    *,
    rules: list[Rule] | None = None,
    locality: dict[str, Any] | None = None,
) -> str:
    """The compute node a new machine of ``login`` lands on (or 409 NoAllocatableServersError)."""
    if rules:
        locality = locality_from_affinity(dc, login, rules)
    locality = locality or {}
    strict = locality.get("strict") is True
    near, far = _ids(locality.get("near")), _ids(locality.get("far"))
    servers = compute_nodes(dc)
    own_on: dict[str, set[str]] = {s: set() for s in servers}  # the account's machines per server
    load: dict[str, int] = dict.fromkeys(servers, 0)
    for machine in _machines(dc, login):
        if machine.get("compute_node") in own_on:
            own_on[machine["compute_node"]].add(machine["id"])
    for machine in _all_machines(dc):
        if machine.get("compute_node") in load:
            load[machine["compute_node"]] += 1

    def without_far(candidates: list[str]) -> list[str]:
        return [s for s in candidates if not own_on[s] & set(far)]

    if strict:
        if far:
            servers = without_far(servers)
            if not servers:
                raise no_servers(f"no {_HARD_STEP}")
        if near:
            hosts = [s for s in servers if near[0] in own_on[s]]
            if not hosts or not set(near) <= own_on[hosts[0]]:
                raise no_servers("exclude: inst==" + ",".join(near))
            servers = hosts[:1]
    elif near or far:
        if far:
            servers = without_far(servers) or servers
        if near:
            servers = [s for s in servers if own_on[s] & set(near)] or servers
    else:
        servers = [s for s in servers if not own_on[s]] or servers
    return min(servers, key=lambda s: load[s])


def validate_locality(raw: Any) -> list[dict[str, str]]:
    """VMAPI's check of ``locality`` (its ``errors`` entries for a 409 ValidationFailed)."""

    def problem() -> str | None:
        if not isinstance(raw, dict):
            return "malformed locality object"
        for name in ("near", "far"):
            hint = raw.get(name)
            if not hint:
                continue
            if not isinstance(hint, (str, list)):
                return "locality entry is neither string nor array"
            for item in hint if isinstance(hint, list) else [hint]:
                if not isinstance(item, str) or not _UUID.match(item):
                    return "locality contains malformed UUID"
        return None

    message = problem()
    return [] if message is None else [{"field": "locality", "code": "Invalid", "message": message}]
