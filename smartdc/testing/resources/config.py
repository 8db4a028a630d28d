"""Account config: GetConfig (and HEAD), UpdateConfig (``default_network`` only).

The server reads the account's dclocalconfig from UFDS (sdc-cloudapi lib/config.js). An account
may have none (napi-ufds-watcher creates it some seconds after the account, and only where fabrics
are set up): GetConfig then answers ``{}`` and UpdateConfig fails with 500 "Config currently
unavailable." (lib/endpoints/config.js). ``Simulator.clear_config`` makes that state.
"""

from __future__ import annotations

import re
from typing import Any

from smartdc.testing.resources.common import invalid, login_of, ok
from smartdc.testing.router import ApiError, Router, SimRequest, SimResponse
from smartdc.testing.state import DatacenterState


def _usable_networks(dc: DatacenterState, account: str) -> dict[str, Any]:
    # Public networks are DC-wide; fabric networks belong to the account.
    found: dict[str, Any] = dict(dc.table("networks"))
    found.update(dc.table("networks", account))
    return found


def _config(req: SimRequest) -> dict[str, Any]:
    dc: DatacenterState = req.dc
    account = login_of(req)
    config = dc.table("config").get(account)
    if config is None:
        networks = _usable_networks(dc, account)
        default = next(
            (n["id"] for n in networks.values() if n.get("fabric")),
            next(iter(networks), None),
        )
        config = {"default_network": default}
    return config


_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def get_config(req: SimRequest) -> SimResponse:
    return ok(_config(req))


def update_config(req: SimRequest) -> SimResponse:
    # lib/endpoints/config.js validateAndTranslate(): the joyent-schemas UpdateConfig schema (one
    # UUID property, nothing else), checked by jsprim; its first error, in its words.
    body = req.body if isinstance(req.body, dict) else {}
    extra = sorted(set(body) - {"default_network"})
    network = req.param("default_network")
    if network is None:
        raise invalid('property "default_network": is missing and it is required')
    if not isinstance(network, str) or not _UUID.match(network):
        raise invalid('property "default_network": must be a UUID')
    if extra:
        raise invalid(f'property "{extra[0]}": unsupported property')
    if network not in _usable_networks(req.dc, login_of(req)):
        raise invalid("unknown network")
    if req.dc.table("config").get(login_of(req)) == {}:
        raise ApiError(500, "InternalError", "Config currently unavailable.")
    config = {"default_network": str(network)}
    req.dc.table("config")[login_of(req)] = config
    return ok(config)


def register(router: Router) -> None:
    router.add("GET", "/:account/config", "GetConfig", get_config)
    router.add("HEAD", "/:account/config", "HeadConfig", get_config)
    router.add("PUT", "/:account/config", "UpdateConfig", update_config)
