"""nn.functional against torch: activations, softmax, normalisation, padding, embedding,
distances (values, dtypes and gradients through the oracle), double backward, errors."""

import inspect
import warnings

import numpy as np
import pytest
from oracle import check, check_error, randint, randn, torch

import jtorch

X = randn(3, 4)
X4 = randn(2, 3, 4, 5)


def _F(lib):
    return lib.nn.functional


ACTIVATIONS = {
    "relu": lambda lib, x: _F(lib).relu(x),
    "relu6": lambda lib, x: _F(lib).relu6(x * 4),
    "threshold": lambda lib, x: _F(lib).threshold(x, 0.1, -2.0),
    "hardtanh": lambda lib, x: _F(lib).hardtanh(x, -0.5, 0.7),
    "leaky_relu": lambda lib, x: _F(lib).leaky_relu(x, 0.2),
    "hardshrink": lambda lib, x: _F(lib).hardshrink(x, 0.3),
    "softshrink": lambda lib, x: _F(lib).softshrink(x, 0.3),
    "hardsigmoid": lambda lib, x: _F(lib).hardsigmoid(x * 4),
    "hardswish": lambda lib, x: _F(lib).hardswish(x * 4),
    "elu": lambda lib, x: _F(lib).elu(x, 1.3),
    "selu": lambda lib, x: _F(lib).selu(x),
    "celu": lambda lib, x: _F(lib).celu(x, 0.7),
    "gelu": lambda lib, x: _F(lib).gelu(x * 3),
    "gelu_tanh": lambda lib, x: _F(lib).gelu(x * 3, approximate="tanh"),
    "silu": lambda lib, x: _F(lib).silu(x),
    "mish": lambda lib, x: _F(lib).mish(x),
    "softplus": lambda lib, x: _F(lib).softplus(x * 10, beta=2, threshold=5),
    "logsigmoid": lambda lib, x: _F(lib).logsigmoid(x * 10),
    "tanhshrink": lambda lib, x: _F(lib).tanhshrink(x),
    "softsign": lambda lib, x: _F(lib).softsign(x),
    "sigmoid": lambda lib, x: _F(lib).sigmoid(x),
    "glu": lambda lib, x: _F(lib).glu(x, 1),
    "prelu": lambda lib, x: _F(lib).prelu(x, lib.tensor([0.1, -0.2, 0.3], dtype=x.dtype)),
    "rrelu_eval": lambda lib, x: _F(lib).rrelu(x, 0.1, 0.3),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation(name):
    x = randn(2, 3, 4) if name == "prelu" else X
    check(ACTIVATIONS[name], x)


def test_prelu_weight_grad():
    check(lambda lib, x, w: _F(lib).prelu(x, w), randn(2, 3, 4), randn(3, seed=2))
    check(lambda lib, x, w: _F(lib).prelu(x, w), randn(2, 3), randn(1, seed=2))


def test_gelu_extremes():
    x = np.array([-40.0, -8.0, -3.0, -1e-9, 0.0, 1e-9, 2.0, 6.0, 40.0])
    check(lambda lib, x: _F(lib).gelu(x), x)


@pytest.mark.parametrize("name", ["gelu", "gelu_tanh", "silu", "mish", "softplus", "logsigmoid",
                                  "elu", "celu", "selu", "hardswish"])  # fmt: skip
def test_double_backward(name):
    fn = ACTIVATIONS[name]
    x_np = randn(3, 4)
    out = {}
    for lib in (jtorch, __import__("torch")):
        x = lib.tensor(x_np, requires_grad=True)
        (g,) = lib.autograd.grad(fn(lib, x).sum(), x, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), x)
        out[lib.__name__] = (g.detach().numpy(), gg.numpy())
    np.testing.assert_allclose(out["jtorch"][0], out["torch"][0], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(out["jtorch"][1], out["torch"][1], rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "elu", "silu", "hardtanh", "threshold"])
def test_inplace_activation(name):
    kw = {"relu": {}, "leaky_relu": {"negative_slope": 0.1}, "elu": {}, "silu": {},
          "hardtanh": {}, "threshold": {}}[name]  # fmt: skip
    args = (0.1, 2.0) if name == "threshold" else ()
    check(lambda lib, x: getattr(_F(lib), name)(x * 1, *args, inplace=True, **kw), X)


