"""The further distributions (Cauchy ... MixtureSameFamily) against torch: densities, moments,
entropies, cdf/icdf and gradients; sample shapes and moments."""

import numpy as np
import pytest
from oracle import check, rand, randn

POS = rand(3, low=0.5, high=2.0, seed=1)
POS2 = rand(3, low=0.5, high=2.0, seed=2)
BIG = rand(3, low=5.0, high=8.0, seed=3)
UNIT = rand(3, low=0.1, high=0.9, seed=4)
R = randn(3, seed=5)

# name -> (build(D, *params), params, value inside the support, properties to compare)
MOMENTS = ["mean", "variance", "entropy"]
CASES = {
    "Cauchy": (lambda D, a, b: D.Cauchy(a, b), (R, POS), R * 2, ["cdf", "icdf", "entropy"]),
    "HalfNormal": (lambda D, s: D.HalfNormal(s), (POS,), POS2, MOMENTS + ["cdf", "icdf"]),
    "HalfCauchy": (lambda D, s: D.HalfCauchy(s), (POS,), POS2, ["cdf", "icdf", "entropy"]),
    "Geometric": (lambda D, p: D.Geometric(p), (UNIT,), None, MOMENTS),
    "GeometricLogits": (lambda D, p: D.Geometric(logits=p), (R,), None, MOMENTS),
    "Gumbel": (lambda D, a, b: D.Gumbel(a, b), (R, POS), R, MOMENTS),
    "Weibull": (lambda D, a, b: D.Weibull(a, b), (POS, POS2), POS2, MOMENTS + ["cdf", "icdf"]),
    "Pareto": (lambda D, a, b: D.Pareto(a, b + 2), (POS, POS2), None, MOMENTS),
    "NegativeBinomial": (lambda D, n, p: D.NegativeBinomial(n, p), (BIG, UNIT), None, MOMENTS[:2]),
    "InverseGamma": (lambda D, a, b: D.InverseGamma(a + 2, b), (POS, POS2), POS2, MOMENTS),
    "FisherSnedecor": (lambda D, a, b: D.FisherSnedecor(a, b), (BIG, BIG), POS, MOMENTS[:2]),
    "Kumaraswamy": (lambda D, a, b: D.Kumaraswamy(a, b), (POS, POS2), UNIT, MOMENTS),
    # NOTE: probs away from 0.5, where float32 moments cancel catastrophically (torch's own
    # float32 mean gradient is 2% off there).
    "ContinuousBernoulli": (
        lambda D, p: D.ContinuousBernoulli(p),
        (rand(3, low=0.1, high=0.4, seed=4),),
        UNIT[::-1].copy(),
        MOMENTS + ["cdf", "icdf"],
    ),
    "LogNormalVia": (lambda D, a, b: D.LogNormal(a, b), (R, POS), POS2, ["cdf", "icdf"]),
}
INTEGER_VALUES = np.array([0.0, 2.0, 5.0])


def _d(lib, name, params):
    return CASES[name][0](lib.distributions, *params)


@pytest.mark.parametrize("name", sorted(CASES))
def test_log_prob(name):
    _, params, value, _ = CASES[name]
    if value is None:  # discrete, or a support that depends on the parameters
        if name == "Pareto":
            check(lambda lib, *p: _d(lib, name, p).log_prob(p[0] * 1.5), *params)
        else:
            check(
                lambda lib, *p: _d(lib, name, p).log_prob(
                    lib.tensor(INTEGER_VALUES, dtype=p[0].dtype)
                ),
                *params,
            )
        return
    check(lambda lib, v, *p: _d(lib, name, p).log_prob(v), value, *params)


@pytest.mark.parametrize(
    ("name", "prop"), [(n, p) for n in sorted(CASES) for p in CASES[n][3]], ids=str
)
def test_properties(name, prop):
    _, params, _, _ = CASES[name]

    def fn(lib, *p):
        d = _d(lib, name, p)
        if prop == "entropy":
            return d.entropy()
        if prop == "cdf":
            return d.cdf(d.icdf(lib.tensor(UNIT, dtype=p[0].dtype)) * 0.9)
        if prop == "icdf":
            return d.icdf(lib.tensor(UNIT, dtype=p[0].dtype))
        return getattr(d, prop)

    check(fn, *params)
