"""Every exception smartdc raises.

Error answers of the server become :class:`CloudAPIError` subclasses named after their ``code``; those
subclasses are generated from ``spec/errors.yaml`` (``smartdc._generated.errors``) and register
themselves here, so the core can pick the right class without importing generated code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar


class SmartDCError(Exception):
    """Base class of every error raised by smartdc."""


class ConfigError(SmartDCError):
    """A setting is missing or invalid; the message names the argument or variable that sets it."""


class ArgumentError(SmartDCError, ValueError):
    """A call's arguments are wrong (unknown, missing, mistyped or empty); checked before any request."""


class UnknownOperationError(SmartDCError, LookupError):
    """No CloudAPI operation has that name."""


class OperationNotSupportedError(SmartDCError):
    """The server's CloudAPI version predates the operation (raised instead of a confusing 404)."""


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
        return f"{where}{self.status} {code}: {self.message}{rid}"

    @classmethod
    def class_for(cls, code: str | None) -> type[CloudAPIError]:
        """The registered subclass for an error code (plain CloudAPIError when unknown)."""
        if code is None:
            return CloudAPIError
        return CloudAPIError._registry.get(code, CloudAPIError)


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
