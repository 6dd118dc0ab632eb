"""comment-check throughput and latency against a real `rejoinder serve`, next to a bare baseline.

For every server (uvicorn, granian) and worker count (1, 2) it starts, on 127.0.0.1 only:
  * the bare baseline (bench/bare_app.py: Starlette, same form parser, answers `false`), and
  * `rejoinder serve` on a fresh SQLite data dir (real key lookup, engine, check record + usage
    counter written before each answer),
drives each at 16 and 64 keep-alive connections with the same WordPress-like form body, and
prints requests/second, p50/p99 latency, the ratio real/bare and how the CPU time was split
between worker processes. Everything is bounded (--duration seconds per measurement) and stops
by itself.

Load comes from `wrk` (Debian package `wrk`, installed by scripts/test-deps.sh) when it is on the
PATH, else from a small asyncio raw-socket client in this file (slower: it competes for the
same cores, so its ratios are the figures to read).

    .venv/bin/python bench/akismet_throughput.py [--duration 5] [--servers uvicorn,granian]
        [--workers 1,2] [--connections 16,64] [--rounds 2] [--synchronous FULL|NORMAL] [--smoke]
        [--loadgen wrk|python]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # bench scripts share the process helpers of tests/support

from tests.support.processes import process_tree, stop_process  # noqa: E402
from tests.support.server import free_port  # noqa: E402

BENCH_DIR = Path(__file__).resolve().parent
HOST = "127.0.0.1"
BLOG = "https://blog.example.com"
PATH = "/1.1/comment-check"


@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int


def form_body(key: str) -> bytes:
    """A WordPress-like comment-check: the documented fields plus a few extras."""
    fields = {
        "api_key": key,
        "blog": BLOG,
        "user_ip": "203.0.113.7",
        "user_agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        "referrer": "https://blog.example.com/2024/05/hello-world/",
        "permalink": "https://blog.example.com/2024/05/hello-world/",
        "comment_type": "comment",
        "comment_author": "Jane Reader",
        "comment_author_email": "jane@example.org",
        "comment_content": "Thanks for the write-up, the second example helped me a lot. " * 4,
        "blog_lang": "en_US",
        "blog_charset": "UTF-8",
        "comment_post_modified_gmt": "2024-05-01 10:00:00",
    }
    return urlencode(fields).encode()


def prepare_data_dir(root: Path) -> str:
    """A fresh database with one site and one key; returns the key."""
    from rejoinder.services import build_services
    from rejoinder.settings import load_settings

    services = build_services(load_settings({"REJOINDER_DATA_DIR": str(root)}))
    services.db.upgrade()
    services.sites.add_site(BLOG)
    key = services.sites.create_key([BLOG])
    services.db.dispose()
    return key


def count_checks(root: Path) -> int:
    with sqlite3.connect(root / "rejoinder.db") as conn:
        return int(conn.execute("SELECT count(*) FROM checks").fetchone()[0])


# --- server processes ------------------------------------------------------------------------
def server_command(kind: str, server: str, workers: int, port: int) -> list[str]:
    if kind == "real":
        return [sys.executable, "-m", "rejoinder", "serve", "--port", str(port),
                "--workers", str(workers), "--server", server]  # fmt: skip
    code = (
        "from rejoinder.web.server import run, ServerKind; "
        f"run('bare_app:app', server=ServerKind('{server}'), host='{HOST}', port={port}, "
        f"workers={workers}, log_level='warning')"
    )
    return [sys.executable, "-c", code]


@contextmanager
def running(
    kind: str, server: str, workers: int, data_dir: Path, body: bytes
) -> Iterator[tuple[int, int]]:
    """Start one server; yields (port, pid) once it answers, stops it afterwards."""
    port = free_port()
    env = {**os.environ, "REJOINDER_DATA_DIR": str(data_dir), "REJOINDER_LOG_LEVEL": "warning",
           "PYTHONPATH": os.pathsep.join([str(BENCH_DIR), os.environ.get("PYTHONPATH", "")])}  # fmt: skip
    log = (data_dir / f"{kind}-{server}-{workers}.log").open("wb")
    proc = subprocess.Popen(
        server_command(kind, server, workers, port), stdout=log, stderr=subprocess.STDOUT, env=env
    )
    try:
        wait_ready(port, body, proc)
        yield port, proc.pid
    finally:
        stop_process(proc, timeout=15)
        log.close()


def raw_post(port: int, body: bytes, timeout: float = 2.0) -> tuple[int, bytes]:
    head = (
        f"POST {PATH} HTTP/1.1\r\nHost: {HOST}:{port}\r\nConnection: close\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    with socket.create_connection((HOST, port), timeout=timeout) as sock:
        sock.sendall(head.encode() + body)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1])
    return status, data.partition(b"\r\n\r\n")[2]


def wait_ready(port: int, body: bytes, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited during start-up (see its log in the data dir)")
        try:
            status, answer = raw_post(port, body)
        except OSError:
            time.sleep(0.2)
            continue
        if status == 200 and answer == b"false":
            return
        raise RuntimeError(f"unexpected answer {status} {answer[:100]!r}")
    raise RuntimeError("server did not start within 60 s")


# --- CPU split between worker processes ----------------------------------------------------
def cpu_ticks(pids: list[int]) -> dict[int, int]:
    ticks = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks[pid] = int(fields[11]) + int(fields[12])  # utime + stime
    return ticks


def cpu_split(before: dict[int, int], after: dict[int, int]) -> str:
    used = sorted((after[p] - before.get(p, 0) for p in after), reverse=True)
    total = sum(used) or 1
    busy = [u for u in used if u * 20 >= total]  # processes with >= 5 % of the CPU time
    return "/".join(f"{100 * u / total:.0f}" for u in busy) + " %"


# --- load generators -----------------------------------------------------------------------
WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = io.open(os.getenv("BENCH_BODY"), "rb"):read()
done = function(summary, latency, requests)
  io.write(string.format("BENCH %d %d %d %.1f %.1f\\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout, summary.duration, latency:percentile(50), latency:percentile(99)))
end
"""


