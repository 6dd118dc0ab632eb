"""Site rules until the spam engine's own (``spam/rules.py``, table ``site_rules``) land.

This module mirrors that design — the same kinds, the same stored forms, the same
``RuleService`` methods (``add``/``list``/``remove``) and the same hit symbols
(``SITE_BLOCKED_<KIND>``, score 6.0) — so the moderation code talks to either one. When the
signals work is merged, ``app.py`` passes its ``RuleService`` instead and this module, its
``BanSignal`` and the ``moderation_bans`` table go away.
"""

from __future__ import annotations

import ipaddress
import re
import time
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import delete, insert, select

from rejoinder.errors import NotFound, ValidationFailed
from rejoinder.sites.service import Clock, normalise_url, utcnow
from rejoinder.spam.submission import Submission, url_host
from rejoinder.spam.verdict import Hit
from rejoinder.storage import sites as site_store
from rejoinder.storage.db import Database
from rejoinder.storage.schema import moderation_bans

MAX_VALUE = 200
BLOCK_SCORE = 6.0


class RuleKind(StrEnum):
    EMAIL = "email"
    IP = "ip"
    URL = "url"
    WORD = "word"


class RuleEffect(StrEnum):
    BLOCK = "block"
    ALLOW = "allow"


@dataclass(frozen=True, slots=True)
class RuleRow:
    id: int
    site_url: str
    kind: str
    effect: str
    value: str
    note: str
    created_at: datetime


def normalise_value(kind: RuleKind, value: str) -> str:
    text = value.strip()
    if not text or len(text) > MAX_VALUE:
        raise ValidationFailed(f"a {kind.value} rule needs a value of 1 to {MAX_VALUE} characters")
    if kind is RuleKind.EMAIL:
        text = text.lower()
        local, at, domain = text.rpartition("@")
        if "." not in domain or " " in text or (at and local.count("@")):
            raise ValidationFailed(f"not an e-mail address or @domain: {text!r}")
        return text if local else "@" + domain
    if kind is RuleKind.IP:
        try:
            return str(ipaddress.ip_network(text, strict=False))
        except ValueError as exc:
            raise ValidationFailed(f"not an IP address or CIDR range: {text!r}") from exc
    if kind is RuleKind.URL:
        text = re.sub(r"^[a-z]+://", "", text.lower()).split("/", 1)[0]
        if not text.strip("*."):
            raise ValidationFailed("a URL rule needs a host name")
        return text
    words = " ".join(text.casefold().split())
    if len(words) < 2:
        raise ValidationFailed("a word rule needs at least two characters")
    return words


class RuleService:
    def __init__(self, db: Database, clock: Clock = utcnow, ttl_seconds: float = 2.0):
        self.db = db
        self.clock = clock
        self.ttl = ttl_seconds
        self._cache: dict[str, tuple[float, list[RuleRow]]] = {}

    def cached(self, site_url: str) -> list[RuleRow]:
        """A site's rules, read at most every ``ttl_seconds`` (for the signal)."""
        now = time.monotonic()
        found = self._cache.get(site_url)
        if found is None or now - found[0] > self.ttl:
            if len(self._cache) > 10_000:
                self._cache.clear()
            found = (now, self.list(site_url))
            self._cache[site_url] = found
        return found[1]

    def add(
        self, site: str, kind: RuleKind, value: str, effect: RuleEffect = RuleEffect.BLOCK,
        note: str = "",
    ) -> RuleRow:  # fmt: skip
        site_url = normalise_url(site)
        stored = normalise_value(kind, value)
        with self.db.begin() as conn:
            if site_store.site_by_url(conn, site_url) is None:
                raise NotFound(f"no such site: {site_url}")
            t = moderation_bans
            found = conn.execute(
                select(t.c.id).where(t.c.site_url == site_url, t.c.kind == kind.value,
                                     t.c.effect == effect.value, t.c.value == stored)
            ).first()  # fmt: skip
            if found is None:
                conn.execute(
                    insert(t).values(site_url=site_url, kind=kind.value, effect=effect.value,
                                     value=stored, note=note[:200], created_at=self.clock())
                )  # fmt: skip
        self._cache.clear()
        return next(r for r in self.list(site_url) if (r.kind, r.value) == (kind.value, stored))

    def list(self, site: str | None = None) -> list[RuleRow]:
        query = select(moderation_bans).order_by(moderation_bans.c.id)
        if site is not None:
            query = query.where(moderation_bans.c.site_url == normalise_url(site))
        with self.db.read() as conn:
            return [RuleRow(*r) for r in conn.execute(query)]

    def remove(self, rule_id: int) -> None:
        with self.db.begin() as conn:
            done = conn.execute(delete(moderation_bans).where(moderation_bans.c.id == rule_id))
            if not done.rowcount:
                raise NotFound(f"no rule with id {rule_id}")
        self._cache.clear()


def _under(host: str, domain: str) -> bool:
    return bool(host) and (host == domain or host.endswith("." + domain.lstrip("*.")))


def matches(rule: RuleRow, sub: Submission) -> bool:
    kind = RuleKind(rule.kind)
    if kind is RuleKind.IP:
        net = ipaddress.ip_network(rule.value)
        return sub.ip is not None and sub.ip.version == net.version and sub.ip in net
    if kind is RuleKind.EMAIL:
        email = sub.email.strip().lower()
        domain = email.rpartition("@")[2]
        return email == rule.value or (
            rule.value.startswith("@") and _under(domain, rule.value[1:])
        )
    if kind is RuleKind.URL:
        urls = [*sub.urls, sub.author_url] if sub.author_url else sub.urls
        return any(_under(url_host(u), rule.value) for u in urls[:200])
    words = r"\s+".join(re.escape(w) for w in rule.value.split())
    haystack = f"{sub.author}\n{sub.content[:200_000]}".casefold()
    return re.search(rf"(?<!\w){words}(?!\w)", haystack) is not None


class BanSignal:
    """Enforces the block rules on every new comment (until ``SiteRulesSignal`` replaces it)."""

    name = "site_rules"

    def __init__(self, rules: RuleService):
        self.rules = rules

    def evaluate(self, submission: Submission) -> list[Hit]:
        if not submission.site:
            return []
        hits = []
        for rule in self.rules.cached(submission.site):
            if rule.effect == RuleEffect.BLOCK.value and matches(rule, submission):
                hits.append(Hit(f"SITE_BLOCKED_{rule.kind.upper()}", BLOCK_SCORE,
                                f"This site's moderators block the {rule.kind} {rule.value!r}."))  # fmt: skip
        return hits
