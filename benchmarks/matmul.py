"""Matrix multiply of two 1024x1024 float32 matrices: BLAS time, where any library overhead
should vanish."""

from __future__ import annotations

import numpy as np

UNIT = "ms"
SCALE = 1e3


def matmul(lib_name: str, lib, quick: bool):
    n = 64 if quick else 1024
    r = np.random.default_rng(0)
    a, b = (r.standard_normal((n, n)).astype(np.float32) for _ in "ab")
    if lib_name in ("numpy", "autograd"):
        xp = np if lib_name == "numpy" else lib.numpy
        return lambda: xp.matmul(a, b)
    if lib_name == "mygrad":
        a, b = lib.tensor(a, constant=True), lib.tensor(b, constant=True)
    else:
        a, b = lib.tensor(a), lib.tensor(b)
    return lambda: lib.matmul(a, b)


WORKLOADS = {"matmul 1024x1024 float32": matmul}
