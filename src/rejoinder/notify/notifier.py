"""Moderator and commenter notifications: recorded when a comment event happens, sent later.

``on_event`` (subscribed to the comment events) only writes delivery rows, in the comment's own
transaction (``comments/events.py``); ``deliver_due``
(run every ``notify_poll_seconds`` by each server process, and by tests directly) sends what
is due, so a slow mail server or webhook never slows a comment down and nothing is lost when
it fails: a failed delivery is retried with doubling waits, up to ``webhook_max_attempts``.

- Held comments: moderators with notify ``each`` get one email per comment (at most
  ``notify_max_per_hour`` per recipient; the rest wait), ``digest`` ones one email per
  ``notify_digest_minutes``; every active webhook of the site gets a signed POST (or a digest).
- Replies: a commenter who ticked "notify me" gets an email when a reply to their comment is
  published, with a one-click unsubscribe link and ``List-Unsubscribe`` headers.
- Each delivery is a row in ``notification_deliveries``: the log of what was sent, when, and
  how the receiver answered.

One class, one concept per module: recording (``recording.py``), sending and retrying
(``sending.py``), what is sent (``messages.py``), unsubscribing (``unsubscribing.py``), on
what they share (``base.py``: the services and ``NotifyConfig``).
"""

from __future__ import annotations

import asyncio
import logging

from rejoinder.notify.recording import Recording
from rejoinder.notify.sending import Sending

log = logging.getLogger(__name__)


class Notifier(Recording, Sending):
    """Records, sends and unsubscribes; built once in ``services.py``."""


async def send_on_schedule(notifier: Notifier, every_seconds: float) -> None:
    """Each server process sends due notifications every ``every_seconds`` (claims keep two
    processes from sending the same one)."""
    from starlette.concurrency import run_in_threadpool

    while True:
        try:
            await run_in_threadpool(notifier.deliver_due)
        except Exception:  # storage down, …: try again next round
            log.warning("notification round failed", exc_info=True)
        await asyncio.sleep(every_seconds)
