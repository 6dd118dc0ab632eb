"""A real `rejoinder serve` process on a free loopback port, for tests that need one."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from rejoinder.services import build_services
from rejoinder.settings import load_settings
from tests.support.database import migrate
from tests.support.processes import stop_process


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_cli(
    data_dir: Path,
    *args: str,
    env: dict[str, str] | None = None,
    check: bool = True,
    input_text: str | None = None,
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "REJOINDER_DATA_DIR": str(data_dir), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "rejoinder", *args],
        capture_output=True,
        text=True,
        env=full_env,
        check=check,
        timeout=120,
        input=input_text,
    )


def prepare_site(data_dir: Path, blog: str, env: dict[str, str] | None = None) -> str:
    """What `rejoinder init`, `sites add BLOG` and `keys create --site BLOG` do, done in this
    process with the same services (three interpreter starts fewer per server; the commands
    themselves are tested in tests/test_cli.py). Returns the key."""
    settings = load_settings({**os.environ, "REJOINDER_DATA_DIR": str(data_dir), **(env or {})})
    services = build_services(settings)
    try:
        migrate(services.db)
        services.sites.add_site(blog)
        return services.sites.create_key([blog])
    finally:
        services.db.dispose()


@dataclass
class LiveServer:
    url: str
    port: int
    data_dir: Path
    key: str
    blog: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def stop(self) -> None:
        stop_process(self.process)


def start_server(
    data_dir: Path,
    blog: str = "https://blog.example.com",
    env: dict[str, str] | None = None,
    args: tuple[str, ...] = (),
) -> LiveServer:
    """Init a data dir, create a site and key, and start `rejoinder serve` on a free port."""
    key = prepare_site(data_dir, blog, env)
    port = free_port()
    log_path = data_dir / "server.log"
    full_env = {**os.environ, "REJOINDER_DATA_DIR": str(data_dir), **(env or {})}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "rejoinder", "serve", "--port", str(port), *args],
            stdout=log, stderr=subprocess.STDOUT, env=full_env,
        )  # fmt: skip
    server = LiveServer(f"http://127.0.0.1:{port}", port, data_dir, key, blog, process, log_path)
    deadline = time.monotonic() + 90  # a loaded machine; only a failing start waits it out
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log_path.read_text()}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"server did not start: {log_path.read_text()}")
