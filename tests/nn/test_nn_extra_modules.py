"""Lazy norms and transposed convs, CrossMapLRN2d, SyncBatchNorm, AdaptiveLogSoftmaxWithLoss and
the deprecated Container/NLLLoss2d, against torch 2.13 (same seeds, so the same initial weights)."""

import warnings

import numpy as np
import pytest
from oracle import check, check_error, randint, randn, torch

import jtorch


def _same(a, b, **tol) -> None:
    a = a.detach().numpy() if hasattr(a, "detach") else a
    b = b.detach().numpy() if hasattr(b, "detach") else b
    if tol:
        np.testing.assert_allclose(a, b, **tol)
    else:
        np.testing.assert_array_equal(a, b)


LAZY = [
    ("LazyBatchNorm1d", {}, (4, 3)),
    ("LazyBatchNorm2d", {"momentum": None}, (4, 3, 2, 2)),
    ("LazyBatchNorm3d", {"affine": False}, (2, 3, 2, 2, 2)),
    ("LazyInstanceNorm1d", {}, (2, 3, 5)),
    ("LazyInstanceNorm2d", {"affine": False, "track_running_stats": False}, (2, 3, 4, 4)),
    ("LazyInstanceNorm3d", {"bias": False}, (2, 3, 2, 3, 2)),
    ("LazyConvTranspose1d", {"out_channels": 4, "kernel_size": 3, "stride": 2}, (2, 3, 5)),
    ("LazyConvTranspose2d", {"out_channels": 4, "kernel_size": 2, "groups": 2}, (1, 2, 3, 3)),
    ("LazyConvTranspose3d", {"out_channels": 2, "kernel_size": 2, "bias": False}, (3, 2, 2, 2)),
]


@pytest.mark.filterwarnings("ignore:input's size at dim=1")  # torch's too (num_features 0)
@pytest.mark.parametrize("name,kw,shape", LAZY)
def test_lazy_modules_match_torch(name, kw, shape):
    x = randn(*shape, dtype="float32")
    runs = []
    for lib in (jtorch, torch):
        lib.manual_seed(0)
        m = getattr(lib.nn, name)(**kw)
        before = repr(m)
        keys = list(m.state_dict())
        y = m(lib.tensor(x, requires_grad=True))
        y.sum().backward()
        state = {k: v.numpy() for k, v in m.state_dict().items()}
        runs.append((before, keys, type(m).__name__, repr(m), y, state, lib.rand(2)))
    ours, theirs = runs
    assert ours[:4] == theirs[:4]
    _same(ours[4], theirs[4], rtol=1e-5, atol=1e-6)
    assert ours[5].keys() == theirs[5].keys()
    for k in ours[5]:
        _same(ours[5][k], theirs[5][k], rtol=1e-5, atol=1e-6)
    _same(ours[6], theirs[6])  # the RNG was consumed exactly as torch's


def test_lazy_conv_transpose_errors():
    check_error(lambda lib: lib.nn.LazyConvTranspose2d(4, 2, groups=2)(lib.ones(1, 3, 3, 3)))
    check_error(lambda lib: lib.nn.LazyConvTranspose2d(4, 2)(lib.ones(3, 3)))


@pytest.mark.parametrize("size,shape", [(5, (2, 7, 2, 3)), (3, (1, 2, 3, 3)), (4, (2, 9, 1, 2))])
def test_cross_map_lrn2d(size, shape):
    # NOTE: torch's backward is its own formula, not the forward's derivative: no gradcheck
    check(lambda lib, x: lib.nn.CrossMapLRN2d(size, 0.1, 0.75, 2.0)(x), randn(*shape),
          gradcheck=False)  # fmt: skip
    y = jtorch.nn.CrossMapLRN2d(size)(jtorch.randn(*shape, requires_grad=True))
    assert type(y.grad_fn).__name__ == "CrossMapLRN2dBackward"
    assert repr(jtorch.nn.CrossMapLRN2d(size)) == repr(torch.nn.CrossMapLRN2d(size))
    check_error(lambda lib, x: lib.nn.CrossMapLRN2d(size)(x), randn(2, 3, 4))


def test_sync_batch_norm_without_process_group():
    x = randn(4, 3, 5, dtype="float32")
    for train in (True, False):
        outs = []
        for lib in (jtorch, torch):
            m = lib.nn.SyncBatchNorm(3, momentum=None).train(train)
            outs.append((repr(m), m(lib.tensor(x)), m.running_mean, m.num_batches_tracked))
        assert outs[0][0] == outs[1][0]
        for a, b in zip(outs[0][1:], outs[1][1:]):
            _same(a, b, rtol=1e-5, atol=1e-6)
    check_error(lambda lib: lib.nn.SyncBatchNorm(3)(lib.ones(3)))
    check_error(lambda lib: lib.nn.SyncBatchNorm(3)(lib.ones(2, 0)))


