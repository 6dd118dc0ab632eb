"""Migrations on every backend: up to head, the result equals storage/schema/, down and up again."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from rejoinder.storage.db import MIGRATIONS, Database, newest_migration
from rejoinder.storage.schema import managed_name, metadata


def _config(conn: object) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", MIGRATIONS)
    cfg.attributes["connection"] = conn
    return cfg


def test_upgrade_matches_schema_and_round_trips(backend_url: str) -> None:
    db = Database(backend_url)
    try:
        assert db.current_revision() is None
        db.upgrade()
        assert db.current_revision() == db.head_revision()
        with db.engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            assert set(metadata.tables) <= tables
            # The migrations build exactly what storage/schema/ declares (types, indexes, keys).
            context = MigrationContext.configure(conn, opts={"include_name": managed_name})
            assert compare_metadata(context, metadata) == []

        with db.engine.begin() as conn:
            command.downgrade(_config(conn), "base")
        with db.engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) - {"alembic_version"} == set()

        db.upgrade()  # and back up again, as an upgrade after a rollback would
        assert db.current_revision() == db.head_revision()
        db.upgrade()  # idempotent
        assert db.current_revision() == db.head_revision()
    finally:
        db.dispose()


def test_the_newest_migration_is_read_from_the_files_as_alembic_reads_it(tmp_path: Path) -> None:
    """upgrade() compares the database with this before it imports Alembic."""
    db = Database(f"sqlite:///{tmp_path / 'probe.db'}")
    try:
        assert newest_migration() == db.head_revision() is not None
    finally:
        db.dispose()
