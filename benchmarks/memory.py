"""Peak memory of one training step: how far the process's resident memory rises above what the
model and the batch already hold, during the step (forward, backward, SGD update).

Measured as the kernel's high-water mark of resident memory (``VmHWM``, reset through
``/proc/self/clear_refs``), so it counts every allocator the same way: NumPy's, torch's, and
what glibc keeps. Each library first runs the step on a tiny batch, so one-time imports and
caches do not count. Linux only.
"""

from __future__ import annotations

import numpy as np

from benchmarks import convnet
from benchmarks.mlp import numpy_sgd_step

UNIT = "MB"
SCALE = 1e-6
MEASURE = "memory"

MLP_SIZES = (784, 1024, 512, 10)


def _mlp_arrays(batch: int):
    r = np.random.default_rng(0)
    x = r.standard_normal((batch, MLP_SIZES[0])).astype(np.float32)
    pairs = zip(MLP_SIZES[1:], MLP_SIZES[:-1])
    ws = [(r.standard_normal((o, i)) * 0.05).astype(np.float32) for o, i in pairs]
    return x, r.integers(0, 10, batch), ws, [np.zeros(w.shape[0], np.float32) for w in ws]


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
        return _warmed(lambda b: numpy_sgd_step(*_mlp_arrays(b)), quick, 4096)
    if lib_name in ("jtorch", "torch"):
        return _warmed(lambda b: _torch_like_mlp(lib, b), quick, 4096)
    return None


def conv_step(lib_name: str, lib, quick: bool):
    if lib_name not in ("jtorch", "torch"):
        return None
    return _warmed(lambda b: convnet.torch_like_step(lib, *convnet.batch_arrays(b)), quick, 256)


WORKLOADS = {
    "peak memory, MLP 784-1024-512-10 step, batch 4096": mlp_step,
    "peak memory, ConvNet step, batch 256": conv_step,
}
