"""A locked or unreachable database: HTTP 503 with Retry-After, nothing half-written, and
service resumes when the database is back. In-process and against a real server process."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from rejoinder.app import create_app
from rejoinder.services import build_services
from rejoinder.settings import load_settings
from rejoinder.storage.schema import checks, feedback, usage
from tests.conftest import BLOG, Api
from tests.support.database import migrate
from tests.support.server import free_port, run_cli, start_server

BUSY_MS = "250"


@contextmanager
def write_lock(db_file: Path) -> Iterator[sqlite3.Connection]:
    """Hold SQLite's write lock from another connection, as a backup or a second process would."""
    conn = sqlite3.connect(db_file, isolation_level=None, timeout=5)
    conn.execute("BEGIN EXCLUSIVE")
    try:
        yield conn
    finally:
        conn.execute("ROLLBACK")
        conn.close()


def counts(db_file: Path) -> tuple[int, int, int]:
    """(check records, usage api_calls, feedback rows), read with a plain sqlite3 connection."""
    with sqlite3.connect(db_file) as conn:
        n_checks = conn.execute("SELECT count(*) FROM checks").fetchone()[0]
        calls = conn.execute("SELECT coalesce(sum(api_calls), 0) FROM usage").fetchone()[0]
        n_feedback = conn.execute("SELECT count(*) FROM feedback").fetchone()[0]
    return int(n_checks), int(calls), int(n_feedback)


@pytest.fixture
def locked_api(tmp_path: Path) -> Iterator[tuple[Api, Path]]:
    settings = load_settings(
        {"REJOINDER_DATA_DIR": str(tmp_path / "data"), "REJOINDER_DB_BUSY_TIMEOUT_MS": BUSY_MS}
    )
    services = build_services(settings)
    migrate(services.db)
    services.sites.add_site(BLOG)
    key = services.sites.create_key([BLOG])
    with TestClient(create_app(settings, services)) as client:
        yield Api(client, key, BLOG, services), tmp_path / "data" / "rejoinder.db"
    services.db.dispose()


def form(api_key: str, **extra: str) -> dict[str, str]:
    return {"api_key": api_key, "blog": BLOG, "user_ip": "203.0.113.9", **extra}


def assert_503(response: httpx.Response) -> None:
    assert response.status_code == 503
    assert int(response.headers["retry-after"]) > 0
    assert "x-akismet-guid" not in response.headers


def test_locked_database_gives_503_and_writes_nothing(locked_api: tuple[Api, Path]) -> None:
    api, db_file = locked_api
    # warm the key cache and write one check, so the counters exist before the lock
    assert api.client.post("/1.1/comment-check", data=form(api.key)).status_code == 200
    before = counts(db_file)
    with write_lock(db_file):
        for path, extra in (("/1.1/comment-check", {}), ("/1.1/submit-spam", {"comment_content": "x"}),
                            ("/1.1/submit-ham", {"comment_content": "y"})):  # fmt: skip
            assert_503(api.client.post(path, data=form(api.key, **extra)))
    assert counts(db_file) == before  # neither check record, nor counter, nor feedback
    response = api.client.post("/1.1/comment-check", data=form(api.key))
    assert response.status_code == 200 and response.text == "false"
    assert counts(db_file) == (before[0] + 1, before[1] + 1, 0)
    spam = api.client.post("/1.1/submit-spam", data=form(api.key, comment_content="x"))
    assert spam.text == "Thanks for making the web a better place."
    assert counts(db_file)[2] == 1


def test_healthz_is_degraded_while_writes_fail(locked_api: tuple[Api, Path]) -> None:
    """Issue 17: /healthz said ok while every write failed (the database answers reads)."""
    api, db_file = locked_api
    assert api.client.post("/1.1/comment-check", data=form(api.key)).status_code == 200
    assert api.client.get("/healthz").json() == {"status": "ok", "database": "reachable"}
    with write_lock(db_file):
        assert_503(api.client.post("/1.1/comment-check", data=form(api.key)))
        health = api.client.get("/healthz")
        assert health.status_code == 200  # reads are still served
        assert health.json() == {"status": "degraded", "database": "reachable",
                                 "writes": "failing",
                                 "reason": "the database is locked by another writer"}  # fmt: skip
        comment = {"site": BLOG, "thread": "t", "text": "Hello there."}
        assert api.client.post("/api/v1/comments", json=comment).status_code == 503
        assert api.client.get("/healthz").json()["status"] == "degraded"
    assert api.client.post("/1.1/comment-check", data=form(api.key)).status_code == 200
    assert api.client.get("/healthz").json()["status"] == "ok"  # the next write succeeded


