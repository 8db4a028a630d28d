"""Fault injection: make the simulated CloudAPI slow, failing or broken on purpose.

A :class:`Fault` applies to one route name (``"GetMachine"``) or to every request (``route=None``),
optionally only ``times`` times. Route-specific faults win over global ones; the oldest matching
fault is used first. Every request is counted per route, faulted or not (unknown paths count under
``None``).
"""

from __future__ import annotations

import threading
from collections import Counter

import attrs


@attrs.define(eq=False)
class Fault:
    """What to do to a matching request. Several effects may combine (e.g. delay + status)."""

    route: str | None = None
    times: int | None = None  # None: forever
    delay: float = 0.0  # seconds to wait before answering
    status: int | None = None  # answer this error status instead of running the handler
    code: str | None = None
    message: str | None = None
    retry_after: int | None = None  # Retry-After header on the error answer
    reset_before: bool = False  # close the connection without reading the request body
    reset_after: bool = False  # run the handler (the action happens), then drop the connection
    truncate: bool = False  # announce a longer Content-Length than sent, then close
    html: bool = False  # a non-JSON proxy error page (502)
    hang: bool = False  # never answer (until the simulator closes)
    wrong_content_type: bool = False  # the real body, labelled text/html
    bad_md5: bool = False  # the real body with a wrong Content-MD5
    oversize: int | None = None  # replace the body with a JSON document of this many bytes
    used: int = 0

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.used >= self.times


_DEFAULT_CODES = {
    420: "RequestThrottled",
    429: "TooManyRequestsError",
    500: "InternalError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}


class FaultInjector:
    """Holds the active faults and the per-route request counters (thread-safe)."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._seen: Counter[str | None] = Counter()
        self._lock = threading.Lock()

    def add(self, route: str | None = None, **effects: object) -> Fault:
        """Add a fault (see :class:`Fault` for the effects) and return it."""
        fault = Fault(route, **effects)  # type: ignore[arg-type]
        if fault.status is not None and fault.code is None:
            fault.code = _DEFAULT_CODES.get(fault.status, "InternalError")
        with self._lock:
            self._faults.append(fault)
        return fault

    # Convenience forms of add().
    def error(
        self,
        route: str | None,
        status: int,
        code: str | None = None,
        message: str | None = None,
        *,
        times: int | None = None,
        retry_after: int | None = None,
    ) -> Fault:
        return self.add(
            route, status=status, code=code, message=message, times=times, retry_after=retry_after
        )

    def throttle(
        self, route: str | None = None, *, times: int | None = 1, retry_after: int | None = None
    ) -> Fault:
        """429 TooManyRequestsError, as CloudAPI's rate limiter (restify 4's throttle) answers."""
        return self.add(
            route,
            status=429,
            code="TooManyRequestsError",
            message="You have exceeded your request rate of 10 r/s.",
            times=times,
            retry_after=retry_after,
        )

    def delay(self, route: str | None, seconds: float, *, times: int | None = None) -> Fault:
        return self.add(route, delay=seconds, times=times)

    def remove(self, fault: Fault) -> None:
        with self._lock:
            if fault in self._faults:
                self._faults.remove(fault)

    def clear(self) -> None:
        """Remove every fault (counters are kept)."""
        with self._lock:
            self._faults.clear()

    @property
    def active(self) -> list[Fault]:
        with self._lock:
            return [f for f in self._faults if not f.exhausted]

    def take(self, route: str | None) -> Fault | None:
        """Count a request for ``route`` and return the fault to apply to it, if any."""
        with self._lock:
            self._seen[route] += 1
            specific = [f for f in self._faults if route is not None and f.route == route]
            general = [f for f in self._faults if f.route is None]
            chosen = (specific + general)[0] if specific or general else None
            if chosen is None:
                return None
            chosen.used += 1
            if chosen.exhausted:
                self._faults.remove(chosen)
            return chosen

    def seen(self, route: str | None = None) -> int:
        """Requests seen for ``route`` (all requests when None)."""
        with self._lock:
            if route is None:
                return sum(self._seen.values())
            return self._seen[route]

    def reset_counters(self) -> None:
        with self._lock:
            self._seen.clear()
