"""Large element-wise work: ``a*b+c`` on 1M float32 elements, forward alone and forward+backward
(the gradient of every input, given the output's gradient), where memory traffic and fresh
allocations dominate."""

from __future__ import annotations

import numpy as np

UNIT = "ms"
SCALE = 1e3


def _arrays(quick: bool):
    r = np.random.default_rng(0)
    return [r.standard_normal(1_000 if quick else 1_000_000).astype(np.float32) for _ in "abcg"]


def forward(lib_name: str, lib, quick: bool):
    a, b, c, _ = _arrays(quick)
    if lib_name in ("numpy", "autograd"):
        xp = np if lib_name == "numpy" else lib.numpy
        return lambda: xp.add(xp.multiply(a, b), c)
    if lib_name == "mygrad":
        a, b, c = (lib.tensor(x, constant=True) for x in (a, b, c))
    else:
        a, b, c = lib.tensor(a), lib.tensor(b), lib.tensor(c)
    return lambda: a * b + c


def forward_backward(lib_name: str, lib, quick: bool):
    a, b, c, g = _arrays(quick)
    if lib_name == "numpy":

        def step():  # hand-written: out, then d/da = g*b, d/db = g*a, d/dc = g
            return a * b + c, g * b, g * a, g.copy()

        return step
    if lib_name == "autograd":
        vjp_maker = lib.make_vjp(lambda abc: abc[0] * abc[1] + abc[2])
        return lambda: vjp_maker((a, b, c))[0](g)
    if lib_name == "mygrad":
        a, b, c = (lib.tensor(x) for x in (a, b, c))
        return lambda: (a * b + c).backward(g)
    a, b, c = (lib.tensor(x, requires_grad=True) for x in (a, b, c))
    g = lib.tensor(g)

    def step():
        a.grad = b.grad = c.grad = None
        (a * b + c).backward(g)

    return step


WORKLOADS = {
    "a*b+c, 1M float32, forward": forward,
    "a*b+c, 1M float32, forward+backward": forward_backward,
}
