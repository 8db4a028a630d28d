"""The hand-written exception hierarchy: every exception smartdc raises derives from
:class:`SmartDCError`.

An error answer of the server is a :class:`CloudAPIError`. CloudAPI's codes (``ResourceNotFound``,
``InvalidArgument`` ...) each have a subclass of their own, generated from ``spec/errors.yaml``;
they live apart from this hierarchy, in :mod:`smartdc.error_codes`, and register themselves with
:class:`CloudAPIError` when they are defined, so an answer raises its code's class. (The core never
imports them: it only reads the registry they fill. A program that catches one has imported it.)
``error.error_code`` is the code as sent, whatever class was found for it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from smartdc.runtime.jsonvalues import DecodeError

NON_JSON_ERROR = "NonJSONError"  # code given to error answers whose body is not CloudAPI JSON
GONE = "Gone"  # code given to a 410 whose body is the deleted resource, not an error object
_PREVIEW_BYTES = 200
_MESSAGE_CHARS = 1000  # of the server's message in str(error); .message keeps all of it
_DETAILS_CHARS = 1000  # of the errors[] details in str(error)
_DETAILS_SHOWN = 10  # errors[] entries in str(error)


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit} more characters)"


class SmartDCError(Exception):
    """Base class of every error raised by smartdc."""


class ConfigError(SmartDCError):
    """A setting is missing or invalid; the message names the argument or variable that sets it."""


class ArgumentError(SmartDCError, ValueError):
    """A call's arguments are wrong (unknown, missing, mistyped or empty); checked before any request."""


class UnsafeValueError(SmartDCError, ValueError):
    """A value (usually from a server) refused before it reaches another program (ssh, a shell, a
    terminal, a file name) because it is not what it must be; the message shows it escaped."""


class UnknownOperationError(SmartDCError, LookupError):
    """No CloudAPI operation has that name."""


class UnknownWaiterError(SmartDCError, LookupError):
    """No waiter of the service model has that name (the message lists the known ones)."""


class OperationNotSupportedError(SmartDCError):
    """The server's CloudAPI version predates the operation (raised instead of a confusing 404)."""


class NotFoundError(SmartDCError, LookupError):
    """No resource matches the given id, name or short id (the facade's client-side look-ups)."""


class AmbiguousNameError(SmartDCError, LookupError):
    """More than one resource matches the given name or short id; use the full id."""

    def __init__(self, message: str, *, candidates: list[str]) -> None:
        super().__init__(message)
        self.candidates = candidates


# --- keys and signing --------------------------------------------------------------------------


class KeyLoadError(SmartDCError):
    """A private key could not be loaded or used for signing."""


class KeyNotFoundError(KeyLoadError):
    """The key file does not exist, is not a file, or no key matches the requested key id."""


class KeyPassphraseError(KeyLoadError):
    """The key is encrypted and the passphrase is missing or wrong."""


class UnsupportedKeyError(KeyLoadError):
    """The key type (e.g. DSA) or size cannot sign CloudAPI requests."""


class KeyMismatchError(KeyLoadError):
    """The key's fingerprint does not match the configured key id."""


class AgentError(KeyLoadError):
    """ssh-agent is unreachable, refused to sign, or does not hold the key."""


# --- transport ------------------------------------------------------------------------------


class TransportError(SmartDCError):
    """The request could not be completed at the HTTP level."""


class ConnectError(TransportError):
    """The connection to CloudAPI could not be made (nothing was sent)."""


class RequestTimeout(TransportError):
    """CloudAPI did not answer within the configured timeout."""


class OutcomeUnknownError(TransportError):
    """A non-idempotent request was sent but its answer was lost: it may or may not have happened."""


# --- responses ------------------------------------------------------------------------------


class ResponseError(SmartDCError):
    """A response could not be understood."""

    def __init__(self, message: str, *, raw_body: bytes = b"", status: int | None = None) -> None:
        super().__init__(message)
        self.raw_body = raw_body
        self.status = status


class InvalidResponseError(ResponseError):
    """The body is not valid JSON, has the wrong content type, or does not fit the expected model."""


class ContentDigestError(ResponseError):
    """The body does not match its Content-MD5 header."""


class ResponseTooLargeError(ResponseError):
    """The body is larger than the configured bound."""


# --- API errors -----------------------------------------------------------------------------


