"""kl_divergence against torch for the registered pairs, dispatch and register_kl."""

import numpy as np
import pytest
from conftest import torch_oracle
from oracle import check, rand, randn

import jtorch

torch = torch_oracle()
P1 = rand(3, low=0.5, high=2.0, seed=1)
P2 = rand(3, low=0.5, high=2.0, seed=2)
P3 = rand(3, low=0.5, high=2.0, seed=3)
P4 = rand(3, low=0.5, high=2.0, seed=4)
U1 = rand(3, low=0.1, high=0.9, seed=5)
U2 = rand(3, low=0.1, high=0.9, seed=6)
R1, R2 = randn(3, seed=7), randn(3, seed=8)

# name -> (build(D, a, b), params a, build(D, c, d), params c)
FAMILIES = {
    "Normal": (lambda D, a, b: D.Normal(a, b), (R1, P1)),
    "Laplace": (lambda D, a, b: D.Laplace(a, b), (R1, P1)),
    "Exponential": (lambda D, a: D.Exponential(a), (P1,)),
    "Gamma": (lambda D, a, b: D.Gamma(a, b), (P1, P2)),
    "Beta": (lambda D, a, b: D.Beta(a, b), (P1, P2)),
    "Uniform": (lambda D, a, b: D.Uniform(a * 0.1, 0.5 + b * 0.2), (U1, P1)),
    "Bernoulli": (lambda D, p: D.Bernoulli(p), (U1,)),
    "Poisson": (lambda D, r: D.Poisson(r), (P1,)),
    "Binomial": (lambda D, p: D.Binomial(5, p), (U1,)),
    "Categorical": (lambda D, a: D.Categorical(a.reshape(1, 3)), (P1,)),
    "OneHotCategorical": (lambda D, a: D.OneHotCategorical(logits=a), (R1,)),
    "Dirichlet": (lambda D, a: D.Dirichlet(a), (P1,)),
    "LogNormal": (lambda D, a, b: D.LogNormal(a, b), (R1, P1)),
    "Independent": (lambda D, a, b: D.Independent(D.Normal(a, b), 1), (R1, P1)),
    "Chi2": (lambda D, a: D.Chi2(a), (P1,)),
    "Cauchy": (lambda D, a, b: D.Cauchy(a, b), (R1, P1)),
    "ContinuousBernoulli": (lambda D, p: D.ContinuousBernoulli(p), (U1 * 0.4,)),
    "Geometric": (lambda D, p: D.Geometric(p), (U1,)),
    "Gumbel": (lambda D, a, b: D.Gumbel(a, b), (R1, P1)),
    "HalfNormal": (lambda D, s: D.HalfNormal(s), (P1,)),
    "Pareto": (lambda D, a, b: D.Pareto(a, b + 2), (P1, P2)),
    "LowRankMultivariateNormal": (
        lambda D, a, b: D.LowRankMultivariateNormal(a, b.reshape(3, 1), b),
        (R1, P1),
    ),
    "MultivariateNormal": (
        lambda D, a, b: D.MultivariateNormal(a, scale_tril=b.diag_embed()),
        (R1, P1),
    ),
}
SECOND = {  # other parameters for q
    "Normal": (R2, P2),
    "Laplace": (R2, P2),
    "Exponential": (P2,),
    "Gamma": (P3, P4),
    "Beta": (P3, P4),
    "Uniform": (U2 * 0, P2 + 3),
    "Bernoulli": (U2,),
    "Poisson": (P2,),
    "Binomial": (U2,),
    "Categorical": (P2,),
    "OneHotCategorical": (R2,),
    "Dirichlet": (P2,),
    "LogNormal": (R2, P2),
    "Independent": (R2, P2),
    "Chi2": (P2,),
    "Cauchy": (R2, P2),
    "ContinuousBernoulli": (U2 * 0.4,),
    "Geometric": (U2,),
    "Gumbel": (R2, P2),
    "HalfNormal": (P2,),
    "Pareto": (P3 * 0.3, P4),  # q.scale < p.scale: a finite KL
    "LowRankMultivariateNormal": (R2, P2),
    "MultivariateNormal": (R2, P2),
}
SAME = [(name, name) for name in FAMILIES]
# every pair torch registers whose two families are built above (and Chi2 through Gamma's)
CROSS = sorted(
    (p.__name__, q.__name__)
    for p, q in torch.distributions.kl._KL_REGISTRY
    if p is not q and p.__name__ in FAMILIES and q.__name__ in FAMILIES
) + [("Chi2", "Gamma")]


@pytest.mark.parametrize(("p", "q"), SAME + CROSS, ids=lambda x: x)
def test_kl(p, q):
    fp, pp = FAMILIES[p]
    fq, _ = FAMILIES[q]
    qp = SECOND[q]
    n = len(pp)

    def fn(lib, *params):
        D = lib.distributions
        return D.kl_divergence(fp(D, *params[:n]), fq(D, *params[n:]))

    # NOTE: infinite KLs have NaN-free zero gradients in both; Uniform supports have kinks.
    check(fn, *pp, *qp, gradcheck=q != "Uniform" and p != "Uniform")


def test_mvn_kl():
    a = randn(2, 3, 3, seed=9)
    cov = a @ a.transpose(0, 2, 1) + 2 * np.eye(3)

    def fn(lib, l1, l2, c):
        D = lib.distributions
        c = (c + c.mT) / 2
        p = D.MultivariateNormal(l1, covariance_matrix=c)
        q = D.MultivariateNormal(
            l2, scale_tril=lib.linalg.cholesky(c[0] + lib.eye(3, dtype=c.dtype))
        )
        return D.kl_divergence(p, q)

    check(fn, randn(2, 3), randn(3, seed=1), cov)


def test_not_implemented_and_infinite():
    D = jtorch.distributions
    with pytest.raises(NotImplementedError, match="No KL\\(p \\|\\| q\\) is implemented"):
        D.kl_divergence(D.MultivariateNormal(jtorch.zeros(2), jtorch.eye(2)), D.Normal(0.0, 1.0))
    kl = D.kl_divergence(D.Normal(0.0, 1.0), D.Uniform(0.0, 1.0))
    assert kl.item() == float("inf")
    kl = D.kl_divergence(D.Uniform(0.0, 2.0), D.Uniform(0.5, 1.0))
    assert kl.item() == float("inf")


def test_register_kl_dispatch():
    D = jtorch.distributions

    class MyNormal(D.Normal):
        pass

    # subclasses fall back to the parent's pair
    assert D.kl_divergence(MyNormal(0.0, 1.0), D.Normal(0.0, 1.0)).item() == 0.0

    @D.register_kl(MyNormal, D.Normal)
    def _kl(p, q):
        return jtorch.tensor(42.0)

    assert D.kl_divergence(MyNormal(0.0, 1.0), MyNormal(0.0, 1.0)).item() == 42.0
    assert D.kl_divergence(D.Normal(0.0, 1.0), MyNormal(1.0, 1.0)).item() == 0.5
