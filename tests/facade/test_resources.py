"""Firewall rules and volumes as facade objects, and work across every datacenter at once."""

from __future__ import annotations

import pytest

from smartdc.facade import BoundFirewallRule, BoundVolume, DataCenter
from smartdc.testing import Simulator


def test_firewall_rules_have_their_actions(dc: DataCenter) -> None:
    machine = dc.create_machine(name="web", tags={"role": "web"})
    rule = dc.create_firewall_rule("FROM any TO tag role=web ALLOW tcp PORT 443")
    assert isinstance(rule, BoundFirewallRule) and rule.enabled is False
    assert rule.enable().enabled is True
    assert rule.update(description="https").description == "https"
    assert [m.id for m in rule.machines()] == [machine.id]
    assert rule in dc.firewall_rules() and rule in machine.firewall_rules()
    assert dc.firewall_rule(rule.id).description == "https"
    assert rule.disable().enabled is False
    rule.delete()
    assert rule not in dc.firewall_rules()


def test_volumes_have_their_actions(dc: DataCenter) -> None:
    volume = dc.create_volume("data", size=10240, wait=True)
    assert isinstance(volume, BoundVolume) and volume.state == "ready"
    assert dc.volume("data") == volume and volume in dc.volumes()
    assert volume.rename("data2").name == "data2"
    volume.delete(wait=True)
    assert dc.volumes() == []


def test_work_in_every_datacenter_keeps_one_result_each(vsim: Simulator, dc: DataCenter) -> None:
    def work(here: DataCenter) -> str:
        if here.url == vsim.urls["us-sim-2"]:
            raise RuntimeError("unreachable")
        return here.url

    results = dc.map_datacenters(work)
    assert set(results) == set(vsim.urls)
    assert not results["us-sim-2"].ok and isinstance(results["us-sim-2"].error, RuntimeError)
    assert {name: r.value for name, r in results.items() if r.ok} == {
        name: url for name, url in vsim.urls.items() if name != "us-sim-2"
    }


def test_images_have_their_actions(vsim: Simulator, dc: DataCenter) -> None:
    from smartdc.facade import BoundImage

    base = dc.image("base-64-lts")
    assert isinstance(base, BoundImage) and base.name == "base-64-lts" and base in dc.images()
    machine = dc.create_machine(name="golden")
    machine.wait("running")
    machine.stop(wait=True)
    made = machine.create_image("golden-img", "1.0.0")
    assert isinstance(made, BoundImage) and made.wait(timeout=3600).state == "active"
    other = "b6979942-7d5d-4fe6-a2ec-b812e950625a"
    assert other in (made.share(other).acl or [])
    assert other not in (made.unshare(other).acl or [])
    assert made.update(description="golden").description == "golden"
    made.delete()
    assert made not in dc.images()


def test_networks_list_their_addresses(vsim: Simulator, dc: DataCenter) -> None:
    from smartdc.facade import BoundNetwork

    machine = dc.create_machine(name="addressed")
    machine.wait("running")
    network = dc.network("external")
    assert isinstance(network, BoundNetwork) and network in dc.networks()
    assert any(ip.ip in (machine.ips or []) for ip in network.ips())


def test_create_machine_takes_bound_objects_and_models_alike(dc: DataCenter) -> None:
    """What users pass: a bound image or network from the facade, or a model from the client."""
    image_model = dc.api.list_images(name="base-64-lts")[-1]
    bound_image = dc.image("base-64-lts")
    network = dc.network("external")
    network_model = dc.api.get_network(id=network.id)
    made = [
        dc.create_machine(name="from-model", image=image_model, networks=[network_model]),
        dc.create_machine(name="from-bound", image=bound_image, networks=[network]),
        dc.create_machine(name="from-id", image=bound_image.id, networks=[network.id]),
    ]
    for machine in made:
        assert machine.image == bound_image.id
        assert machine.wait("running").networks == [network.id]
    fabric = next(n for n in dc.networks() if n.fabric)  # volumes live on fabric networks
    volume = dc.create_volume("shared", networks=[fabric], wait=True)
    assert volume.networks == [fabric.id]
    assert repr(volume).startswith("<BoundVolume ") and repr(network).startswith("<BoundNetwork ")


def test_bind_gives_the_bound_object_of_a_model(dc: DataCenter) -> None:
    from smartdc.facade import BoundImage, BoundMachine

    machine = dc.create_machine(name="bound")
    bound = dc.bind(dc.api.get_machine(id=machine.id))
    assert isinstance(bound, BoundMachine) and bound == machine
    assert isinstance(dc.bind(dc.api.list_images()[0]), BoundImage)
    with pytest.raises(TypeError, match="Package"):
        dc.bind(dc.api.list_packages()[0])  # type: ignore[call-overload]
