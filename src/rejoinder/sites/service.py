"""Sites and API keys: URL normalisation, key generation, lookup and authorisation."""

from __future__ import annotations

import hashlib
import secrets
import string
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from rejoinder.core.clock import Clock, utcnow
from rejoinder.core.records.verdict import Thresholds
from rejoinder.core.ttlcache import MISS, Miss, TtlCache
from rejoinder.errors import Conflict, NotFound, ValidationFailed
from rejoinder.storage import sites as store
from rejoinder.storage.db import Database

KEY_ALPHABET = string.ascii_lowercase + string.digits  # what an accepted key may hold
GENERATED_ALPHABET = "0123456789abcdef"  # what a generated key holds (docs/akismet.md: why)
KEY_LENGTH = 12  # the WordPress plugin rejects any other length
DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_URL_LENGTH = 500  # the width of every site URL column in storage/schema/


def normalise_url(url: str) -> str:
    """Canonical form of a site URL: lower-case scheme and host, no default port, no trailing slash.

    Raises ValidationFailed when it has no http(s) scheme or no host.
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise ValidationFailed(f"not a valid URL: {text[:100]!r}") from exc
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if scheme not in DEFAULT_PORTS or not host:
        raise ValidationFailed(f"a site URL needs http(s):// and a host: {text[:100]!r}")
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = parts.path.rstrip("/")
    normalised = f"{scheme}://{netloc}{path}"
    if len(normalised) > MAX_URL_LENGTH:
        raise ValidationFailed(f"a site URL may have at most {MAX_URL_LENGTH} characters")
    return normalised


def try_normalise(url: str) -> str | None:
    try:
        return normalise_url(url)
    except ValidationFailed:
        return None


def generate_key() -> str:
    """12 hex digits (48 random bits): the WordPress plugin's key screen drops every character
    outside 0-9a-f before it even asks the server. Keys of letters and digits made before, or
    imported with ``--key``, keep working (:func:`looks_like_key`)."""
    return secrets.token_hex(KEY_LENGTH // 2)


def wordpress_can_type(key: str) -> bool:
    """Whether the WordPress plugin's key screen keeps this key as it is (hex digits only)."""
    return len(key) == KEY_LENGTH and all(c in GENERATED_ALPHABET for c in key.lower())


def hash_key(key: str) -> str:
    return hashlib.sha256(key.strip().lower().encode()).hexdigest()


def looks_like_key(value: str) -> bool:
    return len(value) == KEY_LENGTH and all(c in KEY_ALPHABET for c in value.lower())


@dataclass(frozen=True, slots=True)
class KeyInfo:
    id: int
    site_urls: tuple[str, ...]

    def allows(self, blog_url: str) -> bool:
        return not self.site_urls or blog_url in self.site_urls