def test_relu_methods_and_int():
    check(lambda lib, x: x.relu(), X)
    check(lambda lib, x: lib.relu(x), randint(-3, 3, 5), grad=False)
    check(lambda lib, x: (x * 1).relu_(), X)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_family(dim):
    check(lambda lib, x: lib.softmax(x, dim), X4)
    check(lambda lib, x: x.log_softmax(dim), X4)
    check(lambda lib, x: _F(lib).softmin(x, dim), X)
    check(lambda lib, x: _F(lib).log_softmax(x * 100, dim), X)


def test_softmax_dtype_and_errors():
    check(lambda lib, x: _F(lib).softmax(x, 1, dtype=lib.float64), X, dtypes=("float32",))
    check_error(lambda lib, x: _F(lib).softmax(x, 2), X)
    check_error(lambda lib, x: lib.softmax(x, 0), np.array([1, 2]))


def test_layer_norm():
    w, b = randn(4, 5, seed=3), randn(4, 5, seed=4)
    check(lambda lib, x, w, b: _F(lib).layer_norm(x, (4, 5), w, b), X4, w, b)
    check(lambda lib, x: _F(lib).layer_norm(x, [5], eps=1e-3), X4)
    check_error(lambda lib, x: _F(lib).layer_norm(x, (5,)), X, match=r"normalized_shape=\[5\]")


def test_group_norm():
    w, b = randn(6, seed=3), randn(6, seed=4)
    check(lambda lib, x, w, b: _F(lib).group_norm(x, 3, w, b), randn(2, 6, 5), w, b)
    check(lambda lib, x: _F(lib).group_norm(x, 2), randn(2, 4, 3, 2))
    check_error(lambda lib, x: _F(lib).group_norm(x, 4), randn(2, 6, 3), match="divisible")


def test_batch_norm_training_and_eval():
    w, b = randn(3, seed=3), randn(3, seed=4)
    check(lambda lib, x, w, b: _F(lib).batch_norm(x, None, None, w, b, True), randn(4, 3, 5), w, b)
    rm, rv = randn(3, seed=5), np.abs(randn(3, seed=6)) + 0.5
    check(
        lambda lib, x, w, b: _F(lib).batch_norm(
            x, lib.tensor(rm, dtype=x.dtype), lib.tensor(rv, dtype=x.dtype), w, b
        ),
        randn(4, 3),
        w,
        b,
    )


def test_batch_norm_running_stats_update():
    x = randn(4, 3, 2)
    stats = {}
    for lib in (jtorch, __import__("torch")):
        rm, rv = lib.zeros(3, dtype=lib.float64), lib.ones(3, dtype=lib.float64)
        _F(lib).batch_norm(lib.tensor(x), rm, rv, training=True, momentum=0.3)
        stats[lib.__name__] = (rm.numpy(), rv.numpy())
    np.testing.assert_allclose(stats["jtorch"][0], stats["torch"][0], rtol=1e-12)
    np.testing.assert_allclose(stats["jtorch"][1], stats["torch"][1], rtol=1e-12)


def test_instance_and_rms_norm():
    check(lambda lib, x: _F(lib).instance_norm(x), randn(2, 3, 5))
    w = randn(5, seed=3)
    check(lambda lib, x, w: _F(lib).rms_norm(x, (5,), w, 1e-6), randn(2, 3, 5), w)
    check(lambda lib, x: _F(lib).rms_norm(x, [3, 5]), randn(2, 3, 5))
    check(lambda lib, x: _F(lib).local_response_norm(x, 3), randn(2, 5, 4))


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("shape,pad", [((2, 3, 5), (2, 1)), ((1, 2, 4, 5), (1, 2, 2, 1)),
                                       ((1, 1, 3, 3, 4), (1, 1, 2, 0, 1, 2))])  # fmt: skip
def test_pad(mode, shape, pad):
    check(lambda lib, x: _F(lib).pad(x, pad, mode=mode), randn(*shape))


