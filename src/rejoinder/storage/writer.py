"""One writer thread per process: group commit for the hot path.

Every write job submitted here runs on a single thread, inside a transaction shared with the other
jobs waiting at that moment (at most ``max_batch``), and its future completes only **after that
transaction has committed** — so a caller that answers its client after awaiting the future never
acknowledges something that is not stored. If the commit fails (lock timeout, database
unreachable) every job of the batch fails with the same :class:`StorageUnavailable` and nothing of
the batch is written. A job that fails for another reason (a bug, a constraint) is isolated: the
batch is rolled back and each of its jobs is retried alone, so one bad job never costs the others.

Why: with SQLite only one connection may write at a time; many threads each running their own
``BEGIN IMMEDIATE … COMMIT`` spend their time in SQLite's sleeping busy handler (hundreds of ms at
the p99 under load). One writer that commits many jobs at once needs one lock and one commit
(one fsync with ``synchronous=FULL``) per batch instead of per request.

Jobs of a type that has a ``run_many(conn, jobs)`` classmethod are applied together (one
``executemany``); other jobs run one by one, in submission order, inside the same transaction.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import AbstractContextManager
from typing import Any, Protocol, TypeVar

from sqlalchemy import Connection

from rejoinder.errors import StorageUnavailable

log = logging.getLogger(__name__)
T = TypeVar("T")
DEFAULT_MAX_BATCH = 256


class Job(Protocol):
    """A unit of writing. ``run`` is called on the writer thread inside a transaction."""

    def run(self, conn: Connection) -> Any: ...


class CallableJob:
    """Wraps a plain ``fn(conn) -> result`` as a job."""

    __slots__ = ("fn",)

    def __init__(self, fn: Callable[[Connection], Any]):
        self.fn = fn

    def run(self, conn: Connection) -> Any:
        return self.fn(conn)


_Pending = tuple[Job, "Future[Any]"]
_STOP = object()


class Writer:
    """Serialises and batches writes. ``begin`` opens one transaction (``Database.begin``)."""

    def __init__(
        self,
        begin: Callable[[], AbstractContextManager[Connection]],
        max_batch: int = DEFAULT_MAX_BATCH,
    ):
        self._begin = begin
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._closed = False

    # --- public ----------------------------------------------------------------------------
    def submit(self, job: Job) -> Future[Any]:
        """Queue a job; the future resolves once its transaction is committed."""
        future: Future[Any] = Future()
        with self._lock:
            if self._closed:
                raise StorageUnavailable("the writer is shut down")
            self._ensure_thread()
            self._queue.put((job, future))
        return future

    def write(self, fn: Callable[[Connection], T]) -> T:
        """Run ``fn(conn)`` on the writer and wait for its commit (for synchronous callers)."""
        result: T = self.submit(CallableJob(fn)).result()
        return result

    def close(self, timeout: float = 30.0) -> None:
        """Finish every queued job, then stop the thread."""
        with self._lock:
            self._closed = True
            thread = self._thread if self._pid == os.getpid() else None
            self._thread = None
        if thread is not None and thread.is_alive():
            self._queue.put(_STOP)
            thread.join(timeout)

    # --- the thread --------------------------------------------------------------------------
    def _ensure_thread(self) -> None:
        if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._loop, name="rejoinder-writer", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        stopping = False
        while not stopping:
            item = self._queue.get()
            if item is _STOP:
                return
            batch: list[_Pending] = [item]  # type: ignore[list-item]
            stopping = self._collect(batch)
            self._apply(batch)

    def _collect(self, batch: list[_Pending]) -> bool:
        """Take whatever else is waiting (up to max_batch); True if a stop was queued."""
        while len(batch) < self._max_batch:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return False
            if item is _STOP:
                return True
            batch.append(item)  # type: ignore[arg-type]
        return False

    def _apply(self, batch: list[_Pending]) -> None:
        live = [(job, fut) for job, fut in batch if fut.set_running_or_notify_cancel()]
        if not live:
            return
        try:
            results = self._run_batch(live)
        except StorageUnavailable as exc:
            for _job, fut in live:
                fut.set_exception(exc)
            return
        except Exception as exc:
            if len(live) == 1:
                live[0][1].set_exception(exc)
                return
            log.warning("a write batch failed; retrying its %d jobs one by one", len(live))
            for pending in live:
                self._apply_alone(pending)
            return
        for (_job, fut), result in zip(live, results, strict=True):
            fut.set_result(result)

    def _run_batch(self, live: list[_Pending]) -> list[Any]:
        with self._begin() as conn:
            return run_jobs(conn, [job for job, _fut in live])

    def _apply_alone(self, pending: _Pending) -> None:
        job, fut = pending
        try:
            with self._begin() as conn:
                result = job.run(conn)
        except Exception as exc:
            fut.set_exception(exc)
        else:
            fut.set_result(result)


def run_jobs(conn: Connection, jobs: Sequence[Job]) -> list[Any]:
    """Apply jobs inside the caller's transaction; returns each job's result (None if batched)."""
    results: list[Any] = [None] * len(jobs)
    for group in _groups(jobs):
        many = getattr(type(jobs[group[0]]), "run_many", None)
        if many is not None and len(group) > 1:
            many(conn, [jobs[i] for i in group])
        else:
            for i in group:
                results[i] = jobs[i].run(conn)
    return results


def _groups(jobs: Sequence[Job]) -> Iterator[list[int]]:
    """Indexes grouped: batchable jobs of one type together, the rest one by one, in order."""
    batchable: dict[type, list[int]] = {}
    order: list[list[int]] = []
    for i, job in enumerate(jobs):
        kind = type(job)
        if hasattr(kind, "run_many"):
            if kind not in batchable:
                batchable[kind] = []
                order.append(batchable[kind])
            batchable[kind].append(i)
        else:
            order.append([i])
    yield from order
