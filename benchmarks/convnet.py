"""ConvNet training step: batch 32 of 3x32x32, two conv(3x3)+ReLU+maxpool(2) layers, a linear
classifier, cross-entropy, backward and an SGD update (the PERFORMANCE.md workload).
"""

from __future__ import annotations

import numpy as np

UNIT = "ms"
SCALE = 1e3


SHAPES = [(16, 3, 3, 3), (16,), (32, 16, 3, 3), (32,), (10, 32 * 8 * 8), (10,)]


def batch_arrays(batch: int = 32):
    r = np.random.default_rng(0)
    data = r.standard_normal((batch, 3, 32, 32)).astype(np.float32)
    params = [(r.standard_normal(s) * 0.1).astype(np.float32) for s in SHAPES]
    return data, r.integers(0, 10, batch), params


def _mygrad_step(mg):
    from mygrad.nnet import conv_nd, max_pool, relu, softmax_crossentropy  # noqa: PLC0415

    data, target, arrays = batch_arrays()
    params = [mg.tensor(p) for p in arrays]
    w1, b1, w2, b2, w3, b3 = params

    def step():
        h = max_pool(relu(conv_nd(data, w1, stride=1, padding=1) + b1[:, None, None]), (2, 2), 2)
        h = max_pool(relu(conv_nd(h, w2, stride=1, padding=1) + b2[:, None, None]), (2, 2), 2)
        softmax_crossentropy(mg.matmul(h.reshape(32, -1), w3.T) + b3, target).backward()
        for p in params:
            p.data -= 0.01 * p.grad

    return step


def conv_step(lib_name: str, lib, quick: bool):
    if lib_name in ("numpy", "autograd"):  # neither has a convolution
        return None
    if lib_name == "mygrad":
        return _mygrad_step(lib)
    data, target, arrays = batch_arrays()
    return torch_like_step(lib, data, target, arrays)


def torch_like_step(lib, data: np.ndarray, target: np.ndarray, arrays: list):
    """The training step in torch's API (jtorch or torch) on a batch of ``data``."""
    F = lib.nn.functional
    batch = len(data)
    data, target = lib.tensor(data), lib.tensor(target)
    params = [lib.tensor(p, requires_grad=True) for p in arrays]
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


WORKLOADS = {"ConvNet step, batch 32 of 3x32x32": conv_step}
