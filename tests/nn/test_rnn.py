"""Recurrent layers against torch 2.13: the fused layer Functions (jtorch.ops.recurrent), the
cell functions, nn.RNN/LSTM/GRU and their Cells, and nn.utils.rnn (PackedSequence & co.)."""

from __future__ import annotations

import pytest
from conftest import torch_oracle
from oracle import assert_same, rng

import jtorch
from jtorch.ops import recurrent

torch = torch_oracle()

T, B, I, H, P = 5, 3, 4, 4, 2
PACKED = (3, 3, 2, 1, 1)
GATES = {"lstm": 4, "gru": 3, "rnn_tanh": 1, "rnn_relu": 1}


def _layer_arrays(kind: str, proj: bool, n: int, seed: int) -> dict:
    r = rng(seed)
    g, state = GATES[kind], P if proj else H
    return {
        "x": r.standard_normal((n, I)),
        "h0": r.standard_normal((B, state)),
        "c0": r.standard_normal((B, H)),
        "w_ih": r.standard_normal((g * H, I)) * 0.5,
        "w_hh": r.standard_normal((g * H, state)) * 0.5,
        "b_ih": r.standard_normal(g * H),
        "b_hh": r.standard_normal(g * H),
        "w_hr": r.standard_normal((P, H)) * 0.5,
    }


def _ours(kind, t, batch_sizes, reverse):
    if kind == "lstm":
        args = (t["x"], t["h0"], t["c0"], t["w_ih"], t["w_hh"], t["b_ih"], t["b_hh"], t["w_hr"])
        return recurrent.LSTMLayer.apply(*args, batch_sizes=batch_sizes, reverse=reverse)[:3]
    args = (t["x"], t["h0"], t["w_ih"], t["w_hh"], t["b_ih"], t["b_hh"])
    if kind == "gru":
        return recurrent.GRULayer.apply(*args, batch_sizes=batch_sizes, reverse=reverse)[:2]
    mode = kind.split("_")[1]
    return recurrent.RNNLayer.apply(
        *args, batch_sizes=batch_sizes, reverse=reverse, nonlinearity=mode
    )[:2]


def _theirs(kind, t, batch_sizes, reverse):
    """torch's fused kernel for one direction (bidirectional with a zero-weight forward half when
    ``reverse``, then the reverse half of the result)."""
    weights = [w for w in (t["w_ih"], t["w_hh"], t["b_ih"], t["b_hh"]) if w is not None]
    if t["w_hr"] is not None:
        weights.append(t["w_hr"])
    bias = t["b_ih"] is not None
    h0 = t["h0"][None]
    if reverse:
        weights = [w.detach() * 0 for w in weights] + weights
        h0 = torch.cat([h0.detach(), h0])
    hx = h0
    if kind == "lstm":
        c0 = t["c0"][None]
        hx = (h0, torch.cat([c0.detach(), c0]) if reverse else c0)
    fn = getattr(torch._VF, kind)
    if batch_sizes is None:
        res = fn(t["x"].reshape(T, B, I), hx, weights, bias, 1, 0.0, False, reverse, False)
    else:
        res = fn(t["x"], torch.tensor(batch_sizes), hx, weights, bias, 1, 0.0, False, reverse)
    out, states = res[0], res[1:]
    out = out.reshape(out.shape[0] * (B if batch_sizes is None else 1), -1)
    if reverse:
        out = out[:, out.shape[1] // 2 :]
    return (out, *(s[-1] for s in states))


@pytest.mark.parametrize(
    "kind, variant",
    [(k, v) for k in GATES for v in ("bias", "nobias")] + [("lstm", "proj")],
)
@pytest.mark.parametrize("batch_sizes", [None, PACKED], ids=["padded", "packed"])
@pytest.mark.parametrize("reverse", [False, True], ids=["fwd", "rev"])
def test_layer_matches_torch(kind, variant, batch_sizes, reverse):
    for dtype, tol in (("float64", 1e-10), ("float32", 1e-5)):
        n = T * B if batch_sizes is None else sum(batch_sizes)
        arrays = _layer_arrays(kind, variant == "proj", n, seed=len(kind) + n)
        drop = {"b_ih", "b_hh"} if variant == "nobias" else set()
        if variant != "proj":
            drop.add("w_hr")
        ts = {}
        for lib in (jtorch, torch):
            ts[lib] = {
                k: None if k in drop else lib.tensor(v.astype(dtype), requires_grad=True)
                for k, v in arrays.items()
            }
        ours = _ours(kind, ts[jtorch], batch_sizes, reverse)
        theirs = _theirs(kind, ts[torch], batch_sizes, reverse)
        assert_same(ours, theirs, tol, tol)
        cot = [rng(1).standard_normal(tuple(t.shape)).astype(dtype) for t in theirs]
        names = [k for k, v in ts[torch].items() if v is not None and (kind == "lstm" or k != "c0")]
        t_grads = torch.autograd.grad(
            theirs, [ts[torch][k] for k in names], [torch.tensor(c) for c in cot]
        )
        o_grads = jtorch.autograd.grad(
            ours, [ts[jtorch][k] for k in names], [jtorch.tensor(c) for c in cot]
        )
        for name, og, tg in zip(names, o_grads, t_grads):
            assert_same(og, tg, tol, tol, f"{dtype} grad of {name}")


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn_tanh", "rnn_relu"])
def test_layer_double_backward(kind):
    """create_graph differentiates the composite reference: second derivatives match torch's."""
    arrays = _layer_arrays(kind, kind == "lstm", sum(PACKED), seed=3)
    keys = ["x", "h0", "c0", "w_ih", "w_hh", "b_ih", "b_hh", "w_hr"]
    keys = [k for k in keys if kind == "lstm" or k not in ("c0", "w_hr")]
    results = []
    for lib in (jtorch, torch):
        t = {k: lib.tensor(arrays[k], requires_grad=True) for k in keys}
        t.setdefault("w_hr", None)
        run = _ours if lib is jtorch else _theirs
        outs = run(kind, t, PACKED, True)
        loss = sum((o * o.detach().sin()).sum() for o in outs)
        grads = lib.autograd.grad(loss, [t[k] for k in keys], create_graph=True)
        total = sum((g * g).sum() for g in grads)
        results.append(lib.autograd.grad(total, [t[k] for k in keys]))
    assert_same(results[0], results[1], 1e-9, 1e-9)


def test_cell_functions_match_torch():
    r = rng(5)
    x, h, c = (r.standard_normal((B, n)) for n in (I, H, H))
    w = {g: (r.standard_normal((g * H, I)), r.standard_normal((g * H, H))) for g in (1, 3, 4)}
    b = {g: (r.standard_normal(g * H), r.standard_normal(g * H)) for g in (1, 3, 4)}
    for lib_fn, g, state in (
        ("lstm_cell", 4, "hc"),
        ("gru_cell", 3, "h"),
        ("rnn_tanh_cell", 1, "h"),
        ("rnn_relu_cell", 1, "h"),
    ):
        results = []
        for lib, fns in ((jtorch, recurrent), (torch, torch)):
            hx = (lib.tensor(h), lib.tensor(c)) if state == "hc" else lib.tensor(h)
            args = [lib.tensor(a) for a in (*w[g], *b[g])]
            results.append(getattr(fns, lib_fn)(lib.tensor(x), hx, *args))
        assert_same(results[0], results[1], 1e-10, 1e-10, lib_fn)
