"""No acknowledged check is lost: kill -9 the server while clients are being answered, and every
guid a client received must be in the database (the answer waits for the commit)."""

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


def hammer(url: str, form: dict[str, str], guids: list[str], stop: threading.Event) -> None:
    with httpx.Client(base_url=url, timeout=10) as client:
        while not stop.is_set():
            try:
                response = client.post("/1.1/comment-check", data=form)
            except httpx.HTTPError:
                return  # the server is gone
            if response.status_code == 200:
                guids.append(response.headers["x-akismet-guid"])


@pytest.mark.parametrize("server_kind", ["uvicorn", "granian"])
def test_kill_9_loses_no_acknowledged_check(tmp_path: Path, server_kind: str) -> None:
    server = start_server(tmp_path, args=("--server", server_kind))
    form = {"api_key": server.key, "blog": server.blog, "user_ip": "203.0.113.9",
            "comment_content": "a comment"}  # fmt: skip
    guids: list[str] = []
    stop = threading.Event()
    threads = [
        threading.Thread(target=hammer, args=(server.url, form, guids, stop)) for _ in range(8)
    ]
    try:
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 30  # usually 200 answers come in a second or two
        while len(guids) < 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        for pid in process_tree(server.process.pid):  # no graceful shutdown: SIGKILL all
            os.kill(pid, signal.SIGKILL)
        answered = len(guids)
    finally:
        stop.set()
        for thread in threads:
            thread.join(15)
        server.stop()
    assert answered >= 50
    with sqlite3.connect(tmp_path / "rejoinder.db") as conn:
        stored = {row[0] for row in conn.execute("SELECT guid FROM checks")}
        calls = conn.execute("SELECT sum(api_calls) FROM usage").fetchone()[0]
    missing = [g for g in guids if g not in stored]
    assert missing == []
    assert calls == len(stored)  # counters were written with their records, never apart
