"""Recurrent layers against torch 2.13: the fused layer Functions (jtorch.ops.recurrent), the
cell functions, nn.RNN/LSTM/GRU and their Cells, and nn.utils.rnn (PackedSequence & co.)."""

from __future__ import annotations

import warnings

import numpy as np
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


# -- modules ---------------------------------------------------------------------------------


def _twin(cls_name: str, *args, **kwargs):
    """The same module in both libraries, torch's float64 weights copied into jtorch's."""
    theirs = getattr(torch.nn, cls_name)(*args, **kwargs).double()
    ours = getattr(jtorch.nn, cls_name)(*args, **kwargs).double()
    for name, p in theirs.named_parameters():
        getattr(ours, name).data = jtorch.tensor(p.detach().numpy().copy())
    return ours, theirs


def _compare_module(ours, theirs, *inputs, pack=None):
    """Forward values and the grads of inputs and every parameter equal torch's."""
    results = []
    for lib, module in ((jtorch, ours), (torch, theirs)):
        args = [_to(lib, a) for a in inputs]
        if pack is not None:
            args[0] = lib.nn.utils.rnn.pack_padded_sequence(args[0], *pack)
        out = module(*args)
        if pack is not None:
            out = (lib.nn.utils.rnn.pad_packed_sequence(out[0])[0], out[1])
        flat = _flatten(out)
        loss = sum((o * lib.tensor(rng(i).standard_normal(tuple(o.shape)))).sum()
                   for i, o in enumerate(flat))  # fmt: skip
        leaves = [a for a in _flatten(args) if a.requires_grad] + list(module.parameters())
        results.append((flat, lib.autograd.grad(loss, leaves)))
    assert_same(results[0][0], results[1][0], 1e-10, 1e-10, "output")
    names = ["input"] * (len(results[0][1]) - len(list(theirs.parameters())))
    names += [n for n, _ in theirs.named_parameters()]
    for name, og, tg in zip(names, results[0][1], results[1][1]):
        assert_same(og, tg, 1e-10, 1e-10, f"grad of {name}")


def _to(lib, a):
    if isinstance(a, tuple):
        return tuple(_to(lib, x) for x in a)
    return lib.tensor(a, requires_grad=True) if isinstance(a, np.ndarray) else a


def _flatten(x) -> list:
    if isinstance(x, (tuple, list)):
        return [y for v in x for y in _flatten(v)]
    return [x] if hasattr(x, "requires_grad") else []


def _x(*shape, seed=0):
    return rng(seed).standard_normal(shape)


CONFIGS = [
    {},
    {"num_layers": 2, "bidirectional": True},
    {"batch_first": True, "bias": False},
    {"num_layers": 2, "dropout": 0.5},  # dropout only in train mode: eval() compares exactly
]


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("config", range(len(CONFIGS)))
def test_module_matches_torch(cls, config):
    kwargs = CONFIGS[config]
    ours, theirs = _twin(cls, I, H, **kwargs)
    ours.eval(), theirs.eval()
    x = _x(B, T, I) if kwargs.get("batch_first") else _x(T, B, I)
    _compare_module(ours, theirs, x)
    layers = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
    h0 = _x(layers, B, H, seed=1)
    hx = (h0, _x(layers, B, H, seed=2)) if cls == "LSTM" else h0
    _compare_module(ours, theirs, x, hx)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())


