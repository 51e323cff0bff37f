"""CTC, multi-class and multi-label margin losses, triplet loss with a distance function,
gumbel-softmax, and the spatial transformer (affine_grid, grid_sample) against torch: values,
reductions, gradients (float32, float64 and gradcheck) and errors."""

import numpy as np
import pytest
from oracle import check, check_error, rand, randn

import jtorch

REDUCTIONS = ["mean", "sum", "none"]


def _F(lib):
    return lib.nn.functional


CTC_TARGETS = np.array([[1, 2, 2], [3, 1, 0], [4, 4, 4]])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("zero_infinity", [False, True])
def test_ctc_loss(reduction, zero_infinity):
    def fn(lib, x):  # the third sequence (4 4 4 in 4 steps) is impossible: an infinite loss
        lp = x.log_softmax(2)
        targets = lib.tensor(CTC_TARGETS)
        return _F(lib).ctc_loss(lp, targets, [6, 5, 4], [3, 2, 2 + zero_infinity],
                                reduction=reduction, zero_infinity=zero_infinity)  # fmt: skip

    check(fn, randn(6, 3, 5))


def test_ctc_loss_concatenated_targets_unbatched_and_module():
    flat = np.array([1, 2, 3, 3, 1])
    check(lambda lib, x: _F(lib).ctc_loss(x.log_softmax(2), lib.tensor(flat), lib.tensor([7, 6]),
                                          lib.tensor([3, 2]), blank=4), randn(7, 2, 5))  # fmt: skip
    check(lambda lib, x: lib.nn.CTCLoss(reduction="sum")(x.log_softmax(1), lib.tensor([1, 1]),
                                                          [5], [2]), randn(5, 3))  # fmt: skip
    assert repr(jtorch.nn.CTCLoss()) == "CTCLoss()"


def test_ctc_loss_errors():
    targets = np.array([[1, 2], [3, 3]])
    lp = randn(5, 2, 4)
    check_error(lambda lib, x: _F(lib).ctc_loss(x, lib.tensor(targets), [6, 4], [2, 2]), lp)
    check_error(lambda lib, x: _F(lib).ctc_loss(x, lib.tensor(targets), [5, 4], [3, 2]), lp)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("p", "margin"), [(1, 1.0), (2, 0.5)])
def test_multi_margin_loss(reduction, p, margin):
    x, y = randn(4, 5), np.array([0, 3, 1, 4])
    weight = rand(5, low=0.5, high=2.0, seed=2)
    if True:
        check(lambda lib, x: _F(lib).multi_margin_loss(x, lib.tensor(y), p=p, margin=margin,
                                                       reduction=reduction), x)  # fmt: skip
        check(lambda lib, x: lib.nn.MultiMarginLoss(p=p, weight=lib.tensor(weight, dtype=x.dtype),
                                                    reduction=reduction)(x, lib.tensor(y)),
              x)  # fmt: skip
    check(lambda lib, x: _F(lib).multi_margin_loss(x, lib.tensor(2), reduction=reduction), randn(5))


def test_multi_margin_loss_errors():
    x = randn(3, 4)
    check_error(lambda lib, x: _F(lib).multi_margin_loss(x, lib.tensor([0, 1])), x)
    check_error(lambda lib, x: _F(lib).multi_margin_loss(x, lib.tensor([0, 1, 4])), x)
    check_error(lambda lib, x: _F(lib).multi_margin_loss(x, lib.tensor([0, 1, 2]), p=3), x)
    check_error(lambda lib, x: _F(lib).multi_margin_loss(x, lib.tensor([0, 1, 2]),
                                                         weight=lib.ones(3)), x)  # fmt: skip


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_multilabel_margin_loss(reduction):
    y = np.array([[3, 0, -1, 1, 2], [1, 2, 4, 0, -1], [-1, 1, 1, 1, 1]])
    check(lambda lib, x: _F(lib).multilabel_margin_loss(x, lib.tensor(y), reduction=reduction),
          randn(3, 5))  # fmt: skip
    check(lambda lib, x: lib.nn.MultiLabelMarginLoss(reduction=reduction)(x, lib.tensor(y[0])),
          randn(5))  # fmt: skip
    check_error(lambda lib, x: _F(lib).multilabel_margin_loss(x, lib.tensor([0, 1, 2])),
                randn(3, 4))  # fmt: skip


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("swap", [False, True])
def test_triplet_margin_with_distance_loss(reduction, swap):
    a, p, n = randn(4, 3, seed=1), randn(4, 3, seed=2), randn(4, 3, seed=3)
    check(lambda lib, a, p, n: _F(lib).triplet_margin_with_distance_loss(
        a, p, n, swap=swap, margin=2.0, reduction=reduction), a, p, n)  # fmt: skip

    def cosine(lib):
        return lambda x, y: 1.0 - _F(lib).cosine_similarity(x, y)

    check(lambda lib, a, p, n: lib.nn.TripletMarginWithDistanceLoss(
        distance_function=cosine(lib), swap=swap, reduction=reduction)(a, p, n),
        a, p, n)  # fmt: skip


