"""The inventory plugin (smartdc.triton.triton) through ``ansible-inventory``, against the simulator."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from smartdc.testing import Simulator
from tests.ansible.conftest import Ansible


@pytest.fixture(scope="module")
def fleet(sim: Simulator) -> Iterator[dict[str, str]]:
    """web-1, web-2 and db-1 (stopped) in us-sim-1; web-eu in eu-sim-1. Name -> id."""
    home = sim.datacenter()
    eu = home.datacenter("eu-sim-1")
    made = [
        home.create_machine(name="web-1", tags={"role": "web", "address": "10.1.2.3"}),
        home.create_machine(name="web-2", tags={"role": "web"}, package="g4-highcpu-512M"),
        home.create_machine(name="db-1", tags={"role": "db"}),
        eu.create_machine(name="web-eu", tags={"role": "web"}),
    ]
    home.wait_all(made, "running")
    made[2].stop(wait=True)
    yield {str(m.name): str(m.id) for m in made}
    home.close()
    eu.close()


def groups_of(listing: dict[str, object]) -> dict[str, set[str]]:
    return {
        name: set(body.get("hosts", []))  # type: ignore[attr-defined]
        for name, body in listing.items()
        if name != "_meta"
    }


def test_list_fans_out_groups_and_excludes_stopped(
    ansible: Ansible, fleet: dict[str, str], sim: Simulator
) -> None:
    ansible.write(
        "all.triton.yml",
        """plugin: smartdc.triton.triton
datacenters: [all]
keyed_groups:
  - key: triton_tags.role
    prefix: role
  - key: triton_package
    prefix: size
groups:
  europe: triton_datacenter.startswith('eu-')
compose:
  ansible_user: "'root' if triton_brand == 'joyent' else 'ubuntu'"
""",
    )
    listing = ansible.inventory("all.triton.yml")
    groups = groups_of(listing)
    assert groups["role_web"] == {"web-1", "web-2", "web-eu"}
    assert "db-1" not in listing["_meta"]["hostvars"]  # stopped: excluded by default
    assert "role_db" not in groups
    assert groups["triton_datacenter_us_sim_1"] == {"web-1", "web-2"}
    assert groups["triton_datacenter_eu_sim_1"] == {"web-eu"}
    assert groups["europe"] == {"web-eu"}
    assert groups["size_g4_highcpu_512M"] == {"web-2"}
    assert groups["triton_state_running"] == {"web-1", "web-2", "web-eu"}
    assert groups["triton_brand_joyent"] == {"web-1", "web-2", "web-eu"}
    assert groups["triton_tag_role_web"] == {"web-1", "web-2", "web-eu"}
    assert groups["triton_tag_address_10_1_2_3"] == {"web-1"}
    web1 = listing["_meta"]["hostvars"]["web-1"]
    machine = sim.datacenter().machine("web-1")
    assert web1["triton_id"] == fleet["web-1"]
    assert web1["ansible_host"] == machine.primary_ip
    assert web1["ansible_user"] == "root"
    assert web1["triton_datacenter"] == "us-sim-1"
    assert web1["triton_state"] == "running"
    assert web1["triton_tags"] == {"role": "web", "address": "10.1.2.3"}
    image_name = sim.datacenter().image(str(machine.image)).name
    assert web1["triton_image_name"] == image_name
    assert groups[f"triton_image_{image_name.replace('-', '_')}"] >= {"web-1"}
    assert set(web1["triton_ips"]) == set(machine.ips)

    graph = ansible.run("ansible-inventory", "-i", "all.triton.yml", "--graph").stdout
    assert "@role_web:" in graph
    web_block = graph.split("@role_web:")[1].split("@")[0]
    assert {"web-1", "web-2", "web-eu"} <= {
        line.strip(" |-") for line in web_block.splitlines() if line.strip(" |-")
    }


def test_stopped_filters_and_address_sources(ansible: Ansible, fleet: dict[str, str]) -> None:
    home = ansible.sim.datacenter()
    internal = next(n for n in home.networks() if not n.model.public)
    web2 = home.machine("web-2")
    ansible.write(
        "stopped.triton.yml",
        """plugin: smartdc.triton.triton
include_stopped: true
filters:
  tags: {role: db}
group_prefix: dbs_
""",
    )
    ansible.write(
        "tag.triton.yml",
        """plugin: smartdc.triton.triton
filters: {name: web-1}
ansible_host: "tag:address"
group_by: [state]
group_prefix: tagged_
""",
    )
    ansible.write(
        "net.triton.yml",
        f"""plugin: smartdc.triton.triton
filters: {{name: web-2}}
ansible_host: "network:{internal.name}"
hostnames: id
group_by: []
""",
    )
    listing = ansible.inventory(
        "stopped.triton.yml", "-i", "tag.triton.yml", "-i", "net.triton.yml"
    )
    groups = groups_of(listing)
    hostvars = listing["_meta"]["hostvars"]
    assert groups["dbs_state_stopped"] == {"db-1"}
    assert hostvars["db-1"]["triton_state"] == "stopped"
    assert groups["tagged_state_running"] == {"web-1"}
    assert hostvars["web-1"]["ansible_host"] == "10.1.2.3"
    on_internal = next(nic.ip for nic in web2.model.nics or [] if nic.network == internal.id)
    assert hostvars[fleet["web-2"]]["ansible_host"] == on_internal
    assert "web-eu" not in hostvars  # one datacenter unless datacenters says more


def test_settings_from_a_triton_profile_or_explicit_options(
    ansible: Ansible, fleet: dict[str, str], sim: Simulator
) -> None:
    profiles = ansible.workdir / "triton-config" / "profiles.d"
    profiles.mkdir(parents=True)
    (profiles / "simulated.json").write_text(
        json.dumps({"url": sim.url, "account": sim.account, "keyId": sim.key_id}),
        encoding="utf-8",
    )
    ansible.write(
        "profile.triton.yml",
        "plugin: smartdc.triton.triton\nprofile: simulated\ngroup_by: [datacenter]\n"
        "group_prefix: profile_\n",
    )
    ansible.write(
        "explicit.triton.yml",
        f"""plugin: smartdc.triton.triton
