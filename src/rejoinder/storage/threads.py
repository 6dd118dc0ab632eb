"""Threads: found by key or id, created on first use (safe against a concurrent creator)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from rejoinder.core.records.comments import Thread
from rejoinder.storage.schema import threads
from rejoinder.storage.times import aware


def _thread(row: Any) -> Thread:
    m = row._mapping
    return Thread(
        m["id"], m["site_id"], m["key"], m["url"], m["title"], aware(m["created_at"]), m["version"]
    )


# Statements on the posting path are built once: building and keying a statement costs more
# than running it (they run on the event loop inside the group commit).
_THREAD_BY_KEY = select(threads).where(
    threads.c.site_id == bindparam("site_id"), threads.c.key == bindparam("key")
)


def thread_by_key(conn: Connection, site_id: int, key: str) -> Thread | None:
    row = conn.execute(_THREAD_BY_KEY, {"site_id": site_id, "key": key}).first()
    return _thread(row) if row else None


def thread_by_id(conn: Connection, thread_id: int) -> Thread | None:
    row = conn.execute(select(threads).where(threads.c.id == thread_id)).first()
    return _thread(row) if row else None


def ensure_thread(
    conn: Connection, site_id: int, key: str, url: str, title: str, now: datetime
) -> Thread:
    """The thread with this key, created on first use (safe against a concurrent creator)."""
    found = thread_by_key(conn, site_id, key)
    if found is not None:
        if (url and not found.url) or (title and not found.title):
            conn.execute(
                update(threads)
                .where(threads.c.id == found.id)
                .values(url=found.url or url, title=found.title or title)
            )
            found = thread_by_key(conn, site_id, key)
            assert found is not None
        return found
    try:
        with conn.begin_nested():
            conn.execute(
                insert(threads).values(
                    site_id=site_id, key=key, url=url, title=title, created_at=now
                )
            )
    except IntegrityError:
        pass
    created = thread_by_key(conn, site_id, key)
    assert created is not None
    return created


def threads_by_keys(conn: Connection, site_id: int, keys: Collection[str]) -> dict[str, int]:
    if not keys:
        return {}
    rows = conn.execute(
        select(threads.c.key, threads.c.id).where(
            threads.c.site_id == site_id, threads.c.key.in_(list(keys))
        )
    )
    return {r[0]: int(r[1]) for r in rows}
