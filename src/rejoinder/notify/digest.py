"""The daily digest: one mail a day to each moderator whose notify mode is not ``off``, with
yesterday's counts per site, what waits (held comments, and what was filed as spam in the last
day) with signed one-click links, and the signals that fired most.

Scheduling: from ``daily_digest_hour`` (UTC) on, the first notification round of the day takes
the lock ``daily-digest-<day>`` (``storage.maintenance``, one winner across workers) and records
one delivery row per moderator; the mail is written when it is sent, so it shows the state of
that moment. The links (``/notify/act/<token>``) are signed with the instance secret
(``core.tokens``), name the comment, the decision and the moderator, expire after
``digest_link_hours``, and act once (``used_links``).
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from rejoinder.core.records.comments import Status
from rejoinder.core.records.moderation import Decision, Moderator, NotifyMode, QueueItem
from rejoinder.core.records.notify import Channel, DeliveryState, Kind, NewDelivery
from rejoinder.core.tokens import Signer
from rejoinder.errors import LinkExpired, LinkInvalid
from rejoinder.notify import render
from rejoinder.notify.digest_text import TEXT
from rejoinder.storage import maintenance
from rejoinder.storage import moderation as moderator_store
from rejoinder.storage import notify as store
from rejoinder.storage import queue as queue_store
from rejoinder.storage import sites as site_store
from rejoinder.storage import stats as stats_store
from rejoinder.storage.db import Database
from rejoinder.storage.sites import SiteRow

LOCK_TTL = timedelta(minutes=10)
CODES = {"a": Decision.APPROVE, "s": Decision.SPAM, "n": Decision.NOT_SPAM}
LETTER = {decision: code for code, decision in CODES.items()}


@dataclass(frozen=True, slots=True, kw_only=True)
class DigestConfig:
    public_url: str
    hour: int = 7  # UTC; -1: no daily digest
    link_hours: int = 48
    max_items: int = 20
    lang: str = "en"


@dataclass(frozen=True, slots=True)
class LinkAction:
    comment_id: int
    decision: Decision
    moderator_id: int
    expires_at: datetime


class DigestLinks:
    """Signed one-click moderation links: ``<comment>-<a|s|n>-<moderator>-<nonce>``."""

    def __init__(self, secret: bytes):
        self.signer = Signer(secret, "digest-action")

    def make(
        self, comment_id: int, decision: Decision, moderator_id: int, expires_at: datetime
    ) -> str:
        payload = f"{comment_id}-{LETTER[decision]}-{moderator_id}-{secrets.token_hex(4)}"
        return self.signer.sign(payload, expires_at)

    def read(self, token: str, now: datetime) -> LinkAction:
        """What a genuine, unexpired link does; LinkInvalid (403) or LinkExpired (410)."""
        try:
            payload = self.signer.verify(token.strip(), now)
        except LinkExpired:
            raise LinkExpired("This link has expired; open the queue in the admin.") from None
        except LinkInvalid:
            raise LinkInvalid("This link is not valid.") from None
        parts = payload.split("-")
        if len(parts) != 4 or parts[1] not in CODES or not (parts[0] + parts[2]).isdigit():
            raise LinkInvalid("This link is not valid.")
        expires = datetime.fromtimestamp(int(token.split(".")[1]), tz=now.tzinfo)
        return LinkAction(int(parts[0]), CODES[parts[1]], int(parts[2]), expires)


@dataclass(eq=False, repr=False)
class DailyDigest:
    db: Database
    links: DigestLinks
    config: DigestConfig

    # --- scheduling -----------------------------------------------------------------------------
    def enqueue_due(self, now: datetime) -> int:
        """Record today's digests once (after the digest hour); returns how many."""
        if self.config.hour < 0 or now.hour < self.config.hour:
            return 0
        return self.enqueue(now)

    def enqueue(self, now: datetime, only: str | None = None, force: bool = False) -> int:
        """One delivery row per moderator with mail on (``only``: that address); ``force``
        skips the once-a-day lock (``rejoinder moderators digest --send``)."""
        day = stats_store.day_of(now)
        name, holder = f"daily-digest-{day}", f"digest:{secrets.token_hex(6)}"
        if not force and not maintenance.try_lock(
            self.db, name, holder, now, ttl=LOCK_TTL, every=timedelta(days=1)
        ):
            return 0
        rows: list[NewDelivery] = []
        with self.db.begin() as conn:
            for moderator in moderator_store.list_moderators(conn):
                if moderator.notify is NotifyMode.OFF or (only and moderator.email != only):
                    continue
                rows.append(
                    {
                        "channel": Channel.EMAIL.value,
                        "kind": Kind.DAILY.value,
                        "recipient": moderator.email,
                        "recipient_hash": None,
                        "webhook_id": None,
                        "site_id": None,
                        "comment_id": None,
                        "payload": {"digest": False, "day": day, "moderator_id": moderator.id},
                        "state": DeliveryState.PENDING.value,
                        "attempts": 0,
                        "next_attempt_at": now,
                        "last_error": "",
                        "created_at": now,
                    }
                )
            store.enqueue(conn, rows)
        if not force:
            maintenance.release_lock(self.db, name, holder, now, finished=True)
        return len(rows)

    # --- the mail -------------------------------------------------------------------------------
    def compose(self, moderator_id: int, now: datetime) -> tuple[str, str] | None:
        """(subject, body) for one moderator now; None when they are gone."""
        with self.db.read() as conn:
            moderator = moderator_store.moderator_by_id(conn, moderator_id)
            if moderator is None:
                return None
            sites = [s for s in site_store.list_sites(conn) if moderator.role_on(s.id)]
            ids = [s.id for s in sites]
            yesterday = stats_store.day_of(now - timedelta(days=1))
            counts = {s.url: stats_store.days(conn, [s.url], yesterday, yesterday) for s in sites}
            since = datetime.combine(now.date() - timedelta(days=1), time(), now.tzinfo)
            held = self._items(conn, ids, (Status.PENDING,), None)
            filed = self._items(conn, ids, (Status.SPAM,), since)
            signals = self._signals(conn, ids, since)
        t = TEXT.get(self.config.lang, TEXT["en"])
        expires = datetime.combine(now.date(), time(now.hour), now.tzinfo) + timedelta(
            hours=self.config.link_hours
        )
        body = [t["intro"].format(day=yesterday), ""]
        body += self._counts_part(sites, counts, t)
        body += self._items_part(
            held, t["held_now"], (Decision.APPROVE, Decision.SPAM), moderator, expires, t
        )
        body += self._items_part(
            filed, t["filed_recently"], (Decision.NOT_SPAM,), moderator, expires, t
        )
        if signals:
            body += [t["top_signals"]] + [f"  - {s}: {n}" for s, n in signals] + [""]
        body += [
            t["links_note"].format(hours=self.config.link_hours),
            t["footer"].format(url=f"{self.config.public_url}/admin/queue/pending"),
        ]
        waiting = len(held)
        subject = t["subject"].format(day=yesterday, waiting=waiting)
        return subject, "\n".join(body) + "\n"

    def _items(
        self, conn: Any, site_ids: list[int], statuses: tuple[Status, ...], since: datetime | None
    ) -> list[QueueItem]:
        if not site_ids:
            return []
        query = queue_store.QueueQuery(
            statuses=statuses, site_ids=site_ids, since=since, limit=self.config.max_items
        )
        return queue_store.find(conn, query)

    @staticmethod
    def _signals(conn: Any, site_ids: list[int], since: datetime) -> list[tuple[str, int]]:
        if not site_ids:
            return []
        query = queue_store.QueueQuery(
            statuses=(Status.PENDING, Status.SPAM, Status.DISCARDED),
            site_ids=site_ids,
            since=since,
            limit=500,
        )
        found: Counter[str] = Counter()
        for item in queue_store.find(conn, query):
            found.update({str(h.get("symbol", "")) for h in item.hits if h.get("symbol")})
        return found.most_common(5)

    @staticmethod
    def _counts_part(
        sites: list[SiteRow], counts: dict[str, list[stats_store.DayCounts]], t: dict[str, str]
    ) -> list[str]:
        lines = []
        for site in sites:
            day = counts.get(site.url) or [stats_store.DayCounts("")]
            d = day[0]
            lines.append(
                t["site_counts"].format(
                    site=site.url,
                    published=d.published,
                    held=d.held,
                    spam=d.spam,
                    discarded=d.discarded,
                )
            )
        return [*lines, ""]

    def _items_part(
        self,
        items: list[QueueItem],
        title: str,
        decisions: tuple[Decision, ...],
        moderator: Moderator,
        expires: datetime,
        t: dict[str, str],
    ) -> list[str]:
        if not items:
            return []
        lines = [title.format(n=len(items)), ""]
        for item in items:
            author = render.one_line(item.author) or t["anonymous"]
            article = render.one_line(item.thread_title) or item.thread_key
            lines.append(f"#{item.id} {author} — {article} ({item.site_url})")
            lines.append("  " + render.one_line(item.text, 160))
            why = ", ".join(str(h.get("symbol", "")) for h in item.hits[:4])
            if why:
                lines.append(f"  {t['why']}: {why}")
            for decision in decisions:
                token = self.links.make(item.id, decision, moderator.id, expires)
                lines.append(f"  {t[decision.value]}: {self.config.public_url}/notify/act/{token}")
            lines.append("")
        return lines
