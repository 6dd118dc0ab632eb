"""Group commit on the event loop (SQLite): the fast path for writes made by HTTP requests.

Requests that want to write during one turn of the event loop are written together: at the end of
the turn, on the loop thread, one ``BEGIN IMMEDIATE`` (with a busy timeout of 0, so the loop never
waits for a lock), the batch's statements, and then the ``COMMIT`` — the only slow part, where
SQLite fsyncs — runs on a helper thread while the loop goes on serving and collecting the next
batch. Each request's future completes only **after its batch has committed**, so a request that
answers after awaiting it never acknowledges something that is not stored.

Why not a writer thread for everything (``storage/writer.py``)? Its batches need the GIL back
after every statement, while the loop thread holds it; under load that hand-over costs more than
the SQL itself (measured in docs/performance.md). This module keeps the statements on the loop
thread and releases the GIL once per batch, for the commit.

When the database is locked by someone else (another worker, the CLI, a backup), ``BEGIN`` fails
at once; the loop goes on serving and tries again a few milliseconds later (polling, never
sleeping), and a job that has waited ``db_busy_timeout_ms`` fails with StorageUnavailable (HTTP
503 with Retry-After). A batch whose statements fail
is rolled back and its jobs are retried one by one on the writer thread, so one bad job never
costs the others. Nothing of a failed batch is written.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import Connection, Engine, RootTransaction
from sqlalchemy.exc import DBAPIError

from rejoinder.errors import StorageUnavailable
from rejoinder.storage.health import LOCKED, WriteHealth, reason_of
from rejoinder.storage.writer import DEFAULT_MAX_BATCH, Job, Writer, run_jobs

log = logging.getLogger(__name__)
_Pending = tuple[Job, "asyncio.Future[Any]"]
MAX_LOCK_POLL = 0.02  # seconds between two tries of a lock someone else holds


class LoopWriter:
    """One per process and event loop; used only from coroutines on that loop."""

    def __init__(
        self,
        engine: Engine,
        fallback: Writer,
        *,
        busy_timeout_ms: int = 5000,
        max_batch: int = DEFAULT_MAX_BATCH,
        health: WriteHealth | None = None,
    ):
        self._engine = engine
        self._health = health or WriteHealth()
        self._fallback = fallback
        self._busy_timeout = busy_timeout_ms / 1000
        self._max_batch = max_batch
        self._since: dict[int, float] = {}  # id(future) -> when it was queued, while locked out
        self._lock_polls = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending: list[_Pending] = []
        self._busy = False  # a flush is scheduled or a commit is in flight
        self._conn: Connection | None = None
        self._committer: ThreadPoolExecutor | None = None

    async def write(self, job: Job) -> Any:
        """Write ``job`` with whatever else is waiting; returns once it is committed."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._bind(loop)
        future: asyncio.Future[Any] = loop.create_future()
        self._pending.append((job, future))
        if not self._busy:
            self._busy = True
            loop.call_soon(self._flush)
        return await future

    def close(self) -> None:
        if self._committer is not None:
            self._committer.shutdown(wait=True)
            self._committer = None
        self._close_connection()

    # --- the batch -----------------------------------------------------------------------------
    def _bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """A new event loop (a new worker or test client): start afresh."""
        self._loop = loop
        self._pending = []
        self._busy = False
        self._since.clear()
        self._lock_polls = 0
        self._close_connection()
        if self._committer is None:
            self._committer = ThreadPoolExecutor(1, thread_name_prefix="rejoinder-commit")

    def _flush(self) -> None:
        if not self._pending:
            self._busy = False
            return
        try:
            conn = self._connection()
            trans = conn.begin()  # BEGIN IMMEDIATE without waiting (busy_timeout 0)
        except DBAPIError as exc:
            if _is_locked(exc) and self._reset_connection():
                self._locked_out()  # someone else writes: try again soon, without blocking
                return
            self._close_connection()
            self._to_thread(self._take())  # let the writer thread wait or report what is wrong
            self._next()
            return
        self._since.clear()
        self._lock_polls = 0
        batch = self._take()
        try:
            results = run_jobs(conn, [job for job, _fut in batch])
        except Exception:
            log.warning("a write batch failed; retrying its %d jobs one by one", len(batch))
            self._rollback(trans)
            for pending in batch:
                self._to_thread([pending])
            self._next()
            return
        # COMMIT (the fsync) on the helper thread, as one C call on the driver's connection: the
        # thread needs the GIL only to start and finish it. SQLAlchemy's own commit afterwards,
        # back on the loop, just closes its bookkeeping (the driver sees no open transaction).
        assert self._loop is not None and self._committer is not None
        raw: Any = conn.connection.driver_connection
        done = self._loop.run_in_executor(self._committer, raw.execute, "COMMIT")
        done.add_done_callback(
            functools.partial(self._committed, trans=trans, batch=batch, results=results)
        )

    def _committed(
        self,
        done: asyncio.Future[Any],
        *,
        trans: RootTransaction,
        batch: list[_Pending],
        results: list[Any],
    ) -> None:
        exc = done.exception()
        if exc is None:
            try:
                trans.commit()
            except DBAPIError as failed:  # pragma: no cover - nothing left to commit
                exc = failed
        if exc is not None:
            log.warning("commit failed: %s", type(exc).__name__)
            self._health.failed(reason_of(exc))
            self._rollback(trans)
            self._close_connection()
            for _job, fut in batch:
                if not fut.done():
                    fut.set_exception(StorageUnavailable())
        else:
            self._health.ok()
            for (_job, fut), result in zip(batch, results, strict=True):
                if not fut.done():
                    fut.set_result(result)
        self._next()

    def _take(self) -> list[_Pending]:
        batch = self._pending[: self._max_batch]
        del self._pending[: self._max_batch]
        return batch

    def _locked_out(self) -> None:
        """Fail the jobs that waited ``db_busy_timeout_ms`` for the lock; poll again for the rest."""
        assert self._loop is not None
        now = self._loop.time()
        keep: list[_Pending] = []
        for job, fut in self._pending:
            since = self._since.setdefault(id(fut), now)
            if now - since >= self._busy_timeout:
                self._since.pop(id(fut), None)
                self._health.failed(LOCKED)
                if not fut.done():
                    fut.set_exception(StorageUnavailable())
            else:
                keep.append((job, fut))
        self._pending = keep
        if not keep:
            self._since.clear()
            self._lock_polls = 0
            self._busy = False
            return
        self._lock_polls += 1
        self._loop.call_later(min(0.001 * self._lock_polls, MAX_LOCK_POLL), self._flush)

    def _next(self) -> None:
        if self._pending and self._loop is not None:
            self._loop.call_soon(self._flush)
        else:
            self._busy = False

    def _to_thread(self, batch: list[_Pending]) -> None:
        """Hand jobs to the writer thread; its outcome completes the same futures."""
        assert self._loop is not None
        for job, fut in batch:
            chained = asyncio.wrap_future(self._fallback.submit(job), loop=self._loop)
            chained.add_done_callback(functools.partial(_copy_outcome, target=fut))

    # --- the connection ------------------------------------------------------------------------
    def _connection(self) -> Connection:
        if self._conn is None:
            conn = self._engine.connect()
            raw: Any = conn.connection.driver_connection
            raw.execute("PRAGMA busy_timeout = 0")
            self._conn = conn
        return self._conn

    def _reset_connection(self) -> bool:
        """After a refused BEGIN: keep the connection for the next try if it can be reset."""
        if self._conn is None:
            return False
        try:
            self._conn.rollback()
        except DBAPIError:
            self._close_connection()
            return False
        return True

    def _close_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.invalidate()  # its busy_timeout differs: never give it back to the pool
                conn.close()
            except DBAPIError:  # pragma: no cover - closing a broken connection
                pass

    def _rollback(self, trans: RootTransaction) -> None:
        try:
            trans.rollback()
        except DBAPIError:
            self._close_connection()


def _is_locked(exc: DBAPIError) -> bool:
    name = getattr(exc.orig, "sqlite_errorname", "")
    return name in ("SQLITE_BUSY", "SQLITE_LOCKED") or "locked" in str(exc.orig).lower()


def _copy_outcome(source: asyncio.Future[Any], *, target: asyncio.Future[Any]) -> None:
    if target.done():
        return
    if source.cancelled():
        target.set_exception(StorageUnavailable())
    elif (exc := source.exception()) is not None:
        target.set_exception(exc)
    else:
        target.set_result(source.result())
