"""python-smartdc's README flow, line by line, against the embedded simulator over real HTTP.

    sdc = DataCenter(location='us-sw-1', key_id='/test/keys/test_key', secret='~/.ssh/id_rsa')
    sdc.keys(); sdc.datasets(); east = sdc.datacenter('us-east-1'); east.default_package()
    nu = east.create_machine(...); nu.poll_while('provisioning'); nu.state
    nu.stop(); nu.poll_until('stopped'); nu.delete()

(``url=`` stands in for ``location=``: a location names a public Joyent endpoint.)
"""

from __future__ import annotations

import pytest

from smartdc import DataCenter
from smartdc.config import Config
from smartdc.testing import Simulator, VirtualClock


def test_location_builds_the_public_endpoint_url() -> None:
    config = Config(location="us-sw-1", key_id="/test/keys/test_key", environ={})
    assert config.url == "https://us-sw-1.api.joyentcloud.com"
    assert (config.account, config.key_id) == ("test", "test_key")


@pytest.fixture
def cloudapi_sim_clock() -> VirtualClock:
    return VirtualClock()


def test_seed_readme_flow(cloudapi_sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TRITON_URL", "SDC_URL", "TRITON_ACCOUNT", "SDC_ACCOUNT", "TRITON_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    sim = cloudapi_sim
    # python-smartdc's key_id form: /<login>/keys/<key name>; clock=: waits on simulated time
    sdc = DataCenter(
        url=sim.url, key_id=f"/{sim.account}/keys/sim", secret=sim.key_path, clock=sim.wait_clock
    )

    keys = sdc.keys()
    assert [k.fingerprint for k in keys] == [sim.key_id]
    datasets = sdc.datasets()
    assert any(d.name.startswith("base") for d in datasets)

    east = sdc.datacenter(sim.datacenter_names[1])
    assert east.url == sim.urls[sim.datacenter_names[1]]
    package = east.default_package()
    assert package.default

    nu = east.create_machine()
    assert nu.state == "provisioning"
    assert nu.package == package.name

    nu.poll_while("provisioning")
    assert nu.state == "running"
    assert nu.primary_ip

    nu.stop()
    nu.poll_until("stopped")
    assert nu.state == "stopped"

    nu.delete()
    nu.poll_until("deleted")
    assert list(east.machines()) == []
    assert list(sdc.machines()) == []  # it was made in the other datacenter all along
    east.close()
    sdc.close()
