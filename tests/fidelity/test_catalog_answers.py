"""GetImage, GetPackage and GetNetwork answers (and their list items): the simulator shows each
image, package and network as CloudAPI's translate() shows the IMGAPI image, PAPI package and NAPI
network it is made from.

Oracle commands ``image`` (sdc-cloudapi lib/datasets.js translate()), ``package``
(lib/packages.js translate()) and ``network`` (lib/endpoints/networks.js translateNetwork()).
The simulator's own catalog (seeded images, packages, networks and the default fabric network)
and generated records of every shape the backends hold (requirements CloudAPI renames or drops,
several files, image errors, packages of every brand with and without vcpus/default/disks,
fabric and other networks, fields CloudAPI does not copy) are put in the simulator's tables,
read back over HTTP and compared with what the server's code makes of the same backend records:
every field, value and JSON type.
"""

from __future__ import annotations

import uuid
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from smartdc.testing import Simulator
from smartdc.testing.resources.images import ADMIN_UUID
from tests.simulator.sigclient import SigClient

from . import oracle
from .oracle import DIFFERENTIAL
from .world import imgapi_image, napi_network, papi_record, stored

_TEXT = st.text("abcdef -", max_size=6)
_MAYBE = st.one_of(st.none(), st.integers(0, 4096))


