"""NumPy's own BLAS: pinned to one thread, and its fused ``axpy``, which NumPy does not expose.

jtorch splits large GEMMs over its own workers (``_parallel``), so NumPy's BLAS runs on one
thread. torch's CPU kernels round ``y + alpha * x`` once per element (one FMA: ``add(alpha=)``,
``lerp``, SGD's update); NumPy's two ufuncs round twice. OpenBLAS's ``saxpy`` is a one-pass FMA
kernel in its vector body (its scalar tail rounds twice), so where NumPy ships it (the
scipy-openblas build of NumPy's wheels) jtorch calls it through ctypes on whole blocks of
``BLOCK`` float32 elements, after checking at import that those round once.

Example:
    >>> import numpy as np
    >>> x, y = np.arange(5000, dtype=np.float32), np.ones(5000, np.float32)
    >>> done = axpy(2.0, x, y)  # the first 4992 where NumPy's BLAS has a fused saxpy, else 0
    >>> y[done:] += 2 * x[done:]
    >>> y[[0, 1, 4999]]
    array([1.000e+00, 3.000e+00, 9.999e+03], dtype=float32)
"""

from __future__ import annotations

import ctypes

import numpy as np

__all__ = ["axpy"]

# NOTE: only the symbols of the scipy-openblas builds, whose integer width is known from the
# name: passing a 32-bit length to a 64-bit interface would not fail, it would crash.
_SYMBOLS = (("scipy_cblas_saxpy64_", ctypes.c_int64), ("scipy_cblas_saxpy", ctypes.c_int32))
BLOCK = 64  # saxpy runs on a multiple of this many elements: the kernels' vector body
SMALL = 4096  # below this many elements a ctypes call (about 8 us) costs more than NumPy's way


def _find_saxpy(lib: ctypes.CDLL):
    for name, int_t in _SYMBOLS:
        fn = getattr(lib, name, None)
        if fn is not None:
            fn.argtypes = (int_t, ctypes.c_float, ctypes.c_void_p, int_t, ctypes.c_void_p, int_t)
            fn.restype = None
            return fn
    return None


def _rounds_once(fn) -> bool:
    """Whether ``fn`` fuses on whole blocks: ``(1 + e) * (1 + e) - 1`` keeps the ``e * e``
    that a second rounding drops."""
    e = 2.0**-12
    for n in (BLOCK, 2 * BLOCK, 5 * BLOCK):
        x, y = np.full(n, 1 + e, np.float32), np.full(n, -1, np.float32)
        fn(n, 1 + e, x.ctypes.data, 1, y.ctypes.data, 1)
        if not (y == np.float32(2 * e + e * e)).all():
            return False
    return True


def _setup():
    """Pin NumPy's BLAS to one thread; returns its fused saxpy (None if there is none).

    NOTE: an OpenBLAS pool of its own spins for a while after every threaded call, and the
    spinning thread then starves jtorch's workers of the second core (a ConvNet step ran 25%
    slower than with a single-threaded BLAS). torch likewise runs its BLAS single-threaded
    inside an ``at::parallel_for``. LAPACK routines (solve, svd, ...) run on one thread.
    """
    try:
        from threadpoolctl import ThreadpoolController  # noqa: PLC0415
    except ImportError:  # NOTE: without threadpoolctl the BLAS keeps its threads, no axpy
        return None
    found = None
    for c in ThreadpoolController().lib_controllers:
        if c.user_api != "blas":
            continue
        c.set_num_threads(1)
        if c.prefix == "libscipy_openblas" and found is None:
            try:
                fn = _find_saxpy(ctypes.CDLL(c.filepath))
            except OSError:  # NOTE: a library threadpoolctl saw but ctypes cannot open
                continue
            found = fn if fn is not None and _rounds_once(fn) else None
    return found


def axpy(alpha, x, y) -> int:
    """``y += alpha * x`` in place, rounded once per element, on the first ``n`` elements of the
    flat float32 arrays, ``n`` a multiple of ``BLOCK``; returns ``n`` (0 unless NumPy's BLAS has
    a fused saxpy and ``x`` and ``y`` are C-contiguous, writable ``y``, not overlapping, with at
    least ``SMALL`` elements)."""
    n = y.size & -BLOCK
    if (
        _saxpy is None
        or n < SMALL
        or type(y) is not np.ndarray
        or type(x) is not np.ndarray
        or y.dtype != np.float32
        or x.dtype != np.float32
        or x.size != y.size
        or not (x.flags.c_contiguous and y.flags.c_contiguous and y.flags.writeable)
        or np.may_share_memory(x, y)
    ):
        return 0
    _saxpy(n, float(np.float32(alpha)), x.ctypes.data, 1, y.ctypes.data, 1)
    return n


_saxpy = _setup()
