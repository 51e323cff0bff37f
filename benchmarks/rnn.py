"""Recurrent layers: 50 steps, hidden 128, batch 32 (input 128), forward + backward of the summed
output into every parameter and the input (the PERFORMANCE.md RNN workload), for nn.RNN (tanh)
and nn.LSTM. NumPy's column is a hand-written Elman RNN forward and backward.
"""

from __future__ import annotations

import numpy as np

UNIT = "ms"
SCALE = 1e3

STEPS, BATCH, HIDDEN = 50, 32, 128
_RNN_SHAPES = ((HIDDEN, HIDDEN), (HIDDEN, HIDDEN), (HIDDEN,))  # w_ih, w_hh, bias


def _data() -> np.ndarray:
    return np.random.default_rng(0).standard_normal((STEPS, BATCH, HIDDEN)).astype(np.float32)


def _module_step(lib, cls_name: str):
    lib.manual_seed(0)
    model = getattr(lib.nn, cls_name)(HIDDEN, HIDDEN)
    x = lib.tensor(_data(), requires_grad=True)

    def step():
        model.zero_grad()
        x.grad = None
        model(x)[0].sum().backward()

    return step


def _numpy_rnn():
    r = np.random.default_rng(1)
    bound = HIDDEN**-0.5
    w_ih, w_hh, b = (r.uniform(-bound, bound, s).astype(np.float32) for s in _RNN_SHAPES)
    x = _data().reshape(STEPS * BATCH, HIDDEN)

    def step():
        hs = x @ w_ih.T + b  # becomes the hidden states, step by step
        h = np.zeros((BATCH, HIDDEN), np.float32)
        for t in range(STEPS):
            rows = hs[t * BATCH : (t + 1) * BATCH]
            rows += h @ w_hh.T
            h = np.tanh(rows, out=rows)
        dpre = np.empty_like(hs)
        dh = np.zeros((BATCH, HIDDEN), np.float32)
        for t in reversed(range(STEPS)):
            rows = slice(t * BATCH, (t + 1) * BATCH)
            dh += 1.0  # d sum(output) / d h_t
            d = dpre[rows]
            np.multiply(dh, 1 - hs[rows] * hs[rows], out=d)
            dh = d @ w_hh
        h_prev = np.concatenate([np.zeros((BATCH, HIDDEN), np.float32), hs[:-BATCH]])
        return dpre @ w_ih, dpre.T @ x, dpre.T @ h_prev, dpre.sum(0)

    return step


def _autodiff_rnn(lib_name: str, lib):
    """The Elman RNN written with HIPS autograd's or MyGrad's array functions."""
    r = np.random.default_rng(1)
    bound = HIDDEN**-0.5
    weights = [r.uniform(-bound, bound, s).astype(np.float32) for s in _RNN_SHAPES]
    x = _data()

    def forward(xp, w_ih, w_hh, b, x):
        h, total = np.zeros((BATCH, HIDDEN), np.float32), 0.0
        for t in range(STEPS):
            h = xp.tanh(xp.matmul(x[t], w_ih.T) + xp.matmul(h, w_hh.T) + b)
            total = total + xp.sum(h)
        return total

    if lib_name == "autograd":
        grad = lib.grad(lambda args: forward(lib.numpy, *args))
        return lambda: grad((*weights, x))
    params = [lib.tensor(p) for p in (*weights, x)]
    return lambda: forward(lib, *params).backward()


def rnn_tanh(lib_name: str, lib, quick: bool):
    if lib_name == "numpy":
        return _numpy_rnn()
    if lib_name in ("autograd", "mygrad"):
        return _autodiff_rnn(lib_name, lib)
    return _module_step(lib, "RNN")


def lstm(lib_name: str, lib, quick: bool):
    return None if lib_name in ("numpy", "autograd", "mygrad") else _module_step(lib, "LSTM")


WORKLOADS = {
    "RNN tanh, 50 steps, h128 b32, fwd+bwd": rnn_tanh,
    "LSTM, 50 steps, h128 b32, fwd+bwd": lstm,
}
