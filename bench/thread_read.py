"""Thread reads and comment posts under concurrent load: rejoinder side by side with Isso.

Both servers run on this machine in this run, with two worker processes each (rejoinder under
uvicorn, Isso under gunicorn), on fresh SQLite files, rate limits off, moderation off. Each gets
the same 200-comment thread (100 comments, each with one reply), then:

  read JSON   rejoinder GET /api/v1/comments (HTML rendered at write time)  vs Isso GET /?uri=
  read HTML   rejoinder GET /t/{site}/{thread} (the no-JS page)             vs Isso GET /?uri=
  post        rejoinder POST /api/v1/comments (with the spam check)         vs Isso POST /new
              (with the article URL, as the widget sends it: each post's words join the
              thread's profile for the topicality signal, in the post's transaction)

A small asyncio HTTP/1.1 client (keep-alive where the server allows it) drives each phase for a
fixed time, so the whole run is bounded (about 6 × --seconds plus start-up). Prints requests per
second, latency percentiles and the ratios. Loopback only.

    python bench/thread_read.py [--seconds 5] [--concurrency 16] [--workers 2] [--smoke]
        [--database-url postgresql+psycopg://…]   (an empty database: rejoinder init migrates it)

--smoke: a 6-comment thread, 0.3 s phases, 2 connections, 1 worker each; fails unless every
phase answered and none erred (`make test` runs it, so the bench cannot rot).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # bench scripts share the process helpers of tests/support

from tests.support.processes import stop_process  # noqa: E402
from tests.support.server import free_port  # noqa: E402

HOST = "127.0.0.1"
THREAD_ROOTS = 100  # each with one reply: 200 comments
WORDS = ["the", "quick", "brown", "fox", "jumps", "over", "a", "lazy", "dog", "while", "readers",
         "leave", "thoughtful", "replies"]  # fmt: skip


def wait_up(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited:\n{log.read_text()[-3000:]}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit(f"server did not start:\n{log.read_text()[-3000:]}")


def comment_text(i: int) -> str:
    words = [WORDS[(i * 7 + k) % len(WORDS)] for k in range(40)]
    return f"Comment {i}: **{words[0]}** " + " ".join(words) + " [a link](https://example.com/x)."


@dataclass
class Server:
    name: str
    port: int
    proc: subprocess.Popen[bytes]

    def stop(self) -> None:
        stop_process(self.proc)


def start_rejoinder(work: Path, workers: int, extra_env: dict[str, str]) -> Server:
    port = free_port()
    env = {**os.environ, "REJOINDER_DATA_DIR": str(work / "rejoinder"),
           "REJOINDER_COMMENT_RATE_LIMIT": "0", "REJOINDER_LOG_LEVEL": "warning",
           **extra_env}  # fmt: skip
    cli = [sys.executable, "-m", "rejoinder"]
    subprocess.run([*cli, "init"], env=env, check=True, capture_output=True)
    site = f"http://{HOST}:{port}"
    subprocess.run([*cli, "sites", "add", site], env=env, check=True, capture_output=True)
    # The synthetic texts, posted by a script (no browser user agent, no referrer), score as spam
    # (p ~ 0.99) and a reply to a comment that is not published is refused: this site publishes
    # whatever the score. The spam check still runs on every post.
    subprocess.run([*cli, "sites", "set-thresholds", site, "--hold", "1", "--spam", "1",
                    "--discard", "1"], env=env, check=True, capture_output=True)  # fmt: skip
    log = work / "rejoinder.log"
    proc = subprocess.Popen(
        [*cli, "serve", "--port", str(port), "--workers", str(workers), "--server", "uvicorn"],
        env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    wait_up(f"http://{HOST}:{port}/healthz", proc, log)
    return Server("rejoinder", port, proc)


def start_isso(work: Path, workers: int) -> Server:
    port = free_port()
    conf = work / "isso.cfg"
    conf.write_text(
        f"[general]\ndbpath = {work / 'isso.db'}\nhost = http://{HOST}:{port}/\n"
        "notify = stdout\n[moderation]\nenabled = false\n[guard]\nenabled = false\n"
        f"[server]\nlisten = http://{HOST}:{port}/\n"
    )
    env = {**os.environ, "ISSO_SETTINGS": str(conf)}
    log = work / "isso.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"{HOST}:{port}",
         "--log-level", "warning", "isso.run:application"],
        env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, cwd=work,
    )  # fmt: skip
    wait_up(f"http://{HOST}:{port}/info", proc, log)
    return Server("isso", port, proc)


# --- seeding ---------------------------------------------------------------------------------
def seed_rejoinder(port: int, roots: int) -> str:
    base = f"http://{HOST}:{port}"
    site = base
    with httpx.Client(base_url=base, timeout=30) as client:
        for i in range(roots):
            body = {"site": site, "thread": "bench", "title": "Bench", "author": f"Reader {i}",
                    "text": comment_text(i)}  # fmt: skip
            posted = client.post("/api/v1/comments", json=body)
            assert posted.status_code == 201, posted.text
            reply = body | {
                "parent": posted.json()["comment"]["id"],
                "text": comment_text(i + 1000),
            }
            answer = client.post("/api/v1/comments", json=reply)
            assert answer.status_code == 201, answer.text
        listed = client.get("/api/v1/comments", params={"site": site, "thread": "bench",
                                                         "limit": 200}).json()  # fmt: skip
    assert listed["total"] == 2 * roots, listed["total"]
    return site


def seed_isso(port: int, roots: int) -> None:
    base = f"http://{HOST}:{port}"
    headers = {"Origin": base, "Referer": base + "/bench"}
    with httpx.Client(base_url=base, timeout=30, headers=headers) as client:
        for i in range(roots):
            body = {"title": "Bench", "author": f"Reader {i}", "text": comment_text(i)}
            client.cookies.clear()  # Isso sets one cookie per comment
            res = client.post("/new", params={"uri": "/bench"}, json=body)
            assert res.status_code == 201, res.text
            reply = body | {"parent": res.json()["id"], "text": comment_text(i + 1000)}
            assert client.post("/new", params={"uri": "/bench"}, json=reply).status_code == 201
            client.cookies.clear()
        listed = client.get("/", params={"uri": "/bench"}).json()
    replies = sum(1 + len(r.get("replies", [])) for r in listed["replies"])
    assert replies == 2 * roots, replies


# --- the load generator ------------------------------------------------------------------------
@dataclass
class Result:
    ok: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def rps(self) -> float:
        return self.ok / self.elapsed if self.elapsed else 0.0

    def pct(self, q: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


RequestMaker = Callable[[int], bytes]


def get_request(port: int, path: str) -> RequestMaker:
    raw = f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nAccept-Encoding: identity\r\n\r\n"
    data = raw.encode()
    return lambda _i: data


def post_request(port: int, path: str, body: Callable[[int], dict[str, object]]) -> RequestMaker:
    def make(i: int) -> bytes:
        payload = json.dumps(body(i)).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nContent-Type: application/json\r\n"
            f"Origin: http://{HOST}:{port}\r\nContent-Length: {len(payload)}\r\n\r\n"
        )
        return head.encode() + payload

    return make


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {
        k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)
    }
    if headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readline()).strip().split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    else:
        await reader.readexactly(int(headers.get("content-length", "0")))
    return status, headers.get("connection", "").lower() == "close"


async def drive(
    port: int, make: RequestMaker, seconds: float, concurrency: int, expect: set[int]
) -> Result:
    result = Result()
    deadline = time.monotonic() + seconds
    counter = iter(range(10**9))

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            while time.monotonic() < deadline:
                started = time.perf_counter()
                writer.write(make(next(counter)))
                status, close = await read_response(reader)
                result.latencies.append(time.perf_counter() - started)
                if status in expect:
                    result.ok += 1
                else:
                    result.errors += 1
                if close:
                    writer.close()
                    reader, writer = await asyncio.open_connection(HOST, port)
        finally:
            writer.close()

    started = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    result.elapsed = time.monotonic() - started
    return result


def run_phase(
    port: int, make: RequestMaker, seconds: float, concurrency: int, expect: set[int]
) -> Result:
    asyncio.run(drive(port, make, min(0.5, seconds), concurrency, expect))  # warm-up
    return asyncio.run(drive(port, make, seconds, concurrency, expect))


def report(rows: list[tuple[str, Result, Result]]) -> None:
    print(
        f"\n{'phase':<11} {'rejoinder r/s':>14} {'p50 ms':>8} {'p99 ms':>8}   {'isso r/s':>9} {'p50 ms':>8} {'p99 ms':>8}   {'ratio':>7}"
    )
    for name, ours, theirs in rows:
        ratio = ours.rps / theirs.rps if theirs.rps else float("inf")
        print(f"{name:<11} {ours.rps:>14.1f} {ours.pct(0.5):>8.1f} {ours.pct(0.99):>8.1f}   "
              f"{theirs.rps:>9.1f} {theirs.pct(0.5):>8.1f} {theirs.pct(0.99):>8.1f}   {ratio:>6.1f}x")  # fmt: skip
        if ours.errors or theirs.errors:
            print(f"  (errors: rejoinder {ours.errors}, isso {theirs.errors})")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each phase")
    parser.add_argument("--concurrency", type=int, default=16, help="open connections")
    parser.add_argument("--workers", type=int, default=2, help="worker processes per server")
    parser.add_argument("--smoke", action="store_true", help="tiny and quick: does it still run?")
    parser.add_argument(
        "--database-url", default="", help="rejoinder's database (default: a fresh SQLite file)"
    )
    args = parser.parse_args()
    # a loaded machine must not make a signal overrun its time budget and hold a seed comment
    # (a reply to a held comment is refused); posts are checked by every signal all the same
    roots, extra_env = THREAD_ROOTS, {"REJOINDER_SIGNAL_BUDGET_MS": "2000"}
    if args.database_url:
        extra_env["REJOINDER_DATABASE_URL"] = args.database_url
    if args.smoke:
        roots, args.seconds, args.concurrency, args.workers = 3, 0.3, 2, 1
    with tempfile.TemporaryDirectory(prefix="rejoinder-bench-") as tmp:
        work = Path(tmp)
        ours = start_rejoinder(work, args.workers, extra_env)
        isso = start_isso(work, args.workers)
        try:
            site = seed_rejoinder(ours.port, roots)
            seed_isso(isso.port, roots)
            print(f"{2 * roots}-comment thread seeded in both; {args.concurrency} connections, "
                  f"{args.seconds:.0f} s per phase, {args.workers} workers each")  # fmt: skip
            q = f"/api/v1/comments?site={site}&thread=bench&limit=200"
            isso_read = get_request(isso.port, "/?uri=%2Fbench")
            c, s, w = args.concurrency, args.seconds, {200}
            json_read = run_phase(ours.port, get_request(ours.port, q), s, c, w)
            html_read = run_phase(ours.port, get_request(ours.port, "/t/1/bench"), s, c, w)
            isso_json = run_phase(isso.port, isso_read, s, c, w)

            def ours_body(i: int) -> dict[str, object]:  # with the article URL, as the widget
                return {"site": site, "thread": "posts", "url": f"{site}/posts", "title": "Posts",
                        "author": f"Poster {i}", "email": f"p{i}@example.com",
                        "text": comment_text(i)}  # fmt: skip

            def isso_body(i: int) -> dict[str, object]:
                return {"title": "Posts", "author": f"Poster {i}", "email": f"p{i}@example.com",
                        "text": comment_text(i)}  # fmt: skip

            ours_post = run_phase(
                ours.port, post_request(ours.port, "/api/v1/comments", ours_body), s, c, {201, 202}
            )
            isso_post = run_phase(
                isso.port, post_request(isso.port, "/new?uri=%2Fposts", isso_body), s, c, {201, 202}
            )
        finally:
            ours.stop()
            isso.stop()
    rows = [("read JSON", json_read, isso_json), ("read HTML", html_read, isso_json),
            ("post", ours_post, isso_post)]  # fmt: skip
    report(rows)
    if args.smoke:
        failed = [name for name, *results in rows for r in results if r.errors or not r.ok]
        if failed:
            raise SystemExit(f"smoke run failed: errors or no answer in {', '.join(failed)}")
    print(
        "\nGoals: reads >= 30x Isso (render once at write time), posts >= 2x (spam check included)."
    )


if __name__ == "__main__":
    main()
