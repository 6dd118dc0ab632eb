"""Connections, transactions and migrations.

SQLite runs in WAL mode with a busy timeout; a lock that outlasts it, or a database that cannot
be reached, becomes :class:`StorageUnavailable` (HTTP 503 with Retry-After). Each unit of work
runs in one transaction, so a failure never leaves a request half-written.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

from rejoinder.errors import ConfigError, StorageUnavailable
from rejoinder.storage.health import WriteHealth, reason_of
from rejoinder.storage.loopwriter import LoopWriter
from rejoinder.storage.writer import Job, Writer

log = logging.getLogger(__name__)

MIGRATIONS = str(Path(__file__).with_name("migrations"))
T = TypeVar("T")
SQLITE_SYNCHRONOUS = ("OFF", "NORMAL", "FULL", "EXTRA")


class Database:
    """One engine per process; ``begin()`` yields a connection inside a transaction.

    Writes made while serving go through ``write_async``: group commit on the event loop for
    SQLite (``storage/loopwriter.py``), else one writer thread per process
    (``storage/writer.py``), which ``write`` also uses for synchronous callers. Either
    way a write returns only once it is committed.
    """

    def __init__(self, url: str, *, busy_timeout_ms: int = 5000, synchronous: str = "FULL"):
        if synchronous.upper() not in SQLITE_SYNCHRONOUS:
            raise ValueError(f"synchronous must be one of {SQLITE_SYNCHRONOUS}")
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        try:
            self.engine = self._create_engine(url, busy_timeout_ms, synchronous.upper())
        except ArgumentError as exc:
            raise ConfigError(f"invalid database_url: {exc}") from exc
        except ImportError as exc:
            raise ConfigError(f"no driver installed for this database_url: {exc}") from exc
        self.health = WriteHealth()  # the outcome of the latest write, for /healthz
        self.writer = Writer(self.begin)
        self.loop_writer = (
            LoopWriter(
                self.engine, self.writer, busy_timeout_ms=busy_timeout_ms, health=self.health
            )
            if self.is_sqlite
            else None
        )

    def _create_engine(self, url: str, busy_timeout_ms: int, synchronous: str) -> Engine:
        if self.is_sqlite:
            try:
                _ensure_sqlite_dir(url)
            except OSError as exc:
                raise ConfigError(
                    f"cannot create the directory for the SQLite file: {exc}"
                ) from exc
            engine = create_engine(
                url,
                connect_args={"timeout": busy_timeout_ms / 1000, "check_same_thread": False},
                pool_size=8,
                max_overflow=8,
            )
            event.listen(engine, "connect", _sqlite_pragmas(busy_timeout_ms, synchronous))
            event.listen(engine, "begin", _sqlite_begin_immediate)
            return engine
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)

    async def write_async(self, job: Job) -> Any:
        """Write ``job`` (batched with others); returns once it is committed."""
        if self.loop_writer is not None:
            return await self.loop_writer.write(job)
        return await asyncio.wrap_future(self.writer.submit(job))

    def write(self, fn: Callable[[Connection], T]) -> T:
        """Run ``fn(conn)`` on the writer thread and wait until it is committed."""
        return self.writer.write(fn)

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A transaction; storage failures surface as StorageUnavailable."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except OperationalError as exc:
            log.warning("storage unavailable: %s", type(exc.orig).__name__)
            self.health.failed(reason_of(exc))
            raise StorageUnavailable() from exc
        except DBAPIError as exc:
            if exc.connection_invalidated:
                self.health.failed(reason_of(exc))
                raise StorageUnavailable() from exc
            raise
        self.health.ok()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only unit of work (deferred transaction: does not take the write lock)."""
        try:
            with self.engine.connect() as raw:
                conn = raw.execution_options(rejoinder_read=True)
                yield conn
                conn.rollback()
        except OperationalError as exc:
            log.warning("storage unavailable: %s", type(exc.orig).__name__)
            raise StorageUnavailable() from exc

    def ping(self) -> bool:
        """Whether the database answers a read (a held write lock does not make it unreachable)."""
        try:
            with self.engine.connect() as raw:
                raw.execution_options(rejoinder_read=True).execute(text("SELECT 1"))
        except DBAPIError:
            return False
        return True

    def upgrade(self) -> None:
        """Run every pending Alembic migration; when none is pending, one query and no Alembic
        (importing it costs about 0.25 CPU-seconds, and every command upgrades first)."""
        if self._at_head():
            return
        from alembic import command  # here: a serving worker never migrates (11 MB resident)

        try:
            with self.engine.begin() as conn:
                cfg = _alembic_config(conn)
                command.upgrade(cfg, "head")
        except OperationalError as exc:
            raise StorageUnavailable(f"cannot migrate the database: {exc.orig}") from exc

    def _at_head(self) -> bool:
        """True when the database says it is at the newest migration on disk; False when it is
        not, or when either cannot be told without Alembic (then Alembic decides, and reports)."""
        head = newest_migration()
        if head is None:
            return False
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(text("SELECT version_num FROM alembic_version")).all()
        except DBAPIError:  # no table yet, or no database: the full path says which
            return False
        return [row[0] for row in rows] == [head]

    def current_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        try:
            with self.engine.connect() as conn:
                return MigrationContext.configure(conn).get_current_revision()
        except OperationalError as exc:
            raise StorageUnavailable(f"cannot reach the database: {exc.orig}") from exc

    def head_revision(self) -> str | None:
        from alembic.script import ScriptDirectory

        return ScriptDirectory(MIGRATIONS).get_current_head()

    def compact(self) -> bool:
        """Make removed rows physically unrecoverable where the engine allows it.

        SQLite (``secure_delete`` is on) has already zeroed freed cells; a TRUNCATE checkpoint
        copies the WAL into the main file and empties the WAL, whose old frames still hold the
        rows as they were. PostgreSQL frees dead rows at its next (auto)vacuum. Returns False
        when another connection kept the checkpoint from completing.
        """
        if not self.is_sqlite:
            return True
        raw = self.engine.raw_connection()
        try:  # outside any transaction (autocommit), or the checkpoint cannot complete
            cur = raw.cursor()
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            row = cur.fetchone()
            busy = row[0] if row else 1
            cur.close()
        except Exception as exc:  # sqlite3.OperationalError: locked by another process
            log.warning("checkpoint skipped: %s", type(exc).__name__)
            return False
        finally:
            raw.close()
        return not busy

    def dispose(self) -> None:
        if self.loop_writer is not None:
            self.loop_writer.close()
        self.writer.close()
        self.engine.dispose()


