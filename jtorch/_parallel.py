"""Intra-op parallelism: one large NumPy call split over ``get_num_threads()`` threads.

NumPy releases the GIL inside ufunc loops, copies and BLAS calls, so a large element-wise op cut
into one slice per thread runs on every core, as torch's ``at::parallel_for`` does. Waking a
worker costs about 12 us here (a 1M-element float32 multiply takes about 250 us), so only work of
at least ``GRAIN`` elements per thread is split; everything smaller runs inline, untouched.

The workers are daemon threads started on first use. A call from a worker, or from a second
thread while the workers are busy, runs inline (no nesting, no deadlock), and a forked child
starts with no workers.

Example:
    >>> import numpy as np
    >>> from jtorch import _parallel
    >>> a = np.arange(1 << 20, dtype=np.float32)
    >>> out = _parallel.binary(np.multiply, a, a)
    >>> bool((out == a * a).all())
    True
"""

from __future__ import annotations

import math
import os
import queue
import threading
from collections.abc import Callable

import numpy as np

from jtorch import _blas  # noqa: F401  (pins NumPy's BLAS to one thread)
from jtorch._runtime import get_num_threads

__all__ = [
    "GRAIN",
    "SPLIT_MACS",
    "parallel_for",
    "Pipeline",
    "by_rows",
    "binary",
    "clip",
    "copy",
    "matmul",
]

GRAIN = 1 << 17  # elements per thread below which a split costs more than it saves
MACS_PER_WORK = 40  # a GEMM's multiply-adds per element of element-wise work, in time
SPLIT_MACS = 2 * GRAIN * MACS_PER_WORK  # a GEMM is split from here (about 230 us on one core)


