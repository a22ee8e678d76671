"""Small measuring helpers shared by the benchmarks."""

from __future__ import annotations

import statistics
import time
import tracemalloc


def timed(fn):
    """(result, seconds) of one call."""
    began = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - began


def median_ms(fn, runs: int = 15) -> float:
    return statistics.median(timed(fn)[1] for _ in range(runs)) * 1000


def peak(fn) -> int:
    """Python's peak traced memory (bytes) during one call."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
