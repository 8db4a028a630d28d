"""Checks and conversions the generated ``from_json``/``to_json`` methods call.

Decoding is strict about types (a wrong type names the model and field) and lossless: timestamps
remember the exact text they came from, open enums accept values the spec does not list, and
models keep unknown keys in ``extra``.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, TypeVar

from smartdc.errors import InvalidResponseError

T = TypeVar("T")
E = TypeVar("E", bound="OpenEnum")


class DecodeError(InvalidResponseError):
    """A response body does not fit the expected model; ``where`` names the field."""

    def __init__(self, where: str, expected: str, value: Any) -> None:
        shown = repr(value)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        super().__init__(f"{where}: expected {expected}, got {shown}")
        self.where = where


class Timestamp(datetime):
    """A timezone-aware datetime that remembers the text it was parsed from (for lossless output)."""

    raw: str

    @classmethod
    def parse(cls, text: str) -> Timestamp:
        # Fast path: CloudAPI's own "2015-12-21T11:48:54.884Z" form parses directly (3.11+).
        try:
            stamp = cls.fromisoformat(text)
        except ValueError:
            stamp = None
        if stamp is not None and stamp.tzinfo is not None:
            stamp.raw = text
            return stamp
        value = text.strip()
        if value.endswith(("Z", "z")):
            value = value[:-1] + "+00:00"
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=timezone.utc)
        stamp = cls(
            parsed.year,
            parsed.month,
            parsed.day,
            parsed.hour,
            parsed.minute,
            parsed.second,
            parsed.microsecond,
            tzinfo=parsed.tzinfo,
        )
        stamp.raw = text
        return stamp


class OpenEnum(str, enum.Enum):
    """A string enum that also accepts values it does not list (a newer server's new state)."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = value
        member._value_ = value
        return member

    def __str__(self) -> str:
        return str(self.value)


def where(model: str, field: str) -> str:
    return f"{model}.{field}"


def d_str(value: Any, at: str) -> str:
    if isinstance(value, str):
        return value
    raise DecodeError(at, "a string", value)


def d_int(value: Any, at: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return value  # type: ignore[return-value]  # kept as sent, for lossless output
    raise DecodeError(at, "an integer", value)


def d_num(value: Any, at: str) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    raise DecodeError(at, "a number", value)


def d_bool(value: Any, at: str) -> bool:
    if isinstance(value, bool):
        return value
    raise DecodeError(at, "a boolean", value)


def d_datetime(value: Any, at: str) -> Timestamp:
    if isinstance(value, str):
        try:
            return Timestamp.parse(value)
        except ValueError:
            pass
    raise DecodeError(at, "an ISO 8601 date-time", value)


def d_object(value: Any, at: str) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    raise DecodeError(at, "a JSON object", value)


def d_list(value: Any, at: str) -> list[Any]:
    if isinstance(value, list):
        return value
    raise DecodeError(at, "a list", value)


def d_enum(cls: type[E], value: Any, at: str) -> E:
    # Known values are looked up directly: Enum.__call__ costs several times a dict lookup.
    if isinstance(value, str):
        member = cls._value2member_map_.get(value)
        if member is not None:
            return member  # type: ignore[return-value]
    return cls(d_str(value, at))


def d_union(value: Any, at: str, *options: Callable[[Any], Any]) -> Any:
    for option in options:
        try:
            return option(value)
        except InvalidResponseError:
            continue
    raise DecodeError(at, "one of the allowed types", value)


def missing(at: str) -> DecodeError:
    return DecodeError(at, "a value (required field missing)", "<absent>")


def e_datetime(value: datetime) -> str:
    raw = getattr(value, "raw", None)
    if isinstance(raw, str):
        return raw
    text = value.isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def e_value(value: Any) -> Any:
    """Encode any Python value the models can hold back to JSON data."""
    to_json = getattr(value, "to_json", None)
    if to_json is not None:
        return to_json()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return e_datetime(value)
    if isinstance(value, list):
        return [e_value(v) for v in value]
    if isinstance(value, dict):
        return {k: e_value(v) for k, v in value.items()}
    return value