class SiteService:
    """Sites and keys. Key lookups are cached for ``key_cache_seconds`` per process: a key
    revoked here stops working at once; one revoked by another process (the CLI, another
    worker) within that many seconds."""

    def __init__(
        self,
        db: Database,
        default_thresholds: Thresholds,
        clock: Clock = utcnow,
        key_cache_seconds: float = 0.0,
    ):
        self.db = db
        self.clock = clock
        self.default_thresholds = default_thresholds  # the global settings (app.py)
        self.key_cache: TtlCache[KeyInfo] = TtlCache(key_cache_seconds)
        self.thresholds_cache: TtlCache[Thresholds] = TtlCache(key_cache_seconds)

    def add_site(self, url: str, name: str = "") -> store.SiteRow:
        norm = normalise_url(url)
        self.thresholds_cache.invalidate(norm)
        with self.db.begin() as conn:
            if store.site_by_url(conn, norm) is not None:
                raise Conflict(f"site already exists: {norm}")
            return store.add_site(conn, norm, name or norm, self.clock())

    def ensure_site(self, url: str) -> store.SiteRow:
        norm = normalise_url(url)
        self.thresholds_cache.invalidate(norm)
        with self.db.begin() as conn:
            return store.site_by_url(conn, norm) or store.add_site(conn, norm, norm, self.clock())

    def list_sites(self) -> list[store.SiteRow]:
        with self.db.read() as conn:
            return store.list_sites(conn)

    def site_footprint(self, url: str) -> tuple[store.SiteRow, dict[str, int]]:
        """The site and what removing it would delete, counted (nothing changes)."""
        with self.db.read() as conn:
            site = self._existing(conn, url)
            return site, store.footprint(conn, site)

    def remove_site(self, url: str) -> dict[str, int]:
        """Delete a site with its threads, comments, policy, roles, webhooks, rules, check
        records and counters; revoke keys limited to it alone. Returns what was deleted."""
        with self.db.begin() as conn:
            site = self._existing(conn, url)
            removed = store.remove_site(conn, site, self.clock())
        self.thresholds_cache.invalidate(site.url)
        return removed

    @staticmethod
    def _existing(conn: Any, url: str) -> store.SiteRow:
        norm = normalise_url(url)
        site = store.site_by_url(conn, norm)
        if site is None:
            raise NotFound(f"no such site: {norm} (see `rejoinder sites list`)")
        return site

    def thresholds(self, url: str) -> Thresholds:
        """A site's effective thresholds, read now (the CLI, the policy page)."""
        with self.db.read() as conn:
            site = store.site_by_url(conn, normalise_url(url))
        return self._effective(site)

    def thresholds_for(self, site_url: str) -> Thresholds:
        """The thresholds a verdict is decided with, on both comment paths (the widget's and
        Akismet's): the site's own where set, else the global settings. ``site_url`` is
        normalised; cached for ``key_cache_seconds`` (a change made here is seen at once)."""
        cached = self.cached_thresholds(site_url)
        if cached is not None:
            return cached
        with self.db.read() as conn:
            found = self._effective(store.site_by_url(conn, site_url))
        self.thresholds_cache.put(site_url, found)
        return found

    def cached_thresholds(self, site_url: str) -> Thresholds | None:
        """:meth:`thresholds_for` without a read: None when they are not cached."""
        cached = self.thresholds_cache.get(site_url)
        return None if cached is MISS else cached

    def _effective(self, site: store.SiteRow | None) -> Thresholds:
        d = self.default_thresholds
        if site is None:
            return d
        return Thresholds(
            d.hold if site.threshold_hold is None else site.threshold_hold,
            d.spam if site.threshold_spam is None else site.threshold_spam,
            d.discard if site.threshold_discard is None else site.threshold_discard,
        )

    def set_thresholds(
        self,
        url: str,
        hold: float | None = None,
        spam: float | None = None,
        discard: float | None = None,
        *,
        reset: bool = False,
    ) -> Thresholds:
        """Set a site's own thresholds (those not given stay as they are; ``reset`` first
        returns all three to the global settings). Returns the effective thresholds."""
        norm = normalise_url(url)
        for name, value in (("hold", hold), ("spam", spam), ("discard", discard)):
            if value is not None and not 0.0 <= value <= 1.0:
                raise ValidationFailed(f"threshold {name} must be between 0 and 1, got {value}")
        with self.db.begin() as conn:
            site = store.site_by_url(conn, norm)
            if site is None:
                raise NotFound(f"no such site: {norm} (add it with `rejoinder sites add`)")
            own = (
                (None, None, None)
                if reset
                else (site.threshold_hold, site.threshold_spam, site.threshold_discard)
            )
            new = tuple(
                v if v is not None else old
                for v, old in zip((hold, spam, discard), own, strict=True)
            )
            result = self._effective(store.SiteRow(site.id, site.url, site.name, *new))
            if not result.hold <= result.spam <= result.discard:
                raise ValidationFailed(
                    f"thresholds must satisfy hold <= spam <= discard, got hold={result.hold} "
                    f"spam={result.spam} discard={result.discard}"
                )
            store.set_thresholds(conn, site.id, *new)
        self.thresholds_cache.invalidate(norm)
        return result

    def create_key(self, site_urls: list[str], label: str = "", key: str | None = None) -> str:
        """Make a key limited to the given sites (none: any site); returns the key itself.

        ``key`` imports a known key (e.g. one a site already uses with Akismet) instead of
        generating one: 12 letters and digits, stored lower-case, as a hash only.
        """
        if key is None:
            key = generate_key()
        else:
            key = key.strip().lower()
            if not looks_like_key(key):
                raise ValidationFailed(
                    f"an API key is {KEY_LENGTH} letters and digits (the WordPress plugin "
                    "refuses any other length)"
                )
        with self.db.begin() as conn:
            if store.key_exists(conn, hash_key(key)):
                raise Conflict("that API key already exists")
            ids = []
            for url in site_urls:
                row = store.site_by_url(conn, normalise_url(url))
                if row is None:
                    raise NotFound(
                        f"no such site: {normalise_url(url)} (add it with `rejoinder sites add`)"
                    )
                ids.append(row.id)
            store.add_key(conn, hash_key(key), f"{key[:3]}…{key[-2:]}", label, ids, self.clock())
        return key

    def list_keys(self) -> list[store.KeyRow]:
        with self.db.read() as conn:
            return store.list_keys(conn)

    def revoke_key(self, key: str) -> None:
        key_hash = hash_key(key)
        with self.db.begin() as conn:
            revoked = store.revoke_key(conn, key_hash, self.clock())
        self.key_cache.invalidate(key_hash)
        if not revoked:
            raise NotFound("no such active key")

    def lookup_cached(self, key: str) -> KeyInfo | Miss | None:
        """Answer from the cache only (no I/O): the key's info, None (not a key), or MISS."""
        if not looks_like_key(key):
            return None
        return self.key_cache.get(hash_key(key))

    def lookup(self, key: str) -> KeyInfo | None:
        """The active key's id and site limits, or None for unknown or revoked keys."""
        if not looks_like_key(key):
            return None
        key_hash = hash_key(key)
        cached = self.key_cache.get(key_hash)
        if cached is not MISS:
            return cached
        with self.db.read() as conn:
            row = store.key_by_hash(conn, key_hash)
        if row is None or not row.active:
            return None  # not cached: a key created a moment later works at once
        info = KeyInfo(row.id, row.site_urls)
        self.key_cache.put(key_hash, info)
        return info