def test_convert_sync_batchnorm():
    reprs = []
    for lib in (jtorch, torch):
        bn = lib.nn.BatchNorm2d(3).eval()
        net = lib.nn.Sequential(
            lib.nn.Conv2d(1, 3, 1), bn, lib.nn.Sequential(lib.nn.BatchNorm1d(2))
        )
        s = lib.nn.SyncBatchNorm.convert_sync_batchnorm(net)
        assert s[1].weight is bn.weight and s[1].running_mean is bn.running_mean
        assert not s[1].training and s[2][0].training
        reprs.append((repr(s), list(s.state_dict())))
        assert type(lib.nn.SyncBatchNorm.convert_sync_batchnorm(bn)).__name__ == "SyncBatchNorm"
    assert reprs[0] == reprs[1]


def test_adaptive_log_softmax_with_loss():
    x = randn(7, 16, dtype="float32")
    target = np.array([0, 3, 5, 9, 12, 14, 19])
    runs = []
    for lib in (jtorch, torch):
        lib.manual_seed(0)
        m = lib.nn.AdaptiveLogSoftmaxWithLoss(16, 20, cutoffs=[4, 10], div_value=2.0)
        xi = lib.tensor(x, requires_grad=True)
        out = m(xi, lib.tensor(target))
        out.loss.backward()
        single = m(lib.tensor(x[0]), lib.tensor(target[3]))
        with lib.no_grad():
            probs, pred = m.log_prob(lib.tensor(x)), m.predict(lib.tensor(x))
        assert type(out).__name__ == "_ASMoutput" and out._fields == ("output", "loss")
        runs.append((repr(m), out.output, out.loss, xi.grad, m.tail[1][0].weight.grad,
                     single.output, single.loss, probs, pred))  # fmt: skip
    assert runs[0][0] == runs[1][0]
    for a, b in zip(runs[0][1:-1], runs[1][1:-1]):
        _same(a, b, rtol=1e-5, atol=1e-6)
    _same(runs[0][-1], runs[1][-1])


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, cutoffs=[]),
        lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, cutoffs=[5, 3]),
        lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, cutoffs=[10]),
        lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [4])(
            lib.ones(2, 8), lib.ones(3).long()
        ),
        lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [4])(lib.ones(8), lib.ones(3).long()),
        lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [4])(lib.ones(2, 8), lib.tensor(1)),
        lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [4])(
            lib.ones(2, 8), lib.ones(2, 1).long()
        ),
        lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [4])(
            lib.ones(2, 8), lib.tensor([1, 10])
        ),
    ],
)
def test_adaptive_log_softmax_errors(fn):
    check_error(fn)


def test_container_and_nllloss2d_deprecated():
    x, t = randn(2, 3, 2, 2), randint(0, 3, 2, 2, 2)
    with pytest.warns(FutureWarning, match="NLLLoss2d"):
        m = jtorch.nn.NLLLoss2d(ignore_index=1)
    assert isinstance(m, jtorch.nn.NLLLoss)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        check(lambda lib, x, t: lib.nn.NLLLoss2d(reduction="sum")(x.log_softmax(1), t), x, t)
        with pytest.warns(FutureWarning, match="Container"):
            c = jtorch.nn.Container(fc=jtorch.nn.Linear(2, 1), act=jtorch.nn.ReLU())
        tc = torch.nn.Container(fc=torch.nn.Linear(2, 1), act=torch.nn.ReLU())
    assert repr(c) == repr(tc) and list(c.state_dict()) == list(tc.state_dict())


@pytest.mark.parametrize(
    "lazy,eager,shape",
    [
        (lambda lib: lib.nn.LazyConvTranspose2d(4, 2), lambda lib: lib.nn.ConvTranspose2d(3, 4, 2),
         (1, 3, 3, 3)),
        (lambda lib: lib.nn.LazyBatchNorm1d(), lambda lib: lib.nn.BatchNorm1d(3), (4, 3)),
    ],
)  # fmt: skip
def test_lazy_modules_load_state_dict_as_torch(lazy, eager, shape):
    """Loading materialises the lazy tensors; the first forward then has nothing to infer, so
    the feature count stays 0, as in torch."""
    x = randn(*shape, dtype="float32")
    runs = []
    for lib in (jtorch, torch):
        lib.manual_seed(0)
        m = lazy(lib)
        m.load_state_dict(eager(lib).state_dict())
        before = repr(m)
        y = m(lib.tensor(x))
        runs.append((before, repr(m), y))
    assert runs[0][:2] == runs[1][:2]
    _same(runs[0][2], runs[1][2], rtol=1e-5, atol=1e-6)


def test_loaded_lazy_instance_norm_fails_as_torch():
    def fn(lib):
        m = lib.nn.LazyInstanceNorm2d()
        m.load_state_dict(
            lib.nn.InstanceNorm2d(3, affine=True, track_running_stats=True).state_dict()
        )
        m(lib.ones(2, 3, 2, 2))  # NOTE: num_features stayed 0, and affine checks it

    check_error(fn)
