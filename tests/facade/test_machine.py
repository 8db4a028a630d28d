"""Machine: attributes, actions, live tags and metadata, snapshots and related resources."""

from __future__ import annotations

import pytest

from smartdc.errors import CloudAPIError
from smartdc.facade import BoundMachine, DataCenter
from smartdc.testing import Simulator


def test_attributes_come_from_the_model(running: BoundMachine) -> None:
    assert running.state == "running"
    assert running.id == str(running.model.id)
    assert running.primary_ip in running.ips
    assert running.memory == running.model.memory
    assert running.created == running.model.created
    assert running.brand == running.model.brand  # any other model field
    assert f"name={running.name!r}" in repr(running)
    with pytest.raises(AttributeError):
        _ = running.no_such_field  # type: ignore[attr-defined]  # a type error as well


def test_refresh_sees_changes_made_elsewhere(dc: DataCenter, running: BoundMachine) -> None:
    other_view = dc.machine(running.id)
    other_view.stop(wait=True)
    assert running.state == "running"  # as of its last fetch
    assert running.refresh().state == "stopped"


def test_stop_start(running: BoundMachine) -> None:
    assert running.stop(wait=True).state == "stopped"
    assert running.start(wait=True).state == "running"


def test_reboot_waits_on_the_audit_trail(running: BoundMachine, vsim: Simulator) -> None:
    before = sum(1 for e in running.audit() if e.action == "reboot")
    running.reboot(wait=True)
    after = [e for e in running.audit() if e.action == "reboot"]
    assert len(after) == before + 1
    assert running.state == "running"
    assert vsim.request_count("MachineAudit") >= 3


def test_rename_and_resize(dc: DataCenter, running: BoundMachine) -> None:
    running.rename("web-2", wait=True)
    assert running.name == "web-2"
    assert dc.machine("web-2") == running
    running.resize("g4-highcpu-2G", wait=True)
    assert running.package == "g4-highcpu-2G"
    assert running.memory == dc.package("g4-highcpu-2G").memory


def test_firewall_and_deletion_protection(dc: DataCenter, running: BoundMachine) -> None:
    running.enable_firewall()
    assert running.refresh().firewall_enabled is True
    running.disable_firewall()
    assert running.refresh().firewall_enabled is False
    running.enable_deletion_protection()
    assert running.refresh().deletion_protection is True
    with pytest.raises(CloudAPIError):
        running.delete()
    running.disable_deletion_protection()
    running.delete(wait=True)
    assert dc.find_machine("web-1") is None


def test_tags_are_a_live_mapping(dc: DataCenter, running: BoundMachine, vsim: Simulator) -> None:
    tags = running.tags
    tags["role"] = "db"
    tags["weight"] = 3
    assert dc.machine(running.id).tags["role"] == "db"  # seen by another object at once
    assert tags["weight"] == 3
    assert "role" in tags and "nope" not in tags
    assert sorted(tags) == ["role", "weight"] and len(tags) == 2
    with pytest.raises(KeyError):
        _ = tags["nope"]
    adds = vsim.request_count("AddMachineTags")
    tags.update(a="1", b="2")
    assert vsim.request_count("AddMachineTags") == adds + 1
    del tags["a"]
    with pytest.raises(KeyError):
        del tags["a"]
    assert tags == {"role": "db", "weight": 3, "b": "2"}
    tags.replace({"only": "this"})
    assert tags.to_dict() == {"only": "this"}
    tags.clear()
    assert tags.to_dict() == {}


def test_metadata_is_a_live_mapping(running: BoundMachine) -> None:
    meta = running.metadata
    meta["motd"] = "hello"
    meta.update({"a": "1", "b": "2"})
    assert meta["motd"] == "hello"
    assert {"motd", "a", "b"} <= set(meta)
    del meta["a"]
    assert "a" not in meta
    with pytest.raises(KeyError):
        _ = meta["a"]
    with pytest.raises(KeyError):
        del meta["a"]
    meta.clear()
    assert "motd" not in meta.to_dict()


def test_snapshots(running: BoundMachine) -> None:
    snapshot = running.create_snapshot("first")
    assert snapshot.name == "first"
    snapshot.poll_until("created")
    assert snapshot.state == "created"
    assert [s.name for s in running.snapshots()] == ["first"]
    assert running.snapshot("first").state == "created"
    running.stop(wait=True)
    snapshot.start()  # boot from it
    running.wait("running")
    snapshot.delete(wait=True)
    assert running.snapshots() == []


def test_related_resources(dc: DataCenter, running: BoundMachine) -> None:
    assert {n.ip for n in running.nics()} == set(running.ips)
    actions = [e.action for e in running.audit()]
    assert actions[-1] == "provision"
    rule = dc.api.create_firewall_rule(rule="FROM any TO all vms ALLOW tcp PORT 22")
    assert [r.id for r in running.firewall_rules()] == [rule.id]
    assert running.disks() == []  # only bhyve machines have disks (the server lists none)
    bhyve = dc.create_machine(
        name="vm", image="ubuntu-certified-22.04", package="b1-flexible-2G"
    ).wait("running")
    assert bhyve.disks()


def test_create_image_from_machine(dc: DataCenter, running: BoundMachine) -> None:
    running.stop(wait=True)
    image = running.create_image("my-image", "1.0.0")
    assert image.name == "my-image"
    assert str(image.state) == "creating"


def test_an_image_of_an_lx_instance_provisions_again(dc: DataCenter) -> None:
    # IMGAPI keeps an lx VM's kernel_version in the new image's tags (IMGAPI-497), without
    # which VMAPI's validateLxBrand() refuses to provision the image
    linux = next(i for i in dc.images() if i.model.type == "lx-dataset")
    origin = dc.create_machine(name="lx-origin", image=linux.id, package="g4-highcpu-128M")
    origin.wait("running")
    origin.stop(wait=True)
    image = origin.create_image("lx-again", "1.0.0").wait()
    assert linux.model.tags is not None
    assert image.model.tags == {"kernel_version": linux.model.tags["kernel_version"]}
    again = dc.create_machine(name="lx-again", image=image.id, package="g4-highcpu-128M")
    assert again.wait("running").brand == "lx"


def test_migrate(running: BoundMachine) -> None:
    migration = running.migrate("begin")
    assert migration is not None
    assert str(migration.machine) == running.id
