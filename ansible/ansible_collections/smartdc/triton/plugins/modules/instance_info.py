# Copyright: smartdc developers
# MIT License (see LICENSE in the smartdc repository)
"""Module: Triton instances by name, tag or filter."""

from __future__ import annotations

DOCUMENTATION = r"""
module: instance_info
short_description: List Triton instances by name, tag or ListMachines filter
version_added: 0.1.0
description:
  - Returns instances of one datacenter in the shape of the C(smartdc.triton.triton) inventory's
    host variables (and of the C(smartdc.triton.instance) module's result).
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
  name:
    description: Only the instance of this exact name (not every name starting with it).
    type: str
  tags:
    description: Only instances with all these tags.
    type: dict
  filters:
    description:
      - Other ListMachines filters as the smartdc client takes them (C(brand), C(image),
        C(state), C(memory), C(docker), ...).
    type: dict
    default: {}
requirements:
  - smartdc
author:
  - smartdc developers (@smartdc)
"""

EXAMPLES = r"""
- name: The web servers
  smartdc.triton.instance_info:
    tags:
      role: web
    filters:
      state: running
  register: web

- name: Their addresses
  ansible.builtin.debug:
    msg: "{{ web.instances | map(attribute='primary_ip') | list }}"
"""

RETURN = r"""
instances:
  description:
    - The instances, sorted by name, as the C(smartdc.triton.instance) module returns them.
  returned: always
  type: list
  elements: dict
"""

from typing import Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible_collections.smartdc.triton.plugins.module_utils.triton import (  # noqa: E402
    ImageNames,
    connect,
    datacenter_name,
    instance_hostvars,
    module_argument_spec,
    run_module,
    sorted_by_name,
)


def argument_spec() -> dict[str, dict[str, Any]]:
    return module_argument_spec(
        name={"type": "str"},
        tags={"type": "dict"},
        filters={"type": "dict", "default": {}},
    )


def work(module: AnsibleModule) -> dict[str, Any]:
    p = module.params
    dc = connect(p)
    name = datacenter_name(dc)
    images = ImageNames(dc)
    filters = dict(p["filters"] or {})
    if p["tags"]:
        filters["tags"] = {**(filters.get("tags") or {}), **p["tags"]}
    if p["name"]:
        filters["name"] = p["name"]  # a prefix for the server: exact names kept below
    found = [
        instance_hostvars(m, name, images)
        for m in dc.api.iter_list_machines(**filters)
        if not p["name"] or m.name == p["name"]
    ]
    return {"changed": False, "instances": sorted_by_name(found)}


def main() -> None:
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    run_module(module, lambda: work(module))


if __name__ == "__main__":
    main()
