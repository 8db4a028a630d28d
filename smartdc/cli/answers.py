"""What listing commands ask the API: the FIELD=VALUE filters as an operation's typed parameters,
and a listing's answer as parsed JSON (no model decoded for a table). Below every command module."""

from __future__ import annotations

import json
from typing import Any

from smartdc.cli.context import Context
from smartdc.cli.values import operation_arguments


def filters(ctx: Context, operation: str) -> dict[str, Any]:
    """The FIELD=VALUE arguments as the operation's typed query parameters."""
    items = getattr(ctx.args, "filters", None) or []
    if not items:
        return {}
    api = ctx.api()
    return operation_arguments(
        api.meta.operation(operation), items, api.meta.service_model.enum_names
    )


def json_array(response: Any) -> list[Any]:
    """An answer's parsed JSON (``response.data``) as a list of items, models left undecoded;
    no body is no item; anything but an array is an InvalidResponseError."""
    from smartdc.errors import InvalidResponseError

    found = response.data
    if found is None:
        return []
    if not isinstance(found, list):
        raise InvalidResponseError("the answer is not a JSON array")
    return found


def answer_json(ctx: Context, operation: str, params: dict[str, Any]) -> list[Any]:
    """A listing operation's answer as parsed JSON, for printing: no model is decoded (a table
    shows a few fields; ``-j`` prints the objects as the server sent them)."""
    from smartdc.errors import InvalidResponseError

    api = ctx.api()
    response = api.meta.call(api.meta.operation(operation), params, decode=False)
    found = json.loads(response.body) if response.body else []
    if not isinstance(found, list):
        raise InvalidResponseError(f"{operation}: the answer is not a JSON array")
    return found
