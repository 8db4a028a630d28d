"""How the command line reports a failure: one line on stderr and triton's exit status. Below
every command module (they report failures of one target among several the same way)."""

from __future__ import annotations

from typing import TextIO

from smartdc.cli.output import terminal_safe

EXIT_OK, EXIT_API, EXIT_USAGE, EXIT_NOT_FOUND, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
_MESSAGE_CHARS = 1000  # of a server message in the error line

__all__ = [
    "EXIT_API",
    "EXIT_INTERRUPTED",
    "EXIT_NOT_FOUND",
    "EXIT_OK",
    "EXIT_USAGE",
    "cli_words",
    "exit_status",
    "report",
]


def _api_error_text(exc: BaseException) -> str:
    from smartdc.errors import CloudAPIError

    if isinstance(exc, CloudAPIError):
        request = f" (request id {exc.request_id})" if exc.request_id else ""
        message = exc.message or str(exc)
        if len(message) > _MESSAGE_CHARS:
            message = (
                f"{message[:_MESSAGE_CHARS]}... ({len(message) - _MESSAGE_CHARS} more characters)"
            )
        return f"{exc.error_code or 'error'}: {message}{exc.details()}{request}"
    return f"{type(exc).__name__}: {exc}"


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


def report(exc: Exception, err: TextIO) -> int:
    """Say what went wrong on ``err``, as one line; returns the exit status it calls for (an
    error not of smartdc's own is raised again)."""
    from smartdc.cli.output import ColumnError
    from smartdc.errors import ArgumentError, ConfigError, SmartDCError, UnknownOperationError

    # Messages may quote the server (names, error texts, request ids): printed terminal-safe.
    if isinstance(exc, (ConfigError, ArgumentError, UnknownOperationError, ColumnError)):
        err.write(f"smartdc: error: {terminal_safe(cli_words(str(exc)), keep_newlines=True)}\n")
        return EXIT_USAGE
    if isinstance(exc, SmartDCError):
        text = cli_words(_api_error_text(exc))
        err.write(f"smartdc: {terminal_safe(text, keep_newlines=True)}\n")
        return exit_status(exc)
    if isinstance(exc, OSError):
        err.write(f"smartdc: {terminal_safe(str(exc), keep_newlines=True)}\n")
        return EXIT_API
    raise exc
