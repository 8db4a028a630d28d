"""The disks a new bhyve instance gets: requested `disks` on a flexible-disk package, checked as
CloudAPI's getCreateOptions and VMAPI check them (sdc-cloudapi lib/machines.js), over signed HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from ..sigclient import Reply, SigClient

FLEX = "b1-flexible-2G"  # 51200 MiB, flexible_disk, package disks [{"size": "remaining"}]
IMAGE_SIZE = 10240  # ubuntu-certified-22.04's image_size


def _create(
    sig: SigClient, package: str = FLEX, image: str = "ubuntu-certified-22.04", **body: Any
) -> Reply:
    [found] = sig.get("/my/images", query={"name": image}).json
    return sig.post("/my/machines", {"image": found["id"], "package": package, **body})


def _disks(sig: SigClient, **body: Any) -> list[tuple[int, bool, str]]:
    reply = _create(sig, **body)
    assert reply.status == 201, reply.json
    listed = sig.get(f"/my/machines/{reply.json['id']}/disks").json
    return [(d["size"], d["boot"], d["pci_slot"]) for d in listed]


def test_requested_disks_are_the_instances_disks(vsig: SigClient) -> None:
    assert _disks(vsig, disks=[{"size": 10240}, {"size": 512}]) == [
        (10240, True, "0:4:0"),
        (512, False, "0:4:1"),
    ]
    # the boot disk defaults to the image's size; `remaining` takes what the package has left
    assert _disks(vsig, disks=[{}, {"size": "remaining"}]) == [
        (IMAGE_SIZE, True, "0:4:0"),
        (51200 - IMAGE_SIZE, False, "0:4:1"),
    ]


def test_a_data_disks_block_size_is_kept(vsig: SigClient) -> None:
    reply = _create(vsig, disks=[{}, {"size": 512, "block_size": 4096}])
    assert reply.status == 201, reply.json
    listed = vsig.get(f"/my/machines/{reply.json['id']}/disks").json
    assert [d.get("block_size") for d in listed] == [None, 4096]


def test_without_disks_the_package_decides(vsig: SigClient) -> None:
    assert _disks(vsig) == [(51200, True, "0:4:0")]  # the package's disks: one `remaining`
    # a package without flexible disk space: the image's disk and one of the package's size
    assert _disks(vsig, package="g4-highcpu-1G") == [
        (IMAGE_SIZE, True, "0:4:0"),
        (25600, False, "0:4:1"),
    ]


@pytest.mark.parametrize(
    ("disks", "message"),
    [
        (
            [{"size": 40960}, {"size": 20480}],
            "The size of the disks must not be greater than the package quota",
        ),
        (
            [{}, {"size": "remaining"}, {"size": "remaining"}],
            "Only one disk.size can be set to `remaining`",
        ),
        ([{"size": 1024}], "Size must be greater than or equal to image size for the boot disk"),
        ([{}] + [{"size": 512}] * 8, "A maximum of 8 disks per VM are supported"),
        ([{"block_size": 4096}], "Cannot set block_size and image_uuid."),
        (
            [{}, {"size": 512, "block_size": 1000}],
            "Invalid block_size: 1000 on disk: 1. Must be 512-131072 and a power of 2.",
        ),
    ],
)
def test_disks_are_checked_as_cloudapi_checks_them(
    vsig: SigClient, disks: Any, message: str
) -> None:
    reply = _create(vsig, disks=disks)
    assert (reply.status, reply.json["code"], reply.json["message"]) == (
        409,
        "InvalidArgument",
        message,
    )


def test_disks_need_a_flexible_disk_package_on_bhyve(vsig: SigClient) -> None:
    refused = (
        "The use of `disks` is only supported if the package has the flexible_disk attr set to true"
    )
    plain = _create(vsig, package="g4-highcpu-1G", disks=[{"size": 10240}])
    assert (plain.status, plain.json["message"]) == (409, refused)
    kvm = _create(vsig, image="centos-7", package="g4-highcpu-1G", disks=[{"size": 10240}])
    assert (kvm.status, kvm.json["message"]) == (409, refused)


def test_a_data_disk_without_size_is_vmapis_validation_error(vsig: SigClient) -> None:
    reply = _create(vsig, disks=[{}, {}])
    assert (reply.status, reply.json["code"]) == (409, "ValidationFailed")
    assert reply.json["errors"] == [{"field": "disks.1.size", "code": "MissingParameter"}]


def test_every_bhyve_answer_has_disks_and_flexible(vsig: SigClient) -> None:
    # sdc-cloudapi lib/machines.js translate(): for brand bhyve `disks` always, and `flexible`
    # (flexible_disk_size !== undefined) whenever the package is known
    flexible = _create(vsig).json
    fixed = _create(vsig, package="g4-highcpu-1G").json
    for machine, expected in ((flexible, True), (fixed, False)):
        for answer in (machine, vsig.get(f"/my/machines/{machine['id']}").json):
            assert answer["flexible"] is expected and answer["disks"], answer
    listed = {m["id"]: m for m in vsig.get("/my/machines").json}
    assert listed[fixed["id"]]["flexible"] is False
