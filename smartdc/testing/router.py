"""The simulator's routing contract: how resource modules register request handlers.

Each module in ``smartdc.testing.resources`` exposes ``register(router: Router) -> None`` (and optionally
``seed(dc: DatacenterState) -> None`` to create its initial objects). A handler receives a
:class:`SimRequest` and returns a :class:`SimResponse` (or raises :class:`ApiError`). Handlers keep their
objects as plain JSON-shaped dicts in ``req.dc.table(name)`` so that state can be persisted as JSON.
This module knows nothing of the client (``smartdc._generated``): the simulator is the other side of
the wire.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import attrs


class ApiError(Exception):
    """Answered as ``{"code": code, "message": message}`` with the given HTTP status."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})
        self.body = body  # overrides the default {code, message} body when set


Wait = Callable[[float], bool]
"""Given to a stream's producer: sleep that many real seconds; False once the server is closing."""


@attrs.define
class SimStream:
    """A body written piece by piece while the request stays open (HTTP chunked encoding).

    ``produce(wait)`` is called after the handler returned, without the state lock held: it takes
    ``SimState.lock`` itself whenever it reads state, yields the bytes to send next, and calls
    ``wait(seconds)`` between polls. The answer ends when the iterator does.
    """

    produce: Callable[[Wait], Iterator[bytes]]


@attrs.define
class SimResponse:
    status: int = 200
    # JSON-able value, or str (sent as text), or bytes (sent as is), or a SimStream
    body: Any = None
    headers: dict[str, str] = attrs.Factory(dict)
    content_type: str | None = None  # default: application/json for JSON bodies
    upgrade: Any = None  # a websocket.Upgrade: answer 101 and hand the connection over


@attrs.define
class SimRequest:
    method: str
    path: str  # decoded path, without the query
    raw_path: str  # request-target exactly as received
    params: dict[str, str]  # path parameters (decoded), including "account"
    query: dict[str, str]
    body: Any  # decoded JSON (or form fields as a dict); None when empty
    headers: Mapping[str, str]  # case-insensitive
    route: str  # route name, e.g. "GetMachine"
    api_version: str  # the version the request was matched at, e.g. "9.0.0"
    account: Any  # the account the path names (its state object)
    caller: Any  # who signed the request (account login, optional sub-user login)
    dc: Any  # the DatacenterState serving this request
    sim: Any  # the whole simulator state (accounts, datacenters, clock)

    def param(self, name: str) -> Any:
        """A parameter from body, query or path: body wins, as restify's mapParams does."""
        if isinstance(self.body, dict) and name in self.body:
            return self.body[name]
        if name in self.query:
            return self.query[name]
        return self.params.get(name)


Handler = Callable[[SimRequest], SimResponse]


@attrs.define
class Route:
    name: str
    method: str
    template: str
    pattern: re.Pattern[str]
    handler: Handler
    min_version: str | None = None
    versions: tuple[str, ...] | None = None  # a route served only at these API versions

    @property
    def shape(self) -> tuple[str, ...]:
        """The template with parameter names left out: two routes of one shape would clash."""
        return tuple(":" if s.startswith(":") else s for s in self.template.strip("/").split("/"))

    @property
    def specificity(self) -> tuple[int, ...]:
        """Sort key: a fixed segment beats a ``:param`` at the first place they differ."""
        return tuple(1 if s.startswith(":") else 0 for s in self.template.strip("/").split("/"))


def _compile(template: str) -> re.Pattern[str]:
    parts = []
    for segment in template.strip("/").split("/"):
        if segment.startswith(":"):
            parts.append(f"(?P<{segment[1:]}>[^/]+)")
        else:
            parts.append(re.escape(segment))
    return re.compile("^/" + "/".join(parts) + "/?$")


@attrs.define
class Router:
    """Routes matched by specificity: where two templates match a path, the one with a fixed
    segment at the first place they differ wins (``/:account/users/:user`` over
    ``/:account/:resource_name/:resource_id``), whatever the order they were added in."""

    routes: list[Route] = attrs.Factory(list)

    def add(
        self,
        method: str,
        template: str,
        name: str,
        handler: Handler,
        *,
        min_version: str | None = None,
        versions: tuple[str, ...] | None = None,
    ) -> None:
        """Register ``handler`` for ``method template`` (``/:account/machines/:machine``).

        ``versions``: the API versions the route answers at, when restify was given a list for
        it (ConnectMachineVNC: only 8.4.0); otherwise every supported version from
        ``min_version`` on."""
        route = Route(
            name, method.upper(), template, _compile(template), handler, min_version, versions
        )
        for other in self.routes:
            if other.method == route.method and other.shape == route.shape:
                raise ValueError(
                    f"{route.method} {template} ({name}) is already routed to {other.name}"
                )
        self.routes.append(route)
        self.routes.sort(key=lambda r: r.specificity)  # stable: a fixed order for equal keys

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            if route.method != method:
                continue
            found = route.pattern.match(path)
            if found:
                return route, found.groupdict()
        return None

    def allowed_methods(self, path: str) -> list[str]:
        return sorted({r.method for r in self.routes if r.pattern.match(path)})
