"""The whole file, read and checked before anything is written: a temporary SQLite file.

A reader streams threads and comments in whatever order its format keeps them; staging cleans
each comment as a new one is cleaned (``comments.sanitize``), hashes its IP address the moment
it arrives (``privacy.anonymize``: the raw address never reaches this file either), and keeps
it on disk, so memory stays flat however large the file. Only when the file has been read to
the end — not truncated, every parent present, no reply loop — does the import write, one
thread at a time, replies after their parents.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from rejoinder.comments import sanitize
from rejoinder.core.anonymize import Hasher, truncated
from rejoinder.errors import ValidationFailed
from rejoinder.migration.records import (
    ImportedComment,
    ImportedThread,
    ImportFailed,
    Kept,
    SourceState,
)
from rejoinder.spam.submission import parse_ip

MAX_TEXT = 1_000_000  # characters; WordPress allows 65,525
BATCH = 2_000

_SCHEMA = """
CREATE TABLE threads (key TEXT PRIMARY KEY, url TEXT, title TEXT, created_at TEXT, seq INTEGER);
CREATE TABLE comments (
    seq INTEGER PRIMARY KEY, thread_key TEXT NOT NULL, source_id TEXT NOT NULL UNIQUE,
    parent_id TEXT, place TEXT NOT NULL, state TEXT NOT NULL, author TEXT, email TEXT,
    website TEXT, text TEXT, created_at TEXT NOT NULL, edited_at TEXT, ip_hash TEXT,
    ip_prefix_hash TEXT, ip_network TEXT, kept TEXT, rank INTEGER
);
CREATE INDEX comments_thread ON comments (thread_key, rank);
"""


class Note:
    """What an import changed or left out, counted for the summary."""

    NAME_SHORTENED = "names longer than 100 characters shortened"
    EMAIL_DROPPED = "e-mail addresses that are not addresses left out"
    WEBSITE_DROPPED = "websites that are not http(s) addresses left out"
    EMPTY_KEPT = "empty comments kept as deleted placeholders for their replies"
    NOT_COMMENTS = "pingbacks, trackbacks and other non-comments skipped"


@dataclass(slots=True)
class Staged:
    """One comment as the writer reads it back."""

    source_id: str
    parent_id: str | None  # after skipped comments are stepped over
    place: str
    state: SourceState
    author: str
    email: str
    website: str
    text: str
    created_at: datetime
    edited_at: datetime | None
    ip_hash: str | None
    ip_prefix_hash: str | None
    ip_network: str | None
    kept: Kept = field(default_factory=Kept)


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment is not None else None


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class Staging:
    """A temporary staging file; use as a context manager (the file goes at the end)."""

    def __init__(self, hasher: Hasher):
        self.hasher = hasher
        self.notes: Counter[str] = Counter()
        self._dir = tempfile.TemporaryDirectory(prefix="rejoinder-import-")
        self.db = sqlite3.connect(Path(self._dir.name) / "staging.db")
        self.db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + _SCHEMA)
        self._pending: list[tuple[Any, ...]] = []
        self._threads = 0

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *_: object) -> None:
        self.db.close()
        self._dir.cleanup()

    # --- reading ------------------------------------------------------------------------
    def add_all(self, records: Iterable[ImportedThread | ImportedComment]) -> None:
        for record in records:
            if isinstance(record, ImportedThread):
                self._add_thread(record)
            else:
                self._pending.append(self._row(record))
                if len(self._pending) >= BATCH:
                    self._flush()
        self._flush()
        self._check_parents()
        self._rank()

    def _add_thread(self, thread: ImportedThread) -> None:
        self._threads += 1
        self.db.execute(
            "INSERT OR IGNORE INTO threads VALUES (?, ?, ?, ?, ?)",
            (thread.key, thread.url, thread.title, _iso(thread.created_at), self._threads),
        )

    def _flush(self) -> None:
        try:
            self.db.executemany(
                "INSERT INTO comments VALUES (NULL,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,NULL)",
                self._pending,
            )
        except sqlite3.IntegrityError:
            self._duplicate()
        self._pending = []

    def _duplicate(self) -> None:
        seen: dict[str, str] = {}
        for row in self._pending:
            source_id, place = row[1], row[3]
            found = self.db.execute(
                "SELECT place FROM comments WHERE source_id = ?", (source_id,)
            ).fetchone()
            first = found[0] if found else seen.get(source_id)
            if first is not None:
                raise ImportFailed(f"{place}: its id {source_id!r} was used before, by {first}")
            seen[source_id] = place
        raise ImportFailed("two comments have the same id")  # pragma: no cover - found above

    def _row(self, c: ImportedComment) -> tuple[Any, ...]:
        state = c.state
        text = self._text(c)
        if not text and state in (SourceState.TRASH, SourceState.DELETED):
            state = SourceState.DELETED
        elif not text and state is not SourceState.SKIPPED:
            self.notes[Note.EMPTY_KEPT] += 1
            state = SourceState.DELETED
        if state is SourceState.SKIPPED:
            self.notes[Note.NOT_COMMENTS] += 1
        author, email, website = self._author_fields(c)
        addr = parse_ip(c.ip) if c.ip else None
        ip_hash = c.kept.pop("ip_hash", None) or self.hasher.ip(addr)
        prefix_hash = c.kept.pop("ip_prefix_hash", None) or self.hasher.ip_prefix(addr)
        network = c.kept.pop("ip_network", None) or truncated(addr) or None
        return (
            c.thread_key,
            c.source_id,
            c.parent_id,
            c.where,
            state.value,
            author,
            email,
            website,
            text,
            _iso(c.created_at),
            _iso(c.edited_at),
            ip_hash,
            prefix_hash,
            network,
            json.dumps(c.kept) if c.kept else None,
        )

    def _text(self, c: ImportedComment) -> str:
        if not c.text.strip():
            return ""
        try:
            return sanitize.clean_text(c.text, MAX_TEXT)
        except ValidationFailed as exc:
            raise ImportFailed(f"{c.where}: {exc.message}") from None

    def _author_fields(self, c: ImportedComment) -> tuple[str, str, str]:
        try:
            author = sanitize.clean_author(c.author)
        except ValidationFailed:
            self.notes[Note.NAME_SHORTENED] += 1
            author = sanitize.clean_author(c.author[: sanitize.MAX_AUTHOR])
        email = website = ""
        try:
            email = sanitize.clean_email(c.email) if c.email else ""
        except ValidationFailed:
            self.notes[Note.EMAIL_DROPPED] += 1
        try:
            website = sanitize.clean_website(c.website) if c.website.strip() else ""
        except ValidationFailed:
            self.notes[Note.WEBSITE_DROPPED] += 1
        return author, email, website

    def _check_parents(self) -> None:
        orphan = self.db.execute(
            "SELECT c.place, c.parent_id, p.place FROM comments c "
            "LEFT JOIN comments p ON p.source_id = c.parent_id "
            "WHERE c.parent_id IS NOT NULL AND (p.seq IS NULL OR p.thread_key != c.thread_key) "
            "ORDER BY c.seq LIMIT 1"
        ).fetchone()
        if orphan is None:
            return
        place, parent, parent_place = orphan
        where = (
            "is not in the file"
            if parent_place is None
            else f"is in another thread ({parent_place})"
        )
        raise ImportFailed(f"{place}: it replies to comment {parent!r}, which {where}")

    def _rank(self) -> None:
        """Give every comment its place in its thread's write order (parents first); refuse
        a reply loop. Only ids and parents are held in memory, one thread at a time."""
        ranks: list[tuple[int, int]] = []
        for _key, rows in self._by_thread("SELECT thread_key, seq, source_id, parent_id, place"):
            ranks.extend(_parents_first(rows))
            if len(ranks) >= BATCH:
                self.db.executemany("UPDATE comments SET rank = ? WHERE seq = ?", ranks)
                ranks = []
        self.db.executemany("UPDATE comments SET rank = ? WHERE seq = ?", ranks)

    def _by_thread(self, select: str) -> Iterator[tuple[str, list[tuple[Any, ...]]]]:
        rows = self.db.execute(f"{select} FROM comments ORDER BY thread_key, seq")
        key: str | None = None
        group: list[tuple[Any, ...]] = []
        for row in rows:
            if row[0] != key and group:
                yield key or "", group
                group = []
            key = row[0]
            group.append(row[1:])
        if group:
            yield key or "", group

    # --- writing ------------------------------------------------------------------------
    def counts(self) -> Counter[SourceState]:
        rows = self.db.execute("SELECT state, COUNT(*) FROM comments GROUP BY state")
        return Counter({SourceState(state): int(n) for state, n in rows})

    def newest(self, state: SourceState, limit: int) -> frozenset[str]:
        """The ids of the ``limit`` newest comments in this state that have text."""
        rows = self.db.execute(
            "SELECT source_id FROM comments WHERE state = ? AND text != '' "
            "ORDER BY created_at DESC, seq DESC LIMIT ?",
            (state.value, limit),
        )
        return frozenset(r[0] for r in rows)

    def total(self) -> int:
        """How many comments are to be written (skipped ones are not)."""
        skipped = SourceState.SKIPPED.value
        query = "SELECT COUNT(*) FROM comments WHERE state != ?"
        return int(self.db.execute(query, (skipped,)).fetchone()[0])

    def threads(self, *, with_empty: bool = False) -> Iterator[tuple[ImportedThread, list[Staged]]]:
        """Each thread with comments (``with_empty``: every thread), in file order, its
        comments parents first; skipped comments are left out and their replies attached to
        the comment they replied to."""
        where = "" if with_empty else "WHERE key IN (SELECT thread_key FROM comments) "
        for key, url, title, created in self.db.execute(
            f"SELECT key, url, title, created_at FROM threads {where}ORDER BY seq"
        ).fetchall():
            yield ImportedThread(key, url, title, _moment(created)), self._comments(key)

    def _comments(self, key: str) -> list[Staged]:
        rows = self.db.execute(
            "SELECT source_id, parent_id, place, state, author, email, website, text, "
            "created_at, edited_at, ip_hash, ip_prefix_hash, ip_network, kept "
            "FROM comments WHERE thread_key = ? ORDER BY rank",
            (key,),
        ).fetchall()
        skipped: dict[str, str | None] = {}
        found: list[Staged] = []
        for (
            source_id,
            replied_to,
            place,
            state,
            author,
            email,
            website,
            text,
            created,
            edited,
            ip_hash,
            prefix_hash,
            network,
            kept,
        ) in rows:
            parent = replied_to
            while parent is not None and parent in skipped:
                parent = skipped[parent]
            if state == SourceState.SKIPPED.value:
                skipped[source_id] = parent
                continue
            moment = _moment(created)
            assert moment is not None
            found.append(
                Staged(
                    source_id,
                    parent,
                    place,
                    SourceState(state),
                    author,
                    email,
                    website,
                    text,
                    moment,
                    _moment(edited),
                    ip_hash,
                    prefix_hash,
                    network,
                    cast(Kept, json.loads(kept)) if kept else Kept(),
                )
            )
        return found


def _parents_first(rows: list[tuple[Any, ...]]) -> list[tuple[int, int]]:
    """(rank, seq) for one thread's (seq, source_id, parent_id, place) rows: every comment
    after its parent, otherwise in file order. A loop of replies is refused."""
    parent_of = {sid: parent for _seq, sid, parent, _place in rows}
    seq_of = {sid: seq for seq, sid, _parent, _place in rows}
    place_of = {sid: place for _seq, sid, _parent, place in rows}
    order: list[tuple[int, int]] = []
    done: set[str] = set()
    for _seq, sid, _parent, _place in rows:
        chain: list[str] = []
        node: str | None = sid
        while node is not None and node not in done:
            if node in chain:
                raise ImportFailed(f"{place_of[node]}: its replies lead back to it (a loop)")
            chain.append(node)
            node = parent_of.get(node)
        for member in reversed(chain):
            done.add(member)
            order.append((len(order), seq_of[member]))
    return order
