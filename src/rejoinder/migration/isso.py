"""An Isso database (its ``dbpath``, an SQLite file), read without changing it.

``threads(id, uri, title)`` and ``comments(tid, id, parent, created, modified, mode,
remote_addr, text, author, email, website, …)``: ``mode`` 1 is published, 2 waiting for a
moderator, 4 deleted (kept, emptied, for its replies); ``text`` is the Markdown typed;
``created`` and ``modified`` are Unix times; ``uri`` is the article's path. Isso stores the
address already shortened to its network (``203.0.113.0``): that is what gets hashed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from rejoinder.migration.inputs import Progress, thread_key
from rejoinder.migration.records import (
    ImportedComment,
    ImportedThread,
    ImportFailed,
    SourceState,
)

MODES = {1: SourceState.APPROVED, 2: SourceState.PENDING, 4: SourceState.DELETED}
COLUMNS = "tid, id, parent, created, modified, mode, remote_addr, text, author, email, website"


def _when(value: object, where: str) -> datetime:
    try:
        return datetime.fromtimestamp(float(value), UTC)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError, OSError):
        raise ImportFailed(f"{where}: created {value!r} is not a Unix time") from None


@contextmanager
def reading(path: Path, progress: Progress) -> Iterator[Iterator[ImportedThread | ImportedComment]]:
    if not path.is_file():
        raise ImportFailed(f"{path}: no such file (give the path of Isso's database)")
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        try:
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        except sqlite3.DatabaseError:
            raise ImportFailed(
                f"{path.name}: not an SQLite database (Isso's is its dbpath)"
            ) from None
        if not {"threads", "comments"} <= tables:
            raise ImportFailed(
                f"{path.name}: not an Isso database (no threads and comments tables)"
            )
        total = int(db.execute("SELECT COUNT(*) FROM comments").fetchone()[0])
        progress.stage("Reading comments", total)
        yield _records(db, progress)
    finally:
        db.close()


def _records(
    db: sqlite3.Connection, progress: Progress
) -> Iterator[ImportedThread | ImportedComment]:
    keys: dict[int, str] = {}
    for tid, uri, title in db.execute("SELECT id, uri, title FROM threads ORDER BY id"):
        thread = ImportedThread(thread_key(uri or "", f"isso-{tid}"), uri or "", title or "")
        keys[int(tid)] = thread.key
        yield thread
    rows = db.execute(f"SELECT {COLUMNS} FROM comments ORDER BY tid, id")
    for tid, cid, parent, created, modified, mode, addr, text, author, email, website in rows:
        where = f"comment {cid} (thread {tid})"
        if tid not in keys:
            raise ImportFailed(f"{where}: its thread is not in the database")
        state = MODES.get(int(mode or 0), SourceState.PENDING)
        if state is SourceState.DELETED and (text or "").strip():
            state = SourceState.TRASH
        yield ImportedComment(
            source_id=str(cid),
            thread_key=keys[tid],
            parent_id=str(parent) if parent is not None else None,
            state=state,
            text=text or "",
            created_at=_when(created, where),
            where=where,
            author=author or "",
            email=email or "",
            website=website or "",
            ip=addr or "",
            edited_at=_when(modified, where) if modified else None,
        )
        progress.advance(1)