def test_constant_pad_negative_and_value():
    check(lambda lib, x: _F(lib).pad(x, (-1, 2, 1, -1), value=3.5), randn(3, 4))
    check_error(lambda lib, x: _F(lib).pad(x.unsqueeze(0), (4, 4), mode="reflect"), randn(3, 4))


def test_embedding():
    idx = randint(0, 5, 2, 3)
    check(lambda lib, w, i: _F(lib).embedding(i, w), randn(5, 4), idx)
    # NOTE: padding rows and frequency scaling are deliberate departures from the true
    # derivative, so only the comparison with torch (not numerical gradcheck) applies.
    check(lambda lib, w, i: _F(lib).embedding(i, w, padding_idx=1), randn(5, 4), idx,
          gradcheck=False)  # fmt: skip
    check(lambda lib, w, i: _F(lib).embedding(i, w, scale_grad_by_freq=True), randn(5, 4), idx,
          gradcheck=False)  # fmt: skip
    check_error(lambda lib, w: _F(lib).embedding(lib.tensor([7]), w), randn(5, 4))


def test_embedding_double_backward():
    idx = randint(0, 5, 6)
    out = {}
    for lib in (jtorch, __import__("torch")):
        w = lib.tensor(randn(5, 3), requires_grad=True)
        y = _F(lib).embedding(lib.tensor(idx), w, padding_idx=2)
        (g,) = lib.autograd.grad((y * y).sum(), w, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), w)
        out[lib.__name__] = (g.detach().numpy(), gg.numpy())
    np.testing.assert_allclose(out["jtorch"][0], out["torch"][0])
    np.testing.assert_allclose(out["jtorch"][1], out["torch"][1])


def test_embedding_bag():
    w = randn(6, 3)
    check(lambda lib, w: _F(lib).embedding_bag(lib.tensor([[0, 2], [5, 1]]), w), w)
    check(
        lambda lib, w: _F(lib).embedding_bag(
            lib.tensor([0, 2, 5, 1, 3]), w, lib.tensor([0, 2]), mode="sum"
        ),
        w,
    )
    check(
        lambda lib, w: _F(lib).embedding_bag(
            lib.tensor([0, 2, 5, 1, 3]), w, lib.tensor([0, 1]), mode="max"
        ),
        w,
    )


def test_distances_and_normalize():
    a, b = randn(3, 5), randn(3, 5, seed=1)
    check(lambda lib, a, b: _F(lib).cosine_similarity(a, b), a, b)
    check(lambda lib, a, b: _F(lib).cosine_similarity(a, b, dim=0), a, b)
    check(lambda lib, a, b: _F(lib).pairwise_distance(a, b), a, b)
    check(lambda lib, a, b: _F(lib).pairwise_distance(a, b, p=1, keepdim=True), a, b)
    check(lambda lib, a: _F(lib).normalize(a), a)
    check(lambda lib, a: _F(lib).normalize(a, p=1, dim=0), a)


def test_linear_bilinear():
    check(lambda lib, x, w, b: _F(lib).linear(x, w, b), X, randn(5, 4, seed=2), randn(5, seed=3))
    check(lambda lib, x, w: _F(lib).linear(x, w), randn(2, 3, 4), randn(5, 4, seed=2))
    check(lambda lib, x, w, b: _F(lib).linear(x, w, b), randn(2, 3, 4), randn(5, 4, seed=2),
          randn(5, seed=3))  # fmt: skip
    check(lambda lib, x, w, b: _F(lib).linear(x, w, b), randn(4), randn(5, 4, seed=2),
          randn(5, seed=3))  # fmt: skip
    check(lambda lib, a, b, w: _F(lib).bilinear(a, b, w), randn(3, 2), randn(3, 4, seed=1),
          randn(5, 2, 4, seed=2))  # fmt: skip


def test_one_hot():
    check(lambda lib, t: _F(lib).one_hot(t), randint(0, 4, 5), grad=False)
    check(lambda lib, t: _F(lib).one_hot(t, 6), randint(0, 4, 2, 3), grad=False)
    check_error(lambda lib: _F(lib).one_hot(lib.tensor([-1, 2])), match="non-negative")
    check_error(lambda lib: _F(lib).one_hot(lib.tensor([1, 2]), 2), match="smaller")


