"""``jtorch.distributions``: probability distributions with sampling, log-densities and KL.

The API is ``torch.distributions``: every distribution has ``batch_shape``/``event_shape``,
``sample``/``rsample`` (reparameterised where torch has it), ``log_prob``, ``entropy``,
``mean``/``variance``/``stddev``, ``cdf``/``icdf`` where defined, ``expand``, ``support`` and
``arg_constraints``; ``validate_args`` raises torch's ValueErrors. Samples drawn with jtorch's
generator equal torch's for the samplers built on ``rand``/``randn``/``bernoulli``/
``multinomial``/``exponential_`` (Normal, Uniform, Bernoulli, Categorical, Exponential,
MultivariateNormal, ...); gamma-based (Gamma, Beta, Dirichlet, StudentT, ...), Poisson and
binomial draws come from ``_sampling`` (deterministic under ``manual_seed``, not torch's numbers),
with torch's reparameterised gradients. ``biject_to``/``transform_to`` map unconstrained space
onto a constraint's set; ``kl_divergence`` covers every pair torch registers.

Example:
    >>> import jtorch
    >>> from jtorch.distributions import Normal, kl_divergence
    >>> loc = jtorch.tensor([0.0, 1.0], requires_grad=True)
    >>> d = Normal(loc, jtorch.tensor([1.0, 2.0]))
    >>> d.log_prob(jtorch.tensor([0.5, 0.5]))
    tensor([-1.0439, -1.6433], grad_fn=<SubBackward0>)
    >>> kl_divergence(d, Normal(0.0, 1.0))
    tensor([0.0000, 1.3069], grad_fn=<MulBackward0>)
"""

from jtorch.distributions import constraints, transforms
from jtorch.distributions.bernoulli import Bernoulli
from jtorch.distributions.beta import Beta
from jtorch.distributions.binomial import Binomial
from jtorch.distributions.categorical import Categorical
from jtorch.distributions.cauchy import Cauchy
from jtorch.distributions.chi2 import Chi2
from jtorch.distributions.constraint_registry import biject_to, transform_to
from jtorch.distributions.continuous_bernoulli import ContinuousBernoulli
from jtorch.distributions.dirichlet import Dirichlet
from jtorch.distributions.distribution import Distribution
from jtorch.distributions.exp_family import ExponentialFamily
from jtorch.distributions.exponential import Exponential
from jtorch.distributions.fishersnedecor import FisherSnedecor
from jtorch.distributions.gamma import Gamma
from jtorch.distributions.generalized_pareto import GeneralizedPareto
from jtorch.distributions.geometric import Geometric
from jtorch.distributions.gumbel import Gumbel
from jtorch.distributions.half_cauchy import HalfCauchy
from jtorch.distributions.half_normal import HalfNormal
from jtorch.distributions.independent import Independent
from jtorch.distributions.inverse_gamma import InverseGamma
from jtorch.distributions.kl import kl_divergence, register_kl
from jtorch.distributions.kumaraswamy import Kumaraswamy
from jtorch.distributions.laplace import Laplace
from jtorch.distributions.lkj_cholesky import LKJCholesky
from jtorch.distributions.log_normal import LogNormal
from jtorch.distributions.logistic_normal import LogisticNormal
from jtorch.distributions.lowrank_multivariate_normal import LowRankMultivariateNormal
from jtorch.distributions.mixture_same_family import MixtureSameFamily
from jtorch.distributions.multinomial import Multinomial
from jtorch.distributions.multivariate_normal import MultivariateNormal
from jtorch.distributions.negative_binomial import NegativeBinomial
from jtorch.distributions.normal import Normal
from jtorch.distributions.one_hot_categorical import (
    OneHotCategorical,
    OneHotCategoricalStraightThrough,
)
from jtorch.distributions.pareto import Pareto
from jtorch.distributions.poisson import Poisson
from jtorch.distributions.relaxed_bernoulli import LogitRelaxedBernoulli, RelaxedBernoulli
from jtorch.distributions.relaxed_categorical import (
    ExpRelaxedCategorical,
    RelaxedOneHotCategorical,
)
from jtorch.distributions.studentT import StudentT
from jtorch.distributions.transformed_distribution import TransformedDistribution
from jtorch.distributions.transforms import *  # noqa: F403
from jtorch.distributions.uniform import Uniform
from jtorch.distributions.von_mises import VonMises
from jtorch.distributions.weibull import Weibull
from jtorch.distributions.wishart import Wishart

__all__ = [
    "Bernoulli",
    "Beta",
    "Binomial",
    "Categorical",
    "Cauchy",
    "Chi2",
    "ContinuousBernoulli",
    "Dirichlet",
    "Distribution",
    "ExpRelaxedCategorical",
    "Exponential",
    "ExponentialFamily",
    "FisherSnedecor",
    "Gamma",
    "Wishart",
    "VonMises",
    "LKJCholesky",
    "GeneralizedPareto",
    "Geometric",
    "Gumbel",
    "HalfCauchy",
    "HalfNormal",
    "Independent",
    "InverseGamma",
    "Kumaraswamy",
    "Laplace",
    "LogNormal",
    "LogisticNormal",
    "LogitRelaxedBernoulli",
    "LowRankMultivariateNormal",
    "MixtureSameFamily",
    "Multinomial",
    "MultivariateNormal",
    "NegativeBinomial",
    "Normal",
    "OneHotCategorical",
    "OneHotCategoricalStraightThrough",
    "Pareto",
    "Poisson",
    "RelaxedBernoulli",
    "RelaxedOneHotCategorical",
    "StudentT",
    "TransformedDistribution",
    "Uniform",
    "Weibull",
    "biject_to",
    "constraints",
    "kl_divergence",
    "register_kl",
    "transform_to",
    "transforms",
]
__all__.extend(transforms.__all__)
