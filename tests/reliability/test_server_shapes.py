"""Answers the 9.20 server code sends that the docs do not show, each made by the simulator.

* GetConfig for an account without a local configuration: ``{}`` (sdc-cloudapi lib/config.js
  treats a missing dclocalconfig as an empty one; translateUfdsConf leaves default_network out).
* GetProvisioningLimits with a limit without ``by``: it counts instances
  (plugins/provision_limits.js setLimitsUsed).
"""

from __future__ import annotations

from typing import Any

import pytest

from smartdc import CloudAPI
from smartdc.errors import CloudAPIError, InvalidResponseError
from smartdc.models import MigrationTaskError
from smartdc.testing import Simulator
from smartdc.testing.router import SimResponse

from .conftest import machine_args, override_route


def test_config_of_an_account_without_local_configuration(sim: Simulator, api: CloudAPI) -> None:
    sim.clear_config(sim.account)
    config = api.get_config()
    assert config.default_network is None and config.to_json() == {}
    assert not config.decode_problems  # the spec allows it: this is not a broken answer
    # The server cannot update a configuration that does not exist yet (lib/endpoints/config.js).
    network = api.list_networks()[0].id
    try:
        api.update_config(default_network=network)
    except CloudAPIError as exc:
        assert (exc.status, exc.message) == (500, "Config currently unavailable.")
    else:
        raise AssertionError("UpdateConfig without a local configuration should fail")


def test_limits_without_by_count_instances(sim: Simulator, api: CloudAPI) -> None:
    sim.set_limits(
        sim.account,
        [{"value": 25}, {"value": 2048, "by": "ram"}, {"value": "0", "by": "quota"}],
    )
    api.create_machine(name="m1", **machine_args(api))
    api.create_machine(name="m2", **machine_args(api))
    memory = sum(m.memory for m in api.list_machines())
    limits = api.get_account_limits()
    assert [limit.to_json() for limit in limits] == [
        {"value": 25, "used": 2},  # no `by`: instances
        {"value": 2048, "by": "ram", "used": memory},
    ]  # a limit of 0 means unlimited: the server leaves it out
    assert limits[0].by is None and not limits[0].decode_problems


def test_add_nic_on_a_network_the_machine_is_on_gives_that_nic(
    sim: Simulator, api: CloudAPI
) -> None:
    # lib/nics.js: a NIC on that network exists -> a bare 302 with its Location. The client
    # fetches it (GetNic) and returns it: the machine's NIC on that network, typed.
    machine = api.create_machine(name="m1", **machine_args(api))
    network = api.list_networks()[0].id
    added = api.add_nic(machine.id, network=network)
    again = api.add_nic(machine.id, network=network)
    assert again.mac == added.mac and again.network == network
    assert sim.request_count("AddNic") == 2 and sim.request_count("GetNic") == 1
    assert len(api.list_nics(machine.id)) == len(api.get_machine(machine.id).nics or [])


def test_a_bodiless_redirect_elsewhere_is_not_followed(sim: Simulator, api: CloudAPI) -> None:
    machine = api.create_machine(name="m1", **machine_args(api))
    away = SimResponse(302, None, {"Location": "https://elsewhere.example/sim/machines/x/nics/y"})
    override_route(sim, "AddNic", lambda request: away)
    with pytest.raises(InvalidResponseError, match=r"elsewhere\.example"):
        api.add_nic(machine.id, network=api.list_networks()[0].id)
    assert sim.request_count("GetNic") == 0


def test_access_keys_keep_the_raw_ufds_attributes(api: CloudAPI) -> None:
    # sdc-cloudapi lib/endpoints/accesskeys.js translateAccessKey() copies the UFDS entry whole:
    # dn, objectclass and controls come with the key; the client keeps them, typed fields intact.
    key = api.create_access_key()
    assert key.status == "Active" and len(key.accesskeyid) == 32
    assert set(key.extra) == {"dn", "objectclass", "controls"}
    assert not key.decode_problems
    assert key.to_json()["dn"].startswith(f"accesskeyid={key.accesskeyid}, ")


def test_features_a_datacenter_lacks_raise_the_server_s_codes() -> None:
    # Fabric routes answer 501 NotImplementedError when fabrics are off (sdc-cloudapi
    # lib/endpoints/networks.js ensureFabricsEnabled()); volume routes are not mounted without
    # NFS volumes, and restify answers 405 MethodNotAllowedError (lib/app.js).
    from smartdc.error_codes import MethodNotAllowedError, NotImplementedError
    from smartdc.testing.state import Settings

    settings = Settings(fabrics_enabled=False, volumes_enabled=False)
    with Simulator(settings=settings) as sim:
        api = sim.client()
        with pytest.raises(NotImplementedError) as fabrics:
            api.list_fabric_vlans()
        assert fabrics.value.status == 501
        with pytest.raises(MethodNotAllowedError) as volumes:
            api.list_volumes()
        assert volumes.value.status == 405
        api.close()


def test_a_failed_migration_keeps_its_task_error_object(sim: Simulator, api: CloudAPI) -> None:
    # sdc-vmapi storeMigrationRecordFailure(): the progress entry takes the last task's error as
    # node-workflow stored it ({name, message} for an Error, formatResults()); the record's own
    # error is text built from it
    machine = "00000000-0000-4000-8000-0000000000aa"
    task_error = {"name": "Error", "message": "zfs send failed: dataset is busy"}
    record: dict[str, Any] = {
        "machine": machine,
        "automatic": False,
        "created_timestamp": "2026-01-01T00:00:00.000Z",
        "phase": "sync",
        "state": "failed",
        "error": "failed to sync migration instance - [object Object]",
        "progress_history": [
            {
                "type": "progress",
                "phase": "sync",
                "state": "failed",
                "error": task_error,
            },
            {"type": "progress", "phase": "begin", "state": "failed", "error": "timeout"},
        ],
    }
    override_route(sim, "GetMigration", lambda request: SimResponse(200, record))
    migration = api.get_migration(machine)
    assert not migration.decode_problems
    failed, older = migration.progress_history
    assert isinstance(failed.error, MigrationTaskError)
    assert (failed.error.name, failed.error.message) == (
        "Error",
        "zfs send failed: dataset is busy",
    )
    assert older.error == "timeout" and not failed.decode_problems
    assert migration.to_json()["progress_history"][0]["error"] == task_error
