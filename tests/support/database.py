"""Migrated databases without running the migrations for every test.

The first SQLite database a test process needs is migrated by the real ``Database.upgrade``
into a template file; every later fresh SQLite database starts as a copy of that file (the
schema, the Alembic version row and WAL mode come with it). Migrations themselves are tested
in tests/storage/test_migrations.py, on both backends, from an empty database.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url

from rejoinder.storage.db import Database


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL, or None for another backend (or an in-memory database)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    return Path(parsed.database)


@functools.cache
def template() -> Path:
    """A SQLite file at the head revision, migrated once per test process."""
    folder = Path(tempfile.mkdtemp(prefix="rejoinder-template-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / "rejoinder.db"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    db.dispose()  # the last connection checkpoints the WAL into the file and removes it
    return path


def migrate(db: Database) -> None:
    """Bring ``db`` to the head revision: a SQLite file nobody has opened yet becomes a copy of
    the template; anything else (PostgreSQL, an existing file) is upgraded in place."""
    path = sqlite_file(db.url)
    if path is None or path.exists():
        db.upgrade()
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template(), path)