def test_rnn_relu_and_lstm_proj():
    ours, theirs = _twin("RNN", I, H, 2, "relu", bidirectional=True)
    _compare_module(ours, theirs, _x(T, B, I))
    assert repr(ours) == repr(theirs)
    ours, theirs = _twin("LSTM", I, H, num_layers=2, proj_size=P, bidirectional=True)
    _compare_module(ours, theirs, _x(T, B, I), (_x(4, B, P), _x(4, B, H)))
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_unbatched_and_packed(cls):
    ours, theirs = _twin(cls, I, H, num_layers=2, bidirectional=True)
    _compare_module(ours, theirs, _x(T, I))
    hx = _x(4, H, seed=1)
    _compare_module(ours, theirs, _x(T, I), (hx, _x(4, H, seed=2)) if cls == "LSTM" else hx)
    lengths = [3, 5, 2]  # unsorted: enforce_sorted=False sorts and restores the batch order
    _compare_module(ours, theirs, _x(T, B, I), pack=(lengths, False, False))
    hx = _x(4, B, H, seed=3)
    _compare_module(
        ours, theirs, _x(T, B, I), (hx, _x(4, B, H, seed=4)) if cls == "LSTM" else hx,
        pack=(lengths, False, False),
    )  # fmt: skip


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_saturated_gates_match_torch_silently(cls):
    """Gate pre-activations far past exp's range give torch's 0 and 1, with no FP warning."""
    ours, theirs = _twin(cls, I, H)
    for module in (ours, theirs):
        for p in module.parameters():
            p.data.mul_(400)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _compare_module(ours, theirs, _x(T, B, I))


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_empty_batch_matches_torch(cls):
    ours, theirs = _twin(cls, I, H, num_layers=2, bidirectional=True)
    _compare_module(ours, theirs, _x(T, 0, I))


@pytest.mark.parametrize("cls", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cells_match_torch(cls):
    for kwargs in ({}, {"bias": False}):
        ours, theirs = _twin(cls, I, H, **kwargs)
        assert repr(ours) == repr(theirs)
        assert list(ours.state_dict()) == list(theirs.state_dict())
        _compare_module(ours, theirs, _x(B, I))
        hx = _x(B, H, seed=1)
        _compare_module(ours, theirs, _x(B, I), (hx, _x(B, H, seed=2)) if cls == "LSTMCell" else hx)
        _compare_module(ours, theirs, _x(I))  # unbatched
    ours, theirs = _twin("RNNCell", I, H, nonlinearity="relu")
    _compare_module(ours, theirs, _x(B, I), _x(B, H))
    assert repr(ours) == repr(theirs)


def test_init_ranges_and_train_dropout():
    lstm = jtorch.nn.LSTM(I, 16, num_layers=2, dropout=0.5)
    bound = 1 / 16**0.5
    for p in lstm.parameters():
        assert p.abs().max().item() <= bound and p.abs().max().item() > bound / 2
    out_train = lstm(jtorch.randn(T, B, I))[0]
    assert out_train.shape == (T, B, 16) and out_train.requires_grad
    lstm.eval()
    x = jtorch.randn(T, B, I)
    assert jtorch.equal(lstm(x)[0], lstm(x)[0])


@pytest.mark.parametrize(
    "build, call",
    [
        (lambda lib: lib.nn.LSTM(I, H), lambda lib, m: m(lib.randn(T, B, I + 1))),
        (lambda lib: lib.nn.GRU(I, H), lambda lib, m: m(lib.randn(T, B, I), lib.randn(1, 2, H))),
        (
            lambda lib: lib.nn.LSTM(I, H),
            lambda lib, m: m(
                lib.randn(T, B, I),
                (lib.randn(1, B, H), lib.randn(2, B, H)),
            ),
        ),
        (lambda lib: lib.nn.RNN(I, H), lambda lib, m: m(lib.randn(T, I), lib.randn(1, 1, H))),
        (lambda lib: lib.nn.RNN(I, H), lambda lib, m: m(lib.randn(2, T, B, I))),
        (lambda lib: lib.nn.GRU(I, H), lambda lib, m: m(lib.randn(0, B, I))),
        (lambda lib: lib.nn.LSTM(I, H, batch_first=True), lambda lib, m: m(lib.randn(B, 0, I))),
        (lambda lib: lib.nn.LSTMCell(I, H), lambda lib, m: m(lib.randn(1, 1, I))),
        (lambda lib: lib.nn.LSTM(I, H, proj_size=H), None),
        (lambda lib: lib.nn.GRU(I, H, proj_size=2), None),
        (lambda lib: lib.nn.RNN(I, H, nonlinearity="gelu"), None),
        (lambda lib: lib.nn.RNN(I, H, dropout=2.0), None),
    ],
)
def test_errors_match_torch(build, call):
    errors = []
    for lib in (torch, jtorch):
        with pytest.raises(Exception) as info:
            m = build(lib)
            call(lib, m)
        errors.append(info)
    assert errors[1].type is errors[0].type
    assert str(errors[1].value) == str(errors[0].value)


# -- nn.utils.rnn ------------------------------------------------------------------------------


def _seqs(lib, lengths=(3, 5, 2), requires_grad=True):
    return [
        lib.tensor(_x(n, 2, seed=n), requires_grad=requires_grad) for n in lengths
    ]  # fmt: skip


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("padding_side", ["right", "left"])
def test_pad_sequence_matches_torch(batch_first, padding_side):
    results = []
    for lib in (jtorch, torch):
        seqs = _seqs(lib)
        out = lib.nn.utils.rnn.pad_sequence(seqs, batch_first, -1.0, padding_side)
        grads = lib.autograd.grad((out * out).sum(), seqs)
        results.append((out, grads))
    assert_same(results[0], results[1], 1e-12, 1e-12)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_pack_pad_roundtrip_matches_torch(batch_first, enforce_sorted):
    lengths = [5, 3, 2] if enforce_sorted else [3, 5, 2]
    results = []
    for lib in (jtorch, torch):
        x = lib.tensor(_x(B, T, 2) if batch_first else _x(T, B, 2), requires_grad=True)
        packed = lib.nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first, enforce_sorted)
        padded, lens = lib.nn.utils.rnn.pad_packed_sequence(
            packed, batch_first, padding_value=0.5, total_length=T + 1
        )
        grad = lib.autograd.grad((packed.data.sin() * padded.sum()).sum(), x)
        results.append((*packed, padded, lens, grad))
    assert_same(results[0], results[1], 1e-12, 1e-12)
    assert type(results[0][0].grad_fn).__name__ == type(results[1][0].grad_fn).__name__


