"""A JSON array answer split into its elements, each with the text the server sent for it.

What ``smartdc instances -j`` prints: the body is parsed once (the paginator needs each item's id)
and no element is encoded again, where decoding and re-encoding cost three times the parse.
"""

from __future__ import annotations

import json
import re
from typing import Any

from smartdc.errors import InvalidResponseError
from smartdc.transport import Response

_SPACE = re.compile(r"[ \t\n\r]*")  # JSON's whitespace
_decode = json.JSONDecoder().raw_decode  # json.loads's parser: (value, end) from an index


def array_items(response: Response) -> list[tuple[Any, str]]:
    """Each element of the answer's JSON array: (its value, its text as sent). An empty body or
    ``null`` is no element; anything else that is not an array is an InvalidResponseError."""
    body = response.body
    try:
        text = body.decode(json.detect_encoding(body), "surrogatepass")  # as json.loads does
    except UnicodeDecodeError as exc:
        raise _invalid(response, f"the answer is not valid JSON ({exc})") from None
    at = _skip(text, 0)
    if at == len(text) or (text.startswith("null", at) and _skip(text, at + 4) == len(text)):
        return []
    if text[at] != "[":
        raise _invalid(response, f"expected a JSON array, not {text[at : at + 20]!r}...")
    items: list[tuple[Any, str]] = []
    at = _skip(text, at + 1)
    if text.startswith("]", at):
        at += 1
    else:
        while True:
            try:
                value, end = _decode(text, at)
            except json.JSONDecodeError as exc:
                raise _invalid(response, f"the answer is not valid JSON ({exc})") from None
            except RecursionError:
                raise _invalid(response, "the answer is JSON nested too deeply to decode") from None
            items.append((value, text[at:end]))
            at = _skip(text, end)
            if text.startswith(",", at):
                at = _skip(text, at + 1)
            elif text.startswith("]", at):
                at += 1
                break
            else:
                raise _invalid(response, f"the answer is not valid JSON (at {at})")
    if _skip(text, at) != len(text):
        raise _invalid(response, f"the answer is not valid JSON (extra data at {at})")
    return items


def _skip(text: str, at: int) -> int:
    """Where the first character that is not JSON whitespace is, from ``at`` on."""
    match = _SPACE.match(text, at)
    return match.end() if match is not None else at


def _invalid(response: Response, why: str) -> InvalidResponseError:
    return InvalidResponseError(
        f"{response.method} {response.path}: {why}", raw_body=response.body, status=response.status
    )
