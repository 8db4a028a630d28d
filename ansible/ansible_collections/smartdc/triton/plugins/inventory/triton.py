# Copyright: smartdc developers
# MIT License (see LICENSE in the smartdc repository)
"""Inventory plugin: the instances of one or several Triton datacenters."""

from __future__ import annotations

DOCUMENTATION = r"""
name: triton
short_description: Triton (SmartDataCenter) instances as an inventory source
version_added: 0.1.0
description:
  - Lists the instances of a Triton cloud, in one datacenter or several at once, with the
    settings of the C(smartdc) and C(triton) command lines (profile, C(TRITON_*)/C(SDC_*)
    variables, or the options below).
  - Each instance is a host named after the instance (O(hostnames)); its host variables are the
    instance as the modules of this collection return it, each name prefixed with C(triton_)
    (O(hostvars_prefix)) - C(triton_id), C(triton_name), C(triton_datacenter), C(triton_state),
    C(triton_brand), C(triton_image), C(triton_image_name), C(triton_package), C(triton_memory),
    C(triton_disk), C(triton_primary_ip), C(triton_ips), C(triton_networks), C(triton_nics),
    C(triton_tags), C(triton_metadata), C(triton_firewall_enabled),
    C(triton_deletion_protection), C(triton_compute_node), C(triton_dns_names),
    C(triton_created), C(triton_updated), C(triton_type), C(triton_docker).
  - Groups are made by datacenter, brand, state, package, image name and tag (O(group_by)), and
    by the C(constructed) options O(compose), O(groups) and O(keyed_groups).
  - The configuration file's name must end in C(triton.yml) or C(triton.yaml).
extends_documentation_fragment:
  - constructed
  - inventory_cache
  - smartdc.triton.connection
options:
  plugin:
    description: The name of this plugin; must be C(smartdc.triton.triton).
    required: true
    type: str
    choices: [smartdc.triton.triton]
  datacenters:
    description:
      - Datacenters to list, by name (as C(ListDatacenters) names them); C(all) for every
        datacenter of the cloud. They are asked at once.
      - Empty, only the configured datacenter (O(url) or the profile's).
    type: list
    elements: str
    default: []
  filters:
    description:
      - Filters passed to C(ListMachines) in every datacenter, as the smartdc client takes them
        (C(brand), C(name), C(image), C(state), C(memory), C(docker), C(tags), ...).
      - C(tags) is a mapping of tag name to value.
    type: dict
    default: {}
  include_stopped:
    description:
      - Whether stopped instances are hosts. Ignored when O(filters) has C(state).
    type: bool
    default: false
  hostnames:
    description:
      - What names hosts. C(name) (the instance's name; an instance whose name another one of the
        inventory also has is named by its id, with a warning) or C(id).
    type: str
    choices: [name, id]
    default: name
  ansible_host:
    description:
      - Where C(ansible_host) comes from. C(primary_ip); C(network:NAME) for the instance's IP on
        that network (name or id); C(tag:NAME) for the value of that tag; C(none) to leave it
        unset. An instance without such an address gets none.
      - O(compose) can set C(ansible_host) too, and wins.
    type: str
    default: primary_ip
  group_by:
    description:
      - Groups to make, each named O(group_prefix) then the kind and the value, e.g.
        C(triton_datacenter_us_east_1), C(triton_brand_lx), C(triton_state_running),
        C(triton_package_g4_highcpu_1G), C(triton_image_base_64_lts), C(triton_tag_role_web).
    type: list
    elements: str
    choices: [datacenter, brand, state, package, image, tags]
    default: [datacenter, brand, state, package, image, tags]
  group_prefix:
    description: The start of the names of the groups of O(group_by).
    type: str
    default: triton_
  hostvars_prefix:
    description:
      - Put before the name of each host variable made from the instance (without one, C(name)
        and C(tags) would be names Ansible reserves). O(compose), O(groups) and O(keyed_groups)
        see the names as set.
    type: str
    default: triton_
  hostvars_suffix:
    description: Put after the name of each host variable made from the instance.
    type: str
    default: ""
  fail_on_errors:
    description:
      - Whether one datacenter that fails makes the whole inventory fail. If false, its error is
        a warning and the other datacenters' instances are listed.
    type: bool
    default: true
"""