def _some(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Dictionaries holding any subset of ``fields``."""
    return st.fixed_dictionaries({}, optional=fields)


IMAGES = st.fixed_dictionaries(
    {"name": _TEXT, "version": st.sampled_from(["1.0.0", "20240101"]), "os": _TEXT},
    optional={
        "type": st.sampled_from(["zvol", "zone-dataset", "lx-dataset", "docker", ""]),
        "image_size": st.integers(0, 10**5),
        "description": _TEXT,
        "requirements": _some(
            max_ram=_MAYBE,
            min_ram=_MAYBE,
            brand=st.sampled_from(["bhyve", "kvm", "lx", ""]),
            bootrom=st.sampled_from(["bios", "uefi"]),
            password=st.booleans(),
            min_platform=st.just({"7.0": "20210401T000000Z"}),
            networks=st.just([{"name": "net0", "description": "public"}]),
        ),
        "files": st.lists(
            st.fixed_dictionaries(
                {"compression": st.sampled_from(["gzip", "none"]), "sha1": _TEXT},
                optional={"size": st.integers(0, 10**9), "stor": st.just("local")},
            ),
            max_size=2,
        ),
        "tags": st.dictionaries(_TEXT, st.one_of(_TEXT, st.booleans()), max_size=2),
        "homepage": _TEXT,
        "published_at": st.just("2024-01-08T12:00:00Z"),
        "state": st.sampled_from(["active", "failed", "creating"]),
        "eula": _TEXT,
        "acl": st.lists(st.just(ADMIN_UUID), max_size=1),
        "origin": st.just(str(uuid.uuid4())),
        "error": st.fixed_dictionaries(
            {
                "code": st.sampled_from(
                    ["PrepareImageDidNotRun", "VmHasNoOrigin", "NotSupported", "Other"]
                ),
                "message": _TEXT,
            }
        ),
        "billing_tags": st.lists(_TEXT, max_size=1),
        "traits": st.just({"ssd": True}),
        "generate_passwords": st.booleans(),
    },
)
PACKAGES = st.fixed_dictionaries(
    {"name": _TEXT, "version": st.just("1.0.0"), "memory": st.integers(128, 4096)},
    optional={
        "brand": st.sampled_from(["bhyve", "kvm", "joyent", "lx"]),
        "disk": st.integers(1024, 10**5),
        "swap": st.integers(128, 8192),
        "lwps": st.integers(1, 4000),
        "vcpus": st.sampled_from([0, 1, 4]),
        "group": _TEXT,
        "description": _TEXT,
        "default": st.booleans(),
        "flexible_disk": st.booleans(),
        "disks": st.lists(
            st.fixed_dictionaries({"size": st.one_of(st.just("remaining"), st.integers(1, 9))}),
            max_size=2,
        ),
        "cpu_cap": st.integers(0, 400),
        "fss": st.integers(0, 100),
        "zfs_io_priority": st.integers(0, 100),
        "owner_uuids": st.just([ADMIN_UUID]),
        "common_name": _TEXT,
    },
)
NETWORKS = st.fixed_dictionaries(
    {"name": st.one_of(_TEXT, st.just("external")), "fabric": st.booleans()},
    optional={
        "public": st.booleans(),
        "description": _TEXT,
        "subnet": st.just("192.0.2.0/24"),
        "gateway": st.just("192.0.2.1"),
        "provision_start_ip": st.just("192.0.2.5"),
        "provision_end_ip": st.just("192.0.2.250"),
        "resolvers": st.lists(st.just("192.0.2.53"), max_size=2),
        "routes": st.just({"198.51.100.0/24": "192.0.2.1"}),
        "vlan_id": st.integers(2, 4095),
        "internet_nat": st.booleans(),
        "mtu": st.just(1500),
        "nic_tag": st.sampled_from(["external", "internal", "external_rack_a1", "externalx"]),
        "netmask": st.just("255.255.255.0"),
    },
)


def _answers(
    sig: SigClient, kind: str, records: list[dict[str, Any]], backend: Any
) -> list[tuple[Any, Any]]:
    """(the simulator's Get answer, the oracle's) for each stored record."""
    shown = [sig.get(f"/{sig.login}/{kind}s/{r['id']}").json for r in records]
    answers = oracle.run_many([(kind, {kind: backend(r)}) for r in records])
    return list(zip(shown, [a["body"] for a in answers], strict=True))


def _image_record(image: dict[str, Any]) -> dict[str, Any]:
    return imgapi_image(stored(image))


def test_the_simulators_catalog_is_what_translate_makes_of_its_records(
    sim: Simulator, sig: SigClient
) -> None:
    sig.get(f"/{sig.login}/networks")  # the account's default fabric network is made on first use
    dc = sim.dc()
    images = [i for i in dc.table("images").values()]
    packages = [p for p in dc.table("packages").values()]
    networks = [n for (name, _), t in dc.tables.items() if name == "networks" for n in t.values()]
    assert any(n.get("fabric") for n in networks)
    pairs = _answers(sig, "image", images, _image_record)
    pairs += _answers(sig, "package", packages, papi_record)
    pairs += _answers(sig, "network", networks, napi_network)
    for shown, server in pairs:
        assert not oracle.differences(shown, server), shown
    listed = {
        kind: {i["id"]: i for i in sig.get(f"/{sig.login}/{kind}").json}
        for kind in ("images", "packages", "networks")
    }
    for shown, _ in pairs:  # list items are the same objects
        for items in listed.values():
            if shown["id"] in items:
                assert items[shown["id"]] == shown


@DIFFERENTIAL(max_examples=6)
@given(
    images=st.lists(IMAGES, min_size=4, max_size=4),
    packages=st.lists(PACKAGES, min_size=4, max_size=4),
    networks=st.lists(NETWORKS, min_size=4, max_size=4),
)
def test_generated_records_are_shown_as_translate_shows_them(
    sim: Simulator,
    sig: SigClient,
    images: list[dict[str, Any]],
    packages: list[dict[str, Any]],
    networks: list[dict[str, Any]],
) -> None:
    dc = sim.dc()
    made: dict[str, list[dict[str, Any]]] = {"image": [], "package": [], "network": []}
    for kind, records, table in (
        ("image", images, dc.table("images")),
        ("package", packages, dc.table("packages")),
        ("network", networks, dc.table("networks")),
    ):
        for record in records:
            rid = str(uuid.uuid4())
            extra = {"owner": ADMIN_UUID, "public": True} if kind == "image" else {}
            table[rid] = {**record, **extra, "id": rid}
            made[kind].append(table[rid])
    try:
        pairs = _answers(sig, "image", made["image"], _image_record)
        pairs += _answers(sig, "package", made["package"], papi_record)
        pairs += _answers(sig, "network", made["network"], napi_network)
        for shown, server in pairs:
            assert not oracle.differences(shown, server), (shown, server)
    finally:
        for kind, name in (("image", "images"), ("package", "packages"), ("network", "networks")):
            for record in made[kind]:
                del dc.table(name)[record["id"]]
