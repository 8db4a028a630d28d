"""What "transient" means, once, for everything that tries again: the transport's retries, the
waiter engine's polls and the streams' reconnections.

From the server's code (sdc-cloudapi lib/, restify, and the HAProxy/nginx in front of it):

* ``THROTTLED`` (429, and 420 from CloudAPI's throttle plugin): refused before anything was done;
  any request may be sent again, after ``Retry-After``.
* ``UNAVAILABLE`` (502, 503, 504): the answer of a proxy that could not reach CloudAPI, or of
  CloudAPI whose backend (VMAPI, UFDS, moray) was not reachable; the request may or may not have
  been handled, so only an idempotent one is sent again.
* ``SERVER_FAILED`` (500): CloudAPI's own answer that handling *this* request failed (restify's
  InternalError for an unexpected error, a backend's 500 passed through). It may be a blip or a
  bug that fails every time, and a non-idempotent request may have half happened. The transport
  does not send it again (one call reports the server's answer at once); a loop that asks again
  anyway (a wait's next poll, a stream's next handshake) outlives it as transient, until its own
  deadline says otherwise.

Connection failures and unreadable answers (:class:`~smartdc.errors.TransportError`,
:class:`~smartdc.errors.ResponseError`) are transient for those loops too.
"""

from __future__ import annotations

from smartdc.errors import CloudAPIError, ResponseError, TransportError

THROTTLED = frozenset({420, 429})
UNAVAILABLE = frozenset({502, 503, 504})
SERVER_FAILED = frozenset({500})
# what a loop that asks again anyway outlives
TRANSIENT = THROTTLED | UNAVAILABLE | SERVER_FAILED


def resendable(status: int, idempotent: bool) -> bool:
    """Whether the transport sends a request again after this status (see the module text)."""
    return status in THROTTLED or (status in UNAVAILABLE and idempotent)


def transient(error: BaseException) -> bool:
    """Whether a wait's next poll or a stream's next connection may succeed after ``error``."""
    if isinstance(error, CloudAPIError):
        return error.status in TRANSIENT
    return isinstance(error, (TransportError, ResponseError))