class CloudAPIError(SmartDCError):
    """An error answered by CloudAPI (``{"code": ..., "message": ...}``)."""

    code: ClassVar[str | None] = None
    _registry: ClassVar[dict[str, type[CloudAPIError]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        code = cls.__dict__.get("code")
        if isinstance(code, str):
            CloudAPIError._registry[code] = cls

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str | None = None,
        request_id: str | None = None,
        method: str | None = None,
        path: str | None = None,
        body: object = None,
        errors: list[Mapping[str, Any]] | None = None,
    ) -> None:
        self.message = message
        self.status = status
        self.error_code = code if code is not None else type(self).code
        self.request_id = request_id
        self.method = method
        self.path = path
        self.body = body
        self.errors = errors or []
        super().__init__(self._describe())

    def _describe(self) -> str:
        where = f"{self.method} {self.path}: " if self.method and self.path else ""
        code = self.error_code or "error"
        rid = f" (request id {self.request_id})" if self.request_id else ""
        message = _shorten(self.message, _MESSAGE_CHARS)
        return f"{where}{self.status} {code}: {message}{self.details()}{rid}"

    def details(self) -> str:
        """The ``errors[]`` entries (field, code, message) as text for ``str(error)``, bounded;
        ``''`` when there are none."""
        parts = []
        for entry in self.errors[:_DETAILS_SHOWN]:
            field = entry.get("field")
            text = entry.get("message") or entry.get("code")
            if text is None:
                continue
            parts.append(f"{field}: {text}" if field else str(text))
        if not parts:
            return ""
        more = len(self.errors) - _DETAILS_SHOWN
        tail = f"; and {more} more" if more > 0 else ""
        return f" ({_shorten('; '.join(parts), _DETAILS_CHARS)}{tail})"

    @classmethod
    def class_for(cls, code: str | None) -> type[CloudAPIError]:
        """The registered subclass for an error code (plain CloudAPIError when unknown)."""
        if code is None:
            return CloudAPIError
        return CloudAPIError._registry.get(code, CloudAPIError)

    @classmethod
    def from_response(
        cls,
        status: int,
        headers: Mapping[str, str],
        body: bytes,
        method: str | None = None,
        path: str | None = None,
    ) -> CloudAPIError:
        """The typed error for an error answer: the registered subclass named by its ``code``.

        ``headers`` should be case-insensitive (the transport's are); ``Request-Id`` is preferred
        over ``x-request-id``. Bodies that are not CloudAPI's ``{"code", "message"}`` still give a
        useful error: HAProxy's ``{"BadHTTPRequest": "..."}`` keeps its key as the code, and any
        other body (a proxy's HTML page) gives code ``NonJSONError`` with its first bytes.
        """
        request_id = _header(headers, "Request-Id") or _header(headers, "x-request-id")
        try:
            decoded: Any = json.loads(body) if body else None
        except (ValueError, RecursionError):  # also UnicodeDecodeError
            decoded = None
        if isinstance(decoded, dict) and isinstance(decoded.get("code"), str):
            code = decoded["code"]
            errors = decoded.get("errors")
            return cls.class_for(code)(
                str(decoded.get("message") or ""),
                status=status,
                code=code,
                request_id=request_id,
                method=method,
                path=path,
                body=decoded,
                errors=[e for e in errors if isinstance(e, Mapping)]
                if isinstance(errors, list)
                else None,
            )
        if status == 410 and isinstance(decoded, dict) and "code" not in decoded:
            # A DELETE (or GET) of a destroyed resource: the body is the resource's last record.
            state = decoded.get("state")
            name = decoded.get("name") or decoded.get("id")
            what = f"{name!r}" if isinstance(name, str) else "the resource"
            was = f" (state {state!r})" if isinstance(state, str) else ""
            return GoneError(
                f"{_shorten(what, 200)} was already deleted{_shorten(was, 100)}; the server "
                "answered 410 Gone with its last record (in .body)",
                status=status,
                code=GONE,
                request_id=request_id,
                method=method,
                path=path,
                body=decoded,
            )
        if status == 410 and isinstance(decoded, str):
            # DeleteMachine when the destroy job has succeeded but VMAPI has not yet marked the
            # machine destroyed: the body is the bare id (sdc-cloudapi lib/machines.js del()).
            return GoneError(
                f"{_shorten(repr(decoded), 200)} was already deleted; the server answered 410 "
                "Gone with its id (in .body)",
                status=status,
                code=GONE,
                request_id=request_id,
                method=method,
                path=path,
                body=decoded,
            )
        if isinstance(decoded, dict) and len(decoded) == 1:
            ((key, value),) = decoded.items()
            return cls.class_for(str(key))(
                str(value),
                status=status,
                code=str(key),
                request_id=request_id,
                method=method,
                path=path,
                body=decoded,
            )
        content_type = _header(headers, "Content-Type") or "untyped"
        text = body[:_PREVIEW_BYTES].decode("utf-8", "replace").replace("\n", " ").strip()
        more = "..." if len(body) > _PREVIEW_BYTES else ""
        return CloudAPIError(
            f"the server answered HTTP {status} without a CloudAPI error body ({content_type}): "
            f"{text!r}{more}",
            status=status,
            code=NON_JSON_ERROR,
            request_id=request_id,
            method=method,
            path=path,
            body=body,
        )


class GoneError(CloudAPIError):
    """HTTP 410 with the deleted resource as body (e.g. deleting a machine a second time):
    the resource is already gone. ``body`` is its last record."""


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """A header from any mapping, whatever the case of its keys."""
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value


class WaitTimeout(SmartDCError):
    """A waiter's deadline passed before the resource reached the wanted state."""

    def __init__(self, message: str, *, last_state: object = None, elapsed: float = 0.0) -> None:
        super().__init__(message)
        self.last_state = last_state
        self.elapsed = elapsed


class WaitFailed(SmartDCError):
    """The resource reached a terminal state other than the wanted one (e.g. ``failed``)."""

    def __init__(self, message: str, *, state: object = None, error: BaseException | None = None):
        super().__init__(message)
        self.state = state
        self.error = error


__all__ = [
    "AgentError",
    "AmbiguousNameError",
    "ArgumentError",
    "CloudAPIError",
    "ConfigError",
    "ConnectError",
    "ContentDigestError",
    "DecodeError",
    "GoneError",
    "InvalidResponseError",
    "KeyLoadError",
    "KeyMismatchError",
    "KeyNotFoundError",
    "KeyPassphraseError",
    "NotFoundError",
    "OperationNotSupportedError",
    "OutcomeUnknownError",
    "RequestTimeout",
    "ResponseError",
    "ResponseTooLargeError",
    "SmartDCError",
    "TransportError",
    "UnknownOperationError",
    "UnknownWaiterError",
    "UnsafeValueError",
    "UnsupportedKeyError",
    "WaitFailed",
    "WaitTimeout",
]

if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        # DecodeError is defined next to what raises it (the decoders), loaded on first use.
        if name == "DecodeError":
            from smartdc.runtime.jsonvalues import DecodeError

            globals()[name] = DecodeError
            return DecodeError
        raise AttributeError(f"module 'smartdc.errors' has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted(set(globals()) | {"DecodeError"})
