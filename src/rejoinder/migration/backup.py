"""``rejoinder backup FILE``: a consistent copy of a SQLite database while the server runs.

SQLite's online backup API copies the database as one snapshot; in WAL mode the server keeps
reading and writing meanwhile. The copy is written next to FILE and renamed into place only
when it is complete and passes ``PRAGMA quick_check``. PostgreSQL has ``pg_dump`` for this
(docs/migration.md).
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from rejoinder.errors import Conflict, ValidationFailed


@dataclass(frozen=True, slots=True)
class BackupDone:
    path: Path
    size: int
    pages: int


def sqlite_path(database_url: str) -> Path:
    url = make_url(database_url)
    if not url.drivername.startswith("sqlite"):
        raise ValidationFailed(
            "`rejoinder backup` copies a SQLite database; for PostgreSQL use pg_dump "
            "(docs/migration.md)"
        )
    if not url.database or url.database == ":memory:":
        raise ValidationFailed("the database is in memory: there is no file to back up")
    return Path(url.database)


def backup(database_url: str, target: Path, *, force: bool = False) -> BackupDone:
    source = sqlite_path(database_url)
    if not source.is_file():
        raise ValidationFailed(f"no database at {source} (run `rejoinder init` first)")
    if target.exists() and not force:
        raise Conflict(f"{target} exists; give --force to replace it")
    if not target.parent.is_dir():
        raise ValidationFailed(f"no directory {target.parent} to write the backup into")
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(source)
    dst = sqlite3.connect(partial)
    try:
        src.backup(dst)  # one step: a single snapshot, never restarted by the server's writes
        pages = int(dst.execute("PRAGMA page_count").fetchone()[0])
        verdict = dst.execute("PRAGMA quick_check").fetchone()[0]
    except BaseException:
        dst.close()
        partial.unlink(missing_ok=True)
        raise
    finally:
        dst.close()
        src.close()
    if verdict != "ok":
        partial.unlink(missing_ok=True)
        raise ValidationFailed(f"the copy failed its check ({verdict}); nothing was written")
    os.replace(partial, target)
    return BackupDone(target, target.stat().st_size, pages)
