"""The simulator hands out addresses that reach nothing: instance, NIC, network, gateway,
resolver and route addresses come from the documentation ranges (RFC 5737; RFC 3849 for IPv6), so that a user's
test, or ``smartdc ssh`` against the simulator, can never reach a real host."""

from __future__ import annotations

import ipaddress

from smartdc.testing import Simulator

DOCUMENTATION = [
    ipaddress.ip_network(block)
    for block in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")
]


def _documentation(address: object) -> bool:
    text = str(address)
    if "/" in text:
        network = ipaddress.ip_network(text, strict=False)
        first, last = network.network_address, network.broadcast_address
        return any(first in block and last in block for block in DOCUMENTATION)
    ip = ipaddress.ip_address(text)
    return any(ip in block for block in DOCUMENTATION)


def test_every_address_the_simulator_hands_out_is_a_documentation_address() -> None:
    with Simulator() as sim, sim.datacenter() as dc:
        api = dc.api
        fabric = next(n for n in api.list_networks() if n.fabric)
        machine = dc.create_machine(name="web").wait("running", timeout=60)
        on_fabric = dc.create_machine(name="db", networks=[fabric.id]).wait("running", timeout=60)
        found: list[object] = []
        for m in (machine, on_fabric):
            model = api.get_machine(id=m.id)
            found += [*(model.ips or []), model.primary_ip]
            found += [nic.ip for nic in api.list_nics(id=m.id)]
            found += [nic.gateway for nic in api.list_nics(id=m.id) if nic.gateway]
        for network in api.list_networks():
            detail = api.get_network(id=network.id)
            found += [a for a in (detail.subnet, detail.gateway) if a]
            found += [a for a in (detail.provision_start_ip, detail.provision_end_ip) if a]
            found += list(detail.resolvers or [])
            for destination, via in (detail.routes or {}).items():
                found += [destination, via]
        assert any(api.get_network(id=n.id).resolvers for n in api.list_networks())
        assert found
        assert [a for a in found if not _documentation(a)] == []
