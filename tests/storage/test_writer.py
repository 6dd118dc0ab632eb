"""The writer thread and the event-loop group commit, on a real SQLite file."""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
import threading
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import Column, Connection, Integer, MetaData, String, Table, event, insert, select

from rejoinder.errors import StorageUnavailable
from rejoinder.storage.db import Database
from rejoinder.storage.writer import CallableJob

T = TypeVar("T")
meta = MetaData()
items = Table("items", meta, Column("id", Integer, primary_key=True), Column("name", String(50)))


class Item:
    """A batchable job, like storage.checks.CheckWrite."""

    batches: list[int] = []

    def __init__(self, name: str):
        self.name = name

    def run(self, conn: Connection) -> None:
        self.run_many(conn, [self])

    @classmethod
    def run_many(cls, conn: Connection, jobs: list[Item]) -> None:
        cls.batches.append(len(jobs))
        if any(j.name == "boom" for j in jobs):
            raise ValueError("bad job")
        conn.execute(insert(items), [{"name": j.name} for j in jobs])


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'w.db'}", busy_timeout_ms=200)
    meta.create_all(database.engine)
    Item.batches = []
    yield database
    database.dispose()


def run_in_new_loop(coro: Coroutine[Any, Any, T]) -> T:
    """asyncio.run on a fresh thread: the test process may already run a loop on this one
    (Playwright's sync API does)."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["result"] = asyncio.run(coro)
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(60)
    if "error" in box:
        raise box["error"]
    return box["result"]  # type: ignore[no-any-return]


def names(db: Database) -> list[str]:
    with db.read() as conn:
        return sorted(conn.execute(select(items.c.name)).scalars())


def commits(db: Database) -> list[int]:
    seen: list[int] = []
    event.listen(db.engine, "commit", lambda _conn: seen.append(1))
    return seen


def lock(db_file: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(db_file, isolation_level=None, check_same_thread=False)
    conn.execute("BEGIN EXCLUSIVE")
    return conn


# --- the writer thread -------------------------------------------------------------------------
def test_waiting_jobs_share_one_transaction(db: Database) -> None:
    gate = threading.Event()
    first = db.writer.submit(CallableJob(lambda conn: gate.wait(5)))
    futures = [db.writer.submit(Item(f"n{i}")) for i in range(50)]  # queued behind the first
    seen = commits(db)
    gate.set()
    for future in [first, *futures]:
        future.result(timeout=10)
    assert len(names(db)) == 50
    assert len(seen) <= 2 and Item.batches[-1] == 50  # one insert for the 50 waiting jobs


def test_a_bad_job_fails_alone(db: Database) -> None:
    gate = threading.Event()
    db.writer.submit(CallableJob(lambda conn: gate.wait(5)))
    good = [db.writer.submit(Item(f"ok{i}")) for i in range(5)]
    bad = db.writer.submit(Item("boom"))
    gate.set()
    with pytest.raises(ValueError, match="bad job"):
        bad.result(timeout=10)
    for future in good:
        future.result(timeout=10)
    assert names(db) == [f"ok{i}" for i in range(5)]


def test_locked_database_fails_the_batch_and_writes_nothing(db: Database, tmp_path: Path) -> None:
    holder = lock(tmp_path / "w.db")
    try:
        with pytest.raises(StorageUnavailable):
            db.write(lambda conn: conn.execute(insert(items).values(name="x")))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert names(db) == []
    db.write(lambda conn: conn.execute(insert(items).values(name="y")))
    assert names(db) == ["y"]


def test_close_finishes_queued_jobs(db: Database) -> None:
    futures = [db.writer.submit(Item(f"q{i}")) for i in range(20)]
    db.writer.close()
    assert all(f.done() and f.exception() is None for f in futures)
    assert len(names(db)) == 20
    with pytest.raises(StorageUnavailable):
        db.writer.submit(Item("late"))


# --- group commit on the event loop --------------------------------------------------------
def test_loop_writes_are_committed_together(db: Database) -> None:
    seen = commits(db)

    async def main() -> list[Any]:
        return await asyncio.gather(*(db.write_async(Item(f"a{i}")) for i in range(100)))

    run_in_new_loop(main())
    assert len(names(db)) == 100
    assert len(seen) < 10  # 100 writes, a handful of commits


def test_loop_write_returns_only_after_commit(db: Database, tmp_path: Path) -> None:
    async def main() -> None:
        await db.write_async(Item("durable"))
        # another connection sees it as soon as the await returned
        with sqlite3.connect(tmp_path / "w.db") as other:
            assert other.execute("SELECT name FROM items").fetchall() == [("durable",)]

    run_in_new_loop(main())


def test_loop_writer_under_a_held_lock(db: Database, tmp_path: Path) -> None:
    async def attempt(name: str) -> None:
        await db.write_async(Item(name))

    holder = lock(tmp_path / "w.db")
    try:
        with pytest.raises(StorageUnavailable):
            run_in_new_loop(attempt("locked"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert names(db) == []
    run_in_new_loop(attempt("free"))
    assert names(db) == ["free"]


def test_loop_writer_isolates_a_bad_job(db: Database) -> None:
    async def main() -> list[Any]:
        jobs = [db.write_async(Item(n)) for n in ("a", "boom", "b")]
        return await asyncio.gather(*jobs, return_exceptions=True)

    outcomes = run_in_new_loop(main())
    assert outcomes[0] is None and outcomes[2] is None
    assert isinstance(outcomes[1], ValueError)
    assert names(db) == ["a", "b"]


def test_loop_writer_survives_a_new_event_loop(db: Database) -> None:
    run_in_new_loop(db.write_async(Item("first")))
    run_in_new_loop(db.write_async(Item("second")))  # a second loop, as a new test client makes
    assert names(db) == ["first", "second"]


def test_loop_writer_waits_out_a_lock_without_blocking_the_loop(tmp_path: Path) -> None:
    # busy timeout 3 s; the lock is released after 1 s: the write succeeds, and the loop keeps
    # ticking meanwhile. A blocked loop shows one gap of 1 s between the ticks; the bound of
    # 0.5 s leaves room for a loaded machine's scheduling and still tells the two apart.
    database = Database(f"sqlite:///{tmp_path / 'w.db'}", busy_timeout_ms=3000)
    meta.create_all(database.engine)
    holder = lock(tmp_path / "w.db")
    ticks: list[float] = []
    written = asyncio.Event()

    async def ticker() -> None:
        while not written.is_set():
            ticks.append(asyncio.get_running_loop().time())
            await asyncio.sleep(0.01)

    async def write() -> None:
        await database.write_async(Item("after-lock"))
        written.set()

    async def main() -> None:
        loop = asyncio.get_running_loop()
        loop.call_later(1.0, lambda: (holder.execute("ROLLBACK"), holder.close()))
        await asyncio.gather(write(), ticker())

    try:
        run_in_new_loop(main())
        assert names(database) == ["after-lock"]
    finally:
        database.dispose()
    assert ticks[-1] - ticks[0] >= 0.9  # the write really waited for the lock
    assert max(b - a for a, b in itertools.pairwise(ticks)) < 0.5