def test_triplet_margin_with_distance_errors():
    check_error(lambda lib, a: _F(lib).triplet_margin_with_distance_loss(a, a, a, margin=0),
                randn(2, 3))  # fmt: skip
    check_error(lambda lib, a: _F(lib).triplet_margin_with_distance_loss(a, a, a[0]),
                randn(2, 3))  # fmt: skip
    with pytest.raises(ValueError, match="expected margin to be greater than 0"):
        jtorch.nn.TripletMarginWithDistanceLoss(margin=-1)


def test_gumbel_softmax_same_samples_as_torch():
    check(lambda lib, x: (lib.manual_seed(3), _F(lib).gumbel_softmax(x, tau=0.5))[1], randn(4, 6))
    check(lambda lib, x: (lib.manual_seed(3), _F(lib).gumbel_softmax(x, hard=True, dim=0))[1],
          randn(4, 6), gradcheck=False)  # fmt: skip


@pytest.mark.parametrize("align_corners", [False, True])
def test_affine_grid(align_corners):
    check(lambda lib, t: _F(lib).affine_grid(t, [2, 3, 4, 5], align_corners=align_corners),
          randn(2, 2, 3))  # fmt: skip
    check(lambda lib, t: _F(lib).affine_grid(t, [2, 1, 2, 3, 4], align_corners=align_corners),
          randn(2, 3, 4))  # fmt: skip
    check_error(lambda lib, t: _F(lib).affine_grid(t, [1, 1, 2, 2, 2], align_corners=False),
                randn(1, 2, 3))  # fmt: skip


GRID_CASES = [
    (mode, padding, align)
    for mode in ("bilinear", "nearest", "bicubic")
    for padding in ("zeros", "border", "reflection")
    for align in (False, True)
]


@pytest.mark.parametrize(("mode", "padding_mode", "align_corners"), GRID_CASES)
def test_grid_sample_2d(mode, padding_mode, align_corners):
    grid = rand(1, 2, 3, 2, low=-1.3, high=1.3, seed=5)
    check(lambda lib, x, g: _F(lib).grid_sample(x, g, mode=mode, padding_mode=padding_mode,
                                                align_corners=align_corners),
          randn(1, 2, 3, 4), grid)  # fmt: skip


@pytest.mark.parametrize(("mode", "padding_mode", "align_corners"), GRID_CASES[:12])
def test_grid_sample_3d(mode, padding_mode, align_corners):
    grid = rand(1, 1, 2, 2, 3, low=-1.2, high=1.2, seed=6)
    check(lambda lib, x, g: _F(lib).grid_sample(x, g, mode=mode, padding_mode=padding_mode,
                                                align_corners=align_corners),
          randn(1, 1, 2, 3, 3), grid)  # fmt: skip


def test_grid_sample_errors():
    x, g = randn(1, 1, 2, 2), np.zeros((1, 1, 1, 3))
    check_error(lambda lib, x, g: _F(lib).grid_sample(x, g, align_corners=False), x, g)
    check_error(lambda lib, x: _F(lib).grid_sample(x, lib.zeros(1, 1, 1, 2, dtype=x.dtype),
                                                   mode="foo", align_corners=False), x)  # fmt: skip
    check_error(lambda lib, x: _F(lib).grid_sample(x, lib.zeros(1, 1, 1, 2, dtype=x.dtype),
                                                   padding_mode="foo"), x)  # fmt: skip
    check_error(lambda lib, x: _F(lib).grid_sample(x, lib.zeros(1, 1, 1, 1, 3, dtype=x.dtype),
                                                   mode="bicubic"), randn(1, 1, 2, 2, 2))  # fmt: skip
    check_error(lambda lib, x: _F(lib).grid_sample(x, lib.zeros(1, 1, 1, 2, dtype=x.dtype)),
                randn(2, 1, 2, 2))  # fmt: skip
    with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
        jtorch.nn.functional.grid_sample(jtorch.ones(1, 1, 2, 2), jtorch.zeros(1, 1, 1, 2))
