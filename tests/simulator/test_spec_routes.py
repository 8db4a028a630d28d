"""The simulator serves what spec/ describes: the request of each operation (and of its HEAD form)
reaches a simulator route with the same method and API versions (minimum, or the route's own list),
and every simulator route is reached by some operation.

The simulator never reads spec/ (it is the other side of the wire); this test keeps the two in step.
Routes are matched as the simulator matches them (by specificity), so an operation the server routes
through a general route (``?action=`` forms, role tags on any path) is checked against that route.
"""

from __future__ import annotations

import re

import pytest

from codegen.loader import load_spec
from smartdc.testing.resources import build_router
from smartdc.testing.router import Route
from tests.conftest import REPO_ROOT

SPEC = load_spec(REPO_ROOT / "spec" / "cloudapi.yaml")
ROUTER = build_router()
# Routes that are not CloudAPI operations: the server's redirect of "/" to its documentation.
NOT_OPERATIONS = {("GET", "/")}


Versions = tuple[str | None, tuple[str, ...] | None]


def _requests() -> dict[str, tuple[str, str, Versions]]:
    """Operation (or HEAD form) name -> (method, a concrete path, (minimum API version, the
    route's own versions))."""
    wanted = {}
    for op in SPEC.operations.values():
        path = re.sub(r"\{(\w+)\}", r"value-of-\1", op.path)
        versions = (op.min_api_version, op.api_versions or None)
        wanted[op.name] = (op.method, path, versions)
        if op.head is not None:
            wanted[f"{op.head} (HEAD of {op.name})"] = ("HEAD", path, versions)
    return wanted


REQUESTS = _requests()


def _route(method: str, path: str) -> Route:
    found = ROUTER.match(method, path)
    assert found is not None, f"the simulator does not route {method} {path}"
    return found[0]


@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_every_operation_reaches_a_route_of_its_version(name: str) -> None:
    method, path, versions = REQUESTS[name]
    route = _route(method, path)
    assert (route.min_version, route.versions) == versions


def test_every_route_is_an_operation_of_the_spec() -> None:
    reached = {id(_route(method, path)) for method, path, _ in REQUESTS.values()}
    unreached = [
        f"{r.method} {r.template} ({r.name})"
        for r in ROUTER.routes
        if id(r) not in reached and (r.method, r.template) not in NOT_OPERATIONS
    ]
    assert unreached == []
