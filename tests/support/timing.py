"""Time budgets that a loaded machine does not break.

Tests that guard speed measure the CPU time of the current thread (``time.thread_time``), which
other processes competing for the cores barely change, and take the best of a few runs. Wall time
is kept only as a generous ceiling that still catches code that blocks instead of computing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Timed(Generic[T]):
    value: T
    cpu_ms: float
    wall_ms: float


def timed(fn: Callable[[], T]) -> Timed[T]:
    """Runs fn once; its value, thread CPU time and wall time in milliseconds."""
    wall, cpu = time.perf_counter(), time.thread_time()
    value = fn()
    return Timed(value, (time.thread_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000)


def best_of(fn: Callable[[], T], under_ms: float, runs: int = 3) -> Timed[T]:
    """Runs fn until one run's CPU time is under under_ms, at most `runs` times.

    Returns the first run's value with the least CPU time and the least wall time seen, so one
    unlucky run (a cache flushed by a neighbour, a GC pause) does not fail a budget, while code
    that is really slow fails every run.
    """
    first = best = timed(fn)
    for _ in range(runs - 1):
        if best.cpu_ms < under_ms:
            break
        again = timed(fn)
        best = Timed(first.value, min(best.cpu_ms, again.cpu_ms), min(best.wall_ms, again.wall_ms))
    return best
