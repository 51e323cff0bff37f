"""Samples of the further distributions: shapes, dtypes, support, and the mean/variance of
20k draws within a few standard errors."""

import numpy as np
import pytest

import jtorch

SAMPLED = {
    "Cauchy": ("D.Cauchy(lib.tensor([0.0, 1.0]), 1.0)", None),
    "HalfNormal": ("D.HalfNormal(lib.tensor([1.0, 3.0]))", "moments"),
    "Geometric": ("D.Geometric(lib.tensor([0.3, 0.8]))", "moments"),
    "Gumbel": ("D.Gumbel(lib.tensor([0.0, 1.0]), lib.tensor([1.0, 2.0]))", "moments"),
    "Weibull": ("D.Weibull(lib.tensor([1.0, 2.0]), lib.tensor([1.5, 3.0]))", "moments"),
    "Pareto": ("D.Pareto(lib.tensor([1.0, 2.0]), lib.tensor([5.0, 6.0]))", None),
    "Multinomial": ("D.Multinomial(6, lib.tensor([0.2, 0.3, 0.5]))", "moments"),
    "NegativeBinomial": (
        "D.NegativeBinomial(lib.tensor([3.0, 9.0]), lib.tensor([0.3, 0.6]))",
        "moments",
    ),
    "InverseGamma": ("D.InverseGamma(lib.tensor([5.0, 9.0]), lib.tensor([1.0, 2.0]))", None),
    "FisherSnedecor": ("D.FisherSnedecor(lib.tensor([5.0, 9.0]), lib.tensor([20.0, 30.0]))", None),
    "Kumaraswamy": ("D.Kumaraswamy(lib.tensor([1.5, 3.0]), lib.tensor([2.0, 1.0]))", "moments"),
    "ContinuousBernoulli": ("D.ContinuousBernoulli(lib.tensor([0.2, 0.5, 0.9]))", "moments"),
    "RelaxedBernoulli": ("D.RelaxedBernoulli(lib.tensor(0.5), lib.tensor([0.2, 0.9]))", None),
    "RelaxedOneHot": ("D.RelaxedOneHotCategorical(lib.tensor(0.5), lib.tensor([0.2, 0.8]))", None),
    "LogisticNormal": ("D.LogisticNormal(lib.zeros(2), 1.0)", None),
    "LowRankMVN": (
        "D.LowRankMultivariateNormal(lib.zeros(2), lib.ones(2, 1), lib.ones(2))",
        "moments",
    ),
    "Mixture": (
        "D.MixtureSameFamily(D.Categorical(lib.tensor([0.3, 0.7])), D.Normal(lib.tensor([-1.0, 2.0]), 1.0))",
        "moments",
    ),
}


@pytest.mark.parametrize("name", sorted(SAMPLED))
def test_samples(name):
    code, stats = SAMPLED[name]
    jtorch.manual_seed(0)
    d = eval(code, {"lib": jtorch, "D": jtorch.distributions})
    s = d.sample((20000,))
    assert s.shape == (20000,) + d.batch_shape + d.event_shape and s.dtype == jtorch.float32
    assert bool(d.support.check(s).all())
    if stats:
        x = s.numpy().astype(np.float64)
        mean, var = d.mean.numpy(), d.variance.numpy()
        assert np.all(np.abs(x.mean(0) - mean) < 5 * np.sqrt(var / len(x)))
        assert np.all(np.abs(x.var(0) / var - 1) < 0.1)
    if d.has_rsample:
        assert d.rsample((2,)).shape == (2,) + d.batch_shape + d.event_shape


def test_von_mises_samples():
    jtorch.manual_seed(0)
    d = jtorch.distributions.VonMises(jtorch.tensor([0.5, -2.0]), jtorch.tensor([4.0, 0.5]))
    s = d.sample((20000,)).numpy().astype(np.float64)
    assert s.dtype == np.float64 and (np.abs(s) <= np.pi).all()
    # circular mean direction and mean resultant length 1 - variance
    resultant = np.exp(1j * s).mean(0)
    np.testing.assert_allclose(np.angle(resultant), [0.5, -2.0], atol=0.05)
    np.testing.assert_allclose(1 - np.abs(resultant), d.variance.numpy(), atol=0.02)


def test_lkj_and_wishart_samples():
    D = jtorch.distributions
    jtorch.manual_seed(0)
    L = D.LKJCholesky(3, jtorch.tensor([0.5, 3.0])).sample((500,))
    assert L.shape == (500, 2, 3, 3) and bool(D.constraints.corr_cholesky.check(L).all())
    cov = jtorch.tensor([[2.0, 0.3], [0.3, 1.0]])
    with pytest.warns(UserWarning, match="Singular sample detected"):  # as torch 2.13
        w = D.Wishart(jtorch.tensor(6.0), cov).rsample((5000,))
    assert bool(D.constraints.positive_definite.check(w).all())
    np.testing.assert_allclose(w.mean(0).numpy(), 6.0 * cov.numpy(), rtol=0.05, atol=0.05)


def test_generalized_pareto_samples():
    jtorch.manual_seed(0)
    d = jtorch.distributions.GeneralizedPareto(
        jtorch.tensor([0.0, 1.0]), jtorch.tensor([1.0, 2.0]), jtorch.tensor([0.1, -0.2])
    )
    s = d.rsample((20000,))
    assert bool(d.support.check(s).all())
    x = s.numpy().astype(np.float64)
    var = d.variance.numpy()
    assert np.all(np.abs(x.mean(0) - d.mean.numpy()) < 5 * np.sqrt(var / len(x)))
