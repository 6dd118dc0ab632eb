"""What a post costs the writers around it, on a real SQLite file: the spam check runs with no
write lock held, and the one write a post makes reads nothing back (docs/performance.md,
"Posting a comment")."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from rejoinder.comments.service import NewComment, ThreadRef
from rejoinder.core.records.verdict import Hit, Thresholds
from rejoinder.spam.engine import Engine, EngineConfig, default_signals
from rejoinder.spam.submission import Submission
from tests.comments.conftest import SITE, World
from tests.support.world import reader


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
    world.services.comments.engine = Engine(config, [*default_signals(config), WriteProbe()])
    return seen


def test_the_spam_check_runs_with_no_write_lock_held(world: World) -> None:
    seen = probe_writes_during_checks(world)
    first = world.post("A first comment on this article.")
    world.post("And a reply to it.", parent=first.comment["id"] if first.comment else None)
    new = NewComment(ThreadRef(SITE, "post-1"), "Posted the way the web posts.")
    asyncio.run(world.comments.post(new, reader()))  # the widget's path: prepare in a thread
    assert seen == ["free", "free", "free"]