def test_pack_sequence_unpack_and_repr():
    for enforce_sorted in (True, False):
        results = []
        for lib in (jtorch, torch):
            seqs = _seqs(lib, (5, 3, 2) if enforce_sorted else (3, 5, 2), requires_grad=False)
            packed = lib.nn.utils.rnn.pack_sequence(seqs, enforce_sorted=enforce_sorted)
            results.append((*packed, *lib.nn.utils.rnn.unpack_sequence(packed)))
        assert_same(results[0], results[1], 0, 0)
    ints = [jtorch.tensor([1, 2, 3]), jtorch.tensor([4, 5]), jtorch.tensor([6])]
    packed = jtorch.nn.utils.rnn.pack_sequence(ints)
    twin = torch.nn.utils.rnn.pack_sequence([torch.tensor(t.numpy()) for t in ints])
    assert repr(packed) == repr(twin)
    assert repr(packed.double()) == repr(twin.double())
    padded, lengths = jtorch.nn.utils.rnn.pad_packed_sequence(packed)
    unpadded = jtorch.nn.utils.rnn.unpad_sequence(padded, lengths)
    assert [t.tolist() for t in unpadded] == [[1, 2, 3], [4, 5], [6]]
    perm = jtorch.tensor([2, 0, 1])
    assert jtorch.nn.utils.rnn.invert_permutation(perm).tolist() == [1, 2, 0]


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.nn.utils.rnn.pack_padded_sequence(lib.ones(3, 2), [2, 3]),
        lambda lib: lib.nn.utils.rnn.pack_padded_sequence(lib.ones(3, 2), [3, 0]),
        lambda lib: lib.nn.utils.rnn.pad_packed_sequence(
            lib.nn.utils.rnn.pack_sequence([lib.ones(3), lib.ones(2)]), total_length=2
        ),
        lambda lib: lib.nn.utils.rnn.pad_sequence(3),
    ],
)
def test_utils_errors_match_torch(call):
    errors = []
    for lib in (torch, jtorch):
        with pytest.raises(Exception) as info:
            call(lib)
        errors.append(info)
    assert errors[1].type is errors[0].type
    assert str(errors[1].value) == str(errors[0].value)
