# Copyright: smartdc developers
# MIT License (see LICENSE in the smartdc repository)
"""How the collection's plugins reach CloudAPI: the settings the ``smartdc`` CLI reads."""

from __future__ import annotations


class ModuleDocFragment:
    # Options every plugin takes. An option left unset falls back, as in the smartdc CLI, to the
    # TRITON_*/SDC_* environment variables and then to the node-triton profile.
    DOCUMENTATION = r"""
options:
  profile:
    description:
      - Name of a node-triton profile (C(~/.triton/profiles.d/NAME.json)).
      - Unset, C(TRITON_PROFILE) is used, else the current profile of C(~/.triton/config.json);
        C(env) means the environment variables only.
    type: str
  url:
    description:
      - CloudAPI URL of the datacenter, e.g. C(https://us-east-1.api.joyent.com).
      - Unset, C(TRITON_URL) or C(SDC_URL), else the profile's.
      - Plain C(http://) is refused except on loopback.
    type: str
  account:
    description:
      - Account login. Unset, C(TRITON_ACCOUNT) or C(SDC_ACCOUNT), else the profile's.
    type: str
  user:
    description:
      - RBAC sub-user login. Unset, C(TRITON_USER) or C(SDC_USER), else the profile's.
    type: str
  key_id:
    description:
      - The signing key, as an MD5 or SHA256 fingerprint or a key name.
      - Unset, C(TRITON_KEY_ID) or C(SDC_KEY_ID), else the profile's.
    type: str
  key_file:
    description:
      - Private key file to sign with (PEM or OpenSSH). Unset, C(SMARTDC_KEY_FILE); without one,
        the key is taken from ssh-agent, then from C(~/.ssh), by fingerprint.
    type: path
  key_passphrase:
    description:
      - Passphrase of O(key_file). Unset, C(SMARTDC_KEY_PASSPHRASE).
    type: str
  insecure:
    description:
      - Do not verify TLS certificates. Unset, C(TRITON_TLS_INSECURE), C(SDC_TLS_INSECURE) or
        C(SDC_TESTING), else the profile's.
    type: bool
  ca_certs:
    description:
      - A CA bundle to verify the server's certificate with (a private CA).
    type: path
  roles:
    description:
      - RBAC roles to take up (sent as C(as-role)). Unset, C(TRITON_ROLE), else the profile's.
    type: list
    elements: str
  act_as:
    description:
      - Operate on this other account (an operator's setting). Unset, C(TRITON_ACT_AS).
    type: str
requirements:
  - smartdc (the Python client, on the host that runs the plugin)
notes:
  - Errors answered by CloudAPI fail the task with the server's code, message and request id.
"""

    # Modules work in one datacenter: the configured one, or another of the same cloud by name.
    MODULE = r"""
options:
  datacenter:
    description:
      - Name of another datacenter of the same cloud (as C(ListDatacenters) names them) to work
        in, with the same credentials. Unset, the datacenter of O(url) or the profile.
    type: str
"""
