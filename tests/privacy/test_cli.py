"""`rejoinder privacy purge | export | erase` as an operator runs them."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rejoinder.services import build_services
from rejoinder.settings import load_settings
from tests.privacy.support import BLOG, FakeClock
from tests.support.checks import check
from tests.support.database import migrate
from tests.support.server import run_cli


def seed(data_dir: Path, days_ago: float, *emails: str) -> None:
    settings = load_settings({"REJOINDER_DATA_DIR": str(data_dir)})
    services = build_services(settings, FakeClock(datetime.now(UTC) - timedelta(days=days_ago)))
    migrate(services.db)
    services.sites.ensure_site(BLOG)
    key = services.sites.lookup(services.sites.create_key([BLOG]))
    assert key is not None
    for email in emails:
        fields = {"blog": BLOG, "user_ip": "192.0.2.1", "comment_author_email": email,
                  "comment_content": f"comment by {email}"}  # fmt: skip
        check(services, key, fields)
    services.db.dispose()


def stored_emails(data_dir: Path) -> list[str]:
    conn = sqlite3.connect(data_dir / "rejoinder.db")
    try:
        return sorted(r[0] for r in conn.execute("SELECT email FROM checks"))
    finally:
        conn.close()


def test_purge_dry_run_then_purge(tmp_path: Path) -> None:
    seed(tmp_path, 20, "old1@example.org", "old2@example.org")
    seed(tmp_path, 1, "new@example.org")
    dry = run_cli(tmp_path, "privacy", "purge", "--dry-run")
    assert "would remove or clear" in dry.stdout and "total would remove or clear: 2" in dry.stdout
    assert "comments.spam" in dry.stdout  # skipped rules are named
    assert len(stored_emails(tmp_path)) == 3
    done = run_cli(tmp_path, "privacy", "purge")
    assert "total removed or cleared: 2" in done.stdout
    assert stored_emails(tmp_path) == ["new@example.org"]


def test_export_and_erase(tmp_path: Path) -> None:
    seed(tmp_path, 0, "Mixed.Case@Example.org", "other@example.org")
    exported = json.loads(run_cli(tmp_path, "privacy", "export", "mixed.case@example.org").stdout)
    (row,) = exported["records"]["checks"]
    assert row["email"] == "Mixed.Case@Example.org" and row["content"].startswith("comment by")
    refused = subprocess.run(
        [sys.executable, "-m", "rejoinder", "privacy", "erase", "mixed.case@example.org"],
        check=False, input="n\n", capture_output=True, text=True, timeout=60,
        env={**os.environ, "REJOINDER_DATA_DIR": str(tmp_path)},
    )  # fmt: skip
    assert refused.returncode == 1 and "nothing erased" in refused.stderr  # answered "no"
    assert len(stored_emails(tmp_path)) == 2
    erased = run_cli(tmp_path, "privacy", "erase", "MIXED.case@example.org", "--yes")
    assert "erased (delete): 1 records" in erased.stdout
    assert stored_emails(tmp_path) == ["other@example.org"]


def test_bad_email_is_a_one_line_error(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "privacy", "export", "not-an-email", check=False)
    assert result.returncode == 1
    assert result.stderr.strip() == "error: Please enter a valid email address."
