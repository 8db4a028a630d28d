"""How the command line reports a failure: one line on stderr and triton's exit status. Below
every command module (they report failures of one target among several the same way)."""

from __future__ import annotations

from typing import TextIO

from smartdc.cli.output import terminal_safe
from smartdc.errors import NotFoundError

EXIT_OK, EXIT_API, EXIT_USAGE, EXIT_NOT_FOUND, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
_MESSAGE_CHARS = 1000  # of a server message in the error line

__all__ = [
    "EXIT_API",
    "EXIT_INTERRUPTED",
    "EXIT_NOT_FOUND",
    "EXIT_OK",
    "EXIT_USAGE",
    "InstanceDeletedError",
    "cli_words",
    "error_code",
    "exit_status",
    "report",
]


class InstanceDeletedError(NotFoundError):
    """An instance named on the command line was deleted (triton's ``InstanceDeleted``, exit 3)."""


def _message(exc: BaseException) -> str:
    """What went wrong, for the error line: the server's message with its details and the request
    id for an API error, else the error's own text."""
    from smartdc.errors import CloudAPIError

    if isinstance(exc, CloudAPIError):
        request = f" (request id {exc.request_id})" if exc.request_id else ""
        message = exc.message or str(exc)
        if len(message) > _MESSAGE_CHARS:
            message = (
                f"{message[:_MESSAGE_CHARS]}... ({len(message) - _MESSAGE_CHARS} more characters)"
            )
        return f"{message}{exc.details()}{request}"
    return str(exc)


def error_code(exc: BaseException) -> str | None:
    """The code in triton's ``error (CODE)``: the server's error code, ``ResourceNotFound`` for a
    name, id or short id that matches nothing (triton's own), ``InstanceDeleted`` for a deleted
    instance; None for the rest (triton writes its other errors without a code)."""
    from smartdc.errors import CloudAPIError

    if isinstance(exc, InstanceDeletedError):
        return "InstanceDeleted"
    if isinstance(exc, NotFoundError):
        return "ResourceNotFound"
    if isinstance(exc, CloudAPIError):
        return exc.error_code or None
    return None


# Library wording -> the command line's spelling of the same advice.
_CLI_WORDS = (
    ("pass ca_certs=<bundle>", "give --ca-certs BUNDLE"),
    ("ca_certs=<bundle>", "--ca-certs BUNDLE"),
    ("insecure=True / TRITON_TLS_INSECURE", "--insecure or TRITON_TLS_INSECURE"),
    ("insecure=True", "--insecure"),
    ("pass allow_plaintext=True", "give --allow-plaintext"),
    ("allow_plaintext=True", "--allow-plaintext"),
    ("pass url=... or location=...", "give --url"),
    ("pass account=...", "give --account"),
    (
        "pass key_id=... (fingerprint or name) or secret=<private key path>",
        "give --key-id (fingerprint or name) or --key-file",
    ),
)


def cli_words(text: str) -> str:
    """A library message with its Python keywords replaced by the CLI flags that set them."""
    for python, flag in _CLI_WORDS:
        text = text.replace(python, flag)
    return text


def exit_status(exc: BaseException) -> int:
    """triton's exit status for an error: 3 when what was named does not exist (no such name,
    id or short id; the server's ``ResourceNotFound``; a 410 for a deleted resource), else 1."""
    from smartdc.errors import CloudAPIError, NotFoundError

    if isinstance(exc, NotFoundError):
        return EXIT_NOT_FOUND
    if isinstance(exc, CloudAPIError) and (
        exc.status == 410 or (exc.status == 404 and exc.error_code == "ResourceNotFound")
    ):
        return EXIT_NOT_FOUND
    return EXIT_API


def report(
    exc: Exception, err: TextIO, command: str = "", *, target: bool = False, code: bool = True
) -> int:
    """Say what went wrong on ``err``, as one line in triton's form, and return the exit status
    it calls for (an error not of smartdc's own is raised again):
    ``smartdc COMMAND: error (CODE): MESSAGE``, ``COMMAND`` the command's words
    (``instance get``) and ``CODE`` the error's (see :func:`error_code`); a usage error has no
    code. ``target``: the failure of one target among several (``stop a b``), which triton
    writes as ``error: MESSAGE`` under the command's own output. ``code=False``: no ``(CODE)``
    (triton's ``image delete`` lists its failures so)."""
    from smartdc.cli.output import ColumnError
    from smartdc.errors import ArgumentError, ConfigError, SmartDCError, UnknownOperationError

    head = "error" if target else f"smartdc{f' {command}' if command else ''}: error"
    # Messages may quote the server (names, error texts, request ids): printed terminal-safe.
    if isinstance(exc, (ConfigError, ArgumentError, UnknownOperationError, ColumnError)):
        err.write(f"{head}: {terminal_safe(cli_words(str(exc)), keep_newlines=True)}\n")
        return EXIT_USAGE
    if isinstance(exc, SmartDCError):
        text = terminal_safe(cli_words(_message(exc)), keep_newlines=True)
        found = None if target or not code else error_code(exc)
        shown = f" ({terminal_safe(found)})" if found else ""
        err.write(f"{head}{shown}: {text}\n")
        return exit_status(exc)
    if isinstance(exc, OSError):
        err.write(f"{head}: {terminal_safe(str(exc), keep_newlines=True)}\n")
        return EXIT_API
    raise exc
