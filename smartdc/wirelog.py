"""What ``smartdc -v`` shows of each request and answer (DEBUG on the ``smartdc`` logger), masked.

``Authorization`` is never shown: only the keyId it names (which key signed is what one
debugs); values under secret-looking names (``password``, ``root_pw``,
``credentials``, ``secret``, ``token``, ``private`` ...) in JSON bodies become ``"***"``.
Formatting happens only when DEBUG is on.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from typing import Any

_SECRET_NAME = re.compile(r"pass|pw$|_pw|secret|token|credential|private|cookie", re.IGNORECASE)
_KEY_ID = re.compile(r'keyId="([^"]*)"')
_BODY_CHARS = 4000  # of a body shown; the rest is counted
_MAX_DEPTH = 64


def log_safe(text: str) -> str:
    """``text`` for a log record: control characters (and every non-ASCII character) escaped, so
    that a server's text can neither drive the terminal a log is read on nor forge log lines."""
    if text.isascii() and text.isprintable():
        return text
    return text.encode("unicode_escape").decode("ascii")


def mask_header(name: str, value: str) -> str:
    lower = name.lower()
    if lower == "authorization":
        key = _KEY_ID.search(value)
        return f"(signature masked; keyId {key.group(1)})" if key else "***"
    if _SECRET_NAME.search(lower) or lower in ("x-auth-token", "proxy-authorization"):
        return "***"
    return value


def _mask(value: Any, depth: int = 0) -> Any:
    if depth > _MAX_DEPTH:
        return "..."
    if isinstance(value, Mapping):
        return {
            k: "***" if _SECRET_NAME.search(str(k)) else _mask(v, depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_mask(v, depth + 1) for v in value]
    return value


def body_text(body: bytes | None) -> str:
    """A body for the log: JSON with secrets masked, else its first characters."""
    if not body:
        return ""
    try:
        text = json.dumps(_mask(json.loads(body)), separators=(",", ":"), ensure_ascii=True)
    except (ValueError, RecursionError):
        text = body[:_BODY_CHARS].decode("utf-8", "replace")
        text = text.encode("unicode_escape").decode("ascii")
        return text + (f"... ({len(body) - _BODY_CHARS} more bytes)" if len(body) > 4000 else "")
    if len(text) > _BODY_CHARS:
        return f"{text[:_BODY_CHARS]}... ({len(text) - _BODY_CHARS} more characters)"
    return text


def _headers_text(headers: Mapping[str, str]) -> str:
    return "".join(
        f"\n    {log_safe(str(name))}: {log_safe(mask_header(str(name), str(value)))}"
        for name, value in headers.items()
    )


def log_request(
    log: logging.Logger, method: str, url: str, headers: Mapping[str, str], body: bytes | None
) -> None:
    if not log.isEnabledFor(logging.DEBUG):
        return
    shown = body_text(body)
    log.debug(
        "request: %s %s%s%s", method, url, _headers_text(headers), f"\n    {shown}" if shown else ""
    )


def log_answer(
    log: logging.Logger,
    method: str,
    path: str,
    status: int,
    headers: Mapping[str, str],
    body: bytes,
) -> None:
    if not log.isEnabledFor(logging.DEBUG):
        return
    shown = body_text(body)
    log.debug(
        "answer: %s %s -> %d%s%s",
        method,
        path,
        status,
        _headers_text(headers),
        f"\n    {shown}" if shown else "",
    )
