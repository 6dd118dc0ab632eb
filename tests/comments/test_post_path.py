"""What a post costs the writers around it, on a real SQLite file: the spam check runs with no
write lock held, and the one write a post makes reads nothing back (docs/performance.md,
"Posting a comment")."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select

from rejoinder.comments.records import NewComment, ThreadRef
from rejoinder.core.records.comments import Status
from rejoinder.core.records.verdict import Hit, Thresholds
from rejoinder.errors import Conflict
from rejoinder.spam.engine import Engine, EngineConfig, default_signals
from rejoinder.spam.submission import Submission
from rejoinder.storage import comments as comment_store
from rejoinder.storage.schema import thread_words
from tests.comments.conftest import SITE, World
from tests.support.world import reader

ARTICLE = "https://blog.example.com/2026/grouping-data"


def db_file(world: World) -> Path:
    return Path(world.services.db.url.split(":///", 1)[1])


def probe_writes_during_checks(world: World) -> list[str]:
    """While the engine checks each submission, another connection to the same file tries to
    take the write lock without waiting; what it got is recorded, one entry per check."""
    seen: list[str] = []
    path = db_file(world)

    class WriteProbe:
        name = "write_probe"

        def evaluate(self, _submission: Submission) -> list[Hit]:
            other = sqlite3.connect(path, isolation_level=None, timeout=0)
            try:
                other.execute("BEGIN IMMEDIATE")
                other.execute("ROLLBACK")
                seen.append("free")
            except sqlite3.OperationalError as exc:
                seen.append(str(exc))  # "database is locked"
            finally:
                other.close()
            return []

    config = EngineConfig(Thresholds(0.5, 0.85, 0.995), signal_budget_ms=2000)
    engine = Engine(config, [*default_signals(config), WriteProbe()])
    world.services.comments.engine = lambda: engine
    return seen


def test_the_spam_check_runs_with_no_write_lock_held(world: World) -> None:
    seen = probe_writes_during_checks(world)
    first = world.post("A first comment on this article.")
    world.post("And a reply to it.", parent=first.comment["id"] if first.comment else None)
    new = NewComment(ThreadRef(SITE, "post-1"), "Posted the way the web posts.")
    asyncio.run(world.comments.post(new, reader()))  # the widget's path: prepare in a thread
    assert first.comment is not None and first.token is not None
    world.comments.edit(first.comment["id"], first.token, "An edited first comment.", reader())
    assert seen == ["free", "free", "free", "free"]


def test_an_edit_loses_to_a_change_made_while_it_was_checked(world: World) -> None:
    """The edit is checked with no lock held; if a moderator decided on the comment meanwhile,
    the edit is refused (409) and the moderator's decision stands."""
    posted = world.post("The first version.")
    assert posted.comment is not None and posted.token is not None
    comment_id, path = posted.comment["id"], db_file(world)

    class ModeratorMeanwhile:
        name = "moderator_meanwhile"

        def evaluate(self, _submission: Submission) -> list[Hit]:
            with sqlite3.connect(path, isolation_level=None, timeout=0) as other:
                other.execute("UPDATE comments SET status = 'spam' WHERE id = ?", (comment_id,))
            return []

    config = EngineConfig(Thresholds(0.5, 0.85, 0.995), signal_budget_ms=2000)
    engine = Engine(config, [*default_signals(config), ModeratorMeanwhile()])
    world.services.comments.engine = lambda: engine
    with pytest.raises(Conflict):
        world.comments.edit(comment_id, posted.token, "The second version.", reader())
    with world.services.db.read() as conn:
        stored = comment_store.comment_by_id(conn, comment_id)
    assert stored is not None
    assert stored.comment.status is Status.SPAM and stored.comment.text == "The first version."


@contextmanager
def statements(world: World) -> Iterator[list[str]]:
    """The SQL statements run on the database while the block runs."""
    ran: list[str] = []

    def record(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        ran.append(" ".join(sql.split()).upper())

    engine = world.services.db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield ran
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_a_posts_write_reads_nothing_back(world: World) -> None:
    """Each statement of the group commit holds up every request on its event loop: a root
    comment on a known thread writes its row, its thread's version, the day's count and what
    it says for the thread's profile (trimmed to the newest) — and reads nothing (neither the
    comment it just wrote, for the profile, nor a parent to notify that it does not have), nor
    deletes a profile row of a comment that did not exist before."""
    comments, ref = world.comments, ThreadRef(SITE, url=ARTICLE)
    comments.submit(NewComment(ref, "Opening the thread."), reader())
    new = NewComment(ref, "Grouping by two columns works the same way.")
    draft = comments.prepare(new, reader())
    assert draft.write is not None and draft.thread is not None
    with statements(world) as ran:
        thread, stored = world.services.db.write(draft.write.run)
    writes = [s for s in ran if not s.startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"))]
    assert [s for s in writes if s.startswith("SELECT")] == []
    assert [s.split(" (")[0].split(" SET")[0] for s in writes] == [
        "INSERT INTO COMMENTS",
        "UPDATE THREADS",
        "INSERT INTO DAILY_STATS",
        "INSERT INTO THREAD_WORDS",
        "DELETE FROM THREAD_WORDS WHERE THREAD_WORDS.THREAD = ? AND THREAD_WORDS.ID <",  # trim
    ]
    with world.services.db.read() as conn:  # the profile got the words all the same
        rows = conn.execute(
            select(func.count()).where(thread_words.c.comment_id == stored.comment.id)
        ).scalar_one()
    assert rows == 1 and thread.url == ARTICLE
