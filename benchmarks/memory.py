"""Peak memory of one training step: how far the process's resident memory rises above what the
model and the batch already hold, during the step (forward, backward, SGD update).

Measured as the kernel's high-water mark of resident memory (``VmHWM``, reset through
``/proc/self/clear_refs``), so it counts every allocator the same way: NumPy's, torch's, and
what glibc keeps. Each library first runs the step on a tiny batch, so one-time imports and
caches do not count. Linux only.
"""

from __future__ import annotations

import numpy as np

UNIT = "MB"
SCALE = 1e-6
MEASURE = "memory"

MLP_SIZES = (784, 1024, 512, 10)
CONV_SHAPES = [(16, 3, 3, 3), (16,), (32, 16, 3, 3), (32,), (10, 32 * 8 * 8), (10,)]


def _mlp_arrays(batch: int):
    r = np.random.default_rng(0)
    x = r.standard_normal((batch, MLP_SIZES[0])).astype(np.float32)
    pairs = zip(MLP_SIZES[1:], MLP_SIZES[:-1])
    ws = [(r.standard_normal((o, i)) * 0.05).astype(np.float32) for o, i in pairs]
    return x, r.integers(0, 10, batch), ws, [np.zeros(w.shape[0], np.float32) for w in ws]


def _numpy_mlp(batch: int):
    x, y, ws, bs = _mlp_arrays(batch)

    def step():  # forward keeping the activations, backward, SGD: the same step by hand
        acts = [x]
        for k, (w, b) in enumerate(zip(ws, bs)):
            z = acts[-1] @ w.T + b
            acts.append(np.maximum(z, 0) if k < len(ws) - 1 else z)
        p = np.exp(acts[-1] - acts[-1].max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        p[np.arange(batch), y] -= 1
        g = p / batch
        for k in reversed(range(len(ws))):
            gw, gb = g.T @ acts[k], g.sum(0)
            if k:
                g = (g @ ws[k]) * (acts[k] > 0)
            ws[k] -= 0.01 * gw
            bs[k] -= 0.01 * gb

    return step


def _torch_like_mlp(lib, batch: int):
    x, y, ws, bs = _mlp_arrays(batch)
    nn = lib.nn
    layers = []
    for k, (w, b) in enumerate(zip(ws, bs)):
        linear = nn.Linear(w.shape[1], w.shape[0])
        linear.weight.data, linear.bias.data = lib.tensor(w), lib.tensor(b)
        layers += [linear, nn.ReLU()] if k < len(ws) - 1 else [linear]
    model = nn.Sequential(*layers)
    opt = lib.optim.SGD(model.parameters(), lr=0.01)
    x, y = lib.tensor(x), lib.tensor(y)

    def step():
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()

    return step


def _warmed(build, quick: bool, batch: int):
    build(2)()  # NOTE: imports, caches and optimizer state set-up happen here, not measured
    return build(8 if quick else batch)


def mlp_step(lib_name: str, lib, quick: bool):
    if lib_name == "numpy":
        return _warmed(_numpy_mlp, quick, 4096)
    if lib_name in ("jtorch", "torch"):
        return _warmed(lambda b: _torch_like_mlp(lib, b), quick, 4096)
    return None


def _conv(lib, batch: int):
    F = lib.nn.functional
    r = np.random.default_rng(0)
    data = lib.tensor(r.standard_normal((batch, 3, 32, 32)).astype(np.float32))
    target = lib.tensor(r.integers(0, 10, batch))
    params = [
        lib.tensor((r.standard_normal(s) * 0.1).astype(np.float32), requires_grad=True)
        for s in CONV_SHAPES
    ]
    w1, b1, w2, b2, w3, b3 = params

    def step():
        h = F.max_pool2d(F.relu(F.conv2d(data, w1, b1, padding=1)), 2)
        h = F.max_pool2d(F.relu(F.conv2d(h, w2, b2, padding=1)), 2)
        loss = F.cross_entropy(F.linear(h.reshape(batch, -1), w3, b3), target)
        for p in params:
            p.grad = None
        loss.backward()
        with lib.no_grad():
            for p in params:
                p.sub_(p.grad, alpha=0.01)

    return step


def conv_step(lib_name: str, lib, quick: bool):
    if lib_name not in ("jtorch", "torch"):
        return None
    return _warmed(lambda b: _conv(lib, b), quick, 256)


WORKLOADS = {
    "peak memory, MLP 784-1024-512-10 step, batch 4096": mlp_step,
    "peak memory, ConvNet step, batch 256": conv_step,
}
