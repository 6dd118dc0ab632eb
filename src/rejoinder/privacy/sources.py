"""Where a person's data lives, for export and erase by email (``requests.py``).

:data:`SOURCES` are the tables whose rows carry an email (raw and/or as a keyed hash),
:data:`HASH_KEYED` the rows keyed by ``Hasher.email``, :data:`DERIVED` the rows derived from a
source row's text, found by its content fingerprint, and :data:`LINKED` the rows tied to a source
row by its key, deleted first in either mode (the thread words of a person's checks and
comments). A new table with personal data adds an entry here; entries whose table does not exist
yet are skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table

from rejoinder.privacy.rules import comment_placeholder, has_replies
from rejoinder.storage.generations import Cached

Values = Callable[[datetime], Mapping[str, Any]]


@dataclass(frozen=True, slots=True)
class PersonalSource:
    """A table whose rows carry a person's email (raw and/or as a keyed hash)."""

    name: str
    table: str
    what: str
    anonymise: Values  # column -> value in anonymise mode
    hash_column: str = "email_hash"
    address_column: str | None = "email"  # matched case-insensitively when the address is known
    # Delete mode: rows others depend on (a comment with replies) are blanked, not deleted.
    keep_if: Callable[[Table], ColumnElement[bool]] | None = None
    placeholder: Values | None = None
    # exact-duplicate key of the row's text: finds what :data:`DERIVED` made from it
    fingerprint_column: str | None = None


@dataclass(frozen=True, slots=True)
class HashKeyedTable:
    """Rows keyed by something derived from ``Hasher.email(address)``; erase deletes them.

    ``match(table, email_hash)`` selects the rows of one address, e.g. a bucket string
    ``"e:" + email_hash``, or a reputation row ``kind == "email" and key == key_int(hash)``.
    """

    table: str
    what: str
    match: Callable[[Table, str], ColumnElement[bool]]


@dataclass(frozen=True, slots=True)
class DerivedTable:
    """Rows derived from the text of source rows, keyed by its fingerprint; erase (delete mode)
    deletes them with the rows. ``cached``: every worker mirrors the table in memory, so the
    erase bumps its generation and they reload."""

    table: str
    what: str
    column: str = "fingerprint"
    cached: Cached | None = None


@dataclass(frozen=True, slots=True)
class LinkedTable:
    """Rows made from source rows and tied to them by the source row's key; erase deletes them
    first, in either mode (nothing would find them once the source row is gone or blanked).
    ``links``: (source name, column here, key column of the source table)."""

    table: str
    what: str
    links: tuple[tuple[str, str, str], ...]


SOURCES: tuple[PersonalSource, ...] = (
    PersonalSource(
        name="checks",
        table="checks",
        what="Akismet check records",
        fingerprint_column="fingerprint",
        anonymise=lambda _now: {
            "author": "",
            "email": "",
            "email_hash": None,
            "author_url": "",
            "ip_hash": None,
            "ip_prefix_hash": None,
        },
    ),
    PersonalSource(
        name="feedback",
        table="feedback",
        what="spam/ham reports",
        fingerprint_column="fingerprint",
        address_column=None,  # the address is inside the ``fields`` JSON; found by hash
        anonymise=lambda now: {
            "fields": {},
            "email_hash": None,
            "ip_hash": None,
            "ip_prefix_hash": None,
            "personal_cleared_at": now,
        },
    ),
    PersonalSource(
        name="comments",
        table="comments",
        what="comments",
        fingerprint_column="fingerprint",
        keep_if=has_replies,
        placeholder=lambda now: {**comment_placeholder(now), "status": "deleted"},
        anonymise=lambda _now: {
            "author": "",
            "author_html": "",
            "email": "",
            "email_hash": None,
            "website": "",
            "ip_hash": None,
            "ip_prefix_hash": None,
            "ip_network": None,
            "notify_replies": False,
            "avatar": None,
            "gravatar": None,
        },
    ),
    PersonalSource(
        name="notification_deliveries",
        table="notification_deliveries",
        what="notification emails sent to the address",
        hash_column="recipient_hash",
        address_column="recipient",
        anonymise=lambda _now: {"recipient": "", "recipient_hash": None, "payload": {}},
    ),
)

HASH_KEYED: tuple[HashKeyedTable, ...] = (
    HashKeyedTable(
        "privacy_rate_limits",
        "export/erase request counters",
        lambda t, email_hash: t.c.bucket == "e:" + email_hash,
    ),
)


DERIVED: tuple[DerivedTable, ...] = (
    DerivedTable(
        "near_duplicates",
        "fingerprints (MinHash numbers) the spam filter made of these texts",
        cached=Cached.NEAR_DUPLICATES,
    ),
)


LINKED: tuple[LinkedTable, ...] = (
    LinkedTable(
        "thread_words",
        "keyed hashes of the word stems of these comments (what readers said under an "
        "article, which the spam filter compares with new comments)",
        (("checks", "check_guid", "guid"), ("comments", "comment_id", "id")),
    ),
)
