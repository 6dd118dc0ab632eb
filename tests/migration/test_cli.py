"""`rejoinder import`, `export` and `backup` as an operator runs them (subprocesses), the
backup taken while a real server writes."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import httpx

from tests.migration.samples import SITE, write_wxr
from tests.support.server import run_cli, start_server


def test_import_shows_a_summary_and_export_writes_a_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    run_cli(data, "sites", "add", SITE)
    done = run_cli(data, "import", "wxr", str(write_wxr(tmp_path / "wp.xml")), "--site", SITE,
                   env={"COLUMNS": "120"})  # fmt: skip
    assert "Imported into https://blog.example.com" in done.stdout
    assert "comments published" in done.stdout and "comments/s" in done.stdout
    assert "Reading" in done.stderr and "Writing" in done.stderr  # the progress bars
    out = tmp_path / "site.xml"
    exported = run_cli(data, "export", "--site", SITE, "--format", "wxr", "--output", str(out))
    assert "exported 6 comments in 2 threads" in exported.stderr
    assert out.read_text().count("<wp:comment>") == 6


def test_command_line_errors_are_one_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    run_cli(data, "sites", "add", SITE)
    bad = tmp_path / "bad.xml"
    bad.write_text(write_wxr(tmp_path / "wp.xml").read_text()[:500])
    cases = [
        (("import", "nope", str(bad), "--site", SITE), 2, "No such command 'nope'"),
        (("import", "wxr", str(bad), "--site", SITE), 1, "bad.xml: not well-formed XML at line"),
        (("import", "wxr", str(bad), "--site", "https://x.example"), 1, "no such site"),
        (("export", "--site", SITE, "--format", "xml"), 1, "--format must be json or wxr"),
        (("backup", str(tmp_path / "b.db"), "--database-url",
          "postgresql+psycopg://u:p@127.0.0.1:9/db"), 1, "pg_dump"),
    ]  # fmt: skip
    for args, code, said in cases:
        failed = run_cli(data, *args, check=False)
        assert failed.returncode == code, (args, failed.stderr)
        *progress, line = failed.stderr.strip().splitlines()  # a progress bar may come first
        assert line.startswith("error: ") and said in line, line
        assert not any(p.startswith("error") for p in progress)


def test_backup_while_the_server_writes(tmp_path: Path) -> None:
    server = start_server(tmp_path / "live")
    stop = threading.Event()
    answered: list[str] = []

    def keep_checking() -> None:
        with httpx.Client(base_url=server.url, timeout=10) as client:
            n = 0
            while not stop.is_set():
                n += 1
                form = {"api_key": server.key, "blog": server.blog, "user_ip": "203.0.113.9",
                        "comment_content": f"Comment number {n} during the backup"}  # fmt: skip
                answered.append(client.post("/1.1/comment-check", data=form).text)

    writer = threading.Thread(target=keep_checking)
    writer.start()
    target = tmp_path / "copy.db"
    try:
        while len(answered) < 5:
            threading.Event().wait(0.05)
        done = run_cli(server.data_dir, "backup", str(target))
        again = run_cli(server.data_dir, "backup", str(target), check=False)
        forced = run_cli(server.data_dir, "backup", str(target), "--force")
    finally:
        stop.set()
        writer.join()
        server.stop()
    assert "backup written" in done.stdout and "instance secret" in done.stdout
    assert again.returncode == 1 and "exists; give --force" in again.stderr
    assert forced.returncode == 0
    assert set(answered) <= {"true", "false"}  # the server kept answering
    copy = sqlite3.connect(target)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("SELECT COUNT(*) FROM checks").fetchone()[0] >= 5
        assert copy.execute("SELECT COUNT(*) FROM sites").fetchone()[0] == 1
    finally:
        copy.close()
    assert not list(tmp_path.glob(".copy.db.partial"))
