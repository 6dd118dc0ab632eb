"""export → import gives the same comments back: JSON (everything), WXR (what WXR carries),
and `rejoinder export | rejoinder import json -` through the real command line."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from rejoinder.migration.records import ExportFormat, Format
from tests.migration.conftest import World, make_world
from tests.migration.samples import SITE, write_wxr

# What a comment is, wherever it is stored (ids and the e-mail's keyed hash are the store's).
SAME = ("status", "author", "email", "website", "author_html", "text", "html", "created_at",
        "edited_at", "ip_hash", "ip_prefix_hash", "ip_network", "ua_family", "probability",
        "hits", "notify_replies", "fingerprint", "depth", "thread_key", "thread_url",
        "thread_title")  # fmt: skip
WXR_SAME = ("status", "author", "email", "website", "text", "html", "created_at", "depth",
            "thread_key", "thread_url", "thread_title")  # fmt: skip


def comparable(world: World, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    rows = world.rows()
    author_of = {r["id"]: r["author"] for r in rows}
    return [{**{f: r[f] for f in fields}, "parent": author_of.get(r["parent_id"])} for r in rows]


def exported(world: World, fmt: ExportFormat) -> str:
    out = io.StringIO()
    world.migration.export(SITE, fmt, out)
    return out.getvalue()


def test_json_export_then_import_loses_nothing(world: World, tmp_path: Path) -> None:
    world.migration.import_file(Format.WXR, str(write_wxr(tmp_path / "wp.xml")), SITE)
    with world.services.db.begin() as conn:  # an edited comment keeps its edit time
        conn.exec_driver_sql("UPDATE comments SET edited_at = created_at WHERE author = 'Eve'")
    dump = tmp_path / "site.jsonl"
    dump.write_text(exported(world, ExportFormat.JSON), encoding="utf-8")
    lines = [json.loads(line) for line in dump.read_text().splitlines()]
    assert lines[0]["format"] == "rejoinder-comments" and lines[0]["site"] == SITE
    assert [x["type"] for x in lines[1:]].count("comment") == 6
    assert {x["status"] for x in lines if x.get("type") == "comment"} == {
        "published", "pending", "spam", "deleted"}  # fmt: skip
    other = make_world(tmp_path / "other")
    try:
        summary = other.migration.import_file(Format.JSON, str(dump), SITE)
        assert summary.comments == 6
        assert comparable(other, SAME) == comparable(world, SAME)
        assert other.by_author()["Eve"]["edited_at"] is not None
    finally:
        other.services.db.dispose()
    before = world.snapshot()
    again = world.migration.import_file(Format.JSON, str(dump), SITE)  # into the same site
    assert again.comments == 0 and world.snapshot() == before


def test_wxr_export_then_import_gives_the_same_comments(world: World, tmp_path: Path) -> None:
    world.migration.import_file(Format.WXR, str(write_wxr(tmp_path / "wp.xml")), SITE)
    dump = tmp_path / "site.xml"
    dump.write_text(exported(world, ExportFormat.WXR), encoding="utf-8")
    other = make_world(tmp_path / "other")
    try:
        other.migration.import_file(Format.WXR, str(dump), SITE)
        assert comparable(other, WXR_SAME) == comparable(world, WXR_SAME)
        assert all(r["ip_hash"] is None for r in other.rows())  # WXR carries no address
    finally:
        other.services.db.dispose()


def cli(data_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "rejoinder", *args, "--data-dir", str(data_dir)]


def test_export_piped_into_import(world: World, tmp_path: Path) -> None:
    world.migration.import_file(Format.WXR, str(write_wxr(tmp_path / "wp.xml")), SITE)
    other = make_world(tmp_path / "other")
    other.services.db.dispose()
    env = {**os.environ, "COLUMNS": "120"}
    exporter = subprocess.Popen(cli(world.data_dir, "export", "--site", SITE),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)  # fmt: skip
    importer = subprocess.run(cli(other.data_dir, "import", "json", "-", "--site", SITE),
                              stdin=exporter.stdout, capture_output=True, text=True, env=env,
                              timeout=120, check=False)  # fmt: skip
    assert exporter.stdout is not None
    exporter.stdout.close()
    assert exporter.wait(timeout=60) == 0
    assert importer.returncode == 0, importer.stderr
    assert "comments published" in importer.stdout and "learned as spam" in importer.stdout
    reopened = make_world(tmp_path / "other", new=False)
    try:
        assert comparable(reopened, SAME) == comparable(world, SAME)
    finally:
        reopened.services.db.dispose()
