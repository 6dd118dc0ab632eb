"""bench/import_speed.py still runs (its --smoke mode: 200 comments)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_bench_smoke() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "import_speed.py"), "--smoke"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "imported 200 comments in 10 threads" in done.stdout
    assert "comments per CPU second" in done.stdout and "peak RSS" in done.stdout