def run_wrk(port: int, body: bytes, connections: int, duration: float, work: Path) -> Result:
    script, body_file = work / "bench.lua", work / "body.bin"
    script.write_text(WRK_SCRIPT)
    body_file.write_bytes(body)
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration:.0f}s", "--timeout", "5s",
         "-s", str(script), f"http://{HOST}:{port}{PATH}"],
        capture_output=True, text=True, timeout=duration + 30,
        env={**os.environ, "BENCH_BODY": str(body_file)}, check=True,
    ).stdout  # fmt: skip
    match = re.search(r"BENCH (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+)", out)
    if match is None:
        raise RuntimeError(f"cannot read wrk output: {out}")
    requests, errors, micros = int(match[1]), int(match[2]), int(match[3])
    return Result(
        requests / (micros / 1e6), float(match[4]) / 1000, float(match[5]) / 1000, errors, requests
    )


async def _client(port: int, request: bytes, stop: float, latencies: list[float]) -> int:
    reader, writer = await asyncio.open_connection(HOST, port)
    errors = 0
    try:
        while time.perf_counter() < stop:
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(re.search(rb"(?i)content-length:\s*(\d+)", head)[1])  # type: ignore[index]
            await reader.readexactly(length)
            if not head.startswith(b"HTTP/1.1 200"):
                errors += 1
            latencies.append(time.perf_counter() - started)
    finally:
        writer.close()
    return errors


