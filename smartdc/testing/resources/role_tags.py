"""Role tags: the ``PUT`` routes that replace the roles tagged on any resource path.

Registered last: their templates (``/:account/:resource_name``...) match almost anything. Tags are
kept per account in the ``role_tags`` table keyed by the resource path with ``my`` resolved; the
server adds them to GET answers as a ``role-tag`` header.
"""

from __future__ import annotations

from smartdc.testing.resources.common import as_list, invalid, login_of, not_found, ok
from smartdc.testing.resources.roles import find_role
from smartdc.testing.router import Router, SimRequest, SimResponse
from smartdc.testing.versions import RBAC_VERSION


def resolved_path(req: SimRequest) -> str:
    """The request path with its first segment replaced by the account login."""
    rest = req.path.strip("/").split("/", 1)
    tail = "/" + rest[1] if len(rest) > 1 else ""
    return f"/{login_of(req)}{tail}".rstrip("/")


# lib/resources.js saveResource(): the collections a :resource_name route may tag.
VALID_RESOURCES = frozenset(
    (
        "machines",
        "users",
        "roles",
        "packages",
        "images",
        "policies",
        "keys",
        "datacenters",
        "fwrules",
        "networks",
        "services",
    )
)


def replace_role_tags(req: SimRequest) -> SimResponse:
    collection = req.params.get("resource_name")
    if collection is not None and collection not in VALID_RESOURCES:
        raise not_found(f"{collection} is not a valid resource")
    table = req.sim.table("role_tags", login_of(req))
    path = resolved_path(req)
    # saveResource(): role-tag from the body (or query) first, then the comma-separated header.
    tags = req.param("role-tag")
    if tags is None and req.headers.get("role-tag"):
        tags = req.headers["role-tag"].split(",")
    if tags is None:
        # Nothing given: the resource keeps the tags it has, and the answer lists them.
        current = table.get(path)
        return ok({"name": path, "role-tag": list(current["role-tag"]) if current else []})
    names = [str(t) for t in as_list(tags)]
    unknown = [n for n in names if find_role(req.sim, login_of(req), n) is None]
    if unknown:
        raise invalid(f"Role(s) {', '.join(unknown)} not found")
    if names:
        table[path] = {"name": path, "role-tag": names}
    else:
        table.pop(path, None)
    # putResource() answers the resource name with `my` resolved (lib/resources.js resourceName()).
    return ok({"name": path, "role-tag": names})


def register(router: Router) -> None:
    v = RBAC_VERSION
    routes = (
        ("/:account/users/:user/keys/:resource_id", "ReplaceUserKeysResourceRoleTags"),
        ("/:account/users/:user/:resource_name", "ReplaceUserKeysResourcesRoleTags"),
        ("/:account/machines/:machine", "ReplaceMachineRoleTags"),
        ("/:account/:resource_name/:resource_id", "ReplaceResourceRoleTags"),
        ("/:account/:resource_name", "ReplaceResourcesRoleTags"),
        ("/:account", "ReplaceAccountRoleTags"),
    )
    for template, name in routes:
        router.add("PUT", template, name, replace_role_tags, min_version=v)
