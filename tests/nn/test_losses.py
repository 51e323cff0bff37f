"""Losses (functional and modules) against torch: values, reductions, weights, ignore_index,
label smoothing, probability targets, gradients of inputs and targets, and errors."""

import numpy as np
import pytest
from oracle import check, check_error, rand, randint, randn

import jtorch

LOGITS = randn(4, 5)
TARGET = np.array([0, 3, 1, 4])
WEIGHT = rand(5, low=0.5, high=2.0, seed=7)
REDUCTIONS = ["mean", "sum", "none"]


def _F(lib):
    return lib.nn.functional


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy(reduction):
    t = TARGET
    check(lambda lib, x: _F(lib).cross_entropy(x, lib.tensor(t), reduction=reduction), LOGITS)
    check(lambda lib, x: _F(lib).cross_entropy(x, lib.tensor(t), lib.tensor(WEIGHT, dtype=x.dtype),
                                               reduction=reduction), LOGITS)  # fmt: skip
    check(lambda lib, x: _F(lib).cross_entropy(x, lib.tensor([0, -100, 2, 1]),
                                               reduction=reduction), LOGITS)  # fmt: skip
    check(lambda lib, x: _F(lib).cross_entropy(x, lib.tensor(t), label_smoothing=0.2,
                                               reduction=reduction), LOGITS)  # fmt: skip
    check(lambda lib, x: _F(lib).cross_entropy(x, lib.tensor([0, 3, 7, 4]), ignore_index=7,
                                               weight=lib.tensor(WEIGHT, dtype=x.dtype),
                                               label_smoothing=0.1, reduction=reduction),
          LOGITS)  # fmt: skip


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_probabilities_and_nd(reduction):
    probs = rand(4, 5, seed=3)
    probs /= probs.sum(1, keepdims=True)
    check(lambda lib, x, p: _F(lib).cross_entropy(x, p, reduction=reduction), LOGITS, probs)
    check(lambda lib, x, p: _F(lib).cross_entropy(x, p, label_smoothing=0.3,
                                                  reduction=reduction), LOGITS, probs)  # fmt: skip
    t = randint(0, 3, 2, 4, 5)
    check(lambda lib, x: _F(lib).cross_entropy(x, lib.tensor(t), reduction=reduction),
          randn(2, 3, 4, 5))  # fmt: skip
    check(lambda lib, x: _F(lib).cross_entropy(x, lib.tensor(2), reduction=reduction), randn(5))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss(reduction):
    check(lambda lib, x: _F(lib).nll_loss(x, lib.tensor(TARGET), reduction=reduction), LOGITS)
    check(lambda lib, x: lib.nn.NLLLoss(lib.tensor(WEIGHT, dtype=x.dtype), reduction=reduction,
                                        ignore_index=3)(x, lib.tensor(TARGET)), LOGITS)  # fmt: skip


def test_nll_errors():
    check_error(lambda lib, x: _F(lib).nll_loss(x, lib.tensor([0, 1, 9, 2])), LOGITS,
                match="Target 9 is out of bounds.")  # fmt: skip
    check_error(lambda lib, x: _F(lib).nll_loss(x, lib.tensor([0, 1])), LOGITS,
                match=r"Expected input batch_size \(4\) to match target batch_size \(2\)\.")  # fmt: skip
    check_error(lambda lib, x: _F(lib).nll_loss(x, lib.tensor(TARGET, dtype=lib.int32)), LOGITS,
                match="expected target dtype to be Long or Byte, but got Int")  # fmt: skip
    check_error(lambda lib, x: _F(lib).cross_entropy(x, lib.tensor(TARGET), reduction="avg"),
                LOGITS, match="avg is not a valid value for reduction")  # fmt: skip


def test_all_ignored_mean_is_nan():
    for lib in (jtorch, __import__("torch")):
        out = _F(lib).cross_entropy(lib.ones(2, 3), lib.tensor([-100, -100]))
        assert np.isnan(float(out))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_regression_losses(reduction):
    x, y = randn(3, 4), randn(3, 4, seed=5)
    F = lambda lib: _F(lib)  # noqa: E731
    check(lambda lib, x, y: F(lib).mse_loss(x, y, reduction=reduction), x, y)
    check(lambda lib, x, y: F(lib).l1_loss(x, y, reduction=reduction), x, y)
    check(lambda lib, x, y: F(lib).huber_loss(x, y, reduction=reduction, delta=0.7), x, y)
    check(lambda lib, x, y: F(lib).smooth_l1_loss(x, y, reduction=reduction, beta=0.5), x, y)
    check(lambda lib, x, y: F(lib).smooth_l1_loss(x, y, reduction=reduction, beta=0.0), x, y)
    sign = np.sign(y)
    check(lambda lib, x: F(lib).soft_margin_loss(x, lib.tensor(sign, dtype=x.dtype),
                                                 reduction=reduction), x)  # fmt: skip
    check_error(lambda lib, x, y: F(lib).soft_margin_loss(x.requires_grad_(), y.requires_grad_()),
                x, y, match="not differentiable")  # fmt: skip


