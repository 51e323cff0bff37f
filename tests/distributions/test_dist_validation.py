"""Distribution metadata against torch: reprs, validation errors (type and full message),
shapes, expand, supports and constraints."""

import pytest
from conftest import torch_oracle

import jtorch

torch = torch_oracle()

CASES = [
    "D.Normal(lib.tensor([0.,1.]), lib.tensor([1.,-1.]))",
    "D.Normal(0.0, -1.0)",
    "D.Normal(lib.tensor([0.,1.]), lib.tensor([1.,2.]))",
    "D.Normal(0., 1.)",
    "D.Normal(lib.tensor([0.,1.]), 1.)",
    "D.Normal(0., 1.).log_prob(lib.tensor(float('nan')))",
    "D.Bernoulli(0.3)",
    "D.Bernoulli(logits=lib.tensor([0.3]))",
    "D.Bernoulli(lib.tensor([1.3]))",
    "D.Bernoulli(0.3, 0.2)",
    "D.Bernoulli(lib.tensor([0.3])).log_prob(lib.tensor([0.5]))",
    "D.Categorical(lib.tensor([0.3, 0.7]))",
    "D.Categorical(lib.tensor([-0.3, 0.7]))",
    "D.Categorical(lib.tensor(0.3))",
    "D.Categorical(lib.tensor([0.3, 0.7])).log_prob(lib.tensor([2]))",
    "D.Uniform(0., 1.)",
    "D.Uniform(1., 0.)",
    "D.Uniform(0., 1.).log_prob(lib.tensor(2.0))",
    "D.Uniform(0., 1.).support",
    "D.Gamma(1., 2.)",
    "D.Beta(1., 2.)",
    "D.Beta(-1., 2.)",
    "D.Dirichlet(lib.tensor([1., -2.]))",
    "D.Dirichlet(lib.tensor([1., 2.]))",
    "D.Binomial(10, lib.tensor([0.5, 0.2]))",
    "D.Binomial(lib.tensor([2.5]), lib.tensor([0.5]))",
    "D.Binomial(10, lib.tensor([0.5])).log_prob(lib.tensor([11.]))",
    "D.Poisson(lib.tensor([-1.]))",
    "D.Poisson(lib.tensor([1.])).log_prob(lib.tensor([1.5]))",
    "D.StudentT(lib.tensor([2.]))",
    "D.StudentT(1.0)",
    "D.Exponential(lib.tensor([0.]))",
    "D.Laplace(0., 1.)",
    "D.LogNormal(0., 1.)",
    "D.LogNormal(0., -1.)",
    "D.Chi2(3.)",
    "D.OneHotCategorical(lib.tensor([0.3, 0.7]))",
    "D.MultivariateNormal(lib.zeros(2), lib.eye(2))",
    "D.Independent(D.Normal(lib.zeros(2), 1.), 1)",
    "D.TransformedDistribution(D.Normal(0., 1.), D.ExpTransform())",
    "D.Normal(lib.zeros(2), 1.).log_prob(lib.zeros(3))",
    "D.Normal(lib.zeros(2), 1.).log_prob(lib.zeros(2, 3))",
    "D.Normal(lib.zeros(2), 1.).log_prob(0.)",
    "D.Normal(lib.zeros(2), 1.).expand((3, 2))",
    "D.Normal(lib.zeros(2), 1.).expand((3, 3))",
    "D.Normal(lib.zeros(2), 1.).expand((3, 2)).batch_shape",
    "D.Normal(lib.zeros(2), 1.).sample((3,)).shape",
    "D.Bernoulli(lib.tensor([0.5, 0.2])).expand((3, 2)).sample().shape",
    "D.Normal(lib.zeros(2), 1.).arg_constraints",
    "D.Uniform(lib.zeros(2), 1.).arg_constraints",
    "D.Normal(lib.zeros(2), 1.).cdf(lib.tensor([0.]))",
    "D.constraints.interval(0, 1)",
    "D.constraints.positive_definite",
    "D.constraints.independent(D.constraints.real, 1)",
    "D.constraints.integer_interval(0, 3)",
    "D.constraints.simplex.check(lib.tensor([0.5, 0.5]))",
    "D.constraints.dependent",
    "D.Normal(0., 1.).mode",
    "D.Normal(0., 1.).perplexity()",
    "D.Normal(lib.zeros(2), 1.).has_rsample",
    "D.Gamma(1., 1.).has_rsample",
    "D.Bernoulli(0.5).has_rsample",
    "D.Beta(lib.tensor([1., 2.]), 1.)",
    "D.Normal(lib.zeros(2), 1.).enumerate_support()",
    "D.Categorical(lib.tensor([[0.2,0.8],[0.5,0.5]])).expand((3,2)).probs.shape",
    "D.StudentT(lib.tensor([0.5, 1.5, 3.])).mean",
    "D.StudentT(lib.tensor([0.5, 1.5, 3.])).variance",
    "D.Bernoulli(lib.tensor([0.5, 0.2])).mode",
    "D.Dirichlet(lib.tensor([[0.5, 0.5],[2.,3.]])).mode",
    "D.Binomial(lib.tensor([2., 3.]), lib.tensor([0.5, 0.2])).entropy()",
    "D.Binomial(lib.tensor([2., 3.]), lib.tensor([0.5, 0.2])).enumerate_support()",
    "D.MultivariateNormal(lib.zeros(2))",
    "D.MultivariateNormal(lib.zeros(2), lib.tensor([[1., 2.], [2., 1.]]))",
    "D.MultivariateNormal(lib.zeros(2), scale_tril=lib.tensor([[1., 2.], [2., 1.]]))",
    "D.Distribution.set_default_validate_args(3)",
    "D.Cauchy(0., -1.)",
    "D.Cauchy(lib.zeros(2), 1.)",
    "D.HalfNormal(-1.)",
    "D.HalfCauchy(lib.ones(2))",
    "D.Geometric(lib.tensor([0.]))",
    "D.Geometric(lib.tensor([1.5]))",
    "D.Geometric(logits=lib.zeros(2))",
    "D.Gumbel(0., 1.)",
    "D.Weibull(1., -2.)",
    "D.Pareto(1., 2.)",
    "D.Pareto(1., 2.).log_prob(lib.tensor(0.5))",
    "D.Multinomial(3, lib.tensor([0.2, 0.8]))",
    "D.Multinomial(lib.tensor(3), lib.tensor([0.2, 0.8]))",
    "D.Multinomial(3, lib.tensor([0.2, 0.8])).log_prob(lib.tensor([1., 1.]))",
    "D.NegativeBinomial(3., lib.tensor([1.0]))",
    "D.InverseGamma(1., 2.)",
    "D.FisherSnedecor(1., -2.)",
    "D.Kumaraswamy(1., 2.)",
    "D.ContinuousBernoulli(0.3)",
    "D.LogisticNormal(lib.zeros(2), 1.)",
    "D.RelaxedBernoulli(lib.tensor(0.5), probs=lib.tensor([0.2]))",
    "D.RelaxedOneHotCategorical(lib.tensor(0.5), lib.tensor([0.2, 0.8]))",
    "D.LowRankMultivariateNormal(lib.zeros(2), lib.ones(2, 1), lib.ones(2))",
    "D.LowRankMultivariateNormal(lib.zeros(2), lib.ones(3, 1), lib.ones(2))",
    "D.MixtureSameFamily(D.Categorical(lib.ones(3)), D.Normal(lib.zeros(2), 1.))",
    "D.MixtureSameFamily(lib.ones(3), D.Normal(lib.zeros(2), 1.))",
    "D.VonMises(lib.zeros(2), lib.ones(2))",
    "D.LKJCholesky(1)",
    "D.LKJCholesky(3, 0.5)",
    "D.Wishart(lib.tensor(1.), lib.eye(3))",
    "D.Wishart(lib.tensor(4.), lib.eye(3))",
    "D.GeneralizedPareto(0., 1., 0.1)",
    "D.Chi2(-1.)",
    "D.StudentT(2., 0., -1.)",
    "D.Independent(D.Normal(lib.zeros(2), 1.), 1).log_prob(lib.zeros(3))",
    "D.TransformedDistribution(D.Normal(0., 1.), 3)",
    "D.TransformedDistribution(D.Normal(0., 1.), [D.StickBreakingTransform()])",
]


