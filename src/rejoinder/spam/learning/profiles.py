"""Thread profiles: what accepted comments on one article said, for the topicality signal.

WordPress's Akismet plugin sends no title, and a permalink such as ``/?p=123`` names nothing,
so on the Akismet path the article's words are often unknown. What earlier accepted comments on
the same permalink said is the next best thing: a reader's link usually continues that
conversation; a spam link continues none.

Per (site, permalink) the profile is the word stems of the last :data:`KEEP` accepted comments,
at most :data:`MAX_STEMS` each (``storage/thread_words.py``). Nothing readable is stored: the
thread is a keyed hash of site and permalink, each stem 64 bits of a keyed hash
(``core.anonymize.Hasher``, the instance secret that keys the IP and email hashes). Each row is
tied to its record — the Akismet check that accepted the comment, or the published widget
comment — and goes with it (retention, erase, submit-spam, a moderator's decision, an edit).

A profile counts only from :data:`MIN_COMMENTS` accepted comments on: one or two readers' words
are too few to call everything else off topic. The check path reads it with one indexed query,
kept for ``cache_seconds`` per thread.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from rejoinder.core.anonymize import Hasher
from rejoinder.core.records.verdict import Label
from rejoinder.core.ttlcache import MISS, TtlCache
from rejoinder.core.urls import with_scheme
from rejoinder.errors import StorageUnavailable
from rejoinder.spam.stems import said_in_order
from rejoinder.spam.submission import Submission
from rejoinder.storage import thread_words as store
from rejoinder.storage.checks import StoredCheck
from rejoinder.storage.db import Database

log = logging.getLogger(__name__)

MAX_STEMS = 24  # stems stored per accepted comment (the first ones it says)
KEEP = 30  # accepted comments kept per thread; the oldest go out
MIN_COMMENTS = 3  # a profile of fewer accepted comments says nothing
MAX_LOOKUP = 64  # stems of a checked comment compared (each costs one keyed hash)
STEM_BYTES = 8
STEM_CACHE = 20_000  # stems whose keyed hash is kept (about 4 MB): words repeat, each is an HMAC
MAX_PERMALINK = 2_000
SMALL_SECONDS = 60.0  # how long a thread with too few accepted comments is taken as such


def thread_path(permalink: str) -> str:
    """The permalink as one article: no scheme, fragment or trailing slash; host lower-case
    ('' when there is no permalink)."""
    url = permalink.strip()[:MAX_PERMALINK]
    if not url:
        return ""
    rest = with_scheme(url).split("://", 1)[-1].split("#", 1)[0]
    host, _, path = rest.partition("/")
    if not host:
        return ""
    return f"{host.lower()}/{path.rstrip('/')}"


@dataclass(frozen=True, slots=True)
class Profile:
    comments: int  # accepted comments it was made from
    stems: frozenset[bytes]


EMPTY = Profile(0, frozenset())


class ThreadProfiles:
    """Builds, stores and reads thread profiles. Reads never raise (a failure: no profile)."""

    def __init__(
        self,
        db: Database,
        hasher: Hasher,
        now: Callable[[], float] = time.time,
        cache_seconds: float = 2.0,
    ):
        self.db = db
        self.hasher = hasher
        self.now = now  # unix seconds, as the rest of the learned state
        self.cache: TtlCache[Profile] = TtlCache(cache_seconds, max_entries=4_096)
        self._stem_hash = lru_cache(maxsize=STEM_CACHE)(self._hash_stem)
        # Most threads have fewer than MIN_COMMENTS accepted comments: that answer (no stems
        # kept) is remembered longer, so a bot hammering one old post costs one read a minute.
        self.small: TtlCache[Profile] = TtlCache(
            max(cache_seconds, SMALL_SECONDS) if cache_seconds > 0 else 0, max_entries=16_384
        )

    def thread(self, site: str, permalink: str) -> str | None:
        path = thread_path(permalink)
        return self.hasher.digest("thread", f"{site}\x00{path}") if path else None

    def stem_hashes(self, stems: Iterable[str]) -> list[bytes]:
        return [self._stem_hash(s) for s in stems]

    def _hash_stem(self, stem: str) -> bytes:
        return bytes.fromhex(self.hasher.digest("stem", stem)[: 2 * STEM_BYTES])

    # --- writing ------------------------------------------------------------------------
    def words(
        self,
        site: str,
        permalink: str,
        text: str,
        *,
        check_guid: str | None = None,
        comment_id: int | None = None,
    ) -> store.ThreadWords | None:
        """An accepted comment's row (None without a permalink or a content word)."""
        thread = self.thread(site, permalink)
        if thread is None:
            return None
        stems = said_in_order(text)[:MAX_STEMS]
        if not stems:
            return None
        blob = b"".join(self.stem_hashes(stems))
        return store.ThreadWords(
            site[:500],
            thread,
            blob,
            datetime.fromtimestamp(self.now(), UTC),
            check_guid=check_guid,
            comment_id=comment_id,
        )

    def on_published(self, conn: Connection, comment_id: int, found: store.PublishedText) -> None:
        """A widget comment was published (posted, or approved by a moderator): add it, in
        the caller's transaction (which hands over its text: nothing is read back)."""
        row = self.words(found.site_url, found.permalink, found.text, comment_id=comment_id)
        if row is not None:
            store.add(conn, [row], KEEP, replace=not found.new)
            self.forget(row.thread)

    def on_report(self, conn: Connection, check: StoredCheck, label: Label) -> None:
        """A person's label on an Akismet check (submit-spam / submit-ham), in the caller's
        transaction: spam takes the check's words out of its thread; ham puts them in."""
        if label is Label.SPAM:
            store.forget_checks(conn, [check.guid])
        else:
            row = self.words(
                check.site_url,
                check.permalink,
                check.content,
                check_guid=check.guid,
            )
            if row is not None:
                store.add(conn, [row], KEEP)
        thread = self.thread(check.site_url, check.permalink)
        if thread is not None:
            self.forget(thread)

    # --- reading (the check path) ---------------------------------------------------------
    def profile(self, site: str, permalink: str) -> Profile:
        thread = self.thread(site, permalink)
        if thread is None:
            return EMPTY
        cached = self.cache.get(thread)
        if cached is MISS:
            cached = self.small.get(thread)
        if cached is not MISS:
            return cached
        try:
            with self.db.read() as conn:
                rows = store.newest(conn, thread, KEEP)
        except (SQLAlchemyError, StorageUnavailable) as exc:  # the article's words only
            log.warning("thread profile not read: %s", type(exc).__name__)
            return EMPTY
        stems = frozenset(
            row[i : i + STEM_BYTES] for row in rows for i in range(0, len(row), STEM_BYTES)
        )
        found = Profile(len(rows), stems)
        if found.comments >= MIN_COMMENTS:
            self.cache.put(thread, found)
        else:
            self.small.put(thread, Profile(found.comments, frozenset()))
        return found

    def is_cached(self, submission: Submission) -> bool:
        """Whether reading this submission's profile needs no database read."""
        thread = self.thread(submission.site, submission.permalink)
        return (
            thread is None
            or self.cache.get(thread) is not MISS
            or (self.small.get(thread) is not MISS)
        )

    def forget(self, thread: str) -> None:
        """Drop a thread's cached profile (this process just changed it)."""
        self.cache.invalidate(thread)
        self.small.invalidate(thread)

    def on_topic(self, submission: Submission, said: Iterable[str]) -> bool | None:
        """Whether the comment shares a stem with the thread's accepted comments; None when
        the thread has fewer than :data:`MIN_COMMENTS` of them, or the comment says more than
        :data:`MAX_LOOKUP` stems (one keyed hash each)."""
        said = list(said)
        if len(said) > MAX_LOOKUP:  # not the short praise with a payload this is about
            return None
        found = self.profile(submission.site, submission.permalink)
        if found.comments < MIN_COMMENTS:
            return None
        return not found.stems.isdisjoint(self.stem_hashes(said))
