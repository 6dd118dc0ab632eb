"""Sending: the due deliveries claimed, grouped into digests, sent, and finished or retried with
doubling waits (a failed delivery is never lost)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from rejoinder.core.records.notify import Channel, DeliveryState
from rejoinder.errors import MailFailed
from rejoinder.notify.messages import BadAnswer, Gone, Messages
from rejoinder.notify.webhook import TargetRefused
from rejoinder.storage import notify as store

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)
RATE_WAIT = timedelta(minutes=10)
MAX_BACKOFF = timedelta(hours=6)
MAIL_ACCEPTED = 250  # marks the one delivery row of a sent mail (a digest carries several)


class Sending(Messages):
    """``deliver_due``: what is due now, sent; run by ``notifier.send_on_schedule``."""

    def deliver_due(self, limit: int = 100) -> int:
        """Send what is due now; returns how many deliveries were finished or rescheduled."""
        now = self.clock()
        if self.digest is not None:
            self.digest.enqueue_due(now)
        with self.db.begin() as conn:
            due = store.due(conn, now, limit)
        handled: set[int] = set()
        count = 0
        for delivery in due:
            if delivery.id in handled:
                continue
            group = self._group(delivery)
            with self.db.begin() as conn:
                taken = store.claim(conn, [d.id for d in group], now, now + LEASE)
            batch = [d for d in group if d.id in taken]
            handled.update(d.id for d in group)
            if batch:
                self._send(batch, now)
                count += len(batch)
        return count

    def _group(self, delivery: store.Delivery) -> list[store.Delivery]:
        if not delivery.payload.get("digest"):
            return [delivery]
        with self.db.read() as conn:
            group = store.pending_group(
                conn, delivery.channel, delivery.recipient, delivery.webhook_id
            )
        return group or [delivery]

    def _send(self, batch: list[store.Delivery], now: datetime) -> None:
        first = batch[0]
        ids = [d.id for d in batch]
        try:
            if first.channel is Channel.EMAIL:
                if self._rate_limited(first.recipient, now):
                    self._finish(
                        ids,
                        DeliveryState.PENDING,
                        now,
                        retry_at=now + RATE_WAIT,
                        error="waiting: per-recipient limit",
                    )
                    return
                self._send_mail(batch)
                self._finish(ids, DeliveryState.SENT, now)
                self._finish(ids[:1], DeliveryState.SENT, now, status=MAIL_ACCEPTED)  # the carrier
            else:
                status = self._send_webhook(batch)
                self._finish(ids, DeliveryState.SENT, now, status=status)
        except (TargetRefused, Gone) as exc:
            self._finish(ids, DeliveryState.REFUSED, now, error=str(exc))
        except BadAnswer as exc:
            self._retry(batch, now, str(exc), exc.status)
        except (MailFailed, OSError, ValueError) as exc:
            self._retry(batch, now, f"{type(exc).__name__}: {exc}"[:300], None)
        except Exception as exc:  # an unexpected error must not stop the loop
            log.exception("notification failed")
            self._retry(batch, now, type(exc).__name__, None)

    def _rate_limited(self, recipient: str, now: datetime) -> bool:
        with self.db.read() as conn:
            return (
                store.sent_since(conn, recipient, now - timedelta(hours=1))
                >= self.config.max_per_hour
            )

    def _retry(
        self, batch: list[store.Delivery], now: datetime, error: str, status: int | None
    ) -> None:
        attempts = max(d.attempts for d in batch) + 1  # claim() counted this one
        if attempts >= self.config.max_attempts:
            self._finish(
                [d.id for d in batch], DeliveryState.FAILED, now, error=error, status=status
            )
            return
        wait = timedelta(seconds=self.config.backoff_s * 2 ** (attempts - 1))
        self._finish(
            [d.id for d in batch],
            DeliveryState.PENDING,
            now,
            error=error,
            status=status,
            retry_at=now + min(wait, MAX_BACKOFF),
        )

    def _finish(
        self,
        ids: list[int],
        state: DeliveryState,
        now: datetime,
        *,
        error: str = "",
        status: int | None = None,
        retry_at: datetime | None = None,
    ) -> None:
        with self.db.begin() as conn:
            store.finish(conn, ids, state, now, error=error, status=status, retry_at=retry_at)