_REVISION_LINE = re.compile(
    r"""^(down_revision|revision) = (None|"([^"]+)"|'([^']+)')$""", re.MULTILINE
)


@functools.cache
def newest_migration() -> str | None:
    """The head revision, read from the text of the version files (each says
    ``revision = "…"`` and ``down_revision = "…"`` on a line of its own) without importing
    Alembic; None if a file says it otherwise or there is not exactly one head."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in Path(MIGRATIONS, "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        found = {m[1]: m[3] or m[4] for m in _REVISION_LINE.finditer(text)}
        if set(found) != {"revision", "down_revision"} or not found["revision"]:
            return None
        revisions.add(found["revision"])
        if found["down_revision"]:
            parents.add(found["down_revision"])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _alembic_config(conn: Connection) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", MIGRATIONS)
    cfg.attributes["connection"] = conn
    return cfg


def _ensure_sqlite_dir(url: str) -> None:
    path = url.split(":///", 1)[-1].split("?", 1)[0]
    if path and path != ":memory:":
        Path(path).parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # personal data


def _sqlite_pragmas(busy_timeout_ms: int, synchronous: str) -> Any:
    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # let SQLAlchemy's "begin" event issue BEGIN
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA secure_delete=ON")  # deleted personal data is overwritten with zeros
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cur.close()

    return on_connect


def _sqlite_begin_immediate(conn: Connection) -> None:
    # Take the write lock up front so two writers never deadlock mid-transaction.
    read_only = conn.get_execution_options().get("rejoinder_read", False)
    conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
