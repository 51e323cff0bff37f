"""Attention and transformers against torch 2.13: F.scaled_dot_product_attention,
F.multi_head_attention_forward via nn.MultiheadAttention, and the Transformer layers/stacks."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from conftest import torch_oracle
from oracle import assert_same, check, randn, rng

import jtorch

torch = torch_oracle()

E, NH, L, S, N = 4, 2, 3, 5, 2


# -- scaled_dot_product_attention ----------------------------------------------------------


def _bool_mask(*shape, seed=7):
    mask = rng(seed).random(shape) > 0.3
    mask[..., 0] = True  # every query attends to something
    return mask


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"is_causal": True},
        {"scale": 0.3},
        {"attn_mask": "bool"},
        {"attn_mask": "float"},
    ],
    ids=["plain", "causal", "scale", "bool_mask", "float_mask"],
)
def test_sdpa_matches_torch(kwargs):
    mask = kwargs.get("attn_mask")
    extra = () if mask is None else (_bool_mask(L, S) if mask == "bool" else randn(L, S, seed=3),)

    def fn(lib, q, k, v, *m):
        kw = dict(kwargs, attn_mask=m[0] if m else None)
        return lib.nn.functional.scaled_dot_product_attention(q, k, v, **kw)

    if kwargs.get("is_causal"):
        check(fn, randn(N, NH, L, E), randn(N, NH, L, E, seed=1), randn(N, NH, L, E, seed=2))
    else:
        check(
            fn, randn(N, NH, L, E), randn(N, NH, S, E, seed=1), randn(N, NH, S, E, seed=2), *extra
        )


def test_sdpa_gqa_and_errors():
    check(
        lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(
            q, k, v, enable_gqa=True
        ),
        randn(N, 4, L, E),
        randn(N, 2, S, E, seed=1),
        randn(N, 2, S, E, seed=2),
    )
    for lib in (jtorch, torch):
        q = lib.ones(1, 2, 3)
        with pytest.raises(RuntimeError):
            lib.nn.functional.scaled_dot_product_attention(
                q, q, q, attn_mask=lib.ones(2, 2, dtype=lib.bool), is_causal=True
            )


# -- modules: twin construction and comparison --------------------------------------------------


def _build(build) -> tuple:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return build(jtorch).double(), build(torch).double()


def _twin(build):
    """``build(lib)`` in both libraries (float64), torch's parameters copied into jtorch's."""
    ours, theirs = _build(build)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for p, q in zip(theirs.parameters(), ours.parameters()):
        q.data = jtorch.tensor(p.detach().numpy().copy())
    return ours, theirs


def _lib_args(lib, args):
    out = []
    for a in args:
        if isinstance(a, np.ndarray):
            t = lib.tensor(a)
            out.append(t.requires_grad_() if t.dtype == lib.float64 else t)
        else:
            out.append(a)
    return out


def _compare(ours, theirs, *args, train: bool = False, **kwargs):
    """Forward values and the grads of float inputs and all parameters equal torch's."""
    results = []
    for lib, module in ((jtorch, ours), (torch, theirs)):
        module.train(train)
        inputs = _lib_args(lib, args)
        kw = dict(zip(kwargs, _lib_args(lib, kwargs.values())))
        out = module(*inputs, **kw)
        outs = [o for o in (out if isinstance(out, tuple) else (out,)) if o is not None]
        loss = sum((o * lib.tensor(rng(i).standard_normal(tuple(o.shape)))).sum()
                   for i, o in enumerate(outs))  # fmt: skip
        leaves = [t for t in inputs if hasattr(t, "requires_grad") and t.requires_grad]
        leaves += list(module.parameters())
        grads = lib.autograd.grad(loss, leaves, allow_unused=True)
        results.append((outs, grads))
    assert_same(results[0][0], results[1][0], 1e-10, 1e-10, "output")
    names = ["input"] * (len(results[1][1]) - len(list(theirs.parameters())))
    names += [n for n, _ in theirs.named_parameters()]
    for name, og, tg in zip(names, results[0][1], results[1][1]):
        if tg is None:
            assert og is None or not og.abs().sum().item(), name
        else:
            assert_same(og, tg, 1e-10, 1e-10, f"grad of {name}")


