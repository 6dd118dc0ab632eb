"""Idle and slow clients against a real `rejoinder serve`: do they starve everyone else?

Starts `rejoinder serve` on 127.0.0.1 (fresh data dir), then from one address keeps --idle
connections open that never send a byte and --slow requests whose body trickles in a byte at a
time (each reopened as soon as the server closes it, as an attacker would), and meanwhile, from
another client, times `GET /healthz` and an Akismet comment-check, each on a new connection,
every --every seconds for --duration seconds. Goal (issue 17): every answer within 1 s.

Everything is bounded in time and stops by itself; the server is stopped by its PID.

    .venv/bin/python bench/slow_clients.py [--server granian|uvicorn] [--idle 2000]
        [--slow 200] [--duration 20] [--smoke]

`--smoke` runs 50 idle and 10 slow clients for 2 seconds (a check that the script works).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import resource
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # bench scripts share the process helpers of tests/support

from tests.support.server import LiveServer, start_server  # noqa: E402

HOST = "127.0.0.1"
GOAL_S = 1.0
CLIENT_TIMEOUT_S = 10.0
TRICKLE_S = 2.0  # one byte of body every this many seconds


@dataclass
class Pressure:
    """What the attacking side holds and how often the server cut it off."""

    open_idle: int = 0
    open_slow: int = 0
    reopened: int = 0
    refused: int = 0
    peak_idle: int = 0
    peak_slow: int = 0


@dataclass
class Timings:
    seconds: list[float] = field(default_factory=list)
    failures: int = 0

    def line(self, name: str) -> str:
        if not self.seconds:
            return f"{name:<14} no answer at all ({self.failures} failures)"
        ordered = sorted(self.seconds)
        p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
        return (f"{name:<14} n={len(ordered):<4} p50 {statistics.median(ordered) * 1000:7.1f} ms"
                f"  p95 {p95 * 1000:7.1f} ms  max {ordered[-1] * 1000:7.1f} ms"
                f"  failures {self.failures}")  # fmt: skip

    def met(self) -> bool:
        return self.failures == 0 and bool(self.seconds) and max(self.seconds) < GOAL_S


async def idle_client(port: int, pressure: Pressure, stop: asyncio.Event) -> None:
    """Connect, send nothing, wait for the server to hang up, connect again."""
    while not stop.is_set():
        try:
            reader, writer = await asyncio.open_connection(HOST, port)
        except OSError:
            pressure.refused += 1
            await asyncio.sleep(0.5)
            continue
        pressure.open_idle += 1
        pressure.peak_idle = max(pressure.peak_idle, pressure.open_idle)
        try:
            await _until_closed(reader, stop)
        finally:
            pressure.open_idle -= 1
            writer.close()
        pressure.reopened += 1


async def slow_client(port: int, key: str, pressure: Pressure, stop: asyncio.Event) -> None:
    """A comment-check whose 1,000-byte body arrives one byte every TRICKLE_S seconds."""
    head = (f"POST /1.1/comment-check HTTP/1.1\r\nHost: {HOST}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n"
            f"api_key={key}&comment_content=").encode()  # fmt: skip
    while not stop.is_set():
        try:
            reader, writer = await asyncio.open_connection(HOST, port)
            writer.write(head)
        except OSError:
            pressure.refused += 1
            await asyncio.sleep(0.5)
            continue
        pressure.open_slow += 1
        pressure.peak_slow = max(pressure.peak_slow, pressure.open_slow)
        try:
            await _trickle(reader, writer, stop)
        finally:
            pressure.open_slow -= 1
            writer.close()
        pressure.reopened += 1


async def _until_closed(reader: asyncio.StreamReader, stop: asyncio.Event) -> None:
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(0.5):
                await reader.read(4096)  # closed, or an answer (a refusal): we are done
                return


async def _trickle(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stop: asyncio.Event
) -> None:
    while not stop.is_set():
        try:
            writer.write(b"x")
            await writer.drain()
        except OSError:
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(TRICKLE_S):
                await reader.read(4096)
                return  # answered (408) or closed


def measure(server: LiveServer, seconds: float, every: float) -> tuple[Timings, Timings]:
    """From another client: /healthz and a comment-check, each on a fresh connection."""
    health, check = Timings(), Timings()
    form = urlencode({"api_key": server.key, "blog": server.blog, "user_ip": "198.51.100.4",
                      "comment_content": "A short, polite remark."})  # fmt: skip
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    deadline = time.monotonic() + seconds
    fresh = httpx.Limits(max_keepalive_connections=0)  # a new connection for every request
    with httpx.Client(base_url=server.url, timeout=CLIENT_TIMEOUT_S, limits=fresh) as client:
        while time.monotonic() < deadline:
            for timings, request in (
                (health, lambda: client.get("/healthz")),
                (check, lambda: client.post("/1.1/comment-check", content=form, headers=headers)),
            ):
                started = time.monotonic()
                try:
                    ok = request().status_code == 200
                except httpx.HTTPError:
                    ok = False
                if ok:
                    timings.seconds.append(time.monotonic() - started)
                else:
                    timings.failures += 1
            time.sleep(every)
    return health, check


async def attack(port: int, key: str, idle: int, slow: int, pressure: Pressure,
                 stop: asyncio.Event) -> None:  # fmt: skip
    tasks = [asyncio.create_task(idle_client(port, pressure, stop)) for _ in range(idle)]
    tasks += [asyncio.create_task(slow_client(port, key, pressure, stop)) for _ in range(slow)]
    await stop.wait()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def run(args: argparse.Namespace) -> bool:
    raise_open_files(args.idle + args.slow + 512)
    with tempfile.TemporaryDirectory(prefix="rj-slow-") as tmp:
        server = start_server(Path(tmp), args=("--server", args.server))
        try:
            quiet_health, quiet_check = measure(server, 1.0, 0.1)
            print(f"server {args.server}, {args.idle} idle + {args.slow} slow-body clients, "
                  f"{args.duration:g} s")  # fmt: skip
            print("without pressure:")
            print("  " + quiet_health.line("/healthz"))
            print("  " + quiet_check.line("comment-check"))
            pressure = Pressure()
            loop = asyncio.new_event_loop()
            stop = asyncio.Event()
            attacker = threading.Thread(target=loop.run_until_complete, daemon=True,
                                        args=(attack(server.port, server.key, args.idle,
                                                     args.slow, pressure, stop),))  # fmt: skip
            attacker.start()
            time.sleep(min(3.0, args.duration / 4))  # let the connections pile up
            health, check = measure(server, args.duration, args.every)
            held = (pressure.open_idle, pressure.open_slow)
            loop.call_soon_threadsafe(stop.set)
            attacker.join(30)
        finally:
            server.stop()
    print("under pressure:")
    print("  " + health.line("/healthz"))
    print("  " + check.line("comment-check"))
    print(f"  attacker: peak {pressure.peak_idle} idle and {pressure.peak_slow} slow open, "
          f"{held[0]} and {held[1]} at the end, {pressure.reopened} reconnects after the "
          f"server hung up, {pressure.refused} connects refused")  # fmt: skip
    met = health.met() and check.met()
    print(f"goal (every answer < {GOAL_S:g} s): {'met' if met else 'MISSED'}")
    return met


def raise_open_files(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", choices=["granian", "uvicorn"], default="granian")
    parser.add_argument("--idle", type=int, default=2000)
    parser.add_argument("--slow", type=int, default=200)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--every", type=float, default=0.2, help="seconds between two probes")
    parser.add_argument("--smoke", action="store_true", help="50 idle, 10 slow, 2 seconds")
    args = parser.parse_args()
    if args.smoke:
        args.idle, args.slow, args.duration = 50, 10, 2.0
    sys.exit(0 if run(args) else 1)


if __name__ == "__main__":
    main()
