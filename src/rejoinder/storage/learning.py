"""What the spam engine has learned: reputation sums, the near-duplicate index, learned contents.

Only keyed hashes (64-bit integers cut from an HMAC) and MinHash signatures are stored here;
see ``spam/learning/``. Upserts add to sums with ``INSERT … ON CONFLICT DO UPDATE`` so that
several workers may learn at once without losing an update.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Text, cast, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from rejoinder.storage.schema import feedback, learned, near_duplicates, reputation

CHUNK = 20_000


def _insert(conn: Connection) -> Any:
    return pg_insert if conn.dialect.name == "postgresql" else sqlite_insert


# --- reputation --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RepDelta:
    key: int
    kind: str
    spam: float
    ham: float


_STATEMENTS: dict[tuple[str, str], Any] = {}


def _statement(conn: Connection, name: str) -> Any:
    """Upsert statements, built once per dialect (building them costs more than running them)."""
    found = _STATEMENTS.get((conn.dialect.name, name))
    if found is not None:
        return found
    if name == "reputation":
        stmt = _insert(conn)(reputation)
        stmt = stmt.on_conflict_do_update(
            index_elements=["key"],
            set_={
                "spam": reputation.c.spam + stmt.excluded.spam,
                "ham": reputation.c.ham + stmt.excluded.ham,
                "updated_ts": stmt.excluded.updated_ts,
            },
        )
    else:
        stmt = _insert(conn)(near_duplicates)
        stmt = stmt.on_conflict_do_update(
            index_elements=["fingerprint"],
            set_={"label": stmt.excluded.label, "updated_ts": stmt.excluded.updated_ts},
        ).returning(near_duplicates.c.id, near_duplicates.c.created_ts)
    _STATEMENTS[(conn.dialect.name, name)] = stmt
    return stmt


def add_reputation(conn: Connection, deltas: Sequence[RepDelta], now_ts: float) -> None:
    """Add to the spam/ham sums of each key (creating rows as needed)."""
    if not deltas:
        return
    stmt = _statement(conn, "reputation")
    rows = [
        {"key": d.key, "kind": d.kind, "spam": d.spam, "ham": d.ham, "updated_ts": now_ts}
        for d in deltas
    ]
    conn.execute(stmt, rows)


def count_reputation(conn: Connection) -> int:
    """How many reputation rows there are (a hint for loading them into preallocated arrays)."""
    return int(conn.execute(select(func.count()).select_from(reputation)).scalar_one())


def iter_reputation(
    conn: Connection, since_ts: float | None = None
) -> Iterator[Sequence[Sequence[Any]]]:
    """All (key, spam, ham, updated_ts) rows, or those updated since a time, in chunks."""
    query = select(reputation.c.key, reputation.c.spam, reputation.c.ham, reputation.c.updated_ts)
    if since_ts is not None:
        query = query.where(reputation.c.updated_ts >= since_ts)
    result = conn.execution_options(yield_per=CHUNK).execute(query)
    yield from result.partitions(CHUNK)


def reputation_row(conn: Connection, kind: str, key: int) -> dict[str, Any] | None:
    row = conn.execute(
        select(reputation).where(reputation.c.key == key, reputation.c.kind == kind)
    ).first()
    return dict(row._mapping) if row else None


def delete_reputation(conn: Connection, kind: str, key: int) -> int:
    result = conn.execute(
        delete(reputation).where(reputation.c.key == key, reputation.c.kind == kind)
    )
    return int(result.rowcount or 0)


# --- near-duplicate index ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NearDupRow:
    id: int
    fingerprint: str
    signature: bytes
    label: str
    site_url: str
    created_ts: float


def upsert_near_duplicate(
    conn: Connection, fingerprint: str, signature: bytes, label: str, site_url: str, now_ts: float
) -> NearDupRow:
    """Insert an item, or relabel the one with this fingerprint; returns the stored row."""
    values = {
        "fingerprint": fingerprint,
        "signature": signature,
        "label": label,
        "site_url": site_url[:500],
        "created_ts": now_ts,
        "updated_ts": now_ts,
    }
    row_id, created_ts = conn.execute(_statement(conn, "near_duplicates"), values).one()
    return NearDupRow(int(row_id), fingerprint, signature, label, site_url[:500], float(created_ts))


def iter_near_duplicates(
    conn: Connection, *, created_after: float, updated_since: float | None = None
) -> Iterator[list[NearDupRow]]:
    cols = near_duplicates.c
    query = select(
        cols.id, cols.fingerprint, cols.signature, cols.label, cols.site_url, cols.created_ts
    ).where(cols.created_ts >= created_after)
    if updated_since is not None:
        query = query.where(cols.updated_ts >= updated_since)
    result = conn.execution_options(yield_per=CHUNK // 2).execute(query.order_by(cols.id))
    for part in result.partitions(CHUNK // 2):
        yield [NearDupRow(int(r[0]), r[1], bytes(r[2]), r[3], r[4], float(r[5])) for r in part]


def purge_near_duplicates(conn: Connection, created_before: float) -> int:
    result = conn.execute(
        delete(near_duplicates).where(near_duplicates.c.created_ts < created_before)
    )
    return int(result.rowcount or 0)


# --- learned contents ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LearnedRow:
    fingerprint: str
    label: str
    learned_ts: float
    keys: list[tuple[str, int]]


def learned_row(conn: Connection, fingerprint: str) -> LearnedRow | None:
    row = conn.execute(select(learned).where(learned.c.fingerprint == fingerprint)).first()
    if row is None:
        return None
    keys = [(str(kind), int(key)) for kind, key in row.keys]
    return LearnedRow(row.fingerprint, row.label, float(row.learned_ts), keys)


def insert_learned(conn: Connection, row: LearnedRow) -> None:
    # Values as parameters of one constant statement: its compiled form is cached, where
    # ``insert().values(...)`` built and compiled a new statement for every learned label.
    conn.execute(
        learned.insert(),
        {
            "fingerprint": row.fingerprint,
            "label": row.label,
            "learned_ts": row.learned_ts,
            "keys": [[kind, key] for kind, key in row.keys],
        },
    )


def replace_learned(conn: Connection, row: LearnedRow) -> None:
    conn.execute(
        update(learned)
        .where(learned.c.fingerprint == row.fingerprint)
        .values(
            label=row.label, learned_ts=row.learned_ts, keys=[[kind, key] for kind, key in row.keys]
        )
    )


def learned_listing(conn: Connection, kind: str, key: int) -> list[LearnedRow]:
    """Learned rows whose ``keys`` include (kind, key). The JSON is matched as text first (a
    scan, but in SQL), then exactly; erase requests are rare."""
    candidates = conn.execute(
        select(learned).where(cast(learned.c["keys"], Text).like(f"%{int(key)}%"))
    )
    found = []
    for row in candidates:
        keys = [(str(k), int(v)) for k, v in row.keys]
        if (kind, key) in keys:
            found.append(LearnedRow(row.fingerprint, row.label, float(row.learned_ts), keys))
    return found


def set_learned_keys(conn: Connection, fingerprint: str, keys: list[tuple[str, int]]) -> None:
    conn.execute(
        update(learned)
        .where(learned.c.fingerprint == fingerprint)
        .values(keys=[[kind, key] for kind, key in keys])
    )


def mark_feedback_learned(conn: Connection, feedback_id: int, when: Any) -> None:
    conn.execute(update(feedback).where(feedback.c.id == feedback_id).values(learned_at=when))


def feedback_ip_hashes(conn: Connection, feedback_id: int) -> tuple[str | None, str | None]:
    row = conn.execute(
        select(feedback.c.ip_hash, feedback.c.ip_prefix_hash).where(feedback.c.id == feedback_id)
    ).first()
    return (row[0], row[1]) if row else (None, None)


def feedback_ip_hashes_many(
    conn: Connection, ids: Sequence[int]
) -> dict[int, tuple[str | None, str | None]]:
    found: dict[int, tuple[str | None, str | None]] = {}
    for start in range(0, len(ids), 500):
        rows = conn.execute(
            select(feedback.c.id, feedback.c.ip_hash, feedback.c.ip_prefix_hash).where(
                feedback.c.id.in_(list(ids[start : start + 500]))
            )
        )
        found.update({int(r[0]): (r[1], r[2]) for r in rows})
    return found


def pending_feedback(conn: Connection, limit: int) -> list[dict[str, Any]]:
    """Feedback recorded but not yet learned (a crash between the two), oldest first."""
    rows = conn.execute(
        select(feedback).where(feedback.c.learned_at.is_(None)).order_by(feedback.c.id).limit(limit)
    )
    return [dict(r._mapping) for r in rows]
