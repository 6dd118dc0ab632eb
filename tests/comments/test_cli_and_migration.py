"""`rejoinder sites policy` and the comments migration, on real processes and files."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import inspect

from rejoinder.services import build_services
from rejoinder.settings import load_settings
from rejoinder.storage.db import _alembic_config
from tests.support.server import run_cli


def test_sites_policy_command(tmp_path: Path) -> None:
    run_cli(tmp_path, "sites", "add", "https://blog.example.com")
    out = run_cli(tmp_path, "sites", "policy", "https://blog.example.com", "--hold-first-time",
                  "--on-spam", "discard", "--allow-origin", "https://www.example.com/").stdout  # fmt: skip
    assert "hold_first_time\tTrue" in out and "on_spam\tdiscard" in out
    assert "https://www.example.com" in out
    shown = run_cli(tmp_path, "sites", "policy", "https://blog.example.com").stdout
    assert "hold_first_time\tTrue" in shown  # stored
    bad = run_cli(
        tmp_path, "sites", "policy", "https://blog.example.com", "--on-spam", "x", check=False
    )
    assert bad.returncode == 1 and bad.stderr.startswith("error: --on-spam")
    held = run_cli(tmp_path, "sites", "policy", "https://blog.example.com", "--on-discard", "hold")
    assert "on_discard\thold" in held.stdout and "on_spam\tdiscard" in held.stdout
    bad = run_cli(
        tmp_path, "sites", "policy", "https://blog.example.com", "--on-discard", "y", check=False
    )
    assert bad.returncode == 1 and bad.stderr.startswith("error: --on-discard")
    missing = run_cli(tmp_path, "sites", "policy", "https://nope.example", check=False)
    assert missing.returncode == 1 and "No such site" in missing.stderr


def test_comments_migration_down_and_up(tmp_path: Path) -> None:
    services = build_services(load_settings({"REJOINDER_DATA_DIR": str(tmp_path)}))
    services.db.upgrade()
    tables = set(inspect(services.db.engine).get_table_names())
    assert {"threads", "comments", "comment_policies"} <= tables
    with services.db.engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0001")
    assert "comments" not in set(inspect(services.db.engine).get_table_names())
    services.db.upgrade()
    columns = {c["name"] for c in inspect(services.db.engine).get_columns("threads")}
    assert "version" in columns
    services.db.dispose()
