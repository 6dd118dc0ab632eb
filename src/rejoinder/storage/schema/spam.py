"""The spam engine's state: what it learned (spam/learning/), site rules, thread words, and the
generations of the tables workers mirror."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    UniqueConstraint,
)

from rejoinder.storage.schema.naming import HASH_LEN, metadata

# Keys are the first 64 bits of an HMAC made by ``core.anonymize.Hasher``: never raw values.

reputation = Table(
    "reputation",
    metadata,
    Column("key", BigInteger, primary_key=True, autoincrement=False),
    Column("kind", String(16), nullable=False),  # reputation.KeyKind
    # Forward-decayed sums: each report adds 2**((t - epoch) / half_life); see reputation.py.
    Column("spam", Float, nullable=False, default=0.0),
    Column("ham", Float, nullable=False, default=0.0),
    Column("updated_ts", Float, nullable=False, index=True),  # unix seconds
)

near_duplicates = Table(
    "near_duplicates",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("fingerprint", String(32), nullable=False, unique=True),
    Column("signature", LargeBinary, nullable=False),  # MinHash values, little-endian uint32
    Column("label", String(8), nullable=False),
    Column("site_url", String(500), nullable=False),
    Column("created_ts", Float, nullable=False, index=True),
    Column("updated_ts", Float, nullable=False, index=True),
)

learned = Table(
    "learned",
    metadata,
    Column("fingerprint", String(32), primary_key=True),  # one learned label per content
    Column("label", String(8), nullable=False),
    Column("learned_ts", Float, nullable=False),
    Column("keys", JSON, nullable=False),  # [[kind, key], …] the reputation rows it added to
)

site_rules = Table(
    "site_rules",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_url", String(500), nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # rules.RuleKind
    Column("effect", String(8), nullable=False),  # rules.RuleEffect
    Column("value", String(500), nullable=False),  # typed ranges are the only IPs stored
    Column("note", String(200), nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("site_url", "kind", "effect", "value", name="uq_site_rules_rule"),
)

thread_words = Table(
    "thread_words",
    metadata,
    # What accepted comments on one article said, for the topicality signal: one row per
    # accepted comment (an Akismet check that accepted it, or a published widget comment), tied
    # to that record so that deleting the record (retention, erase, a moderator's decision)
    # deletes the row. No text: ``stems`` holds 64 bits of a keyed hash per word stem.
    Column("id", Integer, primary_key=True),
    Column("site_url", String(500), nullable=False),
    Column("thread", String(HASH_LEN), nullable=False),  # keyed hash of site + permalink
    Column(
        "check_guid",
        String(32),
        ForeignKey("checks.guid", ondelete="CASCADE"),
        nullable=True,
        unique=True,
    ),
    Column(
        "comment_id",
        Integer,
        ForeignKey("comments.id", ondelete="CASCADE"),
        nullable=True,
        unique=True,
    ),
    Column("stems", LargeBinary, nullable=False),  # 8 bytes per stem, at most 24 stems
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Index("ix_thread_words_thread_id", "thread", "id"),
)

cache_generations = Table(
    "cache_generations",
    metadata,
    # Tables that every worker mirrors in memory (``storage.generations.Cached``). Deleting rows
    # from one of them bumps its generation; a worker that sees a new generation reloads.
    Column("name", String(32), primary_key=True),
    Column("generation", Integer, nullable=False, default=0),
    Column("changed_ts", Float, nullable=False),  # unix seconds
)
