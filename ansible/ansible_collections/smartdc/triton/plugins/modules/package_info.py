# Copyright: smartdc developers
# MIT License (see LICENSE in the smartdc repository)
"""Module: Triton packages."""

from __future__ import annotations

DOCUMENTATION = r"""
module: package_info
short_description: List Triton packages, or find one by id or name
version_added: 0.1.0
description:
  - Returns the packages (instance sizes) of one datacenter (ListPackages), or one package by id
    or exact name.
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
  package:
    description: One package, by id or exact name. A name no package has fails the task.
    type: str
  filters:
    description:
      - ListPackages filters as the smartdc client takes them (C(name), C(memory), C(disk),
        C(swap), C(lwps), C(vcpus), C(version), C(group)). Ignored with O(package).
    type: dict
    default: {}
requirements:
  - smartdc
author:
  - smartdc developers (@smartdc)
"""

EXAMPLES = r"""
- name: The packages with 1 GiB of memory
  smartdc.triton.package_info:
    filters:
      memory: 1024
  register: small
"""

RETURN = r"""
packages:
  description:
    - The packages (C(id), C(name), C(memory), C(disk), C(swap), C(vcpus), C(lwps), C(version),
      C(group), C(description), C(default), ...). One element with O(package).
  returned: always
  type: list
  elements: dict
"""

from typing import Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible_collections.smartdc.triton.plugins.module_utils.triton import (  # noqa: E402
    connect,
    model_dict,
    module_argument_spec,
    run_module,
)


def argument_spec() -> dict[str, dict[str, Any]]:
    return module_argument_spec(
        package={"type": "str"},
        filters={"type": "dict", "default": {}},
    )


def work(module: AnsibleModule) -> dict[str, Any]:
    p = module.params
    dc = connect(p)
    if p["package"]:
        packages = [dc.package(p["package"])]
    else:
        packages = list(dc.api.list_packages(**(p["filters"] or {})))
    return {"changed": False, "packages": [model_dict(i) for i in packages]}


def main() -> None:
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    run_module(module, lambda: work(module))


if __name__ == "__main__":
    main()
