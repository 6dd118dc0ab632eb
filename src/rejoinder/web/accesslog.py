"""Access log lines without raw IP addresses: ``rejoinder.access`` at INFO, one per request.

A line names the method, the route (its template, e.g. ``/privacy/link/{token}``, so tokens in
paths never reach the log; unmatched paths as sent, without the query), the status, the time
taken, and the client as the first 8 hex digits of the keyed hash of its network
(``core.anonymize``: lines from one /24 or /48 can be told apart, the address cannot be read
back). Turned off with ``access_log = false``. The status and the route come from
``web/observed.py``, which the metrics share.
"""

from __future__ import annotations

import logging

from starlette.requests import Request

from rejoinder.core.anonymize import Hasher
from rejoinder.web.clientip import ClientAddress
from rejoinder.web.observed import Observed

log = logging.getLogger("rejoinder.access")
MAX_PATH = 200


class AccessLog:
    """An observer for ``ObserveMiddleware``: one line per finished request."""

    def __init__(self, hasher: Hasher, addresses: ClientAddress):
        self.hasher = hasher
        self.addresses = addresses

    def __call__(self, seen: Observed) -> None:
        if not log.isEnabledFor(logging.INFO):
            return
        scope = seen.scope
        route = seen.route or str(scope.get("path", ""))[:MAX_PATH]
        client = (self.hasher.ip_prefix(self.addresses.of(Request(scope))) or "-")[:8]
        log.info(
            "%s %s %d %.1fms client=%s",
            scope.get("method", ""),
            route,
            seen.status,
            seen.seconds * 1000,
            client,
        )
