"""Webhooks and the notification delivery log (also the queue of what is still to send)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, and_, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from rejoinder.core.records.notify import (
    Channel,
    DeliveryPayload,
    DeliveryState,
    Kind,
    NewDelivery,
)
from rejoinder.storage.schema import notification_deliveries as deliveries
from rejoinder.storage.schema import used_links, webhooks
from rejoinder.storage.times import aware


@dataclass(frozen=True, slots=True)
class Webhook:
    id: int
    site_id: int
    url: str
    secret: str
    digest: bool
    active: bool


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    channel: Channel
    kind: Kind
    recipient: str
    webhook_id: int | None
    site_id: int | None
    comment_id: int | None
    payload: DeliveryPayload
    state: DeliveryState
    attempts: int
    next_attempt_at: datetime
    last_error: str
    response_status: int | None
    created_at: datetime
    sent_at: datetime | None


def _webhook(row: Any) -> Webhook:
    m = row._mapping
    return Webhook(
        m["id"], m["site_id"], m["url"], m["secret"], bool(m["digest"]), bool(m["active"])
    )


def add_webhook(
    conn: Connection, site_id: int, url: str, secret: str, digest: bool, now: datetime
) -> int:
    return int(
        conn.execute(
            insert(webhooks)
            .values(
                site_id=site_id, url=url, secret=secret, digest=digest, created_at=now, active=True
            )
            .returning(webhooks.c.id)
        ).scalar_one()
    )


def webhooks_for(conn: Connection, site_id: int | None) -> list[Webhook]:
    query = select(webhooks).order_by(webhooks.c.id)
    if site_id is not None:
        query = query.where(webhooks.c.site_id == site_id, webhooks.c.active.is_(True))
    return [_webhook(r) for r in conn.execute(query)]


def webhook_by_id(conn: Connection, webhook_id: int) -> Webhook | None:
    row = conn.execute(select(webhooks).where(webhooks.c.id == webhook_id)).first()
    return _webhook(row) if row else None


def remove_webhook(conn: Connection, webhook_id: int) -> bool:
    return bool(conn.execute(delete(webhooks).where(webhooks.c.id == webhook_id)).rowcount)


def enqueue(conn: Connection, rows: Sequence[NewDelivery]) -> None:
    if rows:
        conn.execute(insert(deliveries), rows)


def _delivery(row: Any) -> Delivery:
    m = row._mapping
    sent = m["sent_at"]
    return Delivery(
        m["id"],
        Channel(m["channel"]),
        Kind(m["kind"]),
        m["recipient"],
        m["webhook_id"],
        m["site_id"],
        m["comment_id"],
        cast(DeliveryPayload, dict(m["payload"] or {})),
        DeliveryState(m["state"]),
        m["attempts"],
        aware(m["next_attempt_at"]),
        m["last_error"],
        m["response_status"],
        aware(m["created_at"]),
        aware(sent) if sent else None,
    )


def due(conn: Connection, now: datetime, limit: int) -> list[Delivery]:
    rows = conn.execute(
        select(deliveries)
        .where(
            deliveries.c.state == DeliveryState.PENDING.value, deliveries.c.next_attempt_at <= now
        )
        .order_by(deliveries.c.next_attempt_at, deliveries.c.id)
        .limit(limit)
    )
    return [_delivery(r) for r in rows]


def pending_group(
    conn: Connection, channel: Channel, recipient: str, webhook_id: int | None
) -> list[Delivery]:
    """Every pending delivery for one digest recipient (an email address or a webhook)."""
    where = and_(
        deliveries.c.state == DeliveryState.PENDING.value,
        deliveries.c.channel == channel.value,
        deliveries.c.kind == Kind.HELD.value,
        deliveries.c.webhook_id == webhook_id
        if webhook_id is not None
        else deliveries.c.recipient == recipient,
    )
    rows = conn.execute(select(deliveries).where(where).order_by(deliveries.c.id).limit(500))
    return [d for d in map(_delivery, rows) if d.payload.get("digest")]


def claim(conn: Connection, ids: list[int], now: datetime, lease_until: datetime) -> list[int]:
    """Take due deliveries for sending (a lease: another process skips them until it ends)."""
    taken = []
    for delivery_id in ids:
        done = conn.execute(
            update(deliveries)
            .where(
                deliveries.c.id == delivery_id,
                deliveries.c.state == DeliveryState.PENDING.value,
                or_(deliveries.c.next_attempt_at <= now, deliveries.c.attempts == 0),
            )
            .values(next_attempt_at=lease_until, attempts=deliveries.c.attempts + 1)
        )
        if done.rowcount:
            taken.append(delivery_id)
    return taken


def finish(
    conn: Connection,
    ids: list[int],
    state: DeliveryState,
    now: datetime,
    *,
    error: str = "",
    status: int | None = None,
    retry_at: datetime | None = None,
) -> None:
    values: dict[str, Any] = {"last_error": error[:300], "response_status": status}
    if retry_at is not None:
        values.update(state=DeliveryState.PENDING.value, next_attempt_at=retry_at)
    else:
        values.update(state=state.value, sent_at=now if state is DeliveryState.SENT else None)
    conn.execute(update(deliveries).where(deliveries.c.id.in_(ids)).values(**values))


def sent_since(conn: Connection, recipient: str, since: datetime) -> int:
    """Emails sent to one address since a moment (the per-recipient rate limit)."""
    return int(
        conn.execute(
            select(func.count()).where(
                deliveries.c.channel == Channel.EMAIL.value,
                deliveries.c.recipient == recipient,
                deliveries.c.state == DeliveryState.SENT.value,
                deliveries.c.response_status == 250,  # one row per mail sent (see notifier)
                deliveries.c.sent_at >= since,
            )
        ).scalar_one()
    )


def log(conn: Connection, limit: int = 100, webhook_id: int | None = None) -> list[Delivery]:
    query = select(deliveries).order_by(deliveries.c.id.desc()).limit(limit)
    if webhook_id is not None:
        query = query.where(deliveries.c.webhook_id == webhook_id)
    return [_delivery(r) for r in conn.execute(query)]


# --- one-click links from the daily digest -----------------------------------------------------
def link_used(conn: Connection, token_hash: str) -> bool:
    return (
        conn.execute(
            select(used_links.c.token_hash).where(used_links.c.token_hash == token_hash)
        ).first()
        is not None
    )


def use_link(conn: Connection, token_hash: str, now: datetime, expires_at: datetime) -> bool:
    """Mark a link used; False when it already was (two clicks at once: one wins)."""
    try:
        with conn.begin_nested():
            conn.execute(
                insert(used_links).values(token_hash=token_hash, used_at=now, expires_at=expires_at)
            )
    except IntegrityError:
        return False
    return True
