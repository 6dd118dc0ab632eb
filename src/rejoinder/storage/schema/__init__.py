"""SQLAlchemy Core tables: the whole schema, one module per area.

Portable SQL only (SQLite and PostgreSQL run it unchanged). Times are timezone-aware UTC.
No column holds a raw IP address or user agent: ``*_hash`` columns are keyed hashes made by
``core.anonymize``.

Callers import the tables from here. Every table joins ``naming.metadata`` when its module is
imported, so the imports below (sorted by name) are the tables' order in ``metadata``, as it was
when the schema was one page: ``naming.py`` (the metadata, its naming convention, what Alembic
leaves alone) · ``akismet.py`` (sites, keys, checks, feedback, usage) · ``discussion.py``
(threads, comments, policies, votes) · ``moderation.py`` · ``notify.py`` (deliveries, daily
counters, used digest links) · ``privacy.py`` · ``spam.py`` (the engine's learned state, site
rules, thread words).
"""

from __future__ import annotations

from rejoinder.storage.schema.akismet import api_key_sites, api_keys, checks, feedback, sites, usage
from rejoinder.storage.schema.discussion import comment_policies, comment_votes, comments, threads
from rejoinder.storage.schema.moderation import (
    login_throttle,
    moderation_log,
    moderator_roles,
    moderator_sessions,
    moderator_tokens,
    moderators,
)
from rejoinder.storage.schema.naming import (
    HASH_LEN,
    NAMING,
    UNMANAGED_PREFIXES,
    managed_name,
    metadata,
)
from rejoinder.storage.schema.notify import (
    daily_stats,
    notification_deliveries,
    used_links,
    webhooks,
)
from rejoinder.storage.schema.privacy import privacy_rate_limits, task_locks
from rejoinder.storage.schema.spam import (
    cache_generations,
    learned,
    near_duplicates,
    reputation,
    site_rules,
    thread_words,
)

__all__ = [
    "HASH_LEN",
    "NAMING",
    "UNMANAGED_PREFIXES",
    "api_key_sites",
    "api_keys",
    "cache_generations",
    "checks",
    "comment_policies",
    "comment_votes",
    "comments",
    "daily_stats",
    "feedback",
    "learned",
    "login_throttle",
    "managed_name",
    "metadata",
    "moderation_log",
    "moderator_roles",
    "moderator_sessions",
    "moderator_tokens",
    "moderators",
    "near_duplicates",
    "notification_deliveries",
    "privacy_rate_limits",
    "reputation",
    "site_rules",
    "sites",
    "task_locks",
    "thread_words",
    "threads",
    "usage",
    "used_links",
    "webhooks",
]