def run_python(port: int, body: bytes, connections: int, duration: float, _work: Path) -> Result:
    request = (
        f"POST {PATH} HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    latencies: list[float] = []

    async def main() -> int:
        stop = time.perf_counter() + duration
        results = await asyncio.gather(
            *(_client(port, request, stop, latencies) for _ in range(connections))
        )
        return sum(results)

    started = time.perf_counter()
    errors = asyncio.run(main())
    elapsed = time.perf_counter() - started
    latencies.sort()
    n = len(latencies) or 1
    return Result(
        len(latencies) / elapsed,
        latencies[int(n * 0.50)] * 1000 if latencies else 0.0,
        latencies[min(n - 1, int(n * 0.99))] * 1000 if latencies else 0.0,
        errors,
        len(latencies),
    )


# --- the run -----------------------------------------------------------------------------------
@dataclass
class Sample:
    result: Result
    split: str


def median_sample(samples: list[Sample]) -> Sample:
    return sorted(samples, key=lambda s: s.result.rps)[len(samples) // 2]


def measure_pair(
    args: argparse.Namespace, server: str, workers: int, root: Path, key: str
) -> dict[tuple[str, int], Sample]:
    """Bare and real served side by side; measured alternately, round after round, so that
    noise from other processes on the machine hits both alike. Median per (app, connections)."""
    body = form_body(key)
    loadgen = run_wrk if args.loadgen == "wrk" else run_python
    samples: dict[tuple[str, int], list[Sample]] = {}
    with (
        running("bare", server, workers, root, body) as bare,
        running("real", server, workers, root, body) as real,
    ):
        for port, _pid in (bare, real):
            loadgen(port, body, max(args.connections), min(2.0, args.duration), root)  # warm-up
        targets = [("bare", bare, body), ("no-store", real, body + b"&is_test=1"),
                   ("real", real, body)]  # fmt: skip
        for _round in range(args.rounds):
            for connections in args.connections:
                for kind, (port, pid), payload in targets:
                    pids = process_tree(pid)
                    before = cpu_ticks(pids)
                    result = loadgen(port, payload, connections, args.duration, root)
                    sample = Sample(result, cpu_split(before, cpu_ticks(pids)))
                    samples.setdefault((kind, connections), []).append(sample)
    return {slot: median_sample(found) for slot, found in samples.items()}


def row(label: str, conns: int, sample: Sample) -> str:
    r = sample.result
    return (
        f"{label:<24} {conns:>5} {r.rps:>9.0f} {r.p50_ms:>8.2f} {r.p99_ms:>8.2f}"
        f" {r.errors:>6}  {sample.split}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=4.0, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds (median)")
    parser.add_argument("--servers", default="uvicorn,granian")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--connections", default="16,64")
    parser.add_argument("--loadgen", choices=("wrk", "python"), default=None)
    parser.add_argument("--synchronous", choices=("FULL", "NORMAL"), default="FULL",
                        help="SQLite synchronous setting of the real server")  # fmt: skip
    parser.add_argument("--smoke", action="store_true", help="one short round (make test)")
    args = parser.parse_args()
    if args.smoke:
        args.duration, args.rounds, args.servers, args.workers = 0.3, 1, "granian", "1"
        args.connections, args.loadgen = "2", "python"
    os.environ["REJOINDER_SQLITE_SYNCHRONOUS"] = args.synchronous
    args.connections = [int(c) for c in args.connections.split(",")]
    args.loadgen = args.loadgen or ("wrk" if shutil.which("wrk") else "python")
    print(f"load generator: {args.loadgen}; {args.duration:.0f} s per measurement, median of "
          f"{args.rounds} alternating rounds; synchronous={args.synchronous}; "
          f"cores: {os.cpu_count()}; "
          f"load average before: {os.getloadavg()[0]:.2f}")  # fmt: skip
    print(f"{'server / workers / app':<24} {'conns':>5} {'req/s':>9} {'p50 ms':>8} "
          f"{'p99 ms':>8} {'errors':>6}  CPU split between processes")  # fmt: skip
    summary = []
    for server in args.servers.split(","):
        for workers in (int(w) for w in args.workers.split(",")):
            with tempfile.TemporaryDirectory(prefix="rejoinder-bench-") as tmp:
                root = Path(tmp)
                key = prepare_data_dir(root)
                found = measure_pair(args, server, workers, root, key)
                stored = count_checks(root)
            served = sum(s.result.requests for (kind, _c), s in found.items() if kind == "real")
            if args.smoke and any(s.result.errors or not s.result.requests for s in found.values()):
                raise SystemExit("smoke run failed: a measurement erred or was never answered")
            for conns in args.connections:
                bare, real = found[("bare", conns)], found[("real", conns)]
                print(row(f"{server} / {workers} / bare", conns, bare))
                print(row(f"{server} / {workers} / no-store", conns, found[("no-store", conns)]))
                print(row(f"{server} / {workers} / real", conns, real))
                ratio = real.result.rps / bare.result.rps
                summary.append(f"{server:<8} workers={workers} conns={conns:<3} "
                               f"real/bare = {ratio:.2f}  (real {real.result.rps:.0f} req/s, "
                               f"p50 {real.result.p50_ms:.1f} ms, p99 {real.result.p99_ms:.1f} ms; "
                               f"bare {bare.result.rps:.0f} req/s)")  # fmt: skip
            print(f"  check records stored: {stored} (the median runs alone answered {served})")
    print("\nratio of comment-check to the bare endpoint, same server and run:")
    print("\n".join(summary))
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