def _run(lib, code):
    try:
        return repr(eval(code, {"lib": lib, "D": lib.distributions}))
    except Exception as e:  # noqa: BLE001 - the exception is the result being compared
        return f"{type(e).__name__}: {e}"


@pytest.mark.parametrize("code", CASES)
@pytest.mark.filterwarnings("ignore:Low df values")
def test_same_as_torch(code):
    assert _run(jtorch, code) == _run(torch, code)


def test_validation_message_text():
    with pytest.raises(ValueError) as info:
        jtorch.distributions.Normal(jtorch.tensor([0.0, 1.0]), jtorch.tensor([1.0, -1.0]))
    assert str(info.value) == (
        "Expected parameter scale (Tensor of shape (2,)) of distribution "
        "Normal(loc: torch.Size([2]), scale: torch.Size([2])) to satisfy the constraint "
        "GreaterThan(lower_bound=0.0), but found invalid values:\ntensor([ 1., -1.])"
    )


def test_set_default_validate_args():
    D = jtorch.distributions
    try:
        D.Distribution.set_default_validate_args(False)
        d = D.Normal(0.0, -1.0)  # no error
        assert d.scale.item() == -1.0
        assert D.Normal(0.0, 1.0).log_prob(jtorch.tensor(float("nan"))).isnan().item()
        with pytest.raises(ValueError):
            D.Normal(0.0, -1.0, validate_args=True)
    finally:
        D.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        D.Normal(0.0, -1.0)
    with pytest.raises(ValueError):
        D.Distribution.set_default_validate_args(3)


def test_sample_n_warns():
    with pytest.warns(FutureWarning, match="sample_n"):
        shape = jtorch.distributions.Normal(jtorch.zeros(2), 1.0).sample_n(3).shape
    assert shape == (3, 2)


def test_expanded_distributions_share_parameters():
    D = jtorch.distributions
    for d in [
        D.Normal(jtorch.zeros(2), 1.0),
        D.Gamma(jtorch.ones(2), 1.0),
        D.Beta(jtorch.ones(2), 1.0),
        D.Dirichlet(jtorch.ones(2, 3)),
        D.Bernoulli(logits=jtorch.zeros(2)),
        D.Binomial(3, jtorch.full((2,), 0.5)),
        D.Categorical(jtorch.ones(2, 3)),
        D.OneHotCategorical(jtorch.ones(2, 3)),
        D.Poisson(jtorch.ones(2)),
        D.StudentT(jtorch.ones(2)),
        D.Exponential(jtorch.ones(2)),
        D.Laplace(jtorch.zeros(2), 1.0),
        D.LogNormal(jtorch.zeros(2), 1.0),
        D.Chi2(jtorch.ones(2)),
        D.Uniform(jtorch.zeros(2), 1.0),
        D.MultivariateNormal(jtorch.zeros(2, 3), jtorch.eye(3)),
    ]:
        e = d.expand((4, 2))
        assert type(e) is type(d) and e.batch_shape == (4, 2) and e.event_shape == d.event_shape
        assert e.sample().shape == (4, 2) + tuple(d.event_shape)
        assert e.log_prob(e.sample()).shape == (4, 2)
