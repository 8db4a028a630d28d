# Copyright: smartdc developers
# MIT License (see LICENSE in the smartdc repository)
"""Module: create, change and delete Triton instances by exact name."""

from __future__ import annotations

DOCUMENTATION = r"""
module: instance
short_description: Create, start, stop, reboot, resize, rename and delete Triton instances
version_added: 0.1.0
description:
  - Manages Triton (SmartDataCenter) instances, found by their exact name (never by prefix).
  - Idempotent - an instance that already is as asked is left alone. Supports check mode and
    diff mode.
  - With O(exact_count), manages a group of instances that carry the tags of O(count_tag), as
    Ansible's cloud modules do.
extends_documentation_fragment:
  - smartdc.triton.connection
  - smartdc.triton.connection.module
attributes:
  check_mode:
    description: Reports what would change without changing it.
    support: full
  diff_mode:
    description: Shows the changes (before and after).
    support: full
options:
  name:
    description:
      - The instance's exact name. Required unless O(count) or O(exact_count) is given.
      - With O(count) or O(exact_count), new instances are named O(name) followed by C(-) and the
        lowest number not in use (C(web-1), C(web-2)...); without O(name), the server names them.
    type: str
  new_name:
    description:
      - Rename the instance O(name) to this. If no instance is named O(name) but one is named
        O(new_name), that one is the instance (it was renamed before).
    type: str
  state:
    description:
      - C(present) - the instance exists (created if missing; its run state left as it is).
      - C(running) - it exists and runs (started if stopped).
      - C(stopped) - it exists and is stopped.
      - C(rebooted) - it exists and is rebooted (always a change; started if stopped).
      - C(absent) - it does not exist (deleted if present).
    type: str
    choices: [present, running, stopped, rebooted, absent]
    default: running
  image:
    description:
      - Image to create the instance from, by id or name (its latest version, or
        O(image_version)). Used only to create; unset, the latest SmartOS base image.
    type: str
  image_version:
    description: The version of O(image) when it is a name.
    type: str
  package:
    description:
      - Package (size), by name or id. Unset, the default package on creation.
      - An existing instance on another package is resized to it.
    type: str
  networks:
    description: Networks to attach, by name or id. Used only to create.
    type: list
    elements: str
  affinity:
    description:
      - Placement rules such as C(instance!=web-*) or C(role!=database). Used only to create.
    type: list
    elements: str
  tags:
    description:
      - Tags the instance must have (added or changed on an existing instance).
    type: dict
  purge_tags:
    description: Remove the instance's tags that O(tags) does not name.
    type: bool
    default: false
  metadata:
    description:
      - Metadata the instance must have (e.g. C(user-script)); values are text.
    type: dict
  purge_metadata:
    description:
      - Remove the metadata that O(metadata) does not name (C(root_authorized_keys), which
        CloudAPI sets, is kept unless named).
    type: bool
    default: false
  firewall_enabled:
    description: Whether the instance's firewall is on. Unset, left as it is (off on creation).
    type: bool
  deletion_protection:
    description:
      - Whether the instance is protected from deletion. Unset, left as it is.
      - With O(state=absent), C(false) lifts the protection before deleting.
    type: bool
  count:
    description:
      - Create this many new instances, every run (not idempotent, as O(exact_count) is).
    type: int
  exact_count:
    description:
      - Keep exactly this many instances carrying the O(count_tag) tags - create the missing ones,
        delete the newest extra ones. Every one of them is then brought to O(state), O(tags),
        O(metadata), O(package), O(firewall_enabled) and O(deletion_protection).
    type: int
  count_tag:
    description:
      - The tags that make an instance one of the group of O(exact_count). Unset, O(tags).
    type: dict
  wait:
    description:
      - Wait until each change is done (provisioned, running, stopped, deleted, resized, renamed).
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for each change.
    type: int
    default: 600
requirements:
  - smartdc
author:
  - smartdc developers (@smartdc)
"""

