"""A full disk, for real: the SQLite database of a running server on a small tmpfs, filled until
writes fail. Every write is answered 503 with Retry-After (never 500), what was acknowledged
before is intact, and once space is freed the same server process writes again.

Mounting a tmpfs needs root (or CAP_SYS_ADMIN); elsewhere the test skips and says why.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.server import LiveServer, start_server

pytestmark = pytest.mark.slow

TMPFS_SIZE = "16m"
CHUNK = b"\0" * 65536
TEXT = "A comment long enough to need new pages of the database. " * 150  # about 9 KB


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A small tmpfs of its own, unmounted (even if the test fails) at the end."""
    mount = tmp_path / "tmpfs"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root: the disk-full test runs where it can mount one")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE},mode=0700", "tmpfs", str(mount)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"this system does not let the test mount a tmpfs: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "--lazy", str(mount)], capture_output=True, check=False)


def fill(path: Path) -> None:
    """Write ``path`` until the file system has no space left."""
    with path.open("wb", buffering=0) as out:
        while True:
            try:
                out.write(CHUNK)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC, exc
                return


def check_form(server: LiveServer, i: int) -> dict[str, str]:
    return {"api_key": server.key, "blog": server.blog, "user_ip": "203.0.113.9",
            "comment_author": f"Reader {i}", "comment_content": f"{i} {TEXT}"}  # fmt: skip


def comment_body(server: LiveServer, i: int) -> dict[str, str]:
    return {"site": server.blog, "thread": "full", "author": f"Reader {i}",
            "text": f"{i} {TEXT}"[:9000]}  # fmt: skip


def assert_503(response: httpx.Response) -> None:
    assert response.status_code == 503, (response.status_code, response.text[:300])
    assert int(response.headers["retry-after"]) > 0


def write_until_refused(
    client: httpx.Client, server: LiveServer, guids: list[str], ids: list[int]
) -> tuple[int, int]:
    """Comment-checks and widget comments, alternately, until both kinds are refused; every
    answer must be a success or a 503. Returns how many of each were refused."""
    refused = [0, 0]
    for i in range(600):
        check = client.post("/1.1/comment-check", data=check_form(server, i))
        if check.status_code == 200:
            guids.append(check.headers["x-akismet-guid"])
        else:
            assert_503(check)
            refused[0] += 1
        posted = client.post("/api/v1/comments", json=comment_body(server, i))
        if posted.status_code in (201, 202):
            ids.append(int(posted.json()["comment"]["id"]))
        else:
            assert_503(posted)
            refused[1] += 1
        if min(refused) >= 3:
            break
    return refused[0], refused[1]


def stored(db_file: Path) -> tuple[set[str], set[int], str]:
    with sqlite3.connect(db_file) as conn:
        guids = {row[0] for row in conn.execute("SELECT guid FROM checks")}
        ids = {row[0] for row in conn.execute("SELECT id FROM comments")}
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    return guids, ids, integrity


def test_full_disk_is_503_then_recovers_without_restart(tmp_path: Path, tmpfs: Path) -> None:
    db_file = tmpfs / "rejoinder.db"
    env = {"REJOINDER_DATABASE_URL": f"sqlite:///{db_file}", "REJOINDER_COMMENT_RATE_LIMIT": "0",
           "REJOINDER_SIGNAL_BUDGET_MS": "2000"}  # fmt: skip
    server = start_server(tmp_path / "data", env=env)
    guids: list[str] = []
    ids: list[int] = []
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            for i in range(5):  # acknowledged while there is space
                assert client.post("/1.1/comment-check", data=check_form(server, i)).is_success
            fill(tmpfs / "filler")
            refused = write_until_refused(client, server, guids, ids)
            assert refused[0] >= 3 and refused[1] >= 3, refused
            health = client.get("/healthz")
            assert health.status_code in (200, 503) and "degraded" in health.text.lower()
            before = stored(db_file)
            assert set(guids) <= before[0] and set(ids) <= before[1]
            (tmpfs / "filler").unlink()  # space again: the same process must write again
            deadline = time.monotonic() + 10
            answer = client.post("/1.1/comment-check", data=check_form(server, 9000))
            while answer.status_code == 503 and time.monotonic() < deadline:
                time.sleep(0.2)
                answer = client.post("/1.1/comment-check", data=check_form(server, 9000))
            assert answer.status_code == 200, answer.text
            guids.append(answer.headers["x-akismet-guid"])
            posted = client.post("/api/v1/comments", json=comment_body(server, 9000))
            assert posted.status_code in (201, 202), posted.text
            ids.append(int(posted.json()["comment"]["id"]))
    finally:
        server.stop()
    final_guids, final_ids, integrity = stored(db_file)
    assert set(guids) <= final_guids, "an acknowledged comment-check was lost"
    assert set(ids) <= final_ids, "an acknowledged comment was lost"
    assert integrity == "ok"
    log = server.log_path.read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]
