"""A real SQLite database with the sample site, and the migration service on it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from rejoinder.migration.service import MigrationService
from rejoinder.services import Services
from rejoinder.storage.schema import comments, feedback, threads
from tests.migration.samples import SITE
from tests.support.world import make_services


@dataclass
class World:
    services: Services
    migration: MigrationService
    data_dir: Path

    def rows(self) -> list[dict[str, Any]]:
        """Every comment, with its thread's key, oldest first."""
        with self.services.db.read() as conn:
            found = conn.execute(
                select(comments, threads.c.key.label("thread_key"), threads.c.url.label("thread_url"),
                       threads.c.title.label("thread_title"))
                .join(threads, threads.c.id == comments.c.thread_id)
                .order_by(comments.c.created_at, comments.c.id)
            ).all()  # fmt: skip
        return [dict(r._mapping) for r in found]

    def by_author(self) -> dict[str, dict[str, Any]]:
        return {r["author"]: r for r in self.rows()}

    def labels(self) -> list[tuple[str, str]]:
        with self.services.db.read() as conn:
            found = conn.execute(
                select(feedback.c.label, feedback.c.source).order_by(feedback.c.id)
            )
            return [(r[0], r[1]) for r in found]

    def snapshot(self) -> tuple[int, int, int]:
        with self.services.db.read() as conn:
            return tuple(  # type: ignore[return-value]
                len(conn.execute(select(t)).all()) for t in (threads, comments, feedback)
            )


def make_world(tmp_path: Path, *, new: bool = True) -> World:
    """Services on tmp_path/data; ``new``: the sample site is added (else it is there)."""
    services = make_services(tmp_path, (SITE,) if new else ())
    return World(services, MigrationService(services.db, services.hasher, services.labels),
                 tmp_path / "data")  # fmt: skip


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    built = make_world(tmp_path)
    yield built
    built.services.db.dispose()
