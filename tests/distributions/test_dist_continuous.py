"""Continuous univariate distributions against torch.distributions: densities, moments,
entropies, cdf/icdf, and their gradients wrt parameters and values."""

import numpy as np
import pytest
from oracle import check, rand, randn

# name -> (constructor(lib, *params), parameter arrays, value array inside the support)
POS = rand(3, low=0.5, high=2.0, seed=1)
POS2 = rand(3, low=0.5, high=2.0, seed=2)
UNIT = rand(3, low=0.1, high=0.9, seed=3)
CASES = {
    "Normal": (lambda D, a, b: D.Normal(a, b), (randn(3), POS), randn(3, seed=4)),
    "Uniform": (lambda D, a, b: D.Uniform(a, a + b), (randn(3), POS), None),
    "Exponential": (lambda D, a: D.Exponential(a), (POS,), POS2),
    "Laplace": (lambda D, a, b: D.Laplace(a, b), (randn(3), POS), randn(3, seed=4)),
    "LogNormal": (lambda D, a, b: D.LogNormal(a, b), (randn(3), POS), POS2),
    "StudentT": (lambda D, d, a, b: D.StudentT(d + 2, a, b), (POS, randn(3), POS2), randn(3)),
    "Gamma": (lambda D, a, b: D.Gamma(a, b), (POS, POS2), rand(3, low=0.2, high=3, seed=5)),
    "Chi2": (lambda D, a: D.Chi2(a), (POS,), POS2),
    "Beta": (lambda D, a, b: D.Beta(a, b), (POS, POS2), UNIT),
}


def _dist(lib, name, params):
    return CASES[name][0](lib.distributions, *params)


@pytest.mark.parametrize("name", sorted(CASES))
def test_log_prob(name):
    _, params, value = CASES[name]
    if name == "Uniform":  # the value depends on the parameters: half-way up the interval
        check(lambda lib, a, b: _dist(lib, name, (a, b)).log_prob(a + b / 2), *params)
        return
    check(lambda lib, v, *p: _dist(lib, name, p).log_prob(v), value, *params)


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("prop", ["mean", "variance", "stddev", "entropy", "mode"])
def test_moments_and_entropy(name, prop):
    _, params, _ = CASES[name]

    def fn(lib, *p):
        d = _dist(lib, name, p)
        return d.entropy() if prop == "entropy" else getattr(d, prop)

    # NOTE: Uniform's mode is NaN everywhere and Chi2/Gamma's mode clamps: no gradient check.
    check(fn, *params, grad=prop != "mode")


@pytest.mark.parametrize("name", ["Normal", "Uniform", "Exponential", "Laplace", "LogNormal"])
def test_cdf_icdf(name):
    _, params, value = CASES[name]
    if name == "Uniform":
        check(lambda lib, a, b: _dist(lib, name, (a, b)).cdf(a + b / 3), *params)
    else:
        check(lambda lib, v, *p: _dist(lib, name, p).cdf(v), value, *params)
    check(lambda lib, q, *p: _dist(lib, name, p).icdf(q), UNIT, *params)


def test_gamma_cdf():
    check(lambda lib, v, a, b: lib.distributions.Gamma(a, b).cdf(v), POS, POS2, UNIT, grad=False)


def test_broadcast_parameters_and_scalars():
    check(lambda lib, v: lib.distributions.Normal(0.5, 2.0).log_prob(v), randn(2, 3))
    check(lambda lib, a: lib.distributions.Normal(a, 1.0).log_prob(a * 0), randn(2, 3))
    check(lambda lib, a, v: lib.distributions.Gamma(a, 2.0).log_prob(v), POS, POS2)
    check(lambda lib, v: lib.distributions.Beta(2.0, 3.0).log_prob(v), UNIT)


def test_out_of_support_log_prob_without_validation():
    def fn(lib, v):
        d = lib.distributions
        return (
            d.Uniform(0.0, 1.0, validate_args=False).log_prob(v),
            d.Exponential(2.0, validate_args=False).log_prob(v),
        )

    check(fn, np.array([-0.5, 0.5, 1.5]), grad=False)
