"""GetChangefeed end to end: the generated client's MessageStream against the simulator's feed,
over a real WebSocket with a signed upgrade."""

from __future__ import annotations

import json

import pytest

from smartdc import CloudAPI, DataCenter
from smartdc.errors import CloudAPIError
from smartdc.models import ChangefeedMessage
from smartdc.runtime.streams import StreamGap
from smartdc.testing import Simulator
from smartdc.websocket import StreamClosed, open_websocket

from .conftest import registered


def _message(item: object) -> ChangefeedMessage:
    assert isinstance(item, ChangefeedMessage), item
    return item


def test_state_changes_arrive_in_order_with_the_servers_shape(
    sim: Simulator, dc: DataCenter, api: CloudAPI
) -> None:
    with api.get_changefeed() as feed:
        registered(sim)
        machine = dc.create_machine(name="feed-1")
        sim.advance(60)
        first = _message(feed.next(timeout=5))
        assert first.changed_resource_id == machine.id
        assert "state" in first.change_kind.sub_resources
        assert first.change_kind.resource == "vm"
        assert first.resource_state == "running"
        assert first.resource_object is not None and first.resource_object.name == "feed-1"
        assert first.published.isdigit()  # milliseconds since the epoch, as a string

        api.stop_machine(machine.id)
        sim.advance(60)
        states = [_message(feed.next(timeout=5)).resource_state for _ in range(2)]
        assert states == ["stopping", "stopped"]


def test_a_destroyed_instance_is_published_with_the_vmapi_state(
    sim: Simulator, dc: DataCenter, api: CloudAPI
) -> None:
    machine = dc.create_machine(name="feed-gone")
    sim.advance(60)
    with api.get_changefeed(sub_resources=["destroyed"]) as feed:
        registered(sim)
        api.delete_machine(machine.id)
        sim.advance(60)
        gone = _message(feed.next(timeout=5))
    assert "destroyed" in gone.change_kind.sub_resources
    assert gone.resource_state == "destroyed"  # VMAPI's; GetMachine says "deleted"
    assert gone.resource_object is not None and gone.resource_object.state == "deleted"


def test_sub_resources_and_vms_filter_what_is_sent(
    sim: Simulator, dc: DataCenter, api: CloudAPI
) -> None:
    watched = dc.create_machine(name="watched")
    other = dc.create_machine(name="other")
    sim.advance(60)
    with api.get_changefeed(sub_resources=["tags"], vms=[watched.id]) as feed:
        registered(sim)
        api.add_machine_tags(other.id, tags={"ignored": "1"})  # not a watched instance
        api.stop_machine(watched.id)  # not a watched sub-resource
        sim.advance(60)
        api.add_machine_tags(watched.id, tags={"role": "web"})
        # messages keep their order: the first one is the only change that matches
        sent = _message(feed.next(timeout=5))
    assert sent.changed_resource_id == watched.id
    assert sent.change_kind.sub_resources == ["tags"]
    assert sent.resource_object is not None and sent.resource_object.tags == {"role": "web"}


def test_nothing_is_sent_before_a_valid_registration(
    sim: Simulator, dc: DataCenter, api: CloudAPI
) -> None:
    machine = dc.create_machine(name="reg")
    sim.advance(60)
    path = f"/{sim.account}/changefeed"
    with open_websocket(api.meta.transport, path) as ws:
        # the server ignores (only logs) a registration it cannot take
        ws.send(json.dumps({"resource": "image", "subResources": ["state"]}))
        ws.send(json.dumps({"resource": "vm", "subResources": ["nonsense"]}))
        ws.send(json.dumps({"resource": "vm", "subResources": ["tags"], "vms": ["x"]}))
        ws.send("not json")
        api.add_machine_tags(machine.id, tags={"before": "1"})
        ws.send(json.dumps({"resource": "vm", "subResources": ["tags"]}))
        registered(sim)
        api.add_machine_tags(machine.id, tags={"after": "1"})
        sent = json.loads(ws.recv(timeout=5))
    assert sent["resourceObject"]["tags"] == {"before": "1", "after": "1"}
    assert sent["changeKind"] == {"resource": "vm", "subResources": ["tags"]}


def test_a_dropped_feed_reconnects_and_says_there_was_a_gap(
    sim: Simulator, dc: DataCenter, api: CloudAPI
) -> None:
    machine = dc.create_machine(name="gap")
    sim.advance(60)
    feed_side = sim.state.datacenters[sim.datacenter_names[0]].feed
    with api.get_changefeed(sub_resources=["tags"]) as feed:
        registered(sim)
        feed_side.close()  # the server ends every feed (lib/changefeed.js on connection-end)
        gap = feed.next(timeout=5)
        assert isinstance(gap, StreamGap)
        assert gap.reconnects == 1
        registered(sim)  # registered again on the new connection
        api.add_machine_tags(machine.id, tags={"after": "gap"})
        after = _message(feed.next(timeout=5)).resource_object
        assert after is not None and after.tags == {"after": "gap"}


def test_without_reconnect_a_drop_ends_the_feed(sim: Simulator, api: CloudAPI) -> None:
    feed_side = sim.state.datacenters[sim.datacenter_names[0]].feed
    with api.get_changefeed(reconnect=False) as feed:
        registered(sim)
        feed_side.close()
        with pytest.raises(StreamClosed):
            feed.next(timeout=5)


def test_iteration_stops_when_the_feed_is_closed(sim: Simulator, api: CloudAPI) -> None:
    feed = api.get_changefeed()
    feed.close()
    assert list(feed) == []


def test_a_request_without_the_upgrade_gets_the_servers_error(
    sim: Simulator, api: CloudAPI
) -> None:
    with pytest.raises(CloudAPIError) as caught:
        api.meta.transport.request("GET", f"/{sim.account}/changefeed")
    # lib/changefeed.js: next(new Error(...)) when claimUpgrade is missing: restify's 500
    assert caught.value.status == 500
    assert "Must Upgrade" in str(caught.value)


def test_a_refused_upgrade_raises_at_once_with_its_code(sim: Simulator) -> None:
    stranger = sim.client(account="nobody")
    with pytest.raises(CloudAPIError) as caught:
        stranger.get_changefeed()
    assert caught.value.status in (401, 403, 404)


def test_metadata_and_nic_changes_are_published(
    sim: Simulator, dc: DataCenter, api: CloudAPI
) -> None:
    machine = dc.create_machine(name="subs")
    sim.advance(60)
    joined = set(api.get_machine(machine.id).networks or [])
    network = next(n for n in api.list_networks() if n.id not in joined)
    with api.get_changefeed(sub_resources=["customer_metadata", "nics"]) as feed:
        registered(sim)
        api.update_machine_metadata(machine.id, metadata={"role": "db"})
        metadata = _message(feed.next(timeout=5))
        api.add_nic(machine.id, network=network.id)
        sim.advance(60)
        nics = _message(feed.next(timeout=5))
    assert metadata.change_kind.sub_resources == ["customer_metadata"]
    assert metadata.resource_object is not None
    assert metadata.resource_object.metadata is not None
    assert metadata.resource_object.metadata.get("role") == "db"
    assert "nics" in nics.change_kind.sub_resources
