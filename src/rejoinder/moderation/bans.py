"""Bans: a moderator blocks an email, a network, an author-URL domain or a word on a site.

Bans are site rules with the effect ``block``, stored and enforced by the spam engine's rules
(``spam/rules.py``: ``RuleService``, the ``site_rules`` table, ``SiteRulesSignal``), so
``rejoinder rules`` and the admin pages see the same list. A ban or a lifted ban is seen by the
next comment in this process at once (the rule cache is told) and by other worker processes
within ``learning_sync_seconds``. A ban by IP takes the /24 or /48 the
comment came from — the truncated form the moderator sees; the raw address was never stored.
Each ban and each lifted ban is written to the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from rejoinder.core.clock import Clock, utcnow
from rejoinder.core.records.moderation import Actor, Decision, Moderator, QueueItem
from rejoinder.core.urls import url_host
from rejoinder.errors import Forbidden, NotFound, ValidationFailed
from rejoinder.moderation.access import moderated_site
from rejoinder.spam.rules import RuleEffect, RuleKind
from rejoinder.storage import moderation as log_store
from rejoinder.storage import queue as queue_store
from rejoinder.storage import sites as site_store
from rejoinder.storage.db import Database

KIND_LABELS = {
    RuleKind.EMAIL: "email address (or @domain)",
    RuleKind.IP: "network (/24 or /48)",
    RuleKind.URL: "author website domain",
    RuleKind.WORD: "word or phrase",
}


class RuleBackend(Protocol):
    """What the rules mechanism offers (the spam engine's ``RuleService`` has these methods)."""

    def add(self, site: str, kind: Any, value: str, effect: Any = ..., note: str = "") -> Any: ...
    def list(self, site: str | None = None) -> Any: ...
    def remove(self, rule_id: int) -> None: ...


@dataclass(frozen=True, slots=True)
class Ban:
    id: int
    site_id: int
    site_url: str
    kind: str
    value: str
    note: str


@dataclass(frozen=True, slots=True)
class Offer:
    kind: str
    value: str
    label: str


class BanService:
    def __init__(
        self,
        db: Database,
        rules: RuleBackend,
        clock: Clock = utcnow,
        changed: Callable[[str], None] = lambda _site_url: None,
    ):
        self.db = db
        self.rules = rules
        self.clock = clock
        self.changed = changed  # forget the site's cached rules

    @staticmethod
    def kinds() -> list[tuple[str, str]]:
        return [(k.value, label) for k, label in KIND_LABELS.items()]

    @staticmethod
    def offers(item: QueueItem) -> list[Offer]:
        """What a ban from this comment would block, as the moderator will see it."""
        found = []
        if item.email:
            found.append(Offer(RuleKind.EMAIL.value, item.email.lower(), "this email address"))
        if item.ip_network:
            found.append(Offer(RuleKind.IP.value, item.ip_network, "this network"))
        host = url_host(item.website) if item.website else ""
        if host:
            found.append(Offer(RuleKind.URL.value, host, "this website's domain"))
        return found

    def _site_url(self, moderator: Moderator, site_id: int) -> str:
        site = moderated_site(self.db, moderator, site_id)
        if site is None:
            raise NotFound("No such site.")
        return site.url

    def add(
        self,
        actor: Actor,
        site_id: int,
        kind: str,
        value: str,
        note: str = "",
        comment_id: int | None = None,
    ) -> Ban:
        try:
            rule_kind = RuleKind(kind)
        except ValueError:
            raise ValidationFailed("Ban an email, ip, url or word.") from None
        site_url = self._site_url(actor.moderator, site_id)
        rule = self.rules.add(site_url, rule_kind, value, RuleEffect.BLOCK, note[:200])
        self.changed(site_url)
        detail = {"kind": rule.kind, "value": rule.value}
        self._log(actor, site_id, Decision.BAN, detail, comment_id)
        return Ban(rule.id, site_id, site_url, rule.kind, rule.value, rule.note)

    def ban_from_comment(self, actor: Actor, comment_id: int, kind: str) -> Ban:
        with self.db.read() as conn:
            found = queue_store.items_by_ids(conn, [comment_id])
        if not found:
            raise NotFound("No such comment.")
        item = found[0]
        if actor.moderator.role_on(item.site_id) is None:
            raise Forbidden("You do not moderate the site this comment is on.")
        offer = next((o for o in self.offers(item) if o.kind == kind), None)
        if offer is None:
            raise ValidationFailed("This comment has nothing of that kind to ban.")
        note = f"from comment {item.id}"
        return self.add(actor, item.site_id, offer.kind, offer.value, note, item.id)

    def list(self, moderator: Moderator) -> list[Ban]:
        with self.db.read() as conn:
            sites = {s.url: s.id for s in site_store.list_sites(conn)}
        bans = []
        for rule in self.rules.list(None):
            site_id = sites.get(rule.site_url)
            if site_id is None or rule.effect != RuleEffect.BLOCK.value:
                continue
            if moderator.role_on(site_id) is not None:
                bans.append(Ban(rule.id, site_id, rule.site_url, rule.kind, rule.value, rule.note))
        return bans

    def lift(self, actor: Actor, ban_id: int) -> None:
        ban = next((b for b in self.list(actor.moderator) if b.id == ban_id), None)
        if ban is None:  # unknown, or on a site this moderator does not moderate
            raise NotFound("No such ban.")
        self.rules.remove(ban_id)
        self.changed(ban.site_url)
        self._log(actor, ban.site_id, Decision.UNBAN, {"kind": ban.kind, "value": ban.value}, None)

    def _log(
        self,
        actor: Actor,
        site_id: int,
        decision: Decision,
        detail: dict[str, Any],
        comment_id: int | None,
    ) -> None:
        with self.db.begin() as conn:
            log_store.log_decision(
                conn,
                comment_id=comment_id,
                site_id=site_id,
                moderator_id=actor.moderator.id,
                actor=actor.label,
                action=decision.value,
                detail=detail,
                now=self.clock(),
            )