url: {sim.urls["eu-sim-1"]}
account: {sim.account}
key_id: "{sim.key_id}"
key_file: {sim.key_path}
group_by: [datacenter]
group_prefix: explicit_
""",
    )
    # nothing in the environment but the key file and where the profiles are
    no_env = {name: "" for name in ("TRITON_URL", "SDC_URL", "TRITON_ACCOUNT", "SDC_ACCOUNT")}
    no_env |= {"TRITON_KEY_ID": "", "SDC_KEY_ID": "", "TRITON_CONFIG_DIR": str(profiles.parent)}
    groups = groups_of(
        ansible.inventory("profile.triton.yml", "-i", "explicit.triton.yml", env=no_env)
    )
    assert groups["profile_datacenter_us_sim_1"] == {"web-1", "web-2"}
    assert groups["explicit_datacenter_eu_sim_1"] == {"web-eu"}


def test_cached_inventory_asks_nothing(
    ansible: Ansible, fleet: dict[str, str], sim: Simulator
) -> None:
    ansible.write(
        "cached.triton.yml",
        f"""plugin: smartdc.triton.triton
datacenters: [us-sim-1, eu-sim-1]
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: {ansible.workdir / "cache"}
cache_timeout: 3600
""",
    )
    first = ansible.inventory("cached.triton.yml")
    asked = sim.request_count("ListMachines")
    extra = sim.datacenter().create_machine(name="late-1")
    extra.wait("running")
    cached = ansible.inventory("cached.triton.yml")
    assert sim.request_count("ListMachines") == asked  # answered from the cache
    assert cached["_meta"]["hostvars"] == first["_meta"]["hostvars"]
    assert "late-1" not in cached["_meta"]["hostvars"]
    flushed = ansible.inventory("cached.triton.yml", "--flush-cache")
    assert "late-1" in flushed["_meta"]["hostvars"]
    assert sim.request_count("ListMachines") > asked
    extra.delete(wait=True)


def test_failures_name_the_server_error_without_a_traceback(
    ansible: Ansible, fleet: dict[str, str], sim: Simulator
) -> None:
    strict = {"ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED": "1"}
    ansible.write("nowhere.triton.yml", "plugin: smartdc.triton.triton\ndatacenters: [mars-1]\n")
    done = ansible.run(
        "ansible-inventory", "-i", "nowhere.triton.yml", "--list", env=strict, check=False
    )
    assert done.returncode != 0
    assert (
        "no datacenter named 'mars-1' (this cloud has: eu-sim-1, us-sim-1, us-sim-2)" in done.stderr
    )

    ansible.write("one.triton.yml", "plugin: smartdc.triton.triton\n")
    sim.faults.error("ListMachines", 500, "InternalError", "the database is down", times=1)
    done = ansible.run(
        "ansible-inventory", "-i", "one.triton.yml", "--list", env=strict, check=False
    )
    assert done.returncode != 0
    assert "500 InternalError: the database is down" in done.stderr
    assert "request id" in done.stderr
    assert "Traceback" not in done.stderr

    # fail_on_errors: false -- the failing datacenter is a warning, the others are listed
    ansible.write(
        "lenient.triton.yml",
        "plugin: smartdc.triton.triton\ndatacenters: [us-sim-1, eu-sim-1]\nfail_on_errors: false\n",
    )
    sim.faults.error("ListMachines", 500, "InternalError", "the database is down", times=1)
    done = ansible.run("ansible-inventory", "-i", "lenient.triton.yml", "--list", env=strict)
    hosts = set(json.loads(done.stdout)["_meta"]["hostvars"])
    assert hosts in ({"web-1", "web-2"}, {"web-eu"})
    assert "the database is down" in done.stderr


def test_unknown_filter_and_strict_templates_are_refused(
    ansible: Ansible, fleet: dict[str, str]
) -> None:
    strict = {"ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED": "1"}
    ansible.write("typo.triton.yml", "plugin: smartdc.triton.triton\nfilters: {brnad: lx}\n")
    done = ansible.run(
        "ansible-inventory", "-i", "typo.triton.yml", "--list", env=strict, check=False
    )
    assert done.returncode != 0
    assert "brnad" in done.stderr
    assert "Traceback" not in done.stderr

    # strict: a compose expression that cannot be evaluated fails the inventory...
    config = "plugin: smartdc.triton.triton\ncompose:\n  owner: triton_tags.owner.upper()\n"
    ansible.write("strict.triton.yml", config + "strict: true\n")
    done = ansible.run(
        "ansible-inventory", "-i", "strict.triton.yml", "--list", env=strict, check=False
    )
    assert done.returncode != 0
    assert "owner" in done.stderr
    # ... and without strict the host just does not get the variable
    ansible.write("lax.triton.yml", config)
    hostvars = ansible.inventory("lax.triton.yml", env=strict)["_meta"]["hostvars"]
    assert "owner" not in hostvars["web-1"]
    assert hostvars["web-1"]["triton_name"] == "web-1"