def _x(*shape, seed=0):
    return rng(seed).standard_normal(shape)


@pytest.mark.parametrize(
    "build",
    [
        lambda lib: lib.nn.MultiheadAttention(E, NH, kdim=3, vdim=6, add_bias_kv=True),
        lambda lib: lib.nn.TransformerEncoderLayer(E, NH, 6, bias=False),
        lambda lib: lib.nn.TransformerDecoderLayer(E, NH, 6, norm_first=True),
        lambda lib: lib.nn.Transformer(E, NH, 1, 1, 6),
    ],
    ids=["mha", "encoder_layer", "decoder_layer", "transformer"],
)
def test_print_matches_torch(build):
    ours, theirs = _build(build)
    assert repr(ours) == repr(theirs)


# -- MultiheadAttention ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "config",
    [
        {},
        {"batch_first": True},
        {"kdim": 3, "vdim": 6},
        {"add_bias_kv": True, "add_zero_attn": True},
        {"bias": False},
    ],
    ids=["plain", "batch_first", "kdim_vdim", "bias_kv_zero_attn", "nobias"],
)
def test_mha_matches_torch(config):
    ours, theirs = _twin(lambda lib: lib.nn.MultiheadAttention(E, NH, **config))
    bf = config.get("batch_first", False)
    q = _x(N, L, E) if bf else _x(L, N, E)
    k = _x(N, S, config.get("kdim", E), seed=1)
    v = _x(N, S, config.get("vdim", E), seed=2)
    if not bf:
        k, v = k.transpose(1, 0, 2).copy(), v.transpose(1, 0, 2).copy()
    _compare(ours, theirs, q, k, v)
    _compare(ours, theirs, q, k, v, need_weights=False)
    _compare(ours, theirs, q, k, v, average_attn_weights=False)


@pytest.mark.parametrize(
    "masks",
    [
        {"key_padding_mask": "bool"},
        {"key_padding_mask": "float"},
        {"attn_mask": "bool2"},
        {"attn_mask": "float3"},
        {"attn_mask": "bool2", "key_padding_mask": "bool"},
        {"attn_mask": "causal", "is_causal": True},
    ],
)
@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_masks_match_torch(masks, need_weights):
    ours, theirs = _twin(lambda lib: lib.nn.MultiheadAttention(E, NH))
    src = L if masks.get("attn_mask") == "causal" else S
    kw = {"need_weights": need_weights}
    for name, kind in masks.items():
        if name == "is_causal":
            kw[name] = kind
        elif kind == "bool":
            kw[name] = ~_bool_mask(N, src)
        elif kind == "float":
            kw[name] = _x(N, src, seed=4)
        elif kind == "bool2":
            kw[name] = ~_bool_mask(L, src)
        elif kind == "float3":
            kw[name] = _x(N * NH, L, src, seed=5)
        else:
            kw[name] = np.triu(np.full((L, L), -np.inf), 1)
    q, k = _x(L, N, E), _x(src, N, E, seed=1)
    _compare(ours, theirs, q, k, k, **kw)


def test_mha_unbatched_and_self_attention_in_train_mode():
    ours, theirs = _twin(lambda lib: lib.nn.MultiheadAttention(E, NH, dropout=0.0))
    x = _x(L, E)
    _compare(ours, theirs, x, x, x, train=True)
    _compare(
        ours, theirs, x, _x(S, E, seed=1), _x(S, E, seed=2), key_padding_mask=_bool_mask(S) == 0
    )


def test_mha_init_and_errors():
    mha = jtorch.nn.MultiheadAttention(8, 2, add_bias_kv=True)
    bound = (6 / (8 + 24)) ** 0.5
    assert 0 < mha.in_proj_weight.abs().max().item() <= bound
    assert not mha.in_proj_bias.abs().sum().item() and not mha.out_proj.bias.abs().sum().item()
    for lib in (jtorch, torch):
        with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
            lib.nn.MultiheadAttention(5, 2)
        with pytest.raises(ValueError, match="embed_dim and num_heads must be greater than 0"):
            lib.nn.MultiheadAttention(0, 2)
        m = lib.nn.MultiheadAttention(4, 2)
        with pytest.raises(AssertionError, match="expected `key` and `value` to be 3-D"):
            m(lib.ones(3, 2, 4), lib.ones(3, 4), lib.ones(3, 4))
        with pytest.raises(RuntimeError, match="The shape of the 2D attn_mask is"):
            m(lib.ones(3, 2, 4), lib.ones(3, 2, 4), lib.ones(3, 2, 4), attn_mask=lib.ones(2, 2))