def test_dropout_train_eval():
    x = jtorch.ones(1000)
    jtorch.manual_seed(0)
    y = jtorch.nn.functional.dropout(x, 0.3)
    kept = y.numpy() != 0
    assert 0.6 < kept.mean() < 0.8
    np.testing.assert_allclose(y.numpy()[kept], 1 / 0.7)
    assert jtorch.nn.functional.dropout(x, 0.3, training=False) is x
    check_error(lambda lib, x: _F(lib).dropout(x, 1.5), X, match="between 0 and 1")
    z = jtorch.nn.functional.dropout2d(jtorch.ones(4, 50, 3, 3), 0.5)
    per_channel = z.numpy().reshape(4, 50, 9)
    assert ((per_channel == 0).all(-1) | (per_channel == 2).all(-1)).all()
    x = jtorch.ones(3, requires_grad=True)
    jtorch.nn.functional.dropout(x, 0.5).sum().backward()
    assert set(np.unique(x.grad.numpy())) <= {0.0, 2.0}


def test_alpha_dropout_stats():
    jtorch.manual_seed(0)
    y = jtorch.nn.functional.alpha_dropout(jtorch.randn(200000), 0.2, True)
    assert abs(float(y.mean())) < 0.02 and abs(float(y.std()) - 1) < 0.02


# torch dispatches these on a flag (boolean_dispatch: *args, **kwargs) or is newer than NumPy can
# run (low-precision grouped GEMMs); jtorch.layer_norm's extra slot is torch.layer_norm's
# cudnn_enable, shared with the functional
_SIGNATURE_EXEMPT = {
    "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d", "fractional_max_pool2d",
    "fractional_max_pool3d", "max_pool1d", "max_pool2d", "max_pool3d", "layer_norm",
    "grouped_mm", "scaled_mm", "scaled_grouped_mm",
}  # fmt: skip


def test_signatures_match_torch():
    """Every public torch.nn.functional function takes the same parameter names, in order, so
    keyword and positional calls (``size_average`` before ``ignore_index``...) mean the same."""
    different = []
    for name, theirs in vars(torch.nn.functional).items():
        if name.startswith("_") or name in _SIGNATURE_EXEMPT or not inspect.isfunction(theirs):
            continue
        if theirs.__module__ != "torch.nn.functional":
            continue  # typing helpers and torch internals re-exported there
        ours = getattr(jtorch.nn.functional, name)
        names = [list(inspect.signature(f).parameters) for f in (ours, theirs)]
        if names[0] != names[1]:
            different.append((name, *names))
    assert different == []


@pytest.mark.parametrize(
    "call",
    [
        lambda F, x: F.kl_div(x, x),
        lambda F, x: F.mse_loss(x, x[0]),
        lambda F, x: F.huber_loss(x, x[0]),
        lambda F, x: F.l1_loss(x, x, size_average=True),
        lambda F, x: F.nll_loss(x, x[:, 0].long().abs(), size_average=False),
        lambda F, x: F.binary_cross_entropy(x.sigmoid(), x.sigmoid(), reduce=False),
        lambda F, x: F.dropout2d(x),
        lambda F, x: F.dropout2d(x.unsqueeze(0)),
        lambda F, x: F.grid_sample(x.view(1, 1, 3, 4), x.new_zeros(1, 2, 2, 2)),
        lambda F, x: x.std(correction=4, dim=0),
    ],
)
def test_warnings_point_at_the_caller(call):
    """torch's warning texts, attributed to the user's line, not jtorch's autocast wrapper."""

    def record(lib):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            call(lib.nn.functional, lib.ones(3, 4))
        return seen

    ours, theirs = record(jtorch), record(torch)
    # NOTE: torch's C++ warnings end in "(Triggered internally at <its source file>)"
    texts = [(str(o.message), str(t.message)) for o, t in zip(ours, theirs)]
    assert len(ours) == len(theirs) and all(t.startswith(o) for o, t in texts), texts
    assert ours and all(w.filename == __file__ for w in ours)
