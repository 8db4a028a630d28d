"""CloudAPI's request pipeline, independent of sockets: route, version, Content-MD5, auth, body,
``my`` resolution, handler, and the response headers every CloudAPI answer carries.

Order as on the real server (restify routes before running the auth chain): an unknown path answers
404 and a wrong method 405 even without credentials; then the version range; then the signature.
"""

from __future__ import annotations

import base64
import decimal
import hashlib
import json
import logging
import math
import time
import uuid
from collections.abc import Callable
from email.utils import formatdate
from typing import Any
from urllib.parse import parse_qsl, unquote

import attrs

from smartdc.headers import Headers
from smartdc.testing import rbac, versions
from smartdc.testing.auth import authenticate
from smartdc.testing.router import ApiError, Router, SimRequest, SimResponse, SimStream
from smartdc.testing.state import AccountState, Caller, DatacenterState, SimState
from smartdc.testing.websocket import Upgrade

log = logging.getLogger("smartdc.testing")

MAX_BODY_BYTES = 100_000
PUBLIC_ROUTES = frozenset({"Ping", "GetRoot"})
MUTATING_METHODS = frozenset({"POST", "PUT", "DELETE"})
CORS_ALLOW_HEADERS = (
    "Accept, Accept-Version, Content-Length, Content-MD5, Content-Type, Date, Api-Version, "
    "Response-Time"
)
CORS_EXPOSE_HEADERS = "Api-Version, Request-Id, Response-Time"


@attrs.define
class Answer:
    """A complete HTTP answer: status, header list, body bytes (and what it was for)."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    route: str | None = None
    stream: SimStream | None = None  # the rest of the body, written while it is produced
    upgrade: Upgrade | None = None  # switch the connection to a WebSocket (status 101)


def strip_private(value: Any) -> Any:
    """Drop every ``_sim*`` key, at any depth (the simulator's bookkeeping never leaves)."""
    # Scalars are not passed through a call: this runs over every item of a 1000-item page.
    if isinstance(value, dict):
        return {
            k: strip_private(v) if isinstance(v, dict | list) else v
            for k, v in value.items()
            if not (isinstance(k, str) and k.startswith("_sim"))
        }
    if isinstance(value, list):
        return [strip_private(v) if isinstance(v, dict | list) else v for v in value]
    return value


def json_body(value: Any) -> bytes:
    """A JSON answer's body as restify's formatJSON writes it: ``JSON.stringify``, no spaces."""
    return json.dumps(value, separators=(",", ":")).encode("utf-8")


def js_number(text: str) -> int | float | None:
    """A JSON number as node holds it (a double, ``JSON.parse``) and sends it back
    (``JSON.stringify``): an integral value has no fraction (``1.0`` and ``1e2`` come back as ``1``
    and ``100``, ``-0`` as ``0``), digits past a double's precision are lost (``2**60`` comes back
    as 1152921504606847000) and a value beyond a double's range is ``null``."""
    value = float(text)
    if math.isinf(value):
        return None
    if value.is_integer() and abs(value) < 1e21:  # Number::toString's plain notation
        return int(decimal.Decimal(repr(value)))
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"Unexpected token {name[0]}")  # JSON.parse knows no NaN or Infinity


def _parse_query(query: str) -> dict[str, str]:
    return dict(parse_qsl(query, keep_blank_values=True))


def _parse_body(raw: bytes, content_type: str) -> Any:
    if not raw:
        return None
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        return dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
    if kind in ("", "application/json") or kind.endswith("+json"):
        try:
            return json.loads(
                raw, parse_float=js_number, parse_int=js_number, parse_constant=_no_constant
            )
        except ValueError as exc:
            raise ApiError(400, "InvalidContent", f"Invalid JSON: {exc}") from None
        except RecursionError:
            raise ApiError(400, "InvalidContent", "Invalid JSON: nested too deeply") from None
    raise ApiError(415, "UnsupportedMediaType", f"{kind} is not a supported content type")


