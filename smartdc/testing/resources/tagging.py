"""Role tags given with a create or an update (sdc-cloudapi lib/resources.js updateResource()).

After a successful CreateKey, CreateUser, CreateRole, CreatePolicy, CreateFirewallRule,
CreateAccessKey (and their sub-user forms) or UpdateAccount, UpdateUser, UpdateRole, UpdatePolicy,
UpdateFirewallRule, the server tags the resource with the roles of the ``role-tag`` request
header (a comma-separated list), else keeps the tags it has, else uses the roles a sub-user acts
with. A create tags the new resource: the collection's resource name plus the new id. Unknown
role names make the server log the failure and answer as usual: nothing is tagged.
"""

from __future__ import annotations

from smartdc.testing.rbac import resource_path
from smartdc.testing.resources.common import login_of
from smartdc.testing.router import SimRequest


def tag_from_request(req: SimRequest, created_id: str | None = None) -> None:
    login = login_of(req)
    table = req.sim.table("role_tags", login)
    name = resource_path(login, req.path)
    if created_id is not None:
        name = f"{name}/{created_id}"
    header = req.headers.get("role-tag")
    if header:
        names = [n for n in header.split(",") if n]
    elif name in table:
        return  # saveResource() saves the tags the resource already has
    else:
        names = list(req.caller.active_roles) if req.caller is not None else []
    if not names:
        return
    known = {str(r.get("name")) for r in req.sim.table("roles", login).values()}
    if all(n in known for n in names):
        table[name] = {"name": name, "role-tag": names}
