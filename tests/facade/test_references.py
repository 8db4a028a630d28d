"""One resolver for references (smartdc.facade.references): what triton's getImage, getPackage,
getNetwork, getInstance, getVolume and getFirewallRule accept, with their ambiguity rules."""

from __future__ import annotations

import pytest

from smartdc.errors import AmbiguousNameError, NotFoundError
from smartdc.facade import DataCenter
from smartdc.facade.references import uuid_prefix
from smartdc.testing import Simulator


@pytest.mark.parametrize(
    ("ref", "prefix"),
    [
        ("b6979942", "b6979942"),
        ("b69799427d5d", "b6979942-7d5d"),
        ("b6979942-7d", "b6979942-7d"),
        ("b69799427d5d4c1e8d1e0123456789ab", "b6979942-7d5d-4c1e-8d1e-0123456789ab"),
        ("web", None),
        ("B6979942", None),  # triton's short ids are lowercase
        ("b697-9942", None),  # a dash where no uuid has one
        ("", None),
    ],
)
def test_uuid_prefix_as_triton_normalises_short_ids(ref: str, prefix: str | None) -> None:
    assert uuid_prefix(ref) == prefix


def test_image_by_id_name_name_at_version_and_short_id(dc: DataCenter) -> None:
    older = dc.image("base-64-lts", "22.4.0")
    newest = dc.image("base-64-lts")
    assert newest.version == "23.4.0"  # a name alone: the newest version
    assert dc.image("base-64-lts@22.4.0").id == older.id
    assert dc.image(str(older.id)).id == older.id
    assert dc.image(str(older.id).split("-")[0]).id == older.id
    with pytest.raises(NotFoundError, match="no-such"):
        dc.image("no-such")
    with pytest.raises(NotFoundError):
        dc.image("base-64-lts@1.0.0")
    with pytest.raises(NotFoundError):
        dc.image(str(older.id)[:6])  # triton's image short id is the whole first group


def test_package_network_and_firewall_rule_by_short_id(dc: DataCenter) -> None:
    package = dc.package("g4-highcpu-128M")
    assert dc.package(str(package.id).split("-")[0]).id == package.id
    assert dc.package(str(package.id)).id == package.id
    network = dc.networks()[0]
    assert dc.network(str(network.id).split("-")[0]).id == network.id
    assert dc.network(str(network.name)).id == network.id
    rule = dc.create_firewall_rule("FROM any TO all vms ALLOW tcp PORT 22")
    assert dc.firewall_rule(str(rule.id).split("-")[0]).id == rule.id
    for find in (dc.package, dc.network, dc.firewall_rule):
        with pytest.raises(NotFoundError):
            find("ffffffff")


def test_package_name_is_exact_not_papi_wildcard(dc: DataCenter) -> None:
    with pytest.raises(NotFoundError):
        dc.package("g4-highcpu-*")


def test_machine_short_id_is_any_prefix_and_ambiguity_names_the_candidates(
    dc: DataCenter, vsim: Simulator
) -> None:
    vsim.populate_machines(2)  # ids 00000000-5a1d-... and 00000001-5a1d-...
    assert dc.machine("00000001").id.startswith("00000001-")
    assert dc.machine("000000015a1d").id.startswith("00000001-5a1d")
    with pytest.raises(AmbiguousNameError) as caught:
        dc.machine("0000000")
    assert len(caught.value.candidates) == 2


def test_volume_by_name_and_short_id(dc: DataCenter) -> None:
    volume = dc.create_volume("data", wait=True)
    assert dc.volume("data").id == volume.id
    assert dc.volume(str(volume.id)[:8]).id == volume.id
    with pytest.raises(NotFoundError):
        dc.volume("nodata")