class Dispatcher:
    """Turns one HTTP request into one :class:`Answer` for a datacenter of the simulator."""

    def __init__(
        self,
        sim: SimState,
        router: Router,
        on_mutation: Callable[[], None] | None = None,
    ) -> None:
        self.sim = sim
        self.router = router
        self.on_mutation = on_mutation

    def match_name(self, method: str, raw_target: str) -> str | None:
        found = self.router.match(method, raw_target.partition("?")[0])
        return found[0].name if found else None

    def dispatch(
        self,
        dc: DatacenterState,
        method: str,
        raw_target: str,
        headers: Headers,
        body: bytes,
        *,
        ip: str = "",
    ) -> Answer:
        started = time.monotonic()
        request_id = headers.get("x-request-id") or headers.get("request-id") or str(uuid.uuid4())
        raw_path, _, query_text = raw_target.partition("?")
        api_version: str | None = None
        route_name: str | None = None
        extra: dict[str, str] = {}
        stream: SimStream | None = None
        upgrade: Upgrade | None = None
        try:
            found = self.router.match(method, raw_path)
            if found is None:
                allowed = self.router.allowed_methods(raw_path)
                if allowed:
                    raise ApiError(
                        405,
                        "MethodNotAllowedError",  # restify 4's router
                        f"{method} is not allowed",
                        headers={"Allow": ", ".join(allowed)},
                    )
                raise ApiError(404, "ResourceNotFound", f"{raw_path} does not exist")
            route, raw_params = found
            route_name = route.name
            release = self.sim.settings.release
            query = _parse_query(query_text)
            release_op = release.operation(method, unquote(raw_path), query, None)
            release.refuse_unrouted(release_op, raw_path, query)
            wanted = headers.get("accept-version") or headers.get("x-api-version") or "*"
            try:
                api_version = versions.negotiate(wanted, route.min_version, route.versions)
            except versions.InvalidRange:
                api_version = None
            if api_version is None:
                raise ApiError(
                    400,
                    "InvalidVersion",
                    f"{wanted} is not supported by {method} {raw_path}",
                )
            sent_md5 = headers.get("content-md5")
            if sent_md5 is not None:
                actual = base64.b64encode(hashlib.md5(body).digest()).decode("ascii")
                if sent_md5 != actual:
                    raise ApiError(
                        400, "BadDigest", f"Content-MD5 '{sent_md5}' didn't match '{actual}'"
                    )
            caller: Caller | None = None
            if route.name not in PUBLIC_ROUTES:
                caller = authenticate(
                    self.sim,
                    method=method,
                    raw_target=raw_target,
                    headers=headers,
                    api_version=api_version,
                    ip=ip,
                )
            params = {k: unquote(v) for k, v in raw_params.items()}
            if caller is not None:
                caller.roles = [r for r in query.get("as-role", "").split(",") if r]
            account = self._resolve_account(params, caller)
            parsed_body = _parse_body(body, headers.get("content-type", ""))
            release_op = release.operation(method, unquote(raw_path), query, parsed_body)
            release.refuse_unrouted(release_op, raw_path, query)
            release.unread(release_op, query, parsed_body)
            request = SimRequest(
                method=method,
                path=unquote(raw_path),
                raw_path=raw_target,
                params=params,
                query=query,
                body=parsed_body,
                headers=headers,
                route=route.name,
                api_version=api_version,
                account=account,
                caller=caller,
                dc=dc,
                sim=self.sim,
            )
            with self.sim.lock:
                if caller is not None and caller.user is not None and account is not None:
                    self._authorize(request, caller, account.login, parsed_body)
                response = route.handler(request)
                response.body = release.unsent(release_op, response.body)
                if method in MUTATING_METHODS and response.status < 400:
                    self.sim.revision += 1
                    dc.feed.sweep()  # publish what the request changed, before anything else
                    if self.on_mutation is not None:
                        self.on_mutation()
                if method in ("GET", "HEAD") and account is not None:
                    tags = self._role_tags(account.login, request.path)
                    if tags:
                        extra["role-tag"] = ",".join(tags)
            status, payload, content_type = self._encode(response)
            if isinstance(response.body, SimStream):
                stream = response.body
            extra.update(response.headers)
            upgrade = response.upgrade
        except ApiError as err:
            status = err.status
            payload = json_body(
                strip_private(err.body)
                if err.body is not None
                else {"code": err.code, "message": err.message}
            )
            content_type = "application/json"
            extra.update(err.headers)
        except Exception:
            # A simulator bug must still answer like a server would, and be visible in logs.
            log.exception("simulator handler failed: %s %s", method, raw_path)
            status = 500
            payload = json_body({"code": "InternalError", "message": "Internal error"})
            content_type = "application/json"
        answer_headers = self._headers(
            dc,
            raw_path,
            request_id=request_id,
            api_version=api_version,
            content_type=content_type,
            body=payload,
            started=started,
            digest=stream is None,  # a streamed body is not known when the headers go out
        )
        overridden = {name.lower() for name in extra}
        answer_headers = [(k, v) for k, v in answer_headers if k.lower() not in overridden]
        answer_headers.extend(extra.items())
        log.info(
            "%s %s -> %d %s (%s, %.1f ms)",
            method,
            raw_target,
            status,
            route_name or "-",
            dc.name,
            (time.monotonic() - started) * 1000,
        )
        return Answer(status, answer_headers, payload, route_name, stream, upgrade)

    def _resolve_account(
        self, params: dict[str, str], caller: Caller | None
    ) -> AccountState | None:
        login = params.get("account")
        if login is None or caller is None:
            return None
        if login == "my":
            login = caller.login  # a sub-user's `my` is its parent account
            params["account"] = login
        with self.sim.lock:
            account = self.sim.account(login)
        if account is None:
            raise ApiError(404, "ResourceNotFound", f"{login} does not exist")
        if login != caller.login:
            raise ApiError(403, "NotAuthorized", f"You do not have permission to access {login}")
        return account

    def _authorize(self, request: SimRequest, caller: Caller, login: str, body: object) -> None:
        """A sub-user's request, authorized as CloudAPI authorizes it (smartdc.testing.rbac).
        A machine that does not exist is the handler's 404 first (CloudAPI loads it before)."""
        params = dict(body) if isinstance(body, dict) else {}
        params.update(request.query)
        parts = request.path.strip("/").split("/")
        machine = None
        if len(parts) > 2 and parts[1] == "machines":
            machine = request.dc.table("machines", login).get(parts[2])
            if machine is None:
                return
        rbac.authorize(
            self.sim,
            caller,
            login=login,
            route=request.route,
            action=None if params.get("action") is None else str(params["action"]),
            raw_path=request.raw_path.split("?", 1)[0],
            path=request.path,
            method=request.method,
            as_role=str(params.get("as-role") or ""),
            headers=request.headers,
            machine=machine,
            datacenter=request.dc.name,
        )

    def _role_tags(self, login: str, path: str) -> list[str]:
        """Roles tagged on this resource (SetRoleTags), keyed by the path with `my` resolved."""
        rest = path.strip("/").split("/", 1)
        resolved = f"/{login}" + (f"/{rest[1]}" if len(rest) > 1 else "")
        entry = self.sim.table("role_tags", login).get(resolved.rstrip("/"))
        return list(entry["role-tag"]) if entry else []

    @staticmethod
    def _encode(response: SimResponse) -> tuple[int, bytes, str | None]:
        body = response.body
        if body is None:
            return response.status, b"", response.content_type
        if isinstance(body, SimStream):
            return response.status, b"", response.content_type or "application/x-json-stream"
        if isinstance(body, bytes):
            return response.status, body, response.content_type or "application/octet-stream"
        if isinstance(body, str) and response.content_type and "json" not in response.content_type:
            return response.status, body.encode("utf-8"), response.content_type
        if isinstance(body, str) and response.content_type is None:
            return response.status, body.encode("utf-8"), "text/plain"
        payload = json_body(strip_private(body))
        return response.status, payload, response.content_type or "application/json"

    def error_headers(
        self, dc: DatacenterState, raw_target: str, body: bytes
    ) -> list[tuple[str, str]]:
        """Headers for an answer made outside :meth:`dispatch` (faults, oversized requests)."""
        return self._headers(
            dc,
            raw_target.partition("?")[0],
            request_id=str(uuid.uuid4()),
            api_version=None,
            content_type="application/json",
            body=body,
            started=time.monotonic(),
        )

    def _headers(
        self,
        dc: DatacenterState,
        raw_path: str,
        *,
        request_id: str,
        api_version: str | None,
        content_type: str | None,
        body: bytes,
        started: float,
        digest: bool = True,
    ) -> list[tuple[str, str]]:
        allowed = self.router.allowed_methods(raw_path) or ["GET", "HEAD"]
        headers = [
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Allow-Headers", CORS_ALLOW_HEADERS),
            ("Access-Control-Allow-Methods", ", ".join(allowed)),
            ("Access-Control-Expose-Headers", CORS_EXPOSE_HEADERS),
            ("Date", formatdate(usegmt=True)),
            ("Server", f"cloudapi/{self.sim.settings.server_version}"),
            ("Request-Id", request_id),
        ]
        if api_version is not None:
            headers.append(("Api-Version", api_version))
        if content_type is not None:
            headers.append(("Content-Type", content_type))
        if digest:
            headers.append(("Content-MD5", base64.b64encode(hashlib.md5(body).digest()).decode()))
        elapsed_ms = int((time.monotonic() - started) * 1000)
        headers.append(("Response-Time", str(elapsed_ms)))
        return headers
