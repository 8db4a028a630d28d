"""DataCenter: account, keys, catalogue, datacenters and machine look-ups, over real HTTP."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from smartdc.errors import CloudAPIError
from smartdc.facade import AmbiguousNameError, BoundMachine, DataCenter, NotFoundError
from smartdc.facade.catalog import version_key
from smartdc.testing import Simulator


def _public_key() -> str:
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    raw = key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return raw.decode("ascii") + " test@example"


def test_account_names_the_login(dc: DataCenter, vsim: Simulator) -> None:
    assert dc.account().login == vsim.account


def test_keys_add_get_delete(dc: DataCenter, vsim: Simulator) -> None:
    keys = dc.keys()
    assert [k.fingerprint for k in keys] == [vsim.key_id]
    added = dc.add_key("laptop", _public_key())
    assert added.name == "laptop"
    assert dc.key("laptop").fingerprint == added.fingerprint
    assert dc.key(added.fingerprint).name == "laptop"
    dc.delete_key(added)
    remaining = dc.keys()
    assert "laptop" not in {k.name for k in remaining}
    with pytest.raises(CloudAPIError) as caught:
        dc.delete_key("laptop")
    assert caught.value.status == 404


def test_image_by_name_is_the_latest_version(dc: DataCenter) -> None:
    versions = [i.version for i in dc.images(name="base-64-lts")]
    assert len(versions) > 1
    newest = dc.image("base-64-lts")
    assert newest.version == max(versions, key=version_key)
    older = min(versions, key=version_key)
    assert dc.image("base-64-lts", version=older).version == older
    assert dc.image(str(newest.id)).id == newest.id
    assert [i.id for i in dc.datasets()] == [i.id for i in dc.images()]


def test_unknown_image_is_a_typed_error(dc: DataCenter) -> None:
    with pytest.raises(NotFoundError, match="no-such-image"):
        dc.image("no-such-image")


def test_packages_and_the_default_package(dc: DataCenter) -> None:
    packages = dc.packages()
    flagged = [p for p in packages if p.default]
    assert len(flagged) == 1
    assert dc.default_package().id == flagged[0].id
    by_name = dc.package(flagged[0].name)
    assert by_name.id == flagged[0].id
    assert {p.id for p in dc.packages(memory=flagged[0].memory)} >= {flagged[0].id}


def test_networks_fwrules_volumes(dc: DataCenter) -> None:
    networks = dc.networks()
    assert networks
    assert dc.network(networks[0].name).id == networks[0].id
    assert dc.network(str(networks[0].id)).name == networks[0].name
    rule = dc.api.create_firewall_rule(rule="FROM any TO all vms ALLOW tcp PORT 22")
    assert [r.id for r in dc.firewall_rules()] == [rule.id]
    volume = dc.api.create_volume(type="tritonnfs", name="vol1")
    assert [v.id for v in dc.volumes()] == [volume.id]
    assert dc.volumes(name="other") == []


def test_datacenter_switch_keeps_credentials(dc: DataCenter, vsim: Simulator) -> None:
    names = dc.datacenters()
    assert set(names) == set(vsim.datacenter_names)
    other_name = vsim.datacenter_names[1]
    other = dc.datacenter(other_name)
    assert other.url == vsim.urls[other_name] != dc.url
    assert other.config.account == dc.config.account
    assert other.config.insecure == dc.config.insecure
    shared: object = vsim.clock
    assert other.api.meta.clock is dc.api.meta.clock is shared  # waits there use the same clock
    # a machine made there is not seen here: they are separate datacenters
    made = other.create_machine(name="over-there")
    assert other.machine("over-there").id == made.id
    with pytest.raises(NotFoundError):
        dc.machine("over-there")
    with pytest.raises(NotFoundError, match="us-sim-1"):
        dc.datacenter("nowhere-1")


def test_create_machine_defaults(dc: DataCenter) -> None:
    machine = dc.create_machine(name="plain")
    assert machine.state == "provisioning"
    assert machine.package == dc.default_package().name
    assert machine.image == dc.default_image().id
    assert dc.default_image().name.startswith("base")


def test_dataset_is_an_alias_of_image(dc: DataCenter) -> None:
    image = dc.image("minimal-64-lts")
    machine = dc.create_machine(
        name="old-style", dataset="minimal-64-lts", package="g4-highcpu-512M"
    )
    assert machine.image == image.id
    assert machine.package == "g4-highcpu-512M"
    with pytest.raises(TypeError):
        dc.create_machine(image="a", dataset="b")


def test_create_machine_passes_metadata_tags_and_extras(dc: DataCenter) -> None:
    machine = dc.create_machine(
        name="full",
        metadata={"motd": "hi"},
        tags={"role": "db", "tier": 2},
        firewall_enabled=True,
        deletion_protection=True,
    )
    assert machine.model.tags == {"role": "db", "tier": 2}
    assert machine.model.metadata["motd"] == "hi"
    assert machine.model.firewall_enabled is True
    assert machine.model.deletion_protection is True


def test_if_absent_returns_the_existing_machine(dc: DataCenter, vsim: Simulator) -> None:
    first = dc.create_machine(name="once", if_absent=True)
    again = dc.create_machine(name="once", if_absent=True)
    assert again.id == first.id
    assert vsim.request_count("CreateMachine") == 1
    with pytest.raises(TypeError, match="name"):
        dc.create_machine(if_absent=True)
    # without if_absent the server refuses a second machine of that name
    with pytest.raises(CloudAPIError):
        dc.create_machine(name="once")


def test_machine_by_uuid_name_and_short_id(dc: DataCenter) -> None:
    made = dc.create_machine(name="findme")
    assert dc.machine(made.id) == made
    assert dc.machine("findme") == made
    assert dc.machine(made.id[:8]) == made
    assert dc.find_machine("findme") == made
    assert dc.find_machine("nobody") is None
    with pytest.raises(NotFoundError):
        dc.machine("nobody")


def test_ambiguous_short_id(dc: DataCenter, vsim: Simulator) -> None:
    vsim.populate_machines(1000)
    seen: dict[str, str] = {}
    prefix = None
    for machine in dc.machines():
        head = machine.id[:4]
        if head in seen:
            prefix = head
            break
        seen[head] = machine.id
    if prefix is None:
        pytest.skip("no two of 1000 random ids share 4 leading characters this time")
    with pytest.raises(AmbiguousNameError) as caught:
        dc.machine(prefix)
    assert len(caught.value.candidates) >= 2


def test_machines_iterates_pages_lazily(dc: DataCenter, vsim: Simulator) -> None:
    vsim.populate_machines(2100)
    iterator = dc.machines()
    first = next(iterator)
    assert isinstance(first, BoundMachine)
    assert vsim.request_count("ListMachines") == 1  # one page fetched so far
    rest = list(iterator)
    assert len(rest) + 1 == 2100
    assert len({m.id for m in rest} | {first.id}) == 2100
    assert vsim.request_count("ListMachines") == 3


def test_machines_filter_by_tags_and_state(dc: DataCenter) -> None:
    db = dc.create_machine(name="db", tags={"role": "db"})
    dc.create_machine(name="web", tags={"role": "web"})
    assert [m.id for m in dc.machines(tags={"role": "db"})] == [db.id]
    db.wait("running")
    running = {m.name for m in dc.machines(state="running")}
    assert "db" in running


def test_datacenter_is_shared_by_threads(dc: DataCenter) -> None:
    from concurrent.futures import ThreadPoolExecutor

    names = [f"t-{i}" for i in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        made = list(pool.map(lambda n: dc.create_machine(name=n), names))
        found = list(pool.map(dc.machine, names))
        defaults = set(pool.map(lambda _: dc.default_package().id, range(8)))
    assert [m.name for m in made] == names
    assert [m.id for m in found] == [m.id for m in made]
    assert len(defaults) == 1
