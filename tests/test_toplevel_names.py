"""Top-level names torch users reach for: legacy linear-algebra functions, in-place special
functions, Tensor.polygamma's argument order, and the math constants."""

import math

import numpy as np
import pytest
from oracle import check, randn

import jtorch


def _spd(n: int, seed: int):
    a = randn(n, n, seed=seed)
    return a @ a.T + n * np.eye(n)


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, a, b: lib.cross(a, b, dim=1),
        lambda lib, a, b: lib.chain_matmul(a, b.T, a),
        lambda lib, a, b: lib.matrix_exp(a[:, :3] * 0.3),
        lambda lib, a, b: lib.triangular_solve(b, a.triu() + 3 * lib.eye(3, dtype=a.dtype))[0],
    ],
)
def test_legacy_linalg_at_top_level(fn):
    check(fn, randn(3, 3), randn(3, 3, seed=1))


def test_cholesky_family_at_top_level():
    spd = _spd(3, 2)
    # NOTE: cholesky reads one triangle; symmetrising makes gradcheck's perturbations valid
    check(lambda lib, a: lib.cholesky_inverse(lib.cholesky((a + a.T) / 2)), spd)
    check(lambda lib, a, b: lib.cholesky_solve(b, lib.cholesky((a + a.T) / 2)), spd,
          randn(3, 2, seed=3))  # fmt: skip
    check(lambda lib, a: lib.lu_unpack(*lib.linalg.lu_factor(a))[1], randn(3, 3, seed=4))


@pytest.mark.parametrize("name", ["i0_", "sinc_"])
def test_in_place_special_functions(name):
    check(lambda lib, x: getattr(lib, name)(x * 1), randn(4))


def test_xlogy_in_place_and_polygamma_method():
    check(lambda lib, x, y: lib.xlogy_(x * 1, y.abs() + 0.5), randn(4), randn(4, seed=1))
    check(lambda lib, x: (x.abs() + 0.5).polygamma(2), randn(4))
    check(lambda lib, x: (x.abs() + 0.5).polygamma_(1), randn(4), grad=False)


def test_constants():
    assert (jtorch.e, jtorch.pi, jtorch.inf) == (math.e, math.pi, math.inf)
    assert math.isnan(jtorch.nan) and jtorch.newaxis is None
