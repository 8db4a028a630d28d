"""Reading small local files (keys, public keys) safely: regular files only, within a size bound.

The file is opened without blocking (a FIFO would otherwise wait for a writer for ever) and checked
on the open descriptor, so what is read is what was checked: never a device, a FIFO or a directory,
never more than ``limit`` bytes.
"""

from __future__ import annotations

import os
import stat

MAX_KEY_FILE_BYTES = 1 << 20  # a 16384-bit RSA key is ~13 KB; anything huge is not a key


class NotRegularFileError(OSError):
    """The path is a directory, FIFO, socket or device, not a regular file."""

    def __init__(self, path: str, mode: int) -> None:
        kind = "a directory" if stat.S_ISDIR(mode) else "not a regular file"
        super().__init__(f"{path} is {kind}")
        self.is_directory = stat.S_ISDIR(mode)


class FileTooLargeError(OSError):
    """The file holds more than the bound."""

    def __init__(self, path: str, size: int, limit: int) -> None:
        super().__init__(f"{path} is too large ({size} bytes, at most {limit})")
        self.size = size


def read_small_file(path: str | os.PathLike[str], limit: int) -> tuple[bytes, int]:
    """``(data, mode)`` of a regular file of at most ``limit`` bytes; raises ``OSError`` (one of
    the two above when it is not a regular file or is too large)."""
    shown = os.fspath(path)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFileError(str(shown), info.st_mode)
        if info.st_size > limit:
            raise FileTooLargeError(str(shown), info.st_size, limit)
        chunks = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:  # it grew after the check
            raise FileTooLargeError(str(shown), size, limit)
        return b"".join(chunks), info.st_mode
    finally:
        os.close(fd)