EXAMPLES = r"""
- name: A running web server
  smartdc.triton.instance:
    name: web-1
    image: base-64-lts
    package: g4-highcpu-1G
    networks: [external]
    tags:
      role: web
    metadata:
      user-script: "#!/bin/sh\necho hello > /tmp/hello"
    firewall_enabled: true
    deletion_protection: true

- name: Bigger, and stopped
  smartdc.triton.instance:
    name: web-1
    package: g4-highcpu-2G
    state: stopped

- name: Renamed
  smartdc.triton.instance:
    name: web-1
    new_name: www-1

- name: Three workers, no more, no less
  smartdc.triton.instance:
    name: worker
    exact_count: 3
    count_tag:
      role: worker
    tags:
      role: worker

- name: Gone, protection lifted first
  smartdc.triton.instance:
    name: www-1
    state: absent
    deletion_protection: false
"""

RETURN = r"""
instances:
  description:
    - The instances, as the C(smartdc.triton.triton) inventory shows them as host variables
      (there each name has the C(triton_) prefix). Deleted instances are not in it.
    - In check mode, as they would be; what only the server can tell of an instance not created
      yet (C(id), addresses...) is null or empty.
  returned: always
  type: list
  elements: dict
  sample:
    - id: 8b5ff3c4-3af7-4d5c-ae0d-750ae7a33f19
      name: web-1
      datacenter: us-east-1
      state: running
      brand: joyent
      type: smartmachine
      image: 55aa70a0-ecc4-57d3-9a11-b3187dfa9900
      image_name: base-64-lts
      package: g4-highcpu-1G
      memory: 1024
      disk: 25600
      primary_ip: 203.0.113.2
      ips: [203.0.113.2, 198.51.100.2]
      networks: [92412760-a23a-5ce8-a616-012e17ca044b]
      nics: []
      tags: {role: web}
      metadata: {}
      firewall_enabled: false
      deletion_protection: false
      compute_node: 9f5d7e2d-792e-581b-8470-019157b2d93a
      dns_names: []
      docker: false
      created: "2026-12-07T23:45:43.709000+00:00"
      updated: "2026-12-07T23:45:43.909000+00:00"
deleted:
  description: Ids of the instances deleted (or that would be, in check mode).
  returned: always
  type: list
  elements: str
"""

import re  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible_collections.smartdc.triton.plugins.module_utils.triton import (  # noqa: E402
    ImageNames,
    WaitTimeout,
    connect,
    datacenter_name,
    instance_hostvars,
    module_argument_spec,
    plain,
    planned_hostvars,
    run_module,
)

# the attributes the module manages: what diff mode shows
MANAGED = (
    "name",
    "state",
    "package",
    "tags",
    "metadata",
    "firewall_enabled",
    "deletion_protection",
)
KEPT_METADATA = ("root_authorized_keys",)


def argument_spec() -> dict[str, dict[str, Any]]:
    return module_argument_spec(
        name={"type": "str"},
        new_name={"type": "str"},
        state={
            "type": "str",
            "default": "running",
            "choices": ["present", "running", "stopped", "rebooted", "absent"],
        },
        image={"type": "str"},
        image_version={"type": "str"},
        package={"type": "str"},
        networks={"type": "list", "elements": "str"},
        affinity={"type": "list", "elements": "str"},
        tags={"type": "dict"},
        purge_tags={"type": "bool", "default": False},
        metadata={"type": "dict"},
        purge_metadata={"type": "bool", "default": False},
        firewall_enabled={"type": "bool"},
        deletion_protection={"type": "bool"},
        count={"type": "int"},
        exact_count={"type": "int"},
        count_tag={"type": "dict"},
        wait={"type": "bool", "default": True},
        wait_timeout={"type": "int", "default": 600},
    )


