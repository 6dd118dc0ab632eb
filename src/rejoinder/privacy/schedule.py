"""The scheduled purge: a background task in every server process, coordinated by a lock row."""

from __future__ import annotations

import logging
from datetime import timedelta

import anyio

from rejoinder.privacy.retention import Retention

log = logging.getLogger(__name__)


async def purge_on_schedule(retention: Retention, interval: timedelta) -> None:
    """Try a purge now and then every ``interval``; never raises (except cancellation).

    Every worker runs this loop; the lock in ``storage.maintenance`` lets one of them purge per
    interval (a run counts as recent for 90 % of the interval, so wake-up jitter does not skip
    a cycle).
    """
    every = interval * 0.9
    while True:
        try:
            await anyio.to_thread.run_sync(retention.purge_if_due, every)
        except Exception as exc:  # a failed purge is retried at the next interval
            log.warning("scheduled privacy purge failed: %s", type(exc).__name__)
        await anyio.sleep(interval.total_seconds())
