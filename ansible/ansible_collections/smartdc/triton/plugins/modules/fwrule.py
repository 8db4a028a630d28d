# Copyright: smartdc developers
# MIT License (see LICENSE in the smartdc repository)
"""Module: Triton firewall rules."""

from __future__ import annotations

DOCUMENTATION = r"""
module: fwrule
short_description: Create, enable, disable, change and delete Triton firewall rules
version_added: 0.1.0
description:
  - Manages a firewall rule of the account, found by O(id) or else by its rule text (compared
    without case, quotes or spacing differences, as the server rewrites the text it stores).
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
  rule:
    description:
      - The rule, in CloudAPI's rule language, e.g.
        C(FROM any TO tag "role" = "web" ALLOW tcp PORT 443).
      - Required to create a rule; with O(id), the rule's new text.
    type: str
  id:
    description: The rule's id (to change the text of a rule, or find it whatever its text).
    type: str
  state:
    description: Whether the rule exists.
    type: str
    choices: [present, absent]
    default: present
  enabled:
    description:
      - Whether the rule is enforced. Unset, left as it is (a new rule is created disabled, as
        the server does).
    type: bool
  log:
    description: Whether TCP connections the rule matches are logged. Unset, left as it is.
    type: bool
  description:
    description: The rule's description. Unset, left as it is.
    type: str
requirements:
  - smartdc
author:
  - smartdc developers (@smartdc)
"""

EXAMPLES = r"""
- name: HTTPS to the web servers
  smartdc.triton.fwrule:
    rule: FROM any TO tag "role" = "web" ALLOW tcp PORT 443
    enabled: true
    description: public HTTPS

- name: Not any more
  smartdc.triton.fwrule:
    rule: FROM any TO tag "role" = "web" ALLOW tcp PORT 443
    state: absent
"""

RETURN = r"""
rule:
  description:
    - The rule (C(id), C(rule), C(enabled), C(log), C(global), C(description)); absent when
      deleted, or in check mode when it would be created.
  returned: when the rule exists
  type: dict
"""

import re  # noqa: E402
from typing import TYPE_CHECKING, Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible_collections.smartdc.triton.plugins.module_utils.triton import (  # noqa: E402
    connect,
    model_dict,
    module_argument_spec,
    run_module,
)

if TYPE_CHECKING:
    from smartdc.models import FirewallRule

FIELDS = ("rule", "enabled", "log", "description")


def argument_spec() -> dict[str, dict[str, Any]]:
    return module_argument_spec(
        rule={"type": "str"},
        id={"type": "str"},
        state={"type": "str", "default": "present", "choices": ["present", "absent"]},
        enabled={"type": "bool"},
        log={"type": "bool"},
        description={"type": "str"},
    )


def normalized(rule: str) -> str:
    """A rule's text as compared: no quotes, no case, one space, none around = ( )."""
    text = re.sub(r"\s+", " ", rule.replace('"', "").replace("'", "").lower()).strip()
    return re.sub(r"\s*([=()])\s*", r"\1", text)


def work(module: AnsibleModule) -> dict[str, Any]:
    p = module.params
    dc = connect(p)
    api = dc.api
    found: FirewallRule | None
    if p["id"]:
        found = api.get_firewall_rule(id=p["id"])
    else:
        wanted = normalized(p["rule"])
        same = [r for r in api.list_firewall_rules() if normalized(r.rule) == wanted]
        found = same[0] if same else None
    before = {f: getattr(found, f) for f in FIELDS} if found is not None else {}
    result: dict[str, Any] = {"changed": False}
    if p["state"] == "absent":
        if found is not None:
            result["changed"] = True
            if not module.check_mode:
                api.delete_firewall_rule(id=found.id)
        after: dict[str, Any] = {}
    else:
        asked = {f: p[f] for f in FIELDS if p[f] is not None}
        if (
            found is not None
            and "rule" in asked
            and normalized(asked["rule"]) == normalized(found.rule)
        ):
            del asked["rule"]  # the same rule as the server writes it
        if found is None:
            after = {"rule": p["rule"], "enabled": False, "log": False, "description": None}
            after.update(asked)
            result["changed"] = True
            if not module.check_mode:
                found = api.create_firewall_rule(**asked)
        else:
            changes = {f: v for f, v in asked.items() if getattr(found, f) != v}
            after = {**before, **changes}
            if changes:
                result["changed"] = True
                if not module.check_mode:
                    found = api.update_firewall_rule(id=found.id, **changes)
        if found is not None:
            result["rule"] = model_dict(found)
    if module._diff:
        result["diff"] = {"before": before, "after": after}
    return result


def main() -> None:
    module = AnsibleModule(
        argument_spec=argument_spec(),
        supports_check_mode=True,
        required_one_of=[("rule", "id")],
    )
    run_module(module, lambda: work(module))


if __name__ == "__main__":
    main()
