"""Small helpers shared by the simulator's resource handlers."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from smartdc.testing.router import ApiError, Handler, Router, SimRequest, SimResponse


def not_found(message: str) -> ApiError:
    return ApiError(404, "ResourceNotFound", message)


def invalid(message: str) -> ApiError:
    return ApiError(409, "InvalidArgument", message)


def missing(name: str) -> ApiError:
    return ApiError(409, "MissingParameter", f"{name} is a required argument")


def vm_parameters_invalid(errors: list[dict[str, Any]]) -> ApiError:
    """VMAPI's 409 ValidationFailed "Invalid VM parameters" with its ``errors`` entries, as
    CloudAPI passes it on."""
    body = {"code": "ValidationFailed", "message": "Invalid VM parameters", "errors": errors}
    return ApiError(409, "ValidationFailed", "Invalid VM parameters", body=body)


def required(req: SimRequest, name: str) -> Any:
    """A parameter that must be present and non-empty (409 MissingParameter otherwise)."""
    value = req.param(name)
    if value is None or value == "":
        raise missing(name)
    return value


def as_bool(value: Any, name: str) -> bool:
    """Booleans arrive as JSON booleans or as ``"true"``/``"false"`` strings (query, form)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise invalid(f"{name} must be a boolean")


def is_truthy(value: Any) -> bool:
    """A flag the server tests as a JavaScript value (``if (req.params.tombstone)``): any
    non-empty string is true, ``"false"`` included."""
    return bool(value)


def as_list(value: Any) -> list[Any]:
    """A list parameter: a JSON array, or a comma-separated string."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return [value]


def location(*segments: str) -> str:
    return "/" + "/".join(quote(s, safe="") for s in segments)


def ok(body: Any, status: int = 200, **headers: str) -> SimResponse:
    return SimResponse(status, body, dict(headers))


def created(body: Any, location_path: str, **headers: str) -> SimResponse:
    return SimResponse(201, body, {"Location": location_path, **headers})


def no_content() -> SimResponse:
    return SimResponse(204)


def get_and_head(
    router: Router,
    template: str,
    name: str,
    head_name: str,
    handler: Handler,
    *,
    min_version: str | None = None,
) -> None:
    """Register a GET route and its HEAD twin (same handler; the server drops the body)."""
    router.add("GET", template, name, handler, min_version=min_version)
    router.add("HEAD", template, head_name, handler, min_version=min_version)


def login_of(req: SimRequest) -> str:
    return str(req.params["account"])
