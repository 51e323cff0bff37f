"""MLP training step: 784-256-128-10 with ReLU, batch 128, cross-entropy, backward, SGD update
(the PERFORMANCE.md workload), and the same step written by hand in NumPy."""

from __future__ import annotations

import numpy as np

UNIT = "ms"
SCALE = 1e3
SIZES = (784, 256, 128, 10)


def _data(r: np.random.Generator):
    return r.standard_normal((128, 784)).astype(np.float32), r.integers(0, 10, 128)


def _numpy_step(r: np.random.Generator):
    x, y = _data(r)
    ws = [(r.standard_normal((o, i)) * 0.05).astype(np.float32) for i, o in zip(SIZES, SIZES[1:])]
    bs = [np.zeros(o, np.float32) for o in SIZES[1:]]

    def step():
        acts = [x]
        for k, (w, b) in enumerate(zip(ws, bs)):
            z = acts[-1] @ w.T + b
            acts.append(np.maximum(z, 0) if k < 2 else z)
        logits = acts[-1]
        p = np.exp(logits - logits.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        p[np.arange(128), y] -= 1
        g = p / 128
        for k in (2, 1, 0):
            gw, gb = g.T @ acts[k], g.sum(0)
            if k:
                g = (g @ ws[k]) * (acts[k] > 0)
            ws[k] -= 0.01 * gw
            bs[k] -= 0.01 * gb

    return step


def mlp_step(lib_name: str, lib, size: int):
    r = np.random.default_rng(0)
    if lib_name == "numpy":
        return _numpy_step(r)
    nn = lib.nn
    model = nn.Sequential(
        nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10)
    )
    opt = lib.optim.SGD(model.parameters(), lr=0.01)
    x, y = _data(r)
    x, y = lib.tensor(x), lib.tensor(y)
    loss_fn = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    return step


WORKLOADS = {"MLP 784-256-128-10, batch 128, SGD step": mlp_step}
