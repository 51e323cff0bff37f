"""A chain of many small ops and backward through it: the graph walk must be iterative (no
recursion limit) and its time linear in the chain's length (compare the two rows: 10x ops should
take about 10x the time)."""

from __future__ import annotations

import numpy as np

UNIT = "ms"
SCALE = 1e3


def _chain(length: int):
    def build(lib_name: str, lib, quick: bool):
        n = length // 100 if quick else length
        data = np.ones(10, np.float32)
        if lib_name == "numpy":

            def step():  # hand-written: y = x * 1.0001**n, dy/dx by the chain rule
                y = data
                for _ in range(n):
                    y = y * np.float32(1.0001)
                g = np.ones_like(data)
                for _ in range(n):
                    g = g * np.float32(1.0001)
                return y, g

            return step
        if lib_name == "autograd":
            anp = lib.numpy

            def f(x):
                for _ in range(n):
                    x = anp.multiply(x, 1.0001)
                return anp.sum(x)

            grad = lib.grad(f)
            return lambda: grad(data)
        x = lib.tensor(data) if lib_name == "mygrad" else lib.tensor(data, requires_grad=True)

        def step():
            y = x
            for _ in range(n):
                y = y * 1.0001
            y.sum().backward()

        return step

    return build


WORKLOADS = {
    "chain of 10,000 muls, fwd+bwd": _chain(10_000),
    "chain of 100,000 muls, fwd+bwd": _chain(100_000),
}
