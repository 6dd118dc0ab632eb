"""The timing helper the speed budgets rely on: CPU time counts work, not waiting."""

from __future__ import annotations

import time

from tests.support.timing import best_of, timed


def spin(seconds: float) -> int:
    end, n = time.thread_time() + seconds, 0
    while time.thread_time() < end:
        n += 1
    return n


def test_work_counts_as_cpu_time() -> None:
    run = timed(lambda: spin(0.05))
    assert run.value > 0 and run.cpu_ms >= 45 and run.wall_ms >= run.cpu_ms * 0.9


def test_sleeping_counts_as_wall_time_only() -> None:
    run = timed(lambda: time.sleep(0.05))
    assert run.wall_ms >= 45 and run.cpu_ms < 20


def test_best_of_reruns_only_over_budget() -> None:
    calls: list[int] = []
    assert best_of(lambda: calls.append(1), under_ms=1_000).cpu_ms < 1_000 and len(calls) == 1
    slow = best_of(lambda: spin(0.01), under_ms=1, runs=3)
    assert slow.cpu_ms >= 9  # really slow code fails every run, whatever the best
