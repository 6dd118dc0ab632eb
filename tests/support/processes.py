"""Processes under /proc: a server and all its workers, for killing them or reading their CPU."""

from __future__ import annotations

import subprocess
from pathlib import Path


def process_tree(pid: int) -> list[int]:
    """pid and all its descendants (Linux /proc), parents before their children."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def stop_process(process: subprocess.Popen[bytes], timeout: float = 10) -> None:
    """Terminate a process started by the caller; kill it if it has not ended within timeout."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)


def rss_mib(pids: list[int]) -> float:
    """Resident memory of these processes together, in MiB (gone ones count nothing)."""
    total_kib = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total_kib += int(line.split()[1])
    return total_kib / 1024
