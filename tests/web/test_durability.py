"""No acknowledged write is lost: kill -9 the server while clients are being answered, and every
Akismet check (guid) and every comment (id) a client received must be in the database (the
answer waits for the commit). At least 1,000 acknowledged writes per run (issue 17)."""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.support.processes import process_tree
from tests.support.server import start_server

pytestmark = pytest.mark.slow

WRITES = 1_000


def hammer(url: str, form: dict[str, str], guids: list[str], stop: threading.Event) -> None:
    with httpx.Client(base_url=url, timeout=10) as client:
        while not stop.is_set():
            try:
                response = client.post("/1.1/comment-check", data=form)
            except httpx.HTTPError:
                return  # the server is gone
            if response.status_code == 200:
                guids.append(response.headers["x-akismet-guid"])


def comment(url: str, site: str, ids: list[int], stop: threading.Event, worker: int) -> None:
    with httpx.Client(base_url=url, timeout=10) as client:
        n = 0
        while not stop.is_set():
            n += 1
            body = {"site": site, "thread": f"t{worker}", "text": f"Reader {worker} says {n}."}
            try:
                response = client.post("/api/v1/comments", json=body)
            except httpx.HTTPError:
                return
            if response.status_code in (201, 202) and response.json()["comment"]:
                ids.append(int(response.json()["comment"]["id"]))


@pytest.mark.parametrize("server_kind", ["uvicorn", "granian"])
def test_kill_9_loses_no_acknowledged_write(tmp_path: Path, server_kind: str) -> None:
    env = {"REJOINDER_COMMENT_RATE_LIMIT": "0"}
    server = start_server(tmp_path, args=("--server", server_kind), env=env)
    form = {"api_key": server.key, "blog": server.blog, "user_ip": "203.0.113.9",
            "comment_content": "a comment"}  # fmt: skip
    guids: list[str] = []
    ids: list[int] = []
    stop = threading.Event()
    threads = [
        threading.Thread(target=hammer, args=(server.url, form, guids, stop)) for _ in range(6)
    ] + [
        threading.Thread(target=comment, args=(server.url, server.blog, ids, stop, n))
        for n in range(4)
    ]
    try:
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 120  # usually 1,000 answers come within 10-20 s
        while len(guids) + len(ids) < WRITES and time.monotonic() < deadline:
            time.sleep(0.05)
        for pid in process_tree(server.process.pid):  # no graceful shutdown: SIGKILL all
            os.kill(pid, signal.SIGKILL)
        checks_answered, comments_answered = list(guids), list(ids)
    finally:
        stop.set()
        for thread in threads:
            thread.join(15)
        server.stop()
    assert len(checks_answered) + len(comments_answered) >= WRITES
    assert len(comments_answered) >= 50 and len(checks_answered) >= 50
    with sqlite3.connect(tmp_path / "rejoinder.db") as conn:
        stored = {row[0] for row in conn.execute("SELECT guid FROM checks")}
        calls = conn.execute("SELECT sum(api_calls) FROM usage").fetchone()[0]
        comment_ids = {row[0] for row in conn.execute("SELECT id FROM comments")}
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert [g for g in checks_answered if g not in stored] == []
    assert [i for i in comments_answered if i not in comment_ids] == []
    assert calls == len(stored)  # counters were written with their records, never apart
