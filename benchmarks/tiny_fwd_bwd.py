"""Tiny forward+backward: ``sum(a*b+a)`` on 10 elements, the cost of the autograd machinery."""

from __future__ import annotations

import numpy as np

UNIT = "us"
SCALE = 1e6


def sum_ab_plus_a(lib_name: str, lib, size: int):
    data = np.linspace(-1, 1, 10).astype(np.float32)
    if lib_name == "numpy":
        a, b = data.copy(), data + 1

        def step():  # hand-written forward and backward
            out = (a * b + a).sum()
            ga = b + 1.0
            gb = a.copy()
            return out, ga, gb

        return step
    a = lib.tensor(data, requires_grad=True)
    b = lib.tensor(data + 1, requires_grad=True)

    def step():
        a.grad = None
        b.grad = None
        (a * b + a).sum().backward()

    return step


WORKLOADS = {"sum(a*b+a), 10 elements, fwd+bwd": sum_ab_plus_a}
