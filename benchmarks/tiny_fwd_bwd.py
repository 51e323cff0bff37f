"""Tiny forward+backward: ``sum(a*b+a)`` on 10 elements, the cost of the autograd machinery."""

from __future__ import annotations

import numpy as np

UNIT = "us"
SCALE = 1e6


def sum_ab_plus_a(lib_name: str, lib, quick: bool):
    data = np.linspace(-1, 1, 10).astype(np.float32)
    if lib_name == "numpy":
        a, b = data.copy(), data + 1

        def step():  # hand-written forward and backward
            out = (a * b + a).sum()
            return out, b + 1.0, a.copy()

        return step
    if lib_name == "autograd":
        anp = lib.numpy
        grad = lib.grad(lambda ab: anp.sum(ab[0] * ab[1] + ab[0]))
        ab = (data, data + 1)
        return lambda: grad(ab)
    if lib_name == "mygrad":
        a, b = lib.tensor(data), lib.tensor(data + 1)
        return lambda: (a * b + a).sum().backward()
    a = lib.tensor(data, requires_grad=True)
    b = lib.tensor(data + 1, requires_grad=True)

    def step():
        a.grad = None
        b.grad = None
        (a * b + a).sum().backward()

    return step


WORKLOADS = {"sum(a*b+a), 10 elements, fwd+bwd": sum_ab_plus_a}
