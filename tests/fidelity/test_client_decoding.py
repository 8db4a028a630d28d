"""What the client decodes: every answer the server's code makes of generated backend records
decodes strictly into the generated models and writes back unchanged (values keep their JSON
types; objects where a string might be expected, nulls and empty lists survive).

Oracle commands ``machine`` (VMs of every brand and VMAPI state, NICs with and without
addresses, disks, tags and metadata of every scalar type, credentials), ``nic``, ``migration``
(progress entries with VMAPI's error objects), ``image``, ``package`` and ``network``. The test
suite decodes strictly (tests/conftest.py): a field the spec types otherwise than the server sends
fails here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from smartdc._generated.models import Image, Machine, Migration, Network, Nic, Package

from . import oracle
from .oracle import DIFFERENTIAL

UUIDS = st.uuids(version=4).map(str)
TEXT = st.text(max_size=6)
SCALARS = st.one_of(
    TEXT,
    st.integers(-(2**53), 2**53),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
)
ISO = st.datetimes(datetime(2000, 1, 1), datetime(2100, 1, 1)).map(
    lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
)
VMAPI_STATES = [
    "running", "stopped", "provisioning", "destroyed", "failed", "configured", "incomplete",
    "unavailable", "ready", "halting", "shutting_down", "off", "down", "installed", "unreachable",
    "stopping", "receiving", "somethingelse",
]  # fmt: skip
ADDRESSES = st.one_of(
    st.ip_addresses(v=4).map(str),
    st.ip_addresses(v=6).map(str),
    st.just("dhcp"),
    st.just("addrconf"),
)
NICS = st.fixed_dictionaries(
    {
        "mac": st.just("90:b8:d0:00:00:01"),
        "network_uuid": UUIDS,
        "nic_tag": st.sampled_from(["external", "internal", "sdc_overlay/1"]),
    },
    optional={
        "ip": ADDRESSES,
        "ips": st.lists(ADDRESSES.map(lambda a: a + "/24"), max_size=2),
        "netmask": st.just("255.255.255.0"),
        "gateway": st.ip_addresses(v=4).map(str),
        "primary": st.booleans(),
        "state": st.sampled_from(["running", "provisioning", "stopped"]),
        "vlan_id": st.integers(0, 4095),
        "mtu": st.integers(576, 9000),
        "model": st.sampled_from(["virtio", "e1000"]),
        "allow_ip_spoofing": st.booleans(),
        "gateways": st.lists(st.ip_addresses(v=4).map(str), max_size=2),
    },
)
DISKS = st.fixed_dictionaries(
    {"size": st.integers(0, 10**6)},
    optional={
        "uuid": UUIDS,
        "image_uuid": UUIDS,
        "boot": st.booleans(),
        "block_size": st.sampled_from([512, 4096]),
        "pci_slot": st.just("0:4:0"),
    },
)
VMS = st.fixed_dictionaries(
    {
        "uuid": UUIDS,
        "alias": st.one_of(st.none(), st.text("abc-1", max_size=5)),
        "brand": st.sampled_from(["joyent", "joyent-minimal", "lx", "kvm", "bhyve"]),
        "state": st.sampled_from(VMAPI_STATES),
        "image_uuid": UUIDS,
        "ram": st.integers(0, 2**20),
        "quota": st.integers(0, 2**12),
        "customer_metadata": st.dictionaries(TEXT, SCALARS, max_size=3),
        "internal_metadata": st.dictionaries(
            st.sampled_from(["root_pw", "admin_pw", "x"]), TEXT, max_size=2
        ),
        "tags": st.dictionaries(TEXT, SCALARS, max_size=3),
        "create_timestamp": ISO,
        "last_modified": ISO,
        "nics": st.lists(NICS, max_size=3),
        "disks": st.lists(DISKS, max_size=3),
    },
    optional={
        "firewall_enabled": st.booleans(),
        "server_uuid": UUIDS,
        "docker": st.booleans(),
        "dns_names": st.lists(st.text("abc.", max_size=8), max_size=2),
        "free_space": st.integers(0, 10**6),
        "indestructible_zoneroot": st.booleans(),
        "flexible_disk_size": st.integers(0, 10**6),
        "billing_id": st.just("7b17343c-94af-6266-e0e8-893a3b9993d0"),
        "datasets": st.just(["zones/x/data"]),
        "zfs_filesystem": st.just("zones/x"),
    },
)
ORACLE_ACCOUNT = (
    "930896af-bf8c-48d4-885c-6573a94b1853"  # the oracle's default account (lib/world.js)
)
PACKAGES = [{"uuid": "7b17343c-94af-6266-e0e8-893a3b9993d0", "name": "g4-highcpu-1G"}]
PROGRESS = st.fixed_dictionaries(
    {"type": st.sampled_from(["progress", "end"]), "started_timestamp": ISO},
    optional={
        "finished_timestamp": ISO,
        "state": st.sampled_from(["running", "failed", "success"]),
        "phase": st.sampled_from(["begin", "sync", "switch", "abort", "rollback"]),
        "message": TEXT,
        # VMAPI's workflow stores a failed step's error as an object (or text)
        "error": st.one_of(TEXT, st.fixed_dictionaries({"name": TEXT, "message": TEXT}), st.none()),
        "current_progress": st.integers(0, 100),
        "total_progress": st.integers(0, 100),
    },
)
MIGRATIONS = st.fixed_dictionaries(
    {
        # what VMAPI's migrate.js always stores in a new record
        "vm_uuid": UUIDS,
        "source_server_uuid": UUIDS,
        "automatic": st.booleans(),
        "num_sync_phases": st.integers(0, 9),
        "created_timestamp": ISO,
        "state": st.sampled_from(["running", "paused", "failed", "successful", "aborted"]),
        "phase": st.sampled_from(["begin", "sync", "switch", "abort", "rollback"]),
        "progress_history": st.lists(PROGRESS, max_size=3),
    },
    optional={
        # the record's own error is text (sdc-vmapi lib/workflows/vm-migration/common.js
        # storeMigrationRecordFailure() concatenates it); progress entries keep objects
        "error": TEXT,
        "started_timestamp": ISO,
        "finished_timestamp": ISO,
        "target_server_uuid": UUIDS,
    },
)


def _request(vm: dict[str, Any], credentials: bool) -> dict[str, Any]:
    doc: dict[str, Any] = {"vm": vm, "from": "vmapi", "packages": PACKAGES}
    if credentials:
        doc["req"] = {"params": {"credentials": "true"}}
    return doc


def _roundtrip(model: Any, answer: dict[str, Any]) -> None:
    decoded = model.from_json(answer)
    assert not decoded.decode_problems
    assert not oracle.differences(decoded.to_json(), answer)


@DIFFERENTIAL(max_examples=6)
@given(vms=st.lists(st.tuples(VMS, st.booleans()), min_size=8, max_size=8))
def test_machine_answers_decode_and_keep_their_values(
    vms: list[tuple[dict[str, Any], bool]],
) -> None:
    answers = oracle.run_many([("machine", _request(vm, cred)) for vm, cred in vms])
    for answer in answers:
        _roundtrip(Machine, answer["machine"])


@DIFFERENTIAL(max_examples=4)
@given(nics=st.lists(NICS, min_size=6, max_size=6))
def test_nic_answers_decode_and_keep_their_values(nics: list[dict[str, Any]]) -> None:
    for answer in oracle.run_many([("nic", {"nic": nic}) for nic in nics]):
        _roundtrip(Nic, answer["nic"])


@DIFFERENTIAL(max_examples=5)
@given(migrations=st.lists(MIGRATIONS, min_size=6, max_size=6))
def test_migration_answers_decode_and_keep_their_values(migrations: list[dict[str, Any]]) -> None:
    for answer in oracle.run_many([("migration", {"migration": m}) for m in migrations]):
        assert answer.get("status") == 200, answer
        _roundtrip(Migration, answer["body"])


PACKAGES_PAPI = st.fixed_dictionaries(
    # what PAPI's schema requires of every package (sdc-papi lib/papi.js, etc/)
    {
        "uuid": UUIDS,
        "name": st.text("abcdefg-1", min_size=1, max_size=8),
        "version": st.sampled_from(["1.0.0", "2.1.3"]),
        "active": st.just(True),
        "max_physical_memory": st.integers(64, 2**20),
        "quota": st.integers(1024, 2**22),
        "max_swap": st.integers(128, 2**21),
        "max_lwps": st.integers(250, 64000),
        "zfs_io_priority": st.integers(0, 16383),
        "cpu_cap": st.integers(0, 6400),
        "vcpus": st.integers(0, 64),
        "default": st.booleans(),
    },
    optional={
        "brand": st.sampled_from(["joyent", "joyent-minimal", "lx", "kvm", "bhyve"]),
        "flexible_disk": st.booleans(),
        "disks": st.lists(
            st.one_of(
                st.fixed_dictionaries({"size": st.integers(1, 10**6)}),
                st.just({"size": "remaining"}),
                st.just({}),
            ),
            max_size=3,
        ),
        "group": TEXT,
        "description": TEXT,
        "common_name": TEXT,
    },
)
NETWORKS_NAPI = st.fixed_dictionaries(
    {
        "uuid": UUIDS,
        "name": st.text("abcdefg-1", min_size=1, max_size=8),
        "nic_tag": st.sampled_from(["external", "internal", "sdc_overlay"]),
        "vlan_id": st.integers(0, 4095),
        "subnet": st.just("10.1.2.0/24"),
        "provision_start_ip": st.just("10.1.2.10"),
        "provision_end_ip": st.just("10.1.2.250"),
        "netmask": st.just("255.255.255.0"),
        "resolvers": st.lists(st.ip_addresses(v=4).map(str), max_size=2),
        "family": st.just("ipv4"),
        "mtu": st.integers(576, 9000),
    },
    optional={
        "public": st.booleans(),
        "fabric": st.booleans(),
        "gateway": st.just("10.1.2.1"),
        "internet_nat": st.booleans(),
        "description": TEXT,
        "routes": st.dictionaries(st.just("10.9.0.0/16"), st.just("10.1.2.1"), max_size=1),
        "owner_uuids": st.just([ORACLE_ACCOUNT]),
    },
)
IMAGES_IMGAPI = st.fixed_dictionaries(
    {
        "v": st.just(2),
        "uuid": UUIDS,
        "owner": st.just(ORACLE_ACCOUNT),  # the account's own image: visible whatever its state
        "name": st.text("abcdefg-1", min_size=1, max_size=8),
        "version": st.sampled_from(["1.0.0", "20240101"]),
        "state": st.sampled_from(["active", "unactivated", "disabled", "creating", "failed"]),
        "disabled": st.booleans(),
        "public": st.booleans(),
        "type": st.sampled_from(["zone-dataset", "lx-dataset", "zvol", "docker", "other"]),
        "os": st.sampled_from(["smartos", "linux", "windows", "other"]),
        "files": st.lists(
            st.fixed_dictionaries(
                {
                    "sha1": st.just("a" * 40),
                    "size": st.integers(0, 2**40),
                    "compression": st.just("gzip"),
                }
            ),
            max_size=1,
        ),
    },
    optional={
        "published_at": ISO,
        "requirements": st.fixed_dictionaries(
            {},
            optional={
                "brand": st.sampled_from(["lx", "bhyve", "kvm"]),
                "min_ram": st.integers(0, 2**16),
                "max_ram": st.integers(0, 2**16),
                "password": st.booleans(),
                "networks": st.just([{"name": "net0", "description": "public"}]),
                "min_platform": st.just({"7.0": "20210401T000000Z"}),
                "bootrom": st.just("uefi"),
            },
        ),
        "description": TEXT,
        "homepage": st.just("https://example.com/"),
        "tags": st.dictionaries(TEXT, SCALARS, max_size=2),
        "acl": st.lists(UUIDS, max_size=1),
        "origin": UUIDS,
        "error": st.fixed_dictionaries({"message": TEXT}, optional={"code": TEXT}),
        "image_size": st.integers(0, 10**6),
        "eula": st.just("https://example.com/eula"),
        "urn": st.just("sdc:sdc:base64:13.4.0"),
    },
)


@DIFFERENTIAL(max_examples=3)
@given(
    packages=st.lists(PACKAGES_PAPI, min_size=4, max_size=4),
    networks=st.lists(NETWORKS_NAPI, min_size=4, max_size=4),
    images=st.lists(IMAGES_IMGAPI, min_size=4, max_size=4),
)
def test_catalog_answers_decode_and_keep_their_values(
    packages: list[dict[str, Any]], networks: list[dict[str, Any]], images: list[dict[str, Any]]
) -> None:
    jobs = [("package", {"package": p}) for p in packages]
    jobs += [("network", {"network": n}) for n in networks]
    jobs += [("image", {"image": i}) for i in images]
    models = [Package] * len(packages) + [Network] * len(networks) + [Image] * len(images)
    for model, (job, answer) in zip(
        models, zip(jobs, oracle.run_many(jobs), strict=True), strict=True
    ):
        assert answer.get("status") == 200, (job, answer)
        _roundtrip(model, answer["body"])
