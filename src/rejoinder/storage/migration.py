"""A site's threads and comments in bulk, for ``rejoinder import`` and ``export``.

Comments are written with ``storage.comments.insert_comment`` like every other; this module
reads what an export needs and what an import must not add twice.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypedDict

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from rejoinder.core.records.comments import Status, Thread
from rejoinder.core.records.verdict import HitRecord
from rejoinder.storage.schema import comments, threads
from rejoinder.storage.times import aware

# A comment already stored is the same comment: same thread, time (to the second), author and
# text (its fingerprint). Nothing else is needed to import a file twice without doubles.
NaturalKey = tuple[str, str, str]
CHUNK = 500  # ids or keys per IN (...)


def natural_key(created_at: datetime, author: str, fingerprint: str | None) -> NaturalKey:
    second = aware(created_at).astimezone(UTC).replace(microsecond=0)
    return second.isoformat(), author, fingerprint or ""


@dataclass(frozen=True, slots=True)
class ExportThread:
    id: int
    key: str
    url: str
    title: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ExportComment:
    id: int
    parent_id: int | None
    status: Status
    author: str
    email: str
    website: str
    text: str
    html: str
    created_at: datetime
    edited_at: datetime | None
    ip_hash: str | None
    ip_prefix_hash: str | None
    ip_network: str | None
    ua_family: str
    probability: float | None
    hits: list[HitRecord]
    notify_replies: bool


@dataclass(frozen=True, slots=True)
class Placed:
    """A stored comment a reply can hang from."""

    id: int
    root_id: int | None
    depth: int


def site_threads(conn: Connection, site_id: int) -> Iterator[ExportThread]:
    rows = conn.execute(
        select(threads.c.id, threads.c.key, threads.c.url, threads.c.title, threads.c.created_at)
        .where(threads.c.site_id == site_id)
        .order_by(threads.c.id)
    )
    for r in rows:
        yield ExportThread(r.id, r.key, r.url, r.title, aware(r.created_at))


_EXPORTED = (
    comments.c.id,
    comments.c.parent_id,
    comments.c.status,
    comments.c.author,
    comments.c.email,
    comments.c.website,
    comments.c.text,
    comments.c.html,
    comments.c.created_at,
    comments.c.edited_at,
    comments.c.ip_hash,
    comments.c.ip_prefix_hash,
    comments.c.ip_network,
    comments.c.ua_family,
    comments.c.probability,
    comments.c.hits,
    comments.c.notify_replies,
)


def thread_comments(conn: Connection, thread_id: int) -> list[ExportComment]:
    """A thread's comments, oldest first (a reply always after its parent)."""
    rows = conn.execute(
        select(*_EXPORTED)
        .where(comments.c.thread_id == thread_id, comments.c.status != Status.DISCARDED.value)
        .order_by(comments.c.id)
    )
    return [_exported(r) for r in rows]


def _exported(r: Any) -> ExportComment:
    return ExportComment(
        r.id,
        r.parent_id,
        Status(r.status),
        r.author,
        r.email,
        r.website,
        r.text,
        r.html,
        aware(r.created_at),
        aware(r.edited_at) if r.edited_at else None,
        r.ip_hash,
        r.ip_prefix_hash,
        r.ip_network,
        r.ua_family,
        r.probability,
        list(r.hits or []),
        bool(r.notify_replies),
    )


def existing_comments(
    conn: Connection, thread_ids: list[int]
) -> dict[int, dict[NaturalKey, Placed]]:
    """For each thread, its comments by natural key."""
    found: dict[int, dict[NaturalKey, Placed]] = {t: {} for t in thread_ids}
    for start in range(0, len(thread_ids), CHUNK):
        rows = conn.execute(
            select(
                comments.c.thread_id,
                comments.c.id,
                comments.c.root_id,
                comments.c.depth,
                comments.c.created_at,
                comments.c.author,
                comments.c.fingerprint,
            ).where(comments.c.thread_id.in_(thread_ids[start : start + CHUNK]))
        )
        for r in rows:
            key = natural_key(r.created_at, r.author, r.fingerprint)
            found[r.thread_id][key] = Placed(r.id, r.root_id, r.depth)
    return found