EXAMPLES = r"""
# triton.yml: every running instance of the current triton profile's datacenter
plugin: smartdc.triton.triton

# triton.yml: two datacenters, web instances only, grouped by their role tag
plugin: smartdc.triton.triton
profile: prod
datacenters: [us-east-1, us-west-1]
filters:
  tags:
    group: web
keyed_groups:
  - key: triton_tags.role
    prefix: role
  - key: triton_package
    prefix: size
groups:
  protected: triton_deletion_protection
compose:
  ansible_user: "'root' if triton_brand == 'joyent' else 'ubuntu'"
ansible_host: "network:public"
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/triton-inventory
cache_timeout: 300
"""

from concurrent.futures import ThreadPoolExecutor  # noqa: E402
from typing import Any  # noqa: E402

from ansible.errors import AnsibleParserError  # noqa: E402
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable  # noqa: E402
from ansible.utils.unsafe_proxy import wrap_var  # noqa: E402
from ansible_collections.smartdc.triton.plugins.module_utils.triton import (  # noqa: E402
    CONNECTION_ARGS,
    HAS_SMARTDC,
    ImageNames,
    connect,
    datacenter_name,
    instance_hostvars,
    sorted_by_name,
)

GROUP_KINDS = ("datacenter", "brand", "state", "package", "image", "tags")


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = "smartdc.triton.triton"

    def verify_file(self, path: str) -> bool:
        return super().verify_file(path) and path.endswith(("triton.yml", "triton.yaml"))

    def parse(self, inventory: Any, loader: Any, path: str, cache: bool = True) -> None:
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        if not HAS_SMARTDC:
            raise AnsibleParserError(
                "the smartdc.triton.triton inventory needs smartdc (pip install smartdc)"
            )
        cache_key = self.get_cache_key(path)
        use_cache = self.get_option("cache") and cache
        update_cache = self.get_option("cache") and not cache
        records: list[dict[str, Any]] | None = None
        if use_cache:
            try:
                records = self._cache[cache_key]
            except KeyError:
                update_cache = True
        if records is None:
            records = self._fetch()
        if update_cache:
            self._cache[cache_key] = records
        self._populate(records)

    # -- asking CloudAPI ---------------------------------------------------------------------

    def _fetch(self) -> list[dict[str, Any]]:
        """Every instance of the chosen datacenters, as host variables (what is cached)."""
        from smartdc import SmartDCError

        options = {name: self.get_option(name) for name in CONNECTION_ARGS}
        try:
            home = connect(options)
            urls = home.datacenters()
            wanted = self.get_option("datacenters") or []
            if not wanted:
                targets = {datacenter_name(home, urls): home}
            elif "all" in wanted:
                targets = {
                    name: (home if url == home.url else home.datacenter(name))
                    for name, url in sorted(urls.items())
                }
            else:
                targets = {}
                for name in wanted:
                    if name not in urls:
                        known = ", ".join(sorted(urls)) or "none"
                        raise AnsibleParserError(
                            f"no datacenter named {name!r} (this cloud has: {known})"
                        )
                    targets[name] = home if urls[name] == home.url else home.datacenter(name)
        except SmartDCError as exc:
            raise AnsibleParserError(f"Triton inventory: {exc}") from None
        filters = dict(self.get_option("filters") or {})
        network_ref = self._address_source()[1] if self._address_source()[0] == "network" else None

        def listing(item: tuple[str, Any]) -> tuple[str, list[dict[str, Any]] | Exception]:
            name, dc = item
            try:
                return name, self._list(dc, name, filters, network_ref)
            except Exception as exc:  # reported per datacenter below
                return name, exc

        with ThreadPoolExecutor(max_workers=max(1, min(8, len(targets)))) as pool:
            answers = list(pool.map(listing, targets.items()))
        records: list[dict[str, Any]] = []
        for name, answer in answers:
            if isinstance(answer, Exception):
                message = f"Triton inventory: datacenter {name}: {answer}"
                if self.get_option("fail_on_errors"):
                    raise AnsibleParserError(message)
                self.display.warning(message)
                continue
            records.extend(answer)
        for dc in {id(d): d for d in [home, *targets.values()]}.values():
            dc.close()
        return records

    def _list(
        self, dc: Any, name: str, filters: dict[str, Any], network_ref: str | None
    ) -> list[dict[str, Any]]:
        images = ImageNames(dc).prefetch()
        network_ids: set[str] = set()
        if network_ref:
            network_ids = {
                str(n.id) for n in dc.api.list_networks() if network_ref in (n.id, n.name)
            }
        found = []
        for machine in dc.api.iter_list_machines(**filters):
            record = instance_hostvars(machine, name, images)
            if network_ref:
                record["_address_on_network"] = next(
                    (
                        nic["ip"]
                        for nic in record["nics"]
                        if nic["network"] in network_ids and nic["ip"]
                    ),
                    None,
                )
            found.append(record)
        return found

    # -- building the inventory ----------------------------------------------------------------

    def _address_source(self) -> tuple[str, str | None]:
        raw = str(self.get_option("ansible_host") or "none")
        kind, _, arg = raw.partition(":")
        if kind in ("primary_ip", "none") and not arg:
            return kind, None
        if kind in ("network", "tag") and arg:
            return kind, arg
        raise AnsibleParserError(
            f"ansible_host: {raw!r} is none of primary_ip, network:NAME, tag:NAME, none"
        )

    def _address(self, record: dict[str, Any]) -> Any:
        kind, arg = self._address_source()
        if kind == "primary_ip":
            return record.get("primary_ip")
        if kind == "network":
            return record.get("_address_on_network")
        if kind == "tag":
            value = (record.get("tags") or {}).get(arg)
            return None if value is None else str(value)
        return None

    def _populate(self, records: list[dict[str, Any]]) -> None:
        filters = self.get_option("filters") or {}
        if not self.get_option("include_stopped") and "state" not in filters:
            records = [r for r in records if r.get("state") != "stopped"]
        # hosts in a stable order (by name), whatever order the servers list them in
        records = sorted_by_name(records)
        by_name: dict[str, int] = {}
        for record in records:
            by_name[str(record.get("name"))] = by_name.get(str(record.get("name")), 0) + 1
        strict = self.get_option("strict")
        prefix, suffix = self.get_option("hostvars_prefix"), self.get_option("hostvars_suffix")
        for record in records:
            host = self._host_name(record, by_name)
            self.inventory.add_host(host)
            hostvars = {
                f"{prefix}{key}{suffix}": value
                for key, value in record.items()
                if not key.startswith("_")
            }
            for key, value in hostvars.items():
                # text from the server is never templated (a tag holding "{{ ... }}" stays text)
                self.inventory.set_variable(host, key, wrap_var(value))
            address = self._address(record)
            if address:
                self.inventory.set_variable(host, "ansible_host", address)
                hostvars["ansible_host"] = address
            self._add_default_groups(host, record)
            self._set_composite_vars(self.get_option("compose"), hostvars, host, strict=strict)
            self._add_host_to_composed_groups(
                self.get_option("groups"), hostvars, host, strict=strict
            )
            self._add_host_to_keyed_groups(
                self.get_option("keyed_groups"), hostvars, host, strict=strict
            )

    def _host_name(self, record: dict[str, Any], by_name: dict[str, int]) -> str:
        name = record.get("name")
        if self.get_option("hostnames") == "id" or not name:
            return str(record["id"])
        if by_name.get(str(name), 0) > 1:
            self.display.warning(
                f"Triton inventory: several instances are named {name!r}; "
                f"{record['id']} ({record['datacenter']}) is named by its id"
            )
            return str(record["id"])
        return str(name)

    def _add_default_groups(self, host: str, record: dict[str, Any]) -> None:
        prefix = self.get_option("group_prefix")
        names: list[str] = []
        for kind in self.get_option("group_by"):
            if kind == "tags":
                names.extend(f"tag_{k}_{v}" for k, v in sorted((record.get("tags") or {}).items()))
                continue
            value = record.get("image_name" if kind == "image" else kind)
            if value not in (None, ""):
                names.append(f"{kind}_{value}")
        for name in names:
            group = self.inventory.add_group(self._sanitize_group_name(f"{prefix}{name}"))
            self.inventory.add_child(group, host)
