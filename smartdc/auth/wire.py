"""Reading the SSH wire format (RFC 4251: uint32 and length-prefixed strings), shared by the
OpenSSH key-file parser and the ssh-agent client."""

from __future__ import annotations

import struct
from collections.abc import Callable


class SSHReader:
    """Reads a buffer front to back; running past its end raises ``error(message)``."""

    def __init__(
        self, data: bytes, error: Callable[[str], Exception] = ValueError, what: str = "SSH data"
    ) -> None:
        self._data = data
        self._pos = 0
        self._error = error
        self._what = what

    def _need(self, count: int) -> None:
        if self._pos + count > len(self._data):
            raise self._error(f"truncated {self._what}")

    def uint32(self) -> int:
        self._need(4)
        (value,) = struct.unpack_from(">I", self._data, self._pos)
        self._pos += 4
        return int(value)

    def string(self) -> bytes:
        length = self.uint32()
        self._need(length)
        value = self._data[self._pos : self._pos + length]
        self._pos += length
        return value
