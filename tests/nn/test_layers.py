"""Every layer against torch: same weights (copied through NumPy), same input, then outputs,
input gradients and all parameter gradients compared (float64), in train and eval mode."""

import numpy as np
import pytest
from conftest import torch_oracle
from oracle import randint, randn

import jtorch

torch = torch_oracle()

# (constructor source, input shape or "idx", use eval mode too)
LAYERS = [
    ("Linear(4, 3)", (5, 4)),
    ("Linear(4, 3, bias=False)", (2, 5, 4)),
    ("Identity()", (2, 3)),
    ("Flatten()", (2, 3, 4)),
    ("Unflatten(1, (2, 2))", (3, 4)),
    ("ReLU()", (3, 4)),
    ("ReLU6()", (3, 4)),
    ("LeakyReLU(0.3)", (3, 4)),
    ("PReLU(4)", (3, 4, 2)),
    ("PReLU()", (3, 4)),
    ("ELU(0.7)", (3, 4)),
    ("SELU()", (3, 4)),
    ("CELU(1.5)", (3, 4)),
    ("GELU()", (3, 4)),
    ("GELU('tanh')", (3, 4)),
    ("SiLU()", (3, 4)),
    ("Mish()", (3, 4)),
    ("Sigmoid()", (3, 4)),
    ("Tanh()", (3, 4)),
    ("Hardtanh(-0.5, 0.5)", (3, 4)),
    ("Hardsigmoid()", (3, 4)),
    ("Hardswish()", (3, 4)),
    ("Hardshrink(0.4)", (3, 4)),
    ("Softshrink(0.4)", (3, 4)),
    ("Tanhshrink()", (3, 4)),
    ("Softsign()", (3, 4)),
    ("Softplus(2, 3)", (3, 4)),
    ("Softmin(1)", (3, 4)),
    ("Softmax(0)", (3, 4)),
    ("Softmax2d()", (2, 3, 2, 2)),
    ("LogSoftmax(-1)", (3, 4)),
    ("LogSigmoid()", (3, 4)),
    ("GLU()", (3, 4)),
    ("Threshold(0.2, -1.0)", (3, 4)),
    ("RReLU(0.1, 0.3)", (3, 4)),
    ("BatchNorm1d(4)", (5, 4)),
    ("BatchNorm1d(4, momentum=None)", (5, 4, 3)),
    ("BatchNorm1d(4, affine=False)", (5, 4)),
    ("BatchNorm1d(4, track_running_stats=False)", (5, 4)),
    ("BatchNorm2d(3)", (2, 3, 4, 4)),
    ("BatchNorm3d(2, bias=False)", (2, 2, 2, 3, 3)),
    ("LayerNorm(4)", (2, 3, 4)),
    ("LayerNorm((3, 4), elementwise_affine=False)", (2, 3, 4)),
    ("LayerNorm(4, bias=False)", (2, 4)),
    ("GroupNorm(2, 4)", (3, 4, 5)),
    ("GroupNorm(1, 4, affine=False)", (3, 4, 2, 2)),
    ("InstanceNorm1d(3)", (2, 3, 5)),
    ("InstanceNorm1d(3, affine=True, track_running_stats=True)", (2, 3, 5)),
    ("InstanceNorm2d(3, affine=True)", (3, 4, 4)),
    ("RMSNorm(4)", (2, 3, 4)),
    ("RMSNorm((3, 4), eps=1e-3)", (2, 3, 4)),
    ("LocalResponseNorm(3)", (2, 5, 4)),
    ("Dropout(0.4)", (3, 4)),
    ("AlphaDropout(0.4)", (3, 4)),
    ("Embedding(7, 3)", "idx"),
    ("Embedding(7, 3, padding_idx=2)", "idx"),
    ("Embedding(7, 3, scale_grad_by_freq=True)", "idx"),
    ("EmbeddingBag(7, 3, mode='sum')", "idx"),
    ("EmbeddingBag(7, 3)", "idx"),
    ("EmbeddingBag(7, 3, mode='max')", "idx"),
]

RANDOM_IN_TRAINING = ("Dropout", "AlphaDropout", "RReLU")