# -- Transformer layers and stacks --------------------------------------------------------------


@pytest.mark.parametrize(
    "config",
    [
        {},
        {"norm_first": True, "activation": "gelu"},
        {"batch_first": True, "layer_norm_eps": 1e-3},
        {"bias": False},
        {"activation": "callable"},
    ],
    ids=["post_norm", "pre_norm_gelu", "batch_first", "nobias", "callable"],
)
def test_encoder_layer_matches_torch(config):
    def build(lib):
        kw = dict(config, dropout=0.0)
        if kw.get("activation") == "callable":
            kw["activation"] = lib.nn.functional.silu
        return lib.nn.TransformerEncoderLayer(E, NH, 6, **kw)

    ours, theirs = _twin(build)
    x = _x(N, L, E) if config.get("batch_first") else _x(L, N, E)
    _compare(ours, theirs, x, train=True)
    causal = np.triu(np.full((L, L), -np.inf), 1)
    _compare(ours, theirs, x, src_mask=causal, is_causal=True)
    _compare(ours, theirs, x, src_key_padding_mask=~_bool_mask(N, L))
    _compare(ours, theirs, _x(L, E))  # unbatched


@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_layer_matches_torch(norm_first):
    ours, theirs = _twin(
        lambda lib: lib.nn.TransformerDecoderLayer(E, NH, 6, dropout=0.0, norm_first=norm_first)
    )
    tgt, mem = _x(L, N, E), _x(S, N, E, seed=1)
    causal = np.triu(np.full((L, L), -np.inf), 1)
    _compare(ours, theirs, tgt, mem, train=True)
    _compare(
        ours, theirs, tgt, mem, tgt_mask=causal, tgt_is_causal=True,
        tgt_key_padding_mask=~_bool_mask(N, L), memory_key_padding_mask=~_bool_mask(N, S, seed=2),
    )  # fmt: skip


def test_stacks_and_transformer_match_torch():
    ours, theirs = _twin(
        lambda lib: lib.nn.TransformerEncoder(
            lib.nn.TransformerEncoderLayer(E, NH, 6, dropout=0.0, batch_first=True),
            2,
            lib.nn.LayerNorm(E),
            enable_nested_tensor=False,
        )
    )
    _compare(ours, theirs, _x(N, L, E), src_key_padding_mask=~_bool_mask(N, L))
    ours, theirs = _twin(
        lambda lib: lib.nn.Transformer(E, NH, 2, 1, dim_feedforward=6, dropout=0.0)
    )
    mask = np.triu(np.full((L, L), -np.inf), 1)
    _compare(ours, theirs, _x(S, N, E), _x(L, N, E, seed=1), tgt_mask=mask, train=True)
    _compare(
        ours, theirs, _x(S, N, E), _x(L, N, E, seed=1), tgt_mask=mask,
        src_key_padding_mask=~_bool_mask(N, S), memory_key_padding_mask=~_bool_mask(N, S),
    )  # fmt: skip


def test_square_subsequent_mask_and_warnings():
    for sz in (1, 4):
        assert_same(
            jtorch.nn.Transformer.generate_square_subsequent_mask(sz),
            torch.nn.Transformer.generate_square_subsequent_mask(sz),
            0,
            0,
        )
    records = []
    for lib in (jtorch, torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.nn.TransformerEncoder(lib.nn.TransformerEncoderLayer(E, 1), 2)
        records.append([str(w.message) for w in caught])
    assert records[0] == records[1]
    for lib in (jtorch, torch):
        model = lib.nn.Transformer(E, NH, 1, 1, 6)
        with pytest.raises(RuntimeError, match="the batch number of src and tgt must be equal"):
            model(lib.ones(3, 2, E), lib.ones(3, 1, E))
        with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
            lib.nn.TransformerEncoderLayer(E, NH, activation="tanh")