def test_mse_broadcast_warns():
    with pytest.warns(UserWarning, match="different to the input size"):
        jtorch.nn.functional.mse_loss(jtorch.ones(3, 4), jtorch.ones(4))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce(reduction):
    p, t = rand(3, 4, low=0.05, high=0.95), rand(3, 4, seed=2)
    w = rand(3, 4, seed=3)
    check(lambda lib, p, t: _F(lib).binary_cross_entropy(p, t, reduction=reduction), p, t)
    check(lambda lib, p, t: _F(lib).binary_cross_entropy(p, t, lib.tensor(w, dtype=p.dtype),
                                                         reduction=reduction), p, t)  # fmt: skip
    edge = np.array([0.0, 1.0, 0.5])
    check(lambda lib, p, t: _F(lib).binary_cross_entropy(p, t, reduction=reduction), edge,
          np.array([0.0, 1.0, 1.0]), gradcheck=False)  # fmt: skip


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits(reduction):
    x, t = randn(3, 4) * 5, rand(3, 4, seed=2)
    pw, w = rand(4, low=0.5, high=3, seed=4), rand(3, 4, seed=3)
    check(lambda lib, x, t: _F(lib).binary_cross_entropy_with_logits(x, t, reduction=reduction),
          x, t)  # fmt: skip
    check(lambda lib, x, t: _F(lib).binary_cross_entropy_with_logits(
        x, t, lib.tensor(w, dtype=x.dtype), pos_weight=lib.tensor(pw, dtype=x.dtype),
        reduction=reduction), x, t)  # fmt: skip


def test_bce_errors():
    check_error(lambda lib, x, t: _F(lib).binary_cross_entropy(x, t), randn(3), rand(3),
                match="between 0 and 1")  # fmt: skip
    check_error(lambda lib, x, t: _F(lib).binary_cross_entropy(x, t), rand(3), rand(4),
                match="is deprecated")  # fmt: skip
    check_error(lambda lib, x, t: _F(lib).binary_cross_entropy_with_logits(x, t), rand(3),
                rand(4))  # fmt: skip


@pytest.mark.parametrize("reduction", REDUCTIONS + ["batchmean"])
def test_kl_div(reduction):
    x = np.log(rand(3, 4, low=0.1, high=1))
    t = rand(3, 4, seed=3)
    t[0, 0] = 0.0
    with _nowarn():
        check(lambda lib, x, t: _F(lib).kl_div(x, t, reduction=reduction), x, t, gradcheck=False)
        check(lambda lib, x, t: _F(lib).kl_div(x, t, reduction=reduction, log_target=True), x,
              np.log(t + 0.1))  # fmt: skip


