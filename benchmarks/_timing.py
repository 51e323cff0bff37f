"""Timing helpers shared by the workload files: median of many repeats after warm-up."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_time(fn: Callable[[], object], *, budget: float, repeat: int, warmup: int = 3) -> float:
    """Median seconds per call of ``fn`` over ``repeat`` batches; each batch runs about
    ``budget / repeat`` seconds (at least one call), so slow and fast workloads cost the same."""
    start = time.perf_counter()
    for _ in range(warmup):
        fn()
    per_call = (time.perf_counter() - start) / warmup
    number = max(1, int(budget / repeat / max(per_call, 1e-9)))
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - start) / number)
    return statistics.median(samples)


def _status_bytes(key: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1]) * 1024
    raise KeyError(key)


def peak_memory(fn: Callable[[], object]) -> float:
    """Bytes by which resident memory peaks above its level before one call of ``fn``.

    NOTE: writing 5 to ``/proc/self/clear_refs`` resets the kernel's high-water mark (VmHWM),
    so the peak is the step's own, whichever allocator the library uses.
    """
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    before = _status_bytes("VmRSS")
    fn()
    return float(_status_bytes("VmHWM") - before)