class InstanceManager:
    def __init__(self, module: AnsibleModule) -> None:
        self.module = module
        self.params = module.params
        self.check = module.check_mode
        self.dc = connect(module.params)
        self.dc_name = datacenter_name(self.dc)
        self.images = ImageNames(self.dc)
        self.changed = False
        self.before: list[dict[str, Any]] = []
        self.after: list[dict[str, Any]] = []
        self.deleted: list[str] = []
        self._package_names: dict[str, str] = {}

    # -- helpers --------------------------------------------------------------------------------

    @property
    def timeout(self) -> float:
        return float(self.params["wait_timeout"])

    def view(self, machine: Any) -> dict[str, Any]:
        return instance_hostvars(machine, self.dc_name, self.images)

    def managed(self, view: dict[str, Any]) -> dict[str, Any]:
        return {key: view.get(key) for key in MANAGED}

    def package_name(self, ref: str) -> str:
        if ref not in self._package_names:
            self._package_names[ref] = str(self.dc.package(ref).name)
        return self._package_names[ref]

    def wanted_metadata(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in (self.params["metadata"] or {}).items()}

    # -- one instance ---------------------------------------------------------------------------

    def find(self) -> Any:
        name, new_name = self.params["name"], self.params["new_name"]
        machine = self.dc.find_machine(name)
        if machine is None and new_name:
            machine = self.dc.find_machine(new_name)
        if machine is not None and plain(machine.model.state) in ("deleted",):
            return None
        return machine

    def create(self, name: str | None) -> Any:
        """CreateMachine (unless in check mode: then a stand-in for the diff)."""
        self.changed = True
        p = self.params
        tags = dict(p["tags"] or {})
        for key, value in (p["count_tag"] or {}).items():
            tags.setdefault(key, value)
        if self.check:
            return planned_hostvars(
                self.dc_name,
                name=name,
                state="running",
                package=p["package"],
                tags=tags,
                metadata=self.wanted_metadata(),
                firewall_enabled=bool(p["firewall_enabled"]),
                deletion_protection=bool(p["deletion_protection"]),
            )
        image: Any = p["image"]
        if image and p["image_version"]:
            image = self.dc.image(image, version=p["image_version"])
        extra: dict[str, Any] = {}
        if p["deletion_protection"] is not None:
            extra["deletion_protection"] = p["deletion_protection"]
        if p["affinity"]:
            extra["affinity"] = list(p["affinity"])
        networks = [str(self.dc.network(n).id) for n in p["networks"]] if p["networks"] else None
        return self.dc.create_machine(
            name=name,
            image=image,
            package=p["package"],
            networks=networks,
            metadata=self.wanted_metadata() or None,
            tags=tags or None,
            firewall_enabled=p["firewall_enabled"],
            **extra,
        )

    def converge(self, machine: Any, *, created: bool) -> Any:
        """Bring an existing (or just created) instance to what the parameters ask."""
        p = self.params
        state = p["state"]
        if self.check:
            return self.plan(machine, created=created)
        if created and p["wait"]:
            machine.wait("running", timeout=self.timeout)
        if plain(machine.model.state) == "provisioning" and p["wait"]:
            machine.wait(["running", "stopped"], timeout=self.timeout)
        if p["new_name"] and machine.name != p["new_name"]:
            machine.rename(p["new_name"], wait=p["wait"], timeout=self.timeout)
            self.changed = True
        if p["package"] and not created and machine.package != self.package_name(p["package"]):
            machine.resize(p["package"], wait=p["wait"], timeout=self.timeout)
            self.changed = True
        tags_changed = self.apply_tags(machine)
        metadata_changed = self.apply_metadata(machine)
        if (tags_changed or metadata_changed) and p["wait"]:
            self.settle(machine)
        for field, on, off in (
            ("firewall_enabled", machine.enable_firewall, machine.disable_firewall),
            (
                "deletion_protection",
                machine.enable_deletion_protection,
                machine.disable_deletion_protection,
            ),
        ):
            wanted = p[field]
            if wanted is not None and bool(getattr(machine.model, field)) != wanted:
                (on if wanted else off)(wait=p["wait"], timeout=self.timeout)
                self.changed = True
        current = plain(machine.refresh().model.state)
        if state in ("running", "rebooted") and current in ("stopped", "stopping"):
            if current == "stopping":
                machine.wait("stopped", timeout=self.timeout)
            machine.start(wait=p["wait"], timeout=self.timeout)
            self.changed = True
        elif state == "rebooted":
            machine.reboot(wait=p["wait"], timeout=self.timeout)
            self.changed = True
        elif state == "stopped" and current != "stopped":
            if current == "stopping":
                machine.wait("stopped", timeout=self.timeout)
            else:
                machine.stop(wait=p["wait"], timeout=self.timeout)
                self.changed = True
        return machine.refresh()

    def tags_to_change(self, model: Any) -> tuple[dict[str, Any], list[str]]:
        """(tags to set, tags to remove) to bring the instance to what is asked."""
        wanted = dict(self.params["tags"] or {})
        have = dict(model.tags or {})
        to_set = {k: v for k, v in wanted.items() if k not in have or have[k] != v}
        to_drop = sorted(k for k in have if k not in wanted) if self.params["purge_tags"] else []
        return to_set, to_drop

    def metadata_to_change(self, model: Any) -> tuple[dict[str, str], list[str]]:
        wanted = self.wanted_metadata()
        have = {str(k): v for k, v in (model.metadata or {}).items()}
        to_set = {k: v for k, v in wanted.items() if have.get(k) != v}
        to_drop = (
            sorted(k for k in have if k not in wanted and k not in KEPT_METADATA)
            if self.params["purge_metadata"]
            else []
        )
        return to_set, to_drop

    def apply_tags(self, machine: Any) -> bool:
        to_set, to_drop = self.tags_to_change(machine.model)
        if to_set:
            self.dc.api.add_machine_tags(machine.id, tags=to_set)
        for key in to_drop:
            self.dc.api.delete_machine_tag(machine.id, tag=key)
        self.changed |= bool(to_set or to_drop)
        return bool(to_set or to_drop)

    def apply_metadata(self, machine: Any) -> bool:
        to_set, to_drop = self.metadata_to_change(machine.model)
        if to_set:
            self.dc.api.update_machine_metadata(machine.id, metadata=to_set)
        for key in to_drop:
            self.dc.api.delete_machine_metadata(machine.id, key=key)
        self.changed |= bool(to_set or to_drop)
        return bool(to_set or to_drop)

    def settle(self, machine: Any) -> None:
        """Until the instance shows the tags and metadata asked for: the server applies them in
        a job after answering (as triton's ``tag set -w`` waits)."""
        deadline = time.monotonic() + self.timeout
        delay = 0.1
        while True:
            model = machine.refresh().model
            if not any(self.tags_to_change(model)) and not any(self.metadata_to_change(model)):
                return
            if time.monotonic() + delay > deadline:
                raise WaitTimeout(
                    f"instance {machine.name}: tags or metadata not applied after "
                    f"{self.timeout:g} s",
                    last_state=plain(model.state),
                )
            time.sleep(delay)
            delay = min(delay * 2, 2.0)

    def plan(self, machine: Any, *, created: bool) -> dict[str, Any]:
        """Check mode: what converge() would make of the instance (its host variables)."""
        p = self.params
        now = machine if isinstance(machine, dict) else self.view(machine)
        after = dict(now)
        if p["new_name"]:
            after["name"] = p["new_name"]
        if p["package"] and not created:
            after["package"] = self.package_name(p["package"])
        tags = dict(now.get("tags") or {}) if not p["purge_tags"] else {}
        tags.update(p["tags"] or {})
        after["tags"] = tags
        metadata = dict(now.get("metadata") or {})
        if p["purge_metadata"]:
            metadata = {k: v for k, v in metadata.items() if k in KEPT_METADATA}
        metadata.update(self.wanted_metadata())
        after["metadata"] = metadata
        for field in ("firewall_enabled", "deletion_protection"):
            if p[field] is not None:
                after[field] = p[field]
        state = p["state"]
        if state in ("running", "rebooted"):
            after["state"] = "running"
        elif state == "stopped":
            after["state"] = "stopped"
        if self.managed(after) != self.managed(now) or state == "rebooted":
            self.changed = True
        return after

    def delete(self, machine: Any) -> None:
        self.changed = True
        self.deleted.append(str(machine.id))
        if self.check:
            return
        if self.params["deletion_protection"] is False and machine.model.deletion_protection:
            machine.disable_deletion_protection(wait=True, timeout=self.timeout)
        machine.delete(wait=self.params["wait"], timeout=self.timeout)

    # -- the whole task -------------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        p = self.params
        if p["exact_count"] is not None or p["count"] is not None:
            results = self.run_group()
        else:
            results = self.run_one()
        result: dict[str, Any] = {
            "changed": self.changed,
            "instances": results,
            "deleted": self.deleted,
        }
        if self.module._diff:
            # keyed by name: one entry per instance, created ones only after, deleted only before
            result["diff"] = {
                "before": {_key(v): v for v in self.before},
                "after": {_key(v): v for v in self.after},
            }
        return result

    def run_one(self) -> list[dict[str, Any]]:
        machine = self.find()
        if machine is not None:
            self.before.append(self.managed(self.view(machine)))
        if self.params["state"] == "absent":
            if machine is not None:
                self.delete(machine)
            return []
        created = machine is None
        if created:
            machine = self.create(self.params["name"])
        return [self.finish(self.converge(machine, created=created))]

    def finish(self, outcome: Any) -> dict[str, Any]:
        """Record the instance's attributes after the change; return its view."""
        if isinstance(outcome, dict):  # check mode: the plan
            self.after.append(self.managed(outcome))
            return outcome
        view = self.view(outcome)
        self.after.append(self.managed(view))
        return view

    def group(self) -> list[Any]:
        selector = self.params["count_tag"] or self.params["tags"] or {}
        if not selector and self.params["exact_count"] is not None:
            self.module.fail_json(
                msg="exact_count needs count_tag or tags to find its instances by"
            )
        machines = [m for m in self.dc.machines(tags=selector)] if selector else []
        return sorted(
            (m for m in machines if plain(m.model.state) not in ("deleted", "failed")),
            key=lambda m: (m.model.created, m.id),
        )

    def free_names(self, existing: list[Any], n: int) -> list[str | None]:
        base = self.params["name"]
        if not base:
            return [None] * n
        used = {str(m.name) for m in existing}
        used |= {m.name for m in self.dc.machines(name=f"{base}-") if m.name}
        pattern = re.compile(re.escape(base) + r"-(\d+)$")
        taken = {int(match.group(1)) for name in used if (match := pattern.match(name))}
        names: list[str | None] = []
        index = 1
        while len(names) < n:
            if index not in taken:
                names.append(f"{base}-{index}")
            index += 1
        return names

    def run_group(self) -> list[dict[str, Any]]:
        p = self.params
        if p["state"] == "absent" and p["exact_count"] is not None:
            self.module.fail_json(msg="state=absent with exact_count: use exact_count: 0")
        members = self.group() if p["exact_count"] is not None else []
        self.before = [self.managed(self.view(m)) for m in members]
        keep: list[Any] = list(members)
        new: list[Any] = []
        if p["exact_count"] is not None:
            wanted = p["exact_count"]
            if len(members) > wanted:
                keep, extra = members[:wanted], members[wanted:]
                for machine in reversed(extra):  # the newest first
                    self.delete(machine)
                self.changed = True
            missing = max(0, wanted - len(members))
        else:
            missing = p["count"]
        for name in self.free_names(members, missing):
            new.append(self.create(name))
        if not self.check and p["wait"] and new:
            self.dc.wait_all(new, "running", timeout=self.timeout)
        results = [self.finish(self.converge(m, created=False)) for m in keep]
        results += [self.finish(self.converge(m, created=True)) for m in new]
        return results


def _key(view: dict[str, Any]) -> str:
    return str(view.get("name") or view.get("id") or "(new instance)")


def main() -> None:
    module = AnsibleModule(
        argument_spec=argument_spec(),
        supports_check_mode=True,
        mutually_exclusive=[
            ("count", "exact_count"),
            ("new_name", "count"),
            ("new_name", "exact_count"),
        ],
        required_one_of=[("name", "count", "exact_count")],
        required_by={"image_version": "image", "new_name": "name"},
    )
    run_module(module, lambda: InstanceManager(module).run())


if __name__ == "__main__":
    main()