def test_write_failure_reasons_name_no_files() -> None:
    from sqlalchemy.exc import OperationalError

    from rejoinder.storage.health import reason_of

    def failure(message: str) -> OperationalError:
        return OperationalError("COMMIT", {}, Exception(message))

    assert reason_of(failure("database or disk is full")) == "the disk or the database is full"
    pg = 'could not extend file "base/16384/2619": No space left on device'
    assert reason_of(failure(pg)) == "the disk or the database is full"
    assert reason_of(failure("attempt to write a readonly database")) == "the database is read-only"
    odd = reason_of(failure("/srv/secret/path exploded"))
    assert "/srv" not in odd and odd == "writes fail (Exception)"


def test_is_test_checks_need_no_storage(locked_api: tuple[Api, Path]) -> None:
    api, db_file = locked_api
    api.client.post("/1.1/verify-key", data={"key": api.key, "blog": BLOG})  # warm the cache
    with write_lock(db_file):
        response = api.client.post("/1.1/comment-check", data=form(api.key, is_test="1"))
    assert response.status_code == 200 and response.text == "false"


def test_unreachable_database_is_503_not_500(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://rejoinder:secret@127.0.0.1:{free_port()}/rejoinder"
    settings = load_settings(
        {"REJOINDER_DATA_DIR": str(tmp_path / "data"), "REJOINDER_DATABASE_URL": url}
    )
    services = build_services(settings)  # no migration: the database is not there
    with TestClient(create_app(settings, services)) as client:
        health = client.get("/healthz")
        assert health.status_code == 503 and "retry-after" in health.headers
        assert health.json()["database"] == "unreachable"
        for path in ("/1.1/comment-check", "/1.1/submit-spam", "/1.1/verify-key"):
            response = client.post(path, data={**form("abcdef123456"), "key": "abcdef123456"})
            assert_503(response)
        usage_limit = client.get("/1.2/usage-limit", params={"api_key": "abcdef123456"})
        assert_503(usage_limit)
    services.db.dispose()


def test_serve_with_unreachable_database_exits_with_one_line(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://rejoinder:secret@127.0.0.1:{free_port()}/rejoinder"
    result = run_cli(
        tmp_path, "serve", "--port", str(free_port()), "--database-url", url, check=False
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: cannot migrate the database")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "secret" not in result.stderr


@pytest.mark.slow
def test_live_server_locked_then_released(tmp_path: Path) -> None:
    server = start_server(tmp_path, env={"REJOINDER_DB_BUSY_TIMEOUT_MS": BUSY_MS})
    db_file = tmp_path / "rejoinder.db"
    try:
        with httpx.Client(base_url=server.url, timeout=10) as client:
            assert client.post("/1.1/comment-check", data=form(server.key)).status_code == 200
            before = counts(db_file)
            with write_lock(db_file):
                assert_503(client.post("/1.1/comment-check", data=form(server.key)))
                assert_503(client.post("/1.1/submit-spam", data=form(server.key)))
                assert client.get("/healthz").status_code == 200  # reads still work (WAL)
            assert counts(db_file) == before
            after = client.post("/1.1/comment-check", data=form(server.key))
            assert after.status_code == 200 and after.text == "false"
            assert counts(db_file)[0] == before[0] + 1
    finally:
        server.stop()


def test_sqlalchemy_view_agrees(locked_api: tuple[Api, Path]) -> None:
    # the counting helper above reads the same tables the service writes
    api, db_file = locked_api
    api.client.post("/1.1/comment-check", data=form(api.key))
    with api.services.db.read() as conn:
        assert conn.execute(select(func.count()).select_from(checks)).scalar_one() == 1
        assert conn.execute(select(func.sum(usage.c.api_calls))).scalar_one() == 1
        assert conn.execute(select(func.count()).select_from(feedback)).scalar_one() == 0
    assert counts(db_file) == (1, 1, 0)
