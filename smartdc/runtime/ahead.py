"""Work started now and waited for later: one call run in a daemon thread, so that the caller can
do something else meanwhile (read one page while the server prepares the next, list instances
while the images are listed). The call keeps its own deadlines, so waiting for it is bounded."""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Ahead(Generic[T]):
    """``work()`` running in a daemon thread; :meth:`result` waits for it, and raises its error in
    the caller's thread, where the caller would have met it had it called ``work()`` itself. It
    runs in a copy of the caller's context, so context variables (``strict_decoding()``) hold
    there as they do for the caller. A result nobody asks for is dropped with the object (the
    thread ends with its call)."""

    def __init__(self, work: Callable[[], T], name: str = "smartdc-ahead") -> None:
        self._value: tuple[T] | None = None
        self._error: BaseException | None = None
        context = contextvars.copy_context()

        def run() -> None:
            try:
                self._value = (context.run(work),)
            except BaseException as exc:  # handed to the caller by result()
                self._error = exc

        self._thread = threading.Thread(target=run, name=name, daemon=True)
        self._thread.start()

    def result(self) -> T:
        """The call's value once it has ended (its error raised here, once)."""
        self._thread.join()
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        if self._value is None:
            raise RuntimeError("the work's error was raised already")
        return self._value[0]