@dataclass(frozen=True, slots=True)
class WantedThread:
    key: str
    url: str
    title: str
    created_at: datetime


def ensure_threads(
    conn: Connection, site_id: int, wanted: list[WantedThread]
) -> tuple[dict[str, Thread], set[str]]:
    """The site's threads with these keys, the missing ones created (a thread a reader starts
    meanwhile is taken as it is); and the keys that existed before."""
    keys = [w.key for w in wanted]
    before = _threads_by_key(conn, site_id, keys)
    missing = [w for w in wanted if w.key not in before]
    if missing:
        maker = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
        rows = [
            {
                "site_id": site_id,
                "key": w.key,
                "url": w.url,
                "title": w.title,
                "created_at": w.created_at,
                "version": 0,
            }
            for w in missing
        ]
        conn.execute(maker(threads).on_conflict_do_nothing(index_elements=["site_id", "key"]), rows)
    for w in wanted:  # an existing thread learns the URL and title it lacked
        known = before.get(w.key)
        if known is not None and ((w.url and not known.url) or (w.title and not known.title)):
            conn.execute(
                update(threads)
                .where(threads.c.id == known.id)
                .values(url=known.url or w.url, title=known.title or w.title)
            )
    return _threads_by_key(conn, site_id, keys), set(before)


def _threads_by_key(conn: Connection, site_id: int, keys: list[str]) -> dict[str, Thread]:
    found: dict[str, Thread] = {}
    for start in range(0, len(keys), CHUNK):
        rows = conn.execute(
            select(threads).where(
                threads.c.site_id == site_id, threads.c.key.in_(keys[start : start + CHUNK])
            )
        )
        for r in rows:
            found[r.key] = Thread(
                r.id, r.site_id, r.key, r.url, r.title, aware(r.created_at), r.version
            )
    return found


def touch_threads(conn: Connection, thread_ids: list[int]) -> None:
    """Readers cache a rendered thread under its version: an import changes it."""
    for start in range(0, len(thread_ids), CHUNK):
        conn.execute(
            update(threads)
            .where(threads.c.id.in_(thread_ids[start : start + CHUNK]))
            .values(version=threads.c.version + 1)
        )


class ImportRow(TypedDict):
    """One imported comment as inserted: the columns of ``storage.comments.CommentRecord``
    (status as its value) and ``edited_at``."""

    thread_id: int
    parent_id: int | None
    root_id: int | None
    depth: int
    status: str  # a Status
    author: str
    email: str
    email_hash: str | None
    website: str
    author_html: str
    text: str
    html: str
    created_at: datetime
    edited_at: datetime | None
    probability: float | None
    hits: list[HitRecord]
    ip_hash: str | None
    ip_prefix_hash: str | None
    ua_family: str
    ip_network: str | None
    fingerprint: str | None
    notify_replies: bool


def insert_comments(conn: Connection, rows: Sequence[ImportRow]) -> list[int]:
    """Many comments in one statement; their ids, in order.

    PostgreSQL returns the ids (``RETURNING``, in parameter order). SQLite would insert one
    row at a time to do that, so there the rows go in with one ``executemany`` and the ids
    are read back: inside this write transaction nobody else inserts, and an ``INTEGER
    PRIMARY KEY`` takes the next number, so they are the ones up to ``last_insert_rowid()``.
    """
    if not rows:
        return []
    if conn.dialect.name != "sqlite":
        returning = insert(comments).returning(comments.c.id, sort_by_parameter_order=True)
        return [int(r[0]) for r in conn.execute(returning, rows)]
    before = conn.execute(select(func.max(comments.c.id))).scalar() or 0
    conn.execute(insert(comments), rows)
    last = int(conn.exec_driver_sql("SELECT last_insert_rowid()").scalar_one())
    ids = list(range(last - len(rows) + 1, last + 1))
    if ids[0] <= before:  # never seen: rowids were not handed out one after another
        raise RuntimeError("comment ids are not consecutive; import stopped")
    return ids
