"""MLP training step: 784-256-128-10 with ReLU, batch 128, cross-entropy, backward, SGD update
(the PERFORMANCE.md workload); NumPy's column is the same step written by hand, HIPS autograd's
and MyGrad's the same model in their APIs."""

from __future__ import annotations

import numpy as np

UNIT = "ms"
SCALE = 1e3
SIZES = (784, 256, 128, 10)


def _data(r: np.random.Generator):
    return r.standard_normal((128, 784)).astype(np.float32), r.integers(0, 10, 128)


def _numpy_step(r: np.random.Generator):
    x, y = _data(r)
    return numpy_sgd_step(x, y, *_weights(r))


def numpy_sgd_step(x: np.ndarray, y: np.ndarray, ws: list, bs: list):
    """One SGD step of the ReLU MLP with weights ``ws`` and biases ``bs``, by hand in NumPy."""
    batch, last = len(x), len(ws) - 1

    def step():
        acts = [x]
        for k, (w, b) in enumerate(zip(ws, bs)):
            z = acts[-1] @ w.T + b
            acts.append(np.maximum(z, 0) if k < last else z)
        logits = acts[-1]
        p = np.exp(logits - logits.max(1, keepdims=True))
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


def _weights(r: np.random.Generator):
    ws = [(r.standard_normal((o, i)) * 0.05).astype(np.float32) for i, o in zip(SIZES, SIZES[1:])]
    return ws, [np.zeros(o, np.float32) for o in SIZES[1:]]


def _autograd_step(r: np.random.Generator, lib):
    anp = lib.numpy
    x, y = _data(r)
    params = [p for wb in zip(*_weights(r)) for p in wb]

    def loss(params):
        h = x
        for k in range(3):
            h = anp.dot(h, params[2 * k].T) + params[2 * k + 1]
            h = anp.maximum(h, 0) if k < 2 else h
        h = h - anp.max(h, axis=1, keepdims=True)
        logp = h - anp.log(anp.sum(anp.exp(h), axis=1, keepdims=True))
        return -anp.mean(logp[np.arange(128), y])

    grad = lib.grad(loss)

    def step():
        for p, g in zip(params, grad(params)):
            p -= 0.01 * g

    return step


def _mygrad_step(r: np.random.Generator, mg):
    from mygrad.nnet import relu, softmax_crossentropy  # noqa: PLC0415

    x, y = _data(r)
    params = [mg.tensor(p) for wb in zip(*_weights(r)) for p in wb]

    def step():
        h = x
        for k in range(3):
            h = mg.matmul(h, params[2 * k].T) + params[2 * k + 1]
            h = relu(h) if k < 2 else h
        softmax_crossentropy(h, y).backward()
        for p in params:
            p.data -= 0.01 * p.grad

    return step


def mlp_step(lib_name: str, lib, quick: bool):
    r = np.random.default_rng(0)
    if lib_name == "numpy":
        return _numpy_step(r)
    if lib_name == "autograd":
        return _autograd_step(r, lib)
    if lib_name == "mygrad":
        return _mygrad_step(r, lib)
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