class _Pool:
    """Daemon workers, each with its own task queue, reporting to one ``done`` queue."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.done: queue.SimpleQueue = queue.SimpleQueue()
        self.tasks: list[queue.SimpleQueue] = []
        self.local = threading.local()

    def grow(self, n: int) -> list:
        while len(self.tasks) < n:
            q: queue.SimpleQueue = queue.SimpleQueue()
            threading.Thread(target=self._work, args=(q,), daemon=True).start()
            self.tasks.append(q)
        return self.tasks[:n]

    def _work(self, tasks: queue.SimpleQueue) -> None:
        self.local.worker = True
        while True:
            fn, lo, hi = tasks.get()
            try:
                fn(lo, hi)
                self.done.put(None)
            except BaseException as e:  # noqa: BLE001  (re-raised in the calling thread)
                self.done.put(e)


_pool = _Pool()


def _forget_workers() -> None:
    global _pool
    _pool = _Pool()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_workers)


def parallel_for(n: int, work: int, fn: Callable[[int, int], None]) -> None:
    """Call ``fn(lo, hi)`` on contiguous ranges covering ``[0, n)``: one range per thread when
    ``work`` (elements touched, or a GEMM's multiply-adds / ``MACS_PER_WORK``) is large, else
    ``fn(0, n)`` inline.

    Example:
        >>> seen = []
        >>> parallel_for(4, 10, lambda lo, hi: seen.append((lo, hi))); seen
        [(0, 4)]
    """
    k = min(get_num_threads(), n, work // GRAIN)
    pool = _claim_worker() if k > 1 else None
    if pool is None:
        fn(0, n)
        return
    try:
        bounds = [n * i // k for i in range(k + 1)]
        workers = pool.grow(k - 1)
        for q, lo, hi in zip(workers, bounds[1:], bounds[2:]):
            q.put((fn, lo, hi))
        try:
            fn(0, bounds[1])
        finally:
            errors = [e for e in (pool.done.get() for _ in workers) if e is not None]
        if errors:
            raise errors[0]
    finally:
        pool.lock.release()


def _claim_worker() -> _Pool | None:
    """The pool, locked for the caller, when a worker may be used from here; else None."""
    pool = _pool
    if get_num_threads() < 2 or getattr(pool.local, "worker", False):
        return None
    return pool if pool.lock.acquire(blocking=False) else None


class Pipeline:
    """Jobs ``fn(*args)`` run in submission order on one worker while the caller goes on, as a
    recurrent layer overlaps its input projection and weight gradients with the recurrence.

    ``submit(fn, *args)`` queues a job, ``wait(k)`` returns once the first ``k`` jobs have run
    (re-raising a job's error), and leaving the ``with`` block waits for every job. Without a
    free worker (one thread, called from a worker, the pool busy, or ``threaded=False``)
    ``submit`` runs the job at once. While a pipeline is open, the caller's own split calls run
    inline.

    Example:
        >>> seen = []
        >>> with Pipeline() as jobs:
        ...     jobs.submit(seen.append, 1); jobs.submit(seen.append, 2); jobs.wait(1)
        >>> seen
        [1, 2]
    """

    def __init__(self, threaded: bool = True) -> None:
        self.submitted = self.finished = 0
        self.pool = _claim_worker() if threaded else None
        if self.pool is not None:
            self.jobs: queue.SimpleQueue = queue.SimpleQueue()
            self.results: queue.SimpleQueue = queue.SimpleQueue()
            self.pool.grow(1)[0].put((self._drain, 0, 0))

    def _drain(self, lo: int, hi: int) -> None:
        while (job := self.jobs.get()) is not None:
            try:
                job[0](*job[1:])
                self.results.put(None)
            except BaseException as e:  # noqa: BLE001  (re-raised by wait)
                self.results.put(e)

    def submit(self, fn: Callable, *args) -> None:
        self.submitted += 1
        if self.pool is None:
            fn(*args)
            self.finished += 1
        else:
            self.jobs.put((fn, *args))

    def wait(self, k: int | None = None) -> None:
        k = self.submitted if k is None else k
        while self.finished < k:
            error = self.results.get()
            self.finished += 1
            if error is not None:
                raise error

    def __enter__(self) -> Pipeline:
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is None:
            return
        try:
            self.wait()
        finally:
            while self.finished < self.submitted:  # after an error: let the rest finish
                self.results.get()
                self.finished += 1
            self.jobs.put(None)
            self.pool.done.get()
            self.pool.lock.release()
            self.pool = None


def _host(x) -> bool:
    return isinstance(x, (np.ndarray, np.generic, int, float, complex))


def _dtype(x):
    """What ``ufunc.resolve_dtypes`` takes: an array's dtype, or a Python scalar's (weak) type."""
    return x.dtype if isinstance(x, (np.ndarray, np.generic)) else type(x)


def _rows(x, lo: int, hi: int, n: int, nd: int):
    """``x``'s rows ``lo:hi`` if it spans the split dim, else ``x`` (broadcast or a scalar)."""
    return x[lo:hi] if getattr(x, "ndim", 0) == nd and x.shape[0] == n else x


def by_rows(fn: Callable, out, *operands, work: int | None = None) -> None:
    """``fn(*operands, out=out)`` over ``out``'s rows, split over threads when ``work``
    (default ``out.size``) is large; an operand that does not span ``out``'s rows (a scalar, or
    one that broadcasts along them) goes to every range whole.

    Example:
        >>> out = np.empty(3)
        >>> by_rows(np.add, out, np.arange(3.0), 1.0); out
        array([1., 2., 3.])
    """
    n, nd = out.shape[0], out.ndim

    def run(lo: int, hi: int) -> None:
        fn(*(_rows(x, lo, hi, n, nd) for x in operands), out=out[lo:hi])

    parallel_for(n, out.size if work is None else work, run)


def binary(op: np.ufunc, a, b):
    """``op(a, b)`` for NumPy operands, split over threads along dim 0 when the result is large.

    Example:
        >>> binary(np.add, np.ones((2, 3)), 1.0)
        array([[2., 2., 2.],
               [2., 2., 2.]])
    """
    small = 2 * GRAIN
    if (a.size if type(a) is np.ndarray else 0) < small > (b.size if type(b) is np.ndarray else 0):
        return op(a, b)
    if not (_host(a) and _host(b)):
        return op(a, b)
    shape = np.broadcast_shapes(np.shape(a), np.shape(b))
    if not shape or math.prod(shape) < small or get_num_threads() < 2:
        return op(a, b)
    out = np.empty(shape, op.resolve_dtypes((_dtype(a), _dtype(b), None))[-1])
    by_rows(op, out, a, b)
    return out


def clip(a, lo, hi):
    """``np.clip(a, lo, hi)``, split over threads along dim 0 when ``a`` is a large NumPy array
    and the bounds are scalars.

    Example:
        >>> clip(np.array([-1.0, 0.5, 2.0]), 0.0, 1.0)
        array([0. , 0.5, 1. ])
    """
    if type(a) is not np.ndarray or a.size < 2 * GRAIN or np.ndim(lo) or np.ndim(hi):
        return a.clip(lo, hi)
    out = np.empty(a.shape, np.result_type(a, lo, hi))
    by_rows(np.clip, out, a, lo, hi)
    return out


def copy(a: np.ndarray) -> np.ndarray:
    """``a.copy()`` (C order), split over threads when ``a`` is a large NumPy array.

    Example:
        >>> copy(np.arange(3))
        array([0, 1, 2])
    """
    if type(a) is not np.ndarray or a.size < 2 * GRAIN or a.shape[0] < 2:
        return a.copy()
    out = np.empty(a.shape, a.dtype)
    parallel_for(a.shape[0], a.size, lambda lo, hi: np.copyto(out[lo:hi], a[lo:hi]))
    return out


def matmul(a, b):
    """``a @ b`` for NumPy matrices or batches, split over threads when large: by rows of a 2-D
    product, else by the leading batch dim.

    Example:
        >>> matmul(np.eye(2), np.arange(4.0).reshape(2, 2))
        array([[0., 1.],
               [2., 3.]])
    """
    if type(a) is not np.ndarray or type(b) is not np.ndarray or a.ndim < 2 or b.ndim < 2:
        return a @ b
    if a.ndim == b.ndim == 2 and a.size * b.shape[1] < SPLIT_MACS:  # the common small product
        return a @ b
    batch = () if a.ndim == b.ndim == 2 else np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    rows = batch[0] if batch else a.shape[-2]
    m, k, n = a.shape[-2], a.shape[-1], b.shape[-1]
    macs = m * k * n * math.prod(batch)
    if macs < SPLIT_MACS or rows < 2 or get_num_threads() < 2:
        return a @ b
    out = np.empty(batch + (m, n), np.result_type(a, b))
    nd = out.ndim

    def run(lo: int, hi: int) -> None:
        if batch:
            np.matmul(_rows(a, lo, hi, rows, nd), _rows(b, lo, hi, rows, nd), out=out[lo:hi])
        else:
            np.matmul(a[lo:hi], b, out=out[lo:hi])

    parallel_for(rows, macs // MACS_PER_WORK, run)
    return out
