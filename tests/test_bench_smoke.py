"""Every script in bench/ still runs: each in its --smoke mode (tiny data, short phases).

The scripts run as separate processes (each must work from the command line), RUNNING_AT_ONCE
of them at a time: much of a smoke run is waiting (servers starting, short load phases), so
running them side by side cuts the suite's time; each test then reads its script's outcome.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
SCRIPTS = sorted(
    path.name for path in BENCH.glob("*.py") if 'if __name__ == "__main__":' in path.read_text()
)
RUNNING_AT_ONCE = 2


def test_every_script_is_found() -> None:
    assert {"thread_read.py", "akismet_throughput.py", "engine_quality.py"} <= set(SCRIPTS)


def smoke_run(script: str, workdir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BENCH / script), "--smoke"],
        capture_output=True,
        check=False,
        text=True,
        timeout=300,
        cwd=workdir,  # nothing may depend on the working directory or land in the checkout
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )


@pytest.fixture(scope="module")
def smoke_runs(
    request: pytest.FixtureRequest,
) -> Iterator[dict[str, Future[subprocess.CompletedProcess[str]]]]:
    """The smoke run of every script selected in this session, all queued at once."""
    selected = [
        item.callspec.params["script"]
        for item in request.session.items
        if getattr(item, "originalname", "") == "test_bench_script_runs_in_smoke_mode"
    ]
    with (
        tempfile.TemporaryDirectory(prefix="rejoinder-bench-smoke-") as tmp,
        ThreadPoolExecutor(RUNNING_AT_ONCE) as pool,  # shut down (every run over) before tmp goes
    ):
        runs = {}
        for script in selected:
            workdir = Path(tmp) / script.removesuffix(".py")
            workdir.mkdir()
            runs[script] = pool.submit(smoke_run, script, workdir)
        yield runs


@pytest.mark.slow
@pytest.mark.parametrize("script", SCRIPTS)
def test_bench_script_runs_in_smoke_mode(
    script: str, smoke_runs: dict[str, Future[subprocess.CompletedProcess[str]]]
) -> None:
    done = smoke_runs[script].result()
    assert done.returncode == 0, f"{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    assert done.stdout.strip(), "a smoke run prints its (meaningless) figures"
