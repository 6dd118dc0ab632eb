"""Site rules: what a site's moderators block or allow, whatever the scores say.

Kinds: ``email`` (an address, or ``@domain`` for a whole domain and its subdomains), ``ip`` (an
address or a CIDR range — typed ranges are the only IP addresses rejoinder stores), ``url`` (a
host, matching its subdomains too, or a ``host/path`` pattern where ``*`` matches anything) and
``word`` (a word or phrase, matched case-insensitively on whole words of the comment and the
author name). Managed with ``rejoinder rules …`` now, by the moderation UI later.
"""

from __future__ import annotations

import ipaddress
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from rejoinder.core.clock import Clock, utcnow
from rejoinder.core.urls import url_host
from rejoinder.errors import NotFound, ValidationFailed
from rejoinder.sites.service import normalise_url
from rejoinder.spam.submission import Submission, fold_lookalikes
from rejoinder.storage import rules as store
from rejoinder.storage import sites as site_store
from rejoinder.storage.db import Database

MAX_VALUE = 200
MAX_WILDCARDS = 4
URL_MATCH_CHARS = 500
WORD_MATCH_CHARS = 200_000  # words are looked for in the first 200 000 characters


class RuleKind(StrEnum):
    EMAIL = "email"
    IP = "ip"
    URL = "url"
    WORD = "word"


class RuleEffect(StrEnum):
    BLOCK = "block"
    ALLOW = "allow"


def normalise_value(kind: RuleKind, value: str) -> str:
    """The stored form of a rule value; raises ValidationFailed when it cannot match anything."""
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
        text = re.sub(r"^[a-z]+://", "", text.lower())
        if text.count("*") > MAX_WILDCARDS or not text.strip("*/."):
            raise ValidationFailed(f"a URL pattern needs a host and at most {MAX_WILDCARDS} '*'")
        return text
    words = " ".join(text.casefold().split())
    if len(words) < 2:
        raise ValidationFailed("a word rule needs at least two characters")
    return words


@dataclass(frozen=True, slots=True)
class RuleMatch:
    effect: RuleEffect
    kind: RuleKind
    value: str  # the rule as the moderator typed it (normalised)


class RuleBook:
    """One site's rules, compiled for matching."""

    def __init__(self, rows: list[store.RuleRow]):
        self.rows = rows
        self._networks = [
            (RuleEffect(r.effect), ipaddress.ip_network(r.value), r.value)
            for r in rows
            if r.kind == RuleKind.IP
        ]
        self._emails = [(RuleEffect(r.effect), r.value) for r in rows if r.kind == RuleKind.EMAIL]
        self._urls = [
            (RuleEffect(r.effect), r.value, _url_regex(r.value))
            for r in rows
            if r.kind == RuleKind.URL
        ]
        self._words: dict[RuleEffect, re.Pattern[str]] = {}
        for effect in RuleEffect:
            phrases = [r.value for r in rows if r.kind == RuleKind.WORD and r.effect == effect]
            if phrases:
                alternation = "|".join(
                    re.escape(fold_lookalikes(p)).replace(r"\ ", r"\s+") for p in phrases
                )
                self._words[effect] = re.compile(rf"(?<!\w)(?:{alternation})(?!\w)")

    def __bool__(self) -> bool:
        return bool(self.rows)

    def matches(self, sub: Submission) -> list[RuleMatch]:
        found: list[RuleMatch] = []
        if sub.ip is not None:
            for effect, network, value in self._networks:
                if sub.ip.version == network.version and sub.ip in network:
                    found.append(RuleMatch(effect, RuleKind.IP, value))
        email = sub.email.strip().lower()
        domain = sub.email_domain
        for effect, value in self._emails:
            if email == value or (value.startswith("@") and _under(domain, value[1:])):
                found.append(RuleMatch(effect, RuleKind.EMAIL, value))
        if self._urls:
            found.extend(self._url_matches(sub))
        if self._words:
            haystack = fold_lookalikes(f"{sub.author_text}\n{sub.text[:WORD_MATCH_CHARS]}")
            for effect, regex in self._words.items():
                hit = regex.search(haystack)
                if hit:
                    found.append(RuleMatch(effect, RuleKind.WORD, " ".join(hit.group(0).split())))
        return found

    def _url_matches(self, sub: Submission) -> list[RuleMatch]:
        found = []
        targets = [(url_host(u), _strip_scheme(u)) for u in sub.all_urls[:200]]
        for effect, value, regex in self._urls:
            for host, text in targets:
                if (regex is None and _under(host, value)) or (regex and regex.match(text)):
                    found.append(RuleMatch(effect, RuleKind.URL, value))
                    break
        return found


def _under(host: str, domain: str) -> bool:
    return bool(host) and (host == domain or host.endswith("." + domain))


def _strip_scheme(url: str) -> str:
    return re.sub(r"^[a-z]+://", "", url[:URL_MATCH_CHARS].lower())


def _url_regex(pattern: str) -> re.Pattern[str] | None:
    """None for a bare host (matched with its subdomains); else a prefix glob, ``*`` = anything."""
    if "*" not in pattern and "/" not in pattern:
        return None
    return re.compile(".*".join(re.escape(p) for p in pattern.split("*")) + ".*")


class RuleCache:
    """Rules per site, read from the database at most every ``ttl_seconds`` per site."""

    def __init__(
        self, db: Database, ttl_seconds: float = 2.0, now: Callable[[], float] = time.monotonic
    ):
        self.db = db
        self.ttl = ttl_seconds
        self.now = now
        self._books: dict[str, tuple[float, RuleBook]] = {}
        self._lock = threading.Lock()

    def book(self, site_url: str) -> RuleBook:
        now = self.now()
        cached = self._books.get(site_url)
        if cached is not None and now - cached[0] < self.ttl:
            return cached[1]
        with self.db.read() as conn:
            book = RuleBook(store.rules_for(conn, site_url))
        with self._lock:
            if len(self._books) > 10_000:
                self._books.clear()
            self._books[site_url] = (now, book)
        return book

    def forget(self, site_url: str) -> None:
        self._books.pop(site_url, None)


class RuleService:
    """What `rejoinder rules` (and later the moderation UI) calls."""

    def __init__(self, db: Database, clock: Clock = utcnow):
        self.db = db
        self.clock = clock

    def add(
        self,
        site: str,
        kind: RuleKind,
        value: str,
        effect: RuleEffect = RuleEffect.BLOCK,
        note: str = "",
    ) -> store.RuleRow:
        site_url = normalise_url(site)
        stored = normalise_value(kind, value)
        with self.db.begin() as conn:
            if site_store.site_by_url(conn, site_url) is None:
                raise NotFound(f"no such site: {site_url} (add it with `rejoinder sites add`)")
            store.add_rule(
                conn, site_url, kind.value, effect.value, stored, note[:200], self.clock()
            )
            return next(
                r
                for r in store.rules_for(conn, site_url)
                if (r.kind, r.effect, r.value) == (kind.value, effect.value, stored)
            )

    def list(self, site: str | None = None) -> list[store.RuleRow]:
        site_url = normalise_url(site) if site else None
        with self.db.read() as conn:
            return store.rules_for(conn, site_url)

    def remove(self, rule_id: int) -> None:
        with self.db.begin() as conn:
            if not store.remove_rule(conn, rule_id):
                raise NotFound(f"no rule with id {rule_id}")
