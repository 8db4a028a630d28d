"""The simulator answers as an older CloudAPI release (``Simulator(api_version=...)``): what the
spec's ``since`` facts say came later is not routed, not read and not sent, and the behaviour
changes of the spec's ``changes:`` follow the release. Over signed HTTP, on a virtual clock."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from codegen import ir
from codegen.loader import load_spec
from smartdc.testing.clock import VirtualClock
from smartdc.testing.releases import Release, UnknownRelease
from smartdc.testing.simulator import Simulator, SimulatorError
from tests.conftest import REPO_ROOT

from ..sigclient import Reply, SigClient, load_private_key

SPEC = load_spec(REPO_ROOT / "spec" / "cloudapi.yaml")
FLEX = "b1-flexible-2G"  # a bhyve package with flexible disk space


def _before(version: str) -> str:
    """The release just before ``version`` (9.19.0 -> 9.18.0, 9.8.7 -> 9.8.6, 9.4.0 -> 9.3.0)."""
    major, minor, patch = ir.version_key(version)
    return f"{major}.{minor}.{patch - 1}" if patch else f"{major}.{minor - 1}.0"


@pytest.fixture
def old() -> Iterator[tuple[Simulator, SigClient]]:
    with Simulator(clock=VirtualClock(), api_version="9.15.0") as sim:
        yield sim, SigClient(sim.url, sim.account, load_private_key(sim.key_path))


@pytest.fixture
def new() -> Iterator[tuple[Simulator, SigClient]]:
    with Simulator(clock=VirtualClock()) as sim:
        yield sim, SigClient(sim.url, sim.account, load_private_key(sim.key_path))


def _create(sig: SigClient, package: str, image: str, **body: Any) -> Reply:
    found = sig.get("/my/images", query={"name": image}).json[-1]
    return sig.post("/my/machines", {"image": found["id"], "package": package, **body})


def test_the_server_header_names_the_release(old: tuple[Simulator, SigClient]) -> None:
    _, sig = old
    assert sig.get("/my").headers["server"] == "cloudapi/9.15.0"


@pytest.mark.parametrize("version", ["8.4.0", "9.21.0", "9.15", "latest"])
def test_a_release_the_spec_does_not_describe_is_refused(version: str) -> None:
    with pytest.raises(SimulatorError, match=r"CloudAPI|version"):
        Simulator(api_version=version)


def test_block_size_is_answered_and_checked_from_9_19(
    old: tuple[Simulator, SigClient], new: tuple[Simulator, SigClient]
) -> None:
    disks = [{}, {"size": 512, "block_size": 4096}]
    for (sim, sig), shown in ((new, [None, 4096]), (old, [None, None])):
        reply = _create(sig, FLEX, "ubuntu-certified-22.04", disks=disks)
        assert reply.status == 201, reply.json
        machine = reply.json["id"]
        listed = sig.get(f"/my/machines/{machine}/disks").json
        assert [d.get("block_size") for d in listed] == shown
        got = sig.get(f"/my/machines/{machine}").json
        assert [d.get("block_size") for d in got["disks"]] == shown
        one = sig.get(f"/my/machines/{machine}/disks/{listed[1]['id']}").json
        assert one.get("block_size") == shown[1]
        assert sim.settings.server_version in ("9.15.0", "9.20.0")
    bad = [{}, {"size": 512, "block_size": 1000}]
    assert _create(new[1], FLEX, "ubuntu-certified-22.04", disks=bad).status == 409
    # 9.15 passes block_size on unchecked (the silent failure 9.19's changelog speaks of)
    assert _create(old[1], FLEX, "ubuntu-certified-22.04", disks=bad).status == 201


def test_flexible_disk_packages_serve_any_brand_from_9_17(
    old: tuple[Simulator, SigClient], new: tuple[Simulator, SigClient]
) -> None:
    for sim, _ in (old, new):
        dc = sim.state.datacenters[sim.datacenter_names[0]]
        with sim.state.lock:
            packages = dc.table("packages")
            base = next(p for p in packages.values() if p["name"] == "g4-highcpu-1G")
            packages["flex-any"] = {**base, "id": "flex-any", "name": "flex-any-1G"}
            packages["flex-any"]["flexible_disk"] = True
    refused = _create(old[1], "flex-any-1G", "base-64-lts")
    assert (refused.status, refused.json["code"]) == (409, "InvalidArgument")
    assert refused.json["message"] == "The use of `flexible_disk` is not supported with joyent"
    assert _create(new[1], "flex-any-1G", "base-64-lts").status == 201


def test_bhyve_instances_are_resized_from_9_8_3() -> None:
    for version, refused in (("9.8.2", True), ("9.8.3", False)):
        with Simulator(clock=VirtualClock(), api_version=version) as sim:
            sig = SigClient(sim.url, sim.account, load_private_key(sim.key_path))
            created = _create(sig, FLEX, "ubuntu-certified-22.04")
            assert created.status == 201, created.json
            sim.advance(sim.settings.provision_seconds + 0.01)
            reply = sig.post(
                f"/my/machines/{created.json['id']}",
                query={"action": "resize", "package": "g4-highcpu-1G"},
            )
            message = "resize is not supported for KVM virtualmachines"
            assert (reply.json or {}).get("message") == (
                message
                if refused
                else "Resizing to a package without flexible disk space is not supported"
            )


def test_the_datacenter_name_header_is_sent_from_9_2_by_ping_and_list_datacenters() -> None:
    # lib/account.js ping and lib/datacenters.js list() set it; no other answer has it
    for version, sent in (("9.1.0", False), ("9.2.0", True)):
        with Simulator(clock=VirtualClock(), api_version=version) as sim:
            sig = SigClient(sim.url, sim.account, load_private_key(sim.key_path))
            for reply in (sig.get("/--ping", signed=False), sig.get("/my/datacenters")):
                assert ("Triton-Datacenter-Name" in reply.headers) is sent, reply.headers
            assert "Triton-Datacenter-Name" not in sig.get("/my").headers


def test_the_migration_action_finalize_is_refused_before_9_8_1() -> None:
    # lib/migrations.js MIGRATION_ACTIONS gained finalize in 9.8.1 (the spec's enum value since)
    assert not Release("9.8.0").knows("MigrationAction", "finalize")
    assert Release("9.8.1").knows("MigrationAction", "finalize")
    for version, refused in (("9.8.0", True), ("9.8.1", False)):
        with Simulator(clock=VirtualClock(), api_version=version) as sim:
            sig = SigClient(sim.url, sim.account, load_private_key(sim.key_path))
            created = _create(sig, FLEX, "ubuntu-certified-22.04")
            reply = sig.post(
                f"/my/machines/{created.json['id']}/migrate", query={"action": "finalize"}
            )
            message = (reply.json or {}).get("message", "")
            assert (message == "finalize is not a valid migration action") is refused, reply.json


def test_ed25519_keys_are_refused_before_9_18(old: tuple[Simulator, SigClient]) -> None:
    _, sig = old
    key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl k"
    reply = sig.post("/my/keys", {"name": "ed", "key": key})
    assert reply.status >= 400, reply.json


def test_an_operation_newer_than_the_release_is_not_routed(
    old: tuple[Simulator, SigClient],
) -> None:
    with Simulator(clock=VirtualClock(), api_version="9.10.0") as sim:
        sig = SigClient(sim.url, sim.account, load_private_key(sim.key_path))
        reply = sig.get("/my/accesskeys")  # ListAccessKeys: 9.11.0
        assert (reply.status, reply.json["code"]) == (404, "ResourceNotFound")
        assert sig.get("/my/machines").status == 200
    _, sig = old
    assert sig.get("/my/accesskeys").status == 200


def test_a_parameter_newer_than_the_release_is_not_read() -> None:
    # AddNic's `primary` came with 9.15.0: a 9.14 server does not read it
    for version, primary in (("9.14.0", False), ("9.15.0", True)):
        with Simulator(clock=VirtualClock(), api_version=version) as sim:
            sig = SigClient(sim.url, sim.account, load_private_key(sim.key_path))
            image = sig.get("/my/images", query={"name": "base-64-lts"}).json[-1]["id"]
            created = sig.post("/my/machines", {"image": image, "package": "g4-highcpu-1G"}).json
            sim.advance(sim.settings.provision_seconds + 0.01)
            machine = sig.get(f"/my/machines/{created['id']}").json
            used = {nic["network"] for nic in sig.get(f"/my/machines/{machine['id']}/nics").json}
            free = [n for n in sig.get("/my/networks").json if n["id"] not in used]
            assert free, "the seed has a network the new machine is not on"
            nic = sig.post(
                f"/my/machines/{machine['id']}/nics", {"network": free[0]["id"], "primary": True}
            )
            assert nic.status == 201, nic.json
            assert nic.json["primary"] is primary


def _requests_after(version: str) -> list[tuple[str, str, dict[str, str]]]:
    found = []
    for op in SPEC.operations.values():
        if op.since and ir.version_key(op.since) > ir.version_key(version):
            path = re.sub(r"\{(\w+)\}", r"value-of-\1", op.path)
            found.append((op.method, path, dict(op.fixed_query)))
    return found


AFTER_9 = sorted(
    {o.since for o in SPEC.operations.values() if o.since and ir.version_key(o.since) > (9, 0, 0)}
)


@pytest.mark.parametrize("since", AFTER_9)
def test_every_operation_is_hidden_from_the_releases_before_it(since: str) -> None:
    older, same = Release(_before(since)), Release(since)
    for method, path, query in _requests_after(_before(since)):
        op = older.operation(method, path, query, None)
        assert op is not None and op.hidden, (method, path, query)
    for method, path, query in _requests_after(since):
        assert same.operation(method, path, query, None) is not None


def test_every_answered_field_is_left_out_before_its_release() -> None:
    networks = [{"id": "n1", "name": "external", "public": True, "suffixes": ["a.example"]}]
    for version, kept in (("9.19.0", False), ("9.20.0", True)):
        release = Release(version)
        answer = release.unsent(
            release.operation("GET", "/sim/networks", {}, None), [dict(n) for n in networks]
        )
        assert ("suffixes" in answer[0]) is kept
    with pytest.raises(UnknownRelease):
        Release("10.0.0")