def _pair(spec: str):
    theirs = eval("torch.nn." + spec).double()
    ours = eval("jtorch.nn." + spec).double()
    ours.load_state_dict({k: jtorch.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    return ours, theirs


def _run(module, lib, x_np):
    if x_np.dtype.kind == "i":
        x = lib.tensor(x_np)
        leaves = []
    else:
        x = lib.tensor(x_np, requires_grad=True)
        leaves = [x]
    y = module(x)
    params = [p for p in module.parameters() if p.requires_grad]
    cot = lib.tensor(randn(*y.shape, seed=5))
    grads = lib.autograd.grad(y, leaves + params, cot, allow_unused=True)
    return y.detach().numpy(), [None if g is None else g.numpy() for g in grads]


@pytest.mark.parametrize("spec,shape", LAYERS, ids=[s for s, _ in LAYERS])
@pytest.mark.parametrize("mode", ["train", "eval"])
def test_layer_matches_torch(spec, shape, mode):
    if mode == "train" and spec.startswith(RANDOM_IN_TRAINING):
        pytest.skip("random in training mode: covered by the statistical tests")
    ours, theirs = _pair(spec)
    if mode == "eval":
        ours.eval()
        theirs.eval()
    x_np = randint(0, 7, 4, 3) if shape == "idx" else randn(*shape)
    out_o, grads_o = _run(ours, jtorch, x_np)
    out_t, grads_t = _run(theirs, torch, x_np)
    np.testing.assert_allclose(out_o, out_t, rtol=1e-10, atol=1e-12)
    assert len(grads_o) == len(grads_t)
    for i, (go, gt) in enumerate(zip(grads_o, grads_t)):
        if gt is None:
            assert go is None or not np.any(go), f"grad {i}"
        else:
            np.testing.assert_allclose(go, gt, rtol=1e-9, atol=1e-11, err_msg=f"grad {i}")
    for (name, b_o), (_, b_t) in zip(ours.named_buffers(), theirs.named_buffers()):
        np.testing.assert_allclose(b_o.numpy(), b_t.numpy(), rtol=1e-12, err_msg=name)


def test_bilinear_and_distances():
    ours, theirs = _pair("Bilinear(3, 2, 4)")
    a, b = randn(5, 3), randn(5, 2, seed=1)
    y_o = ours(jtorch.tensor(a), jtorch.tensor(b))
    y_t = theirs(torch.tensor(a), torch.tensor(b))
    np.testing.assert_allclose(y_o.detach().numpy(), y_t.detach().numpy(), rtol=1e-10)
    for spec in ("CosineSimilarity(dim=0)", "PairwiseDistance(p=3, keepdim=True)"):
        y_o = eval("jtorch.nn." + spec)(jtorch.tensor(a), jtorch.tensor(a[::-1].copy()))
        y_t = eval("torch.nn." + spec)(torch.tensor(a), torch.tensor(a[::-1].copy()))
        np.testing.assert_allclose(y_o.numpy(), y_t.numpy(), rtol=1e-10)


def test_batchnorm_running_stats_over_steps():
    ours, theirs = _pair("BatchNorm1d(3, momentum=None)")
    for step in range(3):
        x = randn(6, 3, seed=step)
        ours(jtorch.tensor(x))
        theirs(torch.tensor(x))
    for k, v in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[k].numpy(), v.numpy(), rtol=1e-12)
    assert int(ours.num_batches_tracked) == 3
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        ours(jtorch.ones(1, 3))
    with pytest.raises(ValueError, match=r"expected 2D or 3D input \(got 4D input\)"):
        ours(jtorch.ones(2, 3, 4, 5))


def test_dropout_modes():
    m = jtorch.nn.Dropout(0.5)
    x = jtorch.ones(100)
    assert m.eval()(x) is x
    m.train()
    y = m(x)
    assert set(np.unique(y.numpy())) <= {0.0, 2.0}
    z = jtorch.nn.Dropout(0.5, inplace=True)(jtorch.ones(100))
    assert set(np.unique(z.numpy())) <= {0.0, 2.0}
    with pytest.raises(ValueError, match="dropout probability"):
        jtorch.nn.Dropout(1.2)
    r = jtorch.nn.RReLU(0.1, 0.3)(-jtorch.ones(1000))
    assert float(r.min()) >= -0.3 and float(r.max()) <= -0.1


def test_embedding_extras():
    w = jtorch.tensor(randn(5, 3))
    emb = jtorch.nn.Embedding.from_pretrained(w)
    assert not emb.weight.requires_grad and repr(emb) == "Embedding(5, 3)"
    emb = jtorch.nn.Embedding.from_pretrained(w, freeze=False, padding_idx=1)
    emb(jtorch.tensor([1, 1, 2])).sum().backward()
    assert float(emb.weight.grad[1].abs().sum()) == 0 and float(emb.weight.grad[2].sum()) == 3
    for lib in (jtorch, torch):
        m = lib.nn.Embedding(4, 2, max_norm=1.0)
        with lib.no_grad():
            m.weight.mul_(10)
        m(lib.tensor([0, 3]))
        norms = m.weight.detach().numpy()
        np.testing.assert_array_less(np.linalg.norm(norms[[0, 3]], axis=1), 1.0 + 1e-6)
    assert float(jtorch.nn.Embedding(5, 2, padding_idx=-1).weight[4].abs().sum()) == 0


def test_init_functions():
    init = jtorch.nn.init
    w = jtorch.empty(4, 6)
    assert init._calculate_fan_in_and_fan_out(jtorch.empty(4, 6, 3, 3)) == (54, 36)
    for gain_args in [("linear",), ("relu",), ("leaky_relu", 0.2), ("tanh",), ("selu",)]:
        assert init.calculate_gain(*gain_args) == torch.nn.init.calculate_gain(*gain_args)
    with pytest.raises(ValueError, match="Unsupported nonlinearity foo"):
        init.calculate_gain("foo")
    bound = np.sqrt(6 / 6)
    init.kaiming_uniform_(w)
    assert np.abs(w.numpy()).max() <= bound * np.sqrt(2 / 1.0001)
    init.xavier_uniform_(w, gain=2.0)
    assert np.abs(w.numpy()).max() <= 2 * np.sqrt(6 / 10)
    init.xavier_normal_(w)
    init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")
    init.trunc_normal_(w, std=2, a=-1, b=1)
    assert np.abs(w.numpy()).max() <= 1
    init.orthogonal_(w)
    np.testing.assert_allclose(w.numpy() @ w.numpy().T, np.eye(4), atol=1e-5)
    np.testing.assert_array_equal(init.eye_(jtorch.empty(2, 3)).numpy(), np.eye(2, 3))
    d = init.dirac_(jtorch.empty(4, 2, 3), groups=2).numpy()
    assert d.sum() == 4 and d[0, 0, 1] == 1 and d[2, 0, 1] == 1
    assert float(init.constant_(jtorch.empty(3), 0.25).sum()) == 0.75
    assert float(init.zeros_(jtorch.empty(3)).abs().sum()) == 0
    p = jtorch.nn.Parameter(jtorch.empty(3))
    init.ones_(p)
    assert p.requires_grad and p.grad_fn is None
    with pytest.raises(ValueError, match="Fan in and fan out can not be computed"):
        init.xavier_uniform_(jtorch.empty(3))


@pytest.mark.parametrize("name", ["uniform", "normal", "xavier_normal", "kaiming_uniform", "eye"])
def test_deprecated_init_aliases_warn_and_match(name):
    for lib in (jtorch, torch):
        lib.manual_seed(0)
        with pytest.warns(FutureWarning, match=f"`nn.init.{name}` is now deprecated"):
            getattr(lib.nn.init, name)(w := lib.empty(3, 4))
        lib.manual_seed(0)
        expected = getattr(lib.nn.init, name + "_")(lib.empty(3, 4))
        np.testing.assert_array_equal(w.numpy(), expected.numpy())


def test_clip_grad_and_vectors():
    utils = jtorch.nn.utils
    results = []
    for lib in (jtorch, torch):
        ps = [lib.nn.Parameter(lib.ones(3)), lib.nn.Parameter(lib.ones(2, 2))]
        ps[0].grad = lib.tensor([3.0, -4.0, 12.0])
        ps[1].grad = lib.tensor([[1.0, 2.0], [-2.0, 0.5]])
        norm = lib.nn.utils.clip_grad_norm_(ps, 1.0)
        inf_norm = lib.nn.utils.clip_grad_norm_(ps, 0.5, norm_type="inf")
        lib.nn.utils.clip_grad_value_(ps, 0.1)
        vec = lib.nn.utils.parameters_to_vector(ps)
        lib.nn.utils.vector_to_parameters(vec * 2, ps)
        results.append((float(norm), float(inf_norm), [p.grad.numpy() for p in ps],
                        [p.detach().numpy() for p in ps]))  # fmt: skip
    (n1, i1, g1, p1), (n2, i2, g2, p2) = results
    assert abs(n1 - n2) < 1e-5 and abs(i1 - i2) < 1e-6
    for a, b in zip(g1 + p1, g2 + p2):
        np.testing.assert_allclose(a, b, rtol=1e-5)
    assert utils.clip_grad_norm_([], 1.0).item() == 0.0


def test_lazy_linear_and_conv_load_a_state_dict_as_torch():
    """Loading materialises the lazy parameters with the checkpoint's shapes; the first forward
    then becomes the eager class (torch keeps a loaded conv's in_channels at 0)."""
    reprs = []
    for lib in (jtorch, torch):
        lin, conv = lib.nn.LazyLinear(3), lib.nn.LazyConv2d(3, 3)
        src_lin, src_conv = lib.nn.Linear(5, 3), lib.nn.Conv2d(2, 3, 3)
        lin.load_state_dict(src_lin.state_dict())
        conv.load_state_dict(src_conv.state_dict())
        np.testing.assert_array_equal(lin(lib.ones(2, 5)).detach().numpy(),
                                      src_lin(lib.ones(2, 5)).detach().numpy())  # fmt: skip
        conv(lib.ones(1, 2, 5, 5))
        reprs.append((repr(lin), repr(conv)))
    assert reprs[0] == reprs[1]
