"""ConvNet training step: batch 32 of 3x32x32, two conv(3x3)+ReLU+maxpool(2) layers, a linear
classifier, cross-entropy, backward and an SGD update (the PERFORMANCE.md workload).
"""

from __future__ import annotations

import numpy as np

UNIT = "ms"
SCALE = 1e3


def conv_step(lib_name: str, lib, size: int):
    if lib_name == "numpy":
        return None
    F = lib.nn.functional
    r = np.random.default_rng(0)
    data = lib.tensor(r.standard_normal((32, 3, 32, 32)).astype(np.float32))
    target = lib.tensor(r.integers(0, 10, 32))
    shapes = [(16, 3, 3, 3), (16,), (32, 16, 3, 3), (32,), (10, 32 * 8 * 8), (10,)]
    params = [
        lib.tensor((r.standard_normal(s) * 0.1).astype(np.float32), requires_grad=True)
        for s in shapes
    ]
    w1, b1, w2, b2, w3, b3 = params

    def step():
        h = F.max_pool2d(F.relu(F.conv2d(data, w1, b1, padding=1)), 2)
        h = F.max_pool2d(F.relu(F.conv2d(h, w2, b2, padding=1)), 2)
        loss = F.cross_entropy(F.linear(h.reshape(32, -1), w3, b3), target)
        for p in params:
            p.grad = None
        loss.backward()
        with lib.no_grad():
            for p in params:
                p.sub_(p.grad, alpha=0.01)

    return step


WORKLOADS = {"ConvNet step, batch 32 of 3x32x32": conv_step}
