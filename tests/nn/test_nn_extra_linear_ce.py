"""F.linear_cross_entropy (reference and batch-chunked paths), LinearCrossEntropyLoss and
LinearCrossEntropyOptions against torch 2.13."""

import warnings

import numpy as np
import pytest
from oracle import check, check_error, randint, randn, torch

import jtorch

R = np.random.default_rng(0)
X, W, B, CW = (
    R.standard_normal((9, 4)),
    R.standard_normal((6, 4)),
    R.standard_normal(6),
    R.random(6),
)
T = np.array([0, 2, 1, -100, 5, 3, 3, 1, 0])
TOL = {np.float32: dict(rtol=1e-5, atol=1e-6), np.float64: dict(rtol=1e-12, atol=1e-13)}


def _run(lib, dtype, options, reduction, use_bias, use_weight):
    x = lib.tensor(X.astype(dtype), requires_grad=True)
    w = lib.tensor(W.astype(dtype), requires_grad=True)
    b = lib.tensor(B.astype(dtype), requires_grad=True) if use_bias else None
    o = None if options is None else lib.nn.LinearCrossEntropyOptions(**options)
    y = lib.nn.functional.linear_cross_entropy(
        x, w, lib.tensor(T), linear_bias=b, reduction=reduction, options=o,
        weight=lib.tensor(CW.astype(dtype)) if use_weight else None,
    )  # fmt: skip
    y.backward(lib.tensor(np.linspace(-1, 1, y.numel()).reshape(tuple(y.shape)).astype(dtype)))
    grads = [t.grad.numpy() for t in (x, w, b) if t is not None]
    return [y.detach().numpy()] + grads, type(y.grad_fn).__name__


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "options",
    [None, {}, {"batch_chunk_size": 2, "chunking_method": None}, {"allow_retain_graph": True}],
)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_linear_cross_entropy_matches_torch(dtype, options, reduction):
    for use_bias, use_weight in ((False, False), (True, True)):
        ours, our_node = _run(jtorch, dtype, options, reduction, use_bias, use_weight)
        theirs, their_node = _run(torch, dtype, options, reduction, use_bias, use_weight)
        assert our_node == their_node
        for a, b in zip(ours, theirs):
            assert a.dtype == b.dtype and a.shape == b.shape
            np.testing.assert_allclose(a, b, **TOL[dtype])


def test_reference_path_through_oracle():
    # K-dimensional loss, class-probability targets and label smoothing take the reference path
    check(lambda lib, x, w, t: lib.nn.functional.linear_cross_entropy(x, w, t, label_smoothing=0.2),
          randn(5, 3), randn(4, 3, seed=1), randint(0, 4, 5))  # fmt: skip
    check(lambda lib, x, w, b, t: lib.nn.functional.linear_cross_entropy(x, w, t, linear_bias=b),
          randn(5, 3), randn(4, 2, 3, seed=1), randn(4, 2, seed=2), randint(0, 4, 5, 2))  # fmt: skip
    check(lambda lib, x, w, t: lib.nn.functional.linear_cross_entropy(x, w, t.softmax(-1)),
          randn(5, 3), randn(4, 3, seed=1), randn(5, 4, seed=3))  # fmt: skip


def test_chunked_backward_twice_and_unbatched():
    def twice(lib):
        x = lib.ones(3, 2, requires_grad=True)
        o = lib.nn.LinearCrossEntropyOptions()
        y = lib.nn.functional.linear_cross_entropy(x, lib.ones(4, 2), lib.tensor([0, 1, 2]),
                                                   options=o)  # fmt: skip
        y.backward(retain_graph=True)
        y.backward()

    check_error(twice)
    for reduction in ("mean", "none"):
        check(
            lambda lib, x, w, reduction=reduction: lib.nn.functional.linear_cross_entropy(
                x, w, lib.tensor(2), reduction=reduction,
                options=lib.nn.LinearCrossEntropyOptions(),
            ),
            randn(3),
            randn(4, 3, seed=1),
            gradcheck=False,
        )  # fmt: skip