class _nowarn:
    def __enter__(self):
        import warnings

        self.ctx = warnings.catch_warnings()
        self.ctx.__enter__()
        warnings.simplefilter("ignore")

    def __exit__(self, *exc):
        self.ctx.__exit__(*exc)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_margin_and_embedding_losses(reduction):
    a, b = randn(4, 3), randn(4, 3, seed=1)
    y = np.array([1.0, -1.0, 1.0, -1.0])
    F = _F
    check(lambda lib, a, b: F(lib).cosine_embedding_loss(a, b, lib.tensor(y, dtype=a.dtype),
                                                         margin=0.1, reduction=reduction), a, b)  # fmt: skip
    check(lambda lib, a, b: F(lib).margin_ranking_loss(a[:, 0], b[:, 0],
                                                       lib.tensor(y, dtype=a.dtype), margin=0.2,
                                                       reduction=reduction), a, b)  # fmt: skip
    ys = np.where(randn(4, 3, seed=9) > 0, 1.0, -1.0)
    check(lambda lib, a: F(lib).hinge_embedding_loss(a, lib.tensor(ys, dtype=a.dtype),
                                                     reduction=reduction), a)  # fmt: skip
    labels = (randn(4, 3, seed=8) > 0).astype("float64")
    check(lambda lib, a: F(lib).multilabel_soft_margin_loss(a, lib.tensor(labels, dtype=a.dtype),
                                                            reduction=reduction), a)  # fmt: skip
    c = randn(4, 3, seed=2)
    check(lambda lib, a, b, c: F(lib).triplet_margin_loss(a, b, c, reduction=reduction), a, b, c)
    check(lambda lib, a, b, c: F(lib).triplet_margin_loss(a, b, c, p=1, swap=True, margin=2.0,
                                                          reduction=reduction), a, b, c)  # fmt: skip


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_likelihood_losses(reduction):
    x, t = randn(3, 4), rand(3, 4, low=0, high=4, seed=2).round()
    F = _F
    check(lambda lib, x, t: F(lib).poisson_nll_loss(x, t, reduction=reduction), x, t)
    check(lambda lib, x: F(lib).poisson_nll_loss(x.exp(), lib.tensor(t, dtype=x.dtype),
                                                 log_input=False, full=True,
                                                 reduction=reduction), x)  # fmt: skip
    var = rand(3, 4, low=0.1, high=2, seed=4)
    check(lambda lib, x, y, v: F(lib).gaussian_nll_loss(x, y, v, reduction=reduction), x,
          randn(3, 4, seed=5), var)  # fmt: skip
    check(lambda lib, x, y, v: F(lib).gaussian_nll_loss(x, y, v, full=True, reduction=reduction),
          x, randn(3, 4, seed=5), rand(3, 1, low=0.1, high=2, seed=4))  # fmt: skip


MODULES = [
    ("L1Loss", {}, "reg"),
    ("MSELoss", {"reduction": "sum"}, "reg"),
    ("HuberLoss", {"delta": 0.5}, "reg"),
    ("SmoothL1Loss", {"beta": 0.3}, "reg"),
    ("SoftMarginLoss", {}, "bin"),
    ("CrossEntropyLoss", {"label_smoothing": 0.1}, "cls"),
    ("NLLLoss", {"reduction": "none"}, "cls"),
    ("BCEWithLogitsLoss", {}, "bin"),
    ("KLDivLoss", {"reduction": "batchmean"}, "bin"),
    ("PoissonNLLLoss", {}, "reg"),
    ("MultiLabelSoftMarginLoss", {}, "bin"),
]


@pytest.mark.parametrize("name,kwargs,kind", MODULES)
def test_loss_modules(name, kwargs, kind):
    x = randn(4, 5)
    if kind == "cls":
        check(lambda lib, x: getattr(lib.nn, name)(**kwargs)(x, lib.tensor(TARGET)), x)
    elif kind == "bin":
        t = rand(4, 5, seed=2).round()
        check(lambda lib, x: getattr(lib.nn, name)(**kwargs)(x, lib.tensor(t, dtype=x.dtype)), x)
    else:
        check(lambda lib, x, y: getattr(lib.nn, name)(**kwargs)(x, y), x, randn(4, 5, seed=3))


def test_loss_module_state_and_repr():
    torch = __import__("torch")
    for name, kwargs, _ in MODULES + [("BCELoss", {}, ""), ("TripletMarginLoss", {}, ""),
                                      ("CosineEmbeddingLoss", {}, ""),
                                      ("MarginRankingLoss", {}, ""),
                                      ("HingeEmbeddingLoss", {}, ""),
                                      ("GaussianNLLLoss", {}, "")]:  # fmt: skip
        ours, theirs = getattr(jtorch.nn, name)(**kwargs), getattr(torch.nn, name)(**kwargs)
        assert repr(ours) == repr(theirs)
        assert ours.reduction == theirs.reduction
        assert list(ours.state_dict()) == list(theirs.state_dict())
    w = jtorch.ones(5)
    assert list(jtorch.nn.CrossEntropyLoss(weight=w).state_dict()) == ["weight"]
    assert jtorch.nn.MSELoss(size_average=False).reduction == "sum"


def test_cross_entropy_grad_fn_is_nll_of_log_softmax():
    x = jtorch.tensor(LOGITS, requires_grad=True)
    out = jtorch.nn.functional.cross_entropy(x, jtorch.tensor(TARGET))
    assert out.grad_fn.name() == "NllLossBackward0"
    assert out.grad_fn.next_functions[0][0].name() == "LogSoftmaxBackward0"
