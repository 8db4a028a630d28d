"""Checks and conversions the generated ``from_json``/``to_json`` methods call.

Decoding is lossless (timestamps remember the exact text they came from, open enums accept values
the spec does not list, models keep unknown keys in ``extra``) and tolerant (docs/design.md,
"Decoding answers"): the generated fast path checks every field and, only when one is missing or
mistyped, :func:`decode_tolerant` builds the model field by field instead, recording each problem
on the model (``decode_problems``), keeping the raw value for ``to_json`` and logging a warning
once per model, field and reason. :func:`strict_decoding` (or ``SMARTDC_STRICT_DECODING=1``)
restores raising, for tests and CI.

Answers the client decodes under the tolerant policy are decoded lazily (:func:`lazy_decoding`):
``from_json`` keeps the JSON object and each field is checked and converted when it is first read,
then kept; ``decode_problems`` checks every field not read yet. What a field holds, what
``to_json`` writes and which problems are recorded are the same as eager decoding's; a problem is
logged when it is found (the field read, or ``decode_problems``/``to_json`` asked for).
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import logging
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import Any, Final, TypeVar

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
        self.expected = expected


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


def d_any(value: Any, at: str) -> Any:
    del at  # any JSON value fits
    return value


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
    if isinstance(value, (str, bytes)):
        return value
    if isinstance(value, (list, tuple, Sequence)):  # arguments may be any sequence or mapping
        return [e_value(v) for v in value]
    if isinstance(value, (dict, Mapping)):
        return {k: e_value(v) for k, v in value.items()}
    return value


# -- the tolerant path ---------------------------------------------------------------------------

log = logging.getLogger("smartdc")

STRICT_ENV = "SMARTDC_STRICT_DECODING"
_strict: ContextVar[bool | None] = ContextVar("smartdc_strict_decoding", default=None)
# True while the client decodes an answer under the tolerant policy: from_json is then lazy.
LAZY: ContextVar[bool] = ContextVar("smartdc_lazy_decoding", default=False)
_warned: set[tuple[str, str, str]] = set()
# os.environ's own table and the variable's key in it (bytes on POSIX), where it has them
_ENV_TABLE: Any = getattr(os.environ, "_data", None)
_ENV_KEY: Any = None
if isinstance(_ENV_TABLE, dict):
    try:
        _ENV_KEY = os.environ.encodekey(STRICT_ENV)
    except (AttributeError, TypeError, ValueError):
        _ENV_KEY = None
_warned_lock = threading.Lock()


class _Absent:
    """The raw value of a field the server left out (distinct from JSON null, which is None)."""

    _instance: _Absent | None = None

    def __new__(cls) -> _Absent:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ABSENT"

    def __reduce__(self) -> str:
        return "ABSENT"


ABSENT: Final = _Absent()
MISSING_REASON = "required field missing"


@dataclasses.dataclass(frozen=True, slots=True)
class DecodeProblem:
    """A field of an answer that did not fit the spec; the model holds None in its place.

    ``field`` is the JSON key, ``raw`` what the server sent (:data:`ABSENT` when it left the key
    out), ``reason`` what was expected. ``to_json`` writes ``raw`` back (or leaves the key out).
    """

    field: str
    raw: Any = dataclasses.field(repr=False)
    reason: str


def strict_enabled() -> bool:
    """Whether decoding raises instead of recording problems (see :func:`strict_decoding`)."""
    chosen = _strict.get()
    if chosen is not None:
        return chosen
    if _ENV_KEY is not None:
        # os.environ.get raises and catches KeyError twice when the variable is unset (the
        # usual case): ~1 us per decoded answer. Its own table answers without an exception.
        raw = _ENV_TABLE.get(_ENV_KEY)
        if raw is None:
            return False
    return os.environ.get(STRICT_ENV, "").strip().lower() in ("1", "true", "yes", "on")


@contextlib.contextmanager
def strict_decoding(enabled: bool | None = True) -> Iterator[None]:
    """Within the block (this thread or task), a missing or mistyped field raises ``DecodeError``.

    ``strict_decoding(False)`` forces the tolerant policy, ``strict_decoding(None)`` defers to the
    ``SMARTDC_STRICT_DECODING`` environment variable (the default outside any block).
    """
    token = _strict.set(enabled)
    try:
        yield
    finally:
        _strict.reset(token)


# (attribute, JSON key, required, nullable, decoder of a present non-null value and its place)
FieldTable = tuple[tuple[str, str, bool, bool, Callable[[Any, str], Any]], ...]


def decode_tolerant(
    cls: type[T], data: Any, fields: FieldTable, known: frozenset[str], failure: DecodeError
) -> T:
    """Build ``cls`` field by field after the fast path met ``failure``; see the module docstring."""
    if strict_enabled() or not isinstance(data, dict):
        raise failure
    model = cls.__name__
    values: dict[str, Any] = {}
    problems: list[DecodeProblem] = []
    for attr, key, required, nullable, decode in fields:
        raw = data.get(key, ABSENT)
        value = None
        if raw is ABSENT:
            if required:
                problems.append(DecodeProblem(key, ABSENT, MISSING_REASON))
        elif raw is None:
            if required and not nullable:
                problems.append(DecodeProblem(key, None, "expected a value, got null"))
        else:
            try:
                value = decode(raw, f"{model}.{key}")
            except DecodeError as exc:
                problems.append(DecodeProblem(key, raw, f"expected {exc.expected}"))
        values[attr] = value
    for problem in problems:
        _warn_once(model, problem)
    unknown = data.keys() - known
    build: Callable[..., T] = cls
    return build(
        **values,
        extra={k: data[k] for k in unknown},
        json_nulls=frozenset(k for k, v in data.items() if v is None),
        decode_problems=tuple(problems),
    )


def _warn_once(model: str, problem: DecodeProblem) -> None:
    key = (model, problem.field, problem.reason)
    with _warned_lock:
        if key in _warned:
            return
        _warned.add(key)
    got = "nothing" if problem.raw is ABSENT else type(problem.raw).__name__
    log.warning(
        "%s.%s: %s, got %s; the answer is kept: the field is None, the raw value is in "
        "decode_problems and to_json writes it back (reported once per field; "
        "%s=1 raises instead)",
        model,
        problem.field,
        problem.reason,
        got,
        STRICT_ENV,
    )


def restore_raw(out: dict[str, Any], problems: tuple[DecodeProblem, ...]) -> None:
    """Put back in ``out`` what the server sent for each field that did not decode."""
    for problem in problems:
        if out.get(problem.field) is not None:
            continue  # set since (by the caller): theirs wins
        if problem.raw is ABSENT:
            out.pop(problem.field, None)
        else:
            out[problem.field] = problem.raw


# -- lazy decoding -------------------------------------------------------------------------------

_RAW = "_smartdc_json"  # the JSON object a lazily decoded model was built from


class _LazyField:
    """A model field read from the JSON object on first access, then kept on the instance.

    A non-data descriptor: once the value is in the instance's ``__dict__`` (decoded, set by the
    caller, or set by ``__init__`` for a model built eagerly), reads no longer come here. A field
    decodes as ``decode_tolerant`` would decode it: a problem gives None and is logged once.
    """

    __slots__ = ("at", "attr", "decode", "key", "model", "nested", "nullable", "required")

    def __init__(
        self,
        model: str,
        attr: str,
        key: str,
        required: bool,
        nullable: bool,
        decode: Callable[[Any, str], Any],
        nested: bool,
    ) -> None:
        self.model = model
        self.attr = attr
        self.key = key
        self.required = required
        self.nullable = nullable
        self.decode = decode
        self.at = f"{model}.{key}"
        self.nested = nested  # may hold models: those are decoded lazily too

    def __get__(self, obj: Any, owner: type[Any] | None = None) -> Any:
        if obj is None:
            return self
        state = obj.__dict__
        raw = state.get(_RAW)
        if raw is None:
            raise AttributeError(f"{self.model!r} object has no attribute {self.attr!r}")
        value = raw.get(self.key, ABSENT)
        if value is None or value is ABSENT:
            if self.required and (value is ABSENT or not self.nullable):
                _warn_once(self.model, _problem(self.key, value, None))
            value = None
        else:
            token = LAZY.set(True) if self.nested else None
            try:
                value = self.decode(value, self.at)
            except DecodeError as exc:
                _warn_once(self.model, _problem(self.key, value, exc))
                value = None
            finally:
                if token is not None:
                    LAZY.reset(token)
        state[self.attr] = value
        return value


class _LazyBookkeeping:
    """``extra``, ``json_nulls`` and ``decode_problems`` of a lazily decoded model.

    ``decode_problems`` runs the model's eager decoder over the JSON object (tolerantly: the
    policy was chosen when the answer was decoded) and fills in every field not read yet."""

    __slots__ = ("attr", "known", "model")

    def __init__(self, model: str, attr: str, known: frozenset[str]) -> None:
        self.model = model
        self.attr = attr
        self.known = known

    def __get__(self, obj: Any, owner: type[Any] | None = None) -> Any:
        if obj is None:
            return self
        state = obj.__dict__
        raw = state.get(_RAW)
        if raw is None:
            raise AttributeError(f"{self.model!r} object has no attribute {self.attr!r}")
        value: Any
        if self.attr == "extra":
            unknown = raw.keys() - self.known
            value = {k: raw[k] for k in raw if k in unknown} if unknown else {}
        elif self.attr == "json_nulls":
            nulls = None in raw.values()
            value = frozenset(k for k, v in raw.items() if v is None) if nulls else frozenset()
        else:
            token = LAZY.set(False)
            try:
                with strict_decoding(False):
                    eager = type(obj).from_json(raw)
            finally:
                LAZY.reset(token)
            for attr, found in vars(eager).items():
                if attr not in state:  # a value read, or set by the caller, since is kept
                    state[attr] = found
            return state[self.attr]
        state[self.attr] = value
        return value


def register_lazy(
    cls: type[Any], fields: FieldTable, known: frozenset[str], nested: frozenset[str] = frozenset()
) -> None:
    """Make ``cls`` decodable lazily (the generated models call this once, at import):
    a descriptor per field; ``nested``: the attributes whose values may hold models."""
    name = cls.__name__
    for attr, key, required, nullable, decode in fields:
        setattr(cls, attr, _LazyField(name, attr, key, required, nullable, decode, attr in nested))
    for attr in ("extra", "json_nulls", "decode_problems"):
        setattr(cls, attr, _LazyBookkeeping(name, attr, known))


@contextlib.contextmanager
def lazy_decoding(enabled: bool) -> Iterator[None]:
    """Within the block, generated ``from_json`` decodes lazily (when ``enabled``)."""
    token = LAZY.set(enabled)
    try:
        yield
    finally:
        LAZY.reset(token)


def lazy_model(cls: type[T], data: dict[str, Any]) -> T:
    """A model of ``cls`` holding ``data``; its fields are decoded as they are read."""
    model: T = object.__new__(cls)
    model.__dict__[_RAW] = data
    return model


def _problem(key: str, raw: Any, error: DecodeError | None) -> DecodeProblem:
    if error is not None:
        return DecodeProblem(key, raw, f"expected {error.expected}")
    if raw is ABSENT:
        return DecodeProblem(key, ABSENT, MISSING_REASON)
    return DecodeProblem(key, None, "expected a value, got null")
