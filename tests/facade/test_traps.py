"""Facade traps of issue 13: stale objects after firewall changes, tag filters with numbers,
pickling for process pools, plain-word argument errors, short reprs, documented methods."""

from __future__ import annotations

import inspect
import json
import pickle
import pydoc

import pytest

from smartdc.errors import ArgumentError
from smartdc.facade import BoundFirewallRule, BoundMachine, BoundSnapshot, BoundVolume, DataCenter
from smartdc.testing import Simulator, VirtualClock


def test_enabling_the_firewall_returns_the_object_updated(dc: DataCenter) -> None:
    machine = dc.create_machine(name="fw")
    machine.wait("running")
    assert machine.enable_firewall() is machine
    assert machine.firewall_enabled is True
    assert machine.disable_firewall().firewall_enabled is False
    assert machine.enable_deletion_protection().deletion_protection is True
    assert machine.disable_deletion_protection().deletion_protection is False


def test_tag_filters_take_numbers_and_booleans(dc: DataCenter) -> None:
    dc.create_machine(name="n1", tags={"n": 1, "on": True})
    dc.create_machine(name="n2", tags={"n": 2})
    assert [m.name for m in dc.machines(tags={"n": 1})] == ["n1"]
    assert [m.name for m in dc.machines(tags={"on": True})] == ["n1"]


def test_a_mistyped_argument_is_explained_in_plain_words(dc: DataCenter) -> None:
    with pytest.raises(ArgumentError) as caught:
        list(dc.machines(tags=["role"]))  # type: ignore[arg-type]
    message = str(caught.value)
    assert "a mapping of names to a string, a number or a boolean" in message
    assert "map[" not in message


def test_facade_objects_pickle_for_process_pools(vsim: Simulator) -> None:
    # a DataCenter made from settings (a simulated clock stays with its simulator)
    dc = DataCenter(
        url=vsim.url, account=vsim.account, key_id=vsim.key_id, secret=str(vsim.key_path)
    )
    machine = dc.create_machine(name="pickled")
    snapshot_owner: BoundMachine = pickle.loads(pickle.dumps(machine))
    assert snapshot_owner.id == machine.id and snapshot_owner.name == "pickled"
    assert snapshot_owner.refresh().id == machine.id  # its client works in the new copy
    again: DataCenter = pickle.loads(pickle.dumps(dc))
    assert again.machine("pickled").id == machine.id
    # VMAPI refuses a snapshot while the machine is provisioning (409 UnallocatedVM)
    assert isinstance(vsim.clock, VirtualClock)
    vsim.clock.advance(vsim.settings.provision_seconds + 1)
    snap = pickle.loads(
        pickle.dumps(
            BoundSnapshot(machine, machine._api.create_machine_snapshot(id=machine.id, name="s1"))
        )
    )
    assert snap.name == "s1"
    # FirewallRule and Volume too (README): same object after the trip, and its client works
    rule = dc.create_firewall_rule("FROM any TO all vms ALLOW tcp PORT 22")
    rule_copy = pickle.loads(pickle.dumps(rule))
    assert type(rule_copy) is BoundFirewallRule and rule_copy == rule
    assert rule_copy.enable().enabled is True
    volume = dc.create_volume("pickled-data", size=10240)
    volume_copy = pickle.loads(pickle.dumps(volume))
    assert type(volume_copy) is BoundVolume and volume_copy == volume and volume_copy != rule
    assert volume_copy.refresh().name == "pickled-data"


def test_live_mappings_copy_to_plain_dicts_for_json(dc: DataCenter) -> None:
    machine = dc.create_machine(name="js", tags={"role": "web"})
    assert json.loads(json.dumps(dict(machine.tags))) == {"role": "web"}
    assert json.loads(json.dumps(machine.tags.to_dict())) == {"role": "web"}


def test_model_reprs_leave_out_metadata(dc: DataCenter) -> None:
    machine = dc.create_machine(
        name="quiet", metadata={"root_authorized_keys": "ssh-rsa " + "A" * 2000}
    )
    shown = repr(machine.model)
    assert "root_authorized_keys" not in shown and len(shown) < 1000
    assert "quiet" in shown


def test_every_public_method_is_documented_and_no_section_comment_leaks() -> None:
    for cls in (DataCenter, BoundMachine, BoundSnapshot):
        for name, member in vars(cls).items():
            if name.startswith("_"):
                continue
            target = member.fget if isinstance(member, property) else member
            if callable(target):
                assert inspect.getdoc(target), f"{cls.__name__}.{name} has no docstring"
        plain = pydoc.plaintext  # type: ignore[attr-defined]  # (public, but not in typeshed)
        assert "# --" not in pydoc.render_doc(cls, renderer=plain)
