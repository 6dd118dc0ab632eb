"""Import, re-import and export on each storage backend (SQLite, then PostgreSQL)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from rejoinder.migration.records import ExportFormat, Format
from rejoinder.migration.service import MigrationService
from tests.migration.conftest import World
from tests.migration.samples import SITE, write_wxr
from tests.support.world import make_services


@pytest.fixture
def backend_world(backend_url: str, tmp_path: Path) -> Iterator[World]:
    services = make_services(tmp_path, (SITE,), database_url=backend_url)
    yield World(services, MigrationService(services.db, services.hasher, services.labels),
                tmp_path / "data")  # fmt: skip
    services.db.dispose()


def test_import_twice_and_round_trip(backend_world: World, tmp_path: Path) -> None:
    world = backend_world
    path = str(write_wxr(tmp_path / "wp.xml"))
    first = world.migration.import_file(Format.WXR, path, SITE)
    assert first.comments == 6 and first.learned["ham"] == 3
    rows = world.by_author()
    assert rows["Bob"]["parent_id"] == rows["Ann"]["id"] and rows["Bob"]["depth"] == 2
    before = world.snapshot()
    assert world.migration.import_file(Format.WXR, path, SITE).comments == 0
    out = io.StringIO()
    world.migration.export(SITE, ExportFormat.JSON, out)
    dump = tmp_path / "site.jsonl"
    dump.write_text(out.getvalue())
    assert world.migration.import_file(Format.JSON, str(dump), SITE).comments == 0
    assert world.snapshot() == before
