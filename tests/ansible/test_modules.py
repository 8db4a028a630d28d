"""The other actions of the modules through ``ansible-playbook``: reboot, stop, boot from a
snapshot, start, count; the info modules; a server error as a task failure. (Apart from
test_playbooks.py so that the two run side by side.)"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from smartdc.testing import Simulator
from tests.ansible.conftest import Ansible
from tests.ansible.test_playbooks import PLAYBOOKS, machines


@pytest.fixture(scope="module")
def web_server(sim: Simulator) -> Iterator[None]:
    """web-a as playbooks/create.yml makes it, with its snapshot "first", made by the library."""
    with sim.datacenter() as dc:
        machine = dc.create_machine(
            name="web-a",
            image="base-64-lts",
            package="g4-highcpu-512M",
            tags={"role": "web", "tier": 1},
            metadata={"motd": "hello"},
            firewall_enabled=True,
            deletion_protection=True,
        )
        machine.wait("running")
        machine.create_snapshot("first").poll_until("created")
    yield


def test_actions_info_and_failures(ansible: Ansible, sim: Simulator, web_server: None) -> None:
    actions = ansible.playbook(str(PLAYBOOKS / "actions.yml"))
    assert actions.stats["failures"] == 0, actions.results()
    assert actions.changed == 6
    assert sorted(machines(sim)) == ["web-a"]

    info = ansible.playbook(str(PLAYBOOKS / "info.yml"))
    assert (info.changed, info.stats["failures"], info.stats["ignored"]) == (0, 0, 1)
    results = info.results()
    failed = results["deleting a protected instance"]
    assert failed["_status"] == "failed"
    assert (failed["status"], failed["error_code"]) == (409, "CannotDestroyMachineError")
    assert failed["request_id"] and f"(request id {failed['request_id']})" in failed["msg"]
    assert failed["server_message"] in failed["msg"]
    assert "deletion_protection" in failed["server_message"]
    # a module failure, not a crash: no traceback (Ansible itself says "(traceback unavailable)")
    assert not {"module_stderr", "module_stdout"} & set(failed)
    assert "Traceback" not in str(failed.get("exception", "")) + info.stdout + info.stderr
    assert "not-a-secret-to-show" not in info.stdout
    # the module's instances have the inventory's host variables (there with the triton_ prefix)
    web = results["web server found by name"]["instances"][0]
    ansible.write("one.triton.yml", "plugin: smartdc.triton.triton\n")
    hostvars = ansible.inventory("one.triton.yml")["_meta"]["hostvars"]["web-a"]
    assert {f"triton_{k}": v for k, v in web.items()} == {
        k: v for k, v in hostvars.items() if k.startswith("triton_")
    }
