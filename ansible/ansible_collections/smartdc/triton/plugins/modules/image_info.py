# Copyright: smartdc developers
# MIT License (see LICENSE in the smartdc repository)
"""Module: Triton images."""

from __future__ import annotations

DOCUMENTATION = r"""
module: image_info
short_description: List Triton images, or find one by id or name
version_added: 0.1.0
description:
  - Returns the images visible to the account in one datacenter (ListImages), or one image by
    id, or by exact name (its latest version, or O(version)).
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
  image:
    description:
      - One image, by id or exact name (its latest version unless O(version) is given). A name no
        image has fails the task.
    type: str
  version:
    description: The version of O(image) when it is a name.
    type: str
  filters:
    description:
      - ListImages filters as the smartdc client takes them (C(name), C(os), C(version),
        C(public), C(state), C(owner), C(type)). Ignored with O(image).
    type: dict
    default: {}
requirements:
  - smartdc
author:
  - smartdc developers (@smartdc)
"""

EXAMPLES = r"""
- name: The latest base-64-lts
  smartdc.triton.image_info:
    image: base-64-lts
  register: base

- name: Every SmartOS image
  smartdc.triton.image_info:
    filters:
      os: smartos
"""

RETURN = r"""
images:
  description:
    - The images (fields as the smartdc Image model names them - C(id), C(name), C(version),
      C(os), C(type), C(state), C(public), C(owner), C(published_at), C(requirements), ...).
      One element with O(image).
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
        image={"type": "str"},
        version={"type": "str"},
        filters={"type": "dict", "default": {}},
    )


def work(module: AnsibleModule) -> dict[str, Any]:
    p = module.params
    dc = connect(p)
    if p["image"]:
        images = [dc.image(p["image"], version=p["version"]).model]
    else:
        images = list(dc.api.list_images(**(p["filters"] or {})))
    return {"changed": False, "images": [model_dict(i) for i in images]}


def main() -> None:
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    run_module(module, lambda: work(module))


if __name__ == "__main__":
    main()
