"""Staged comments into the database, a batch of whole threads per transaction.

A comment already there (same thread, time, author and text) is left as it is and only
located, so its replies can hang from it. New comments are inserted a level at a time across
the batch (every top-level comment, then every reply to them, …): a handful of statements per
thousand comments. Each gets its HTML rendered once, its e-mail's keyed hash, and no IP
address (staging hashed it).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection

from rejoinder.comments import sanitize
from rejoinder.core.anonymize import Hasher
from rejoinder.core.records.comments import Status, Thread
from rejoinder.core.records.verdict import Label
from rejoinder.migration.records import ImportedThread, SourceState
from rejoinder.migration.render import render
from rejoinder.migration.staging import Staged
from rejoinder.spam.labels import Labelled
from rejoinder.spam.submission import Submission, fingerprint
from rejoinder.storage import migration as store

LABELS = {Status.PUBLISHED: Label.HAM, Status.SPAM: Label.SPAM}
Batch = list[tuple[ImportedThread, list[Staged]]]


@dataclass(slots=True)
class _New:
    thread: Thread
    comment: Staged
    status: Status
    fingerprint: str | None
    depth: int


@dataclass
class Written:
    threads_new: int = 0
    threads_known: int = 0
    inserted: Counter[Status] = field(default_factory=Counter)
    already_there: int = 0
    labelled: list[Labelled] = field(default_factory=list)


class ThreadWriter:
    """Writes batches of threads of one site; ``learn`` names the comments whose status is
    to be taught."""

    def __init__(
        self, hasher: Hasher, site_id: int, site_url: str, learn: frozenset[str], now: datetime
    ):
        self.hasher = hasher
        self.site_id = site_id
        self.site_url = site_url
        self.learn = learn
        self.now = now

    def write(self, conn: Connection, batch: Batch) -> Written:
        written = Written()
        stored = self._threads(conn, batch, written)
        placed = store.existing_comments(conn, [t.id for t in stored.values()])
        by_source: dict[str, store.Placed] = {}
        levels: dict[int, list[_New]] = defaultdict(list)
        for thread, comments in batch:
            row = stored[thread.key]
            for new in self._new(row, comments, placed[row.id], by_source, written):
                levels[new.depth].append(new)
        for depth in sorted(levels):
            self._insert_level(conn, levels[depth], by_source, written)
        store.touch_threads(conn, sorted({n.thread.id for level in levels.values() for n in level}))
        return written

    def _threads(self, conn: Connection, batch: Batch, written: Written) -> dict[str, Thread]:
        wanted = []
        for thread, comments in batch:
            created = thread.created_at or min((c.created_at for c in comments), default=None)
            url = thread.url  # Isso keeps only the article's path, on the site's own host
            url = url if not url.startswith("/") else _origin(self.site_url) + url
            wanted.append(
                store.WantedThread(
                    thread.key,
                    sanitize.clean_article_url(url),
                    sanitize.clean_title(thread.title[: sanitize.MAX_TITLE]),
                    created or self.now,
                )
            )
        stored, known = store.ensure_threads(conn, self.site_id, wanted)
        written.threads_known += len(known)
        written.threads_new += len(stored) - len(known)
        return stored

    def _new(
        self,
        thread: Thread,
        comments: list[Staged],
        placed: dict[store.NaturalKey, store.Placed],
        by_source: dict[str, store.Placed],
        written: Written,
    ) -> list[_New]:
        """The comments not stored yet, each with its depth (parents come first)."""
        found = []
        depth_of: dict[str, int] = {}
        for c in comments:
            print_ = fingerprint(c.text) if c.text else None
            there = placed.get(store.natural_key(c.created_at, c.author, print_))
            if there is not None:
                by_source[c.source_id] = there
                depth_of[c.source_id] = there.depth
                written.already_there += 1
                continue
            depth = depth_of[c.parent_id] + 1 if c.parent_id in depth_of else 0
            depth_of[c.source_id] = depth
            status = c.state.status
            assert status is not None  # skipped comments never reach the writer
            found.append(_New(thread, c, status, print_, depth))
        return found

    def _insert_level(
        self,
        conn: Connection,
        level: list[_New],
        by_source: dict[str, store.Placed],
        written: Written,
    ) -> None:
        rows = [self._row(new, by_source.get(new.comment.parent_id or "")) for new in level]
        for new, row, comment_id in zip(
            level, rows, store.insert_comments(conn, rows), strict=True
        ):
            by_source[new.comment.source_id] = store.Placed(comment_id, row["root_id"], new.depth)
            written.inserted[new.status] += 1
            labelled = self._labelled(new, row["parent_id"] is not None)
            if labelled is not None:
                written.labelled.append(labelled)

    def _row(self, new: _New, parent: store.Placed | None) -> store.ImportRow:
        c = new.comment
        return {
            "thread_id": new.thread.id,
            "parent_id": parent.id if parent else None,
            "root_id": (parent.root_id or parent.id) if parent else None,
            "depth": new.depth,
            "status": new.status.value,
            "author": c.author,
            "email": c.email,
            "email_hash": self.hasher.email(c.email),
            "website": c.website,
            "author_html": sanitize.author_html(c.author, c.website),
            "text": c.text,
            "html": render(c.text) if c.text else "",
            "created_at": c.created_at,
            "edited_at": c.edited_at,
            "probability": c.kept.get("probability"),
            "hits": c.kept.get("hits", []),
            "ip_hash": c.ip_hash,
            "ip_prefix_hash": c.ip_prefix_hash,
            "ua_family": c.kept.get("ua_family", ""),
            "ip_network": c.ip_network,
            "fingerprint": new.fingerprint,
            "notify_replies": bool(c.kept.get("notify_replies", False)),
        }

    def _labelled(self, new: _New, reply: bool) -> Labelled | None:
        c = new.comment
        label = LABELS.get(new.status)
        if label is None or c.state is SourceState.TRASH or c.source_id not in self.learn:
            return None
        submission = Submission(
            site=self.site_url,
            content=c.text,
            author=c.author,
            email=c.email,
            author_url=c.website,
            permalink=new.thread.url,
            comment_type="reply" if reply else "comment",
            created_at=c.created_at,
        )
        return Labelled(submission, label, (c.ip_hash, c.ip_prefix_hash))


def _origin(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"
