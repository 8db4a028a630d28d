# Copyright: smartdc developers
# MIT License (see LICENSE in the smartdc repository)
"""Module: snapshots of Triton instances."""

from __future__ import annotations

DOCUMENTATION = r"""
module: snapshot
short_description: Create, delete and boot from snapshots of a Triton instance
version_added: 0.1.0
description:
  - Manages one snapshot of an instance found by its exact name or id.
extends_documentation_fragment:
  - smartdc.triton.connection
  - smartdc.triton.connection.module
attributes:
  check_mode:
    description: Only reads; runs as usual in check mode.
    support: full
  diff_mode:
    description: Nothing to show.
    support: none
options:
  instance:
    description: The instance, by exact name or id.
    type: str
    required: true
  name:
    description: The snapshot's name.
    type: str
    required: true
  state:
    description:
      - C(present) - the snapshot exists (taken if missing).
      - C(absent) - it does not.
      - C(restored) - the instance is started from the snapshot (the instance must be stopped;
        always a change).
    type: str
    choices: [present, absent, restored]
    default: present
  wait:
    description: Wait until the snapshot is created or deleted, or the instance runs again.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait.
    type: int
    default: 600
requirements:
  - smartdc
author:
  - smartdc developers (@smartdc)
"""

EXAMPLES = r"""
- name: Before the upgrade
  smartdc.triton.snapshot:
    instance: db-1
    name: before-upgrade
"""

RETURN = r"""
snapshot:
  description: The snapshot (C(name), C(state), C(size), C(created), C(updated)).
  returned: when it exists
  type: dict
"""

from typing import Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible_collections.smartdc.triton.plugins.module_utils.triton import (  # noqa: E402
    NotFoundError,
    connect,
    model_dict,
    module_argument_spec,
    plain,
    run_module,
)


def argument_spec() -> dict[str, dict[str, Any]]:
    return module_argument_spec(
        instance={"type": "str", "required": True},
        name={"type": "str", "required": True},
        state={
            "type": "str",
            "default": "present",
            "choices": ["present", "absent", "restored"],
        },
        wait={"type": "bool", "default": True},
        wait_timeout={"type": "int", "default": 600},
    )


def work(module: AnsibleModule) -> dict[str, Any]:
    p = module.params
    dc = connect(p)
    try:
        machine = dc.machine(p["instance"])
    except NotFoundError:
        if p["state"] == "absent":  # no instance, no snapshot of it
            return {"changed": False}
        raise
    found = next((s for s in machine.snapshots() if s.name == p["name"]), None)
    timeout = float(p["wait_timeout"])
    result: dict[str, Any] = {"changed": False}
    if p["state"] == "absent":
        if found is not None:
            result["changed"] = True
            if not module.check_mode:
                found.delete(wait=p["wait"], timeout=timeout)
        return result
    if p["state"] == "restored":
        if found is None:
            raise NotFoundError(f"instance {machine.name} has no snapshot named {p['name']!r}")
        result["changed"] = True
        if not module.check_mode:
            found.start()
            if p["wait"]:
                machine.wait("running", timeout=timeout)
        result["snapshot"] = model_dict(found.model)
        return result
    if found is None:
        result["changed"] = True
        if module.check_mode:
            return result
        found = machine.create_snapshot(p["name"])
    if p["wait"] and not module.check_mode and plain(found.model.state) != "created":
        found.poll_until("created", timeout=timeout)
    result["snapshot"] = model_dict(found.model)
    return result


def main() -> None:
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    run_module(module, lambda: work(module))


if __name__ == "__main__":
    main()