def test_options_ignored_warning():
    x, w = jtorch.ones(3, 2), jtorch.ones(4, 2)
    with pytest.warns(UserWarning, match="``options`` ignored; chunked path needs"):
        jtorch.nn.functional.linear_cross_entropy(
            x, w, jtorch.tensor([0, 1, 2]), label_smoothing=0.1,
            options=jtorch.nn.LinearCrossEntropyOptions(),
        )  # fmt: skip


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib: lib.nn.functional.linear_cross_entropy(
            lib.ones(2, 2, 2), lib.ones(3, 2), lib.zeros(2).long()
        ),  # fmt: skip
        lambda lib: lib.nn.functional.linear_cross_entropy(
            lib.ones(2, 2), lib.ones(3), lib.zeros(2).long()
        ),  # fmt: skip
        lambda lib: lib.nn.functional.linear_cross_entropy(
            lib.ones(2, 2), lib.ones(3, 4), lib.zeros(2).long()
        ),  # fmt: skip
        lambda lib: lib.nn.functional.linear_cross_entropy(
            lib.ones(2, 2), lib.ones(3, 2), lib.zeros(2).long(), linear_bias=lib.ones(2)
        ),
        lambda lib: lib.nn.functional.linear_cross_entropy(
            lib.ones(2), lib.ones(3, 2, 2), lib.zeros(()).long()
        ),  # fmt: skip
        lambda lib: lib.nn.functional.linear_cross_entropy(
            lib.ones(2, 2), lib.ones(3, 2), lib.ones(2, 3), ignore_index=1
        ),
        lambda lib: lib.nn.LinearCrossEntropyOptions(acc_policy="fast"),
        lambda lib: lib.nn.LinearCrossEntropyOptions(chunking_method="aspect_ratio:0"),
        lambda lib: lib.nn.LinearCrossEntropyOptions(batch_chunk_size=0),
        lambda lib: lib.nn.LinearCrossEntropyOptions(acc_dtype=lib.int32),
        lambda lib: lib.nn.functional.linear_cross_entropy(
            lib.ones(5, 2),
            lib.ones(3, 2),
            lib.zeros(5).long(),
            options=lib.nn.LinearCrossEntropyOptions(
                batch_chunk_size=2, chunking_method="aspect_ratio"
            ),
        ),  # fmt: skip
        lambda lib: lib.nn.LinearCrossEntropyLoss(2, 3, weight=lib.ones(2)),
        lambda lib: lib.nn.LinearCrossEntropyLoss(2, 3, label_smoothing=1.5),
    ],
)
def test_errors_match_torch(fn):
    check_error(fn)


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"bias": True, "reduction": "sum", "ignore_index": 1},
        {"out_features": (2,), "bias": True, "label_smoothing": 0.1},
        {"options_kw": {"batch_chunk_size": 3, "chunking_method": None}},
    ],
)
def test_loss_module_matches_torch(kwargs):
    x = randn(7, 5, dtype="float32")
    target = randint(0, 4, 7, *kwargs.get("out_features", ()))
    runs = []
    for lib in (jtorch, torch):
        kw = dict(kwargs)
        if "options_kw" in kw:
            kw["options"] = lib.nn.LinearCrossEntropyOptions(**kw.pop("options_kw"))
        lib.manual_seed(0)
        m = lib.nn.LinearCrossEntropyLoss(5, 4, **kw)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            loss = m(lib.tensor(x), lib.tensor(target))
        loss.backward()
        runs.append((repr(m), list(m.state_dict()), loss.item(), m.linear.weight.grad.numpy()))
    assert runs[0][:2] == runs[1][:2]
    np.testing.assert_allclose(runs[0][2], runs[1][2], rtol=1e-5)
    np.testing.assert_allclose(runs[0][3], runs[1][3], rtol=1e-5, atol=1e-6)


def test_options_adjust_matches_torch():
    for kw in ({}, {"chunking_method": "aspect_ratio"}, {"batch_chunk_size": 3,
               "chunking_method": None}, {"acc_policy": "accurate"}):  # fmt: skip
        for dt in ("float32", "float16"):
            ours = jtorch.nn.LinearCrossEntropyOptions(**kw)._adjust(
                50, 8, 100, getattr(jtorch, dt), jtorch.device("cpu")
            )
            theirs = torch.nn.LinearCrossEntropyOptions(**kw)._adjust(
                50, 8, 100, getattr(torch, dt), torch.device("cpu")
            )
            assert repr(ours) == repr(theirs)
