"""The one ``MetaData`` every table joins, its naming convention, and what Alembic leaves alone."""

from __future__ import annotations

from sqlalchemy import MetaData

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

HASH_LEN = 32  # hex characters of a keyed hash (128 bits)

# Made by migrations but not declared here: the full-text search over comments (an FTS5 table
# and its shadow tables on SQLite, a GIN expression index on PostgreSQL; see migration 0005).
UNMANAGED_PREFIXES = ("comments_fts", "ix_comments_fts")


def managed_name(name: str | None, _type: str, _parents: object) -> bool:
    """Alembic ``include_name`` filter: leave the full-text search objects alone."""
    return not (name or "").startswith(UNMANAGED_PREFIXES)
