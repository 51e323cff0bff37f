"""``Gamma(concentration, rate)``: the gamma distribution.

Samples are reparameterised: gradients reach ``concentration`` through torch's implicit
standard-gamma derivative (see ``jtorch.distributions._sampling``).

Example:
    >>> import jtorch
    >>> from jtorch.distributions import Gamma
    >>> Gamma(jtorch.tensor([2.0]), jtorch.tensor([3.0])).log_prob(jtorch.tensor([1.0]))
    tensor([-0.8028])
"""

from __future__ import annotations

from numbers import Number

import jtorch
from jtorch._size import Size
from jtorch.distributions import constraints
from jtorch.distributions._sampling import _standard_gamma
from jtorch.distributions.exp_family import ExponentialFamily
from jtorch.distributions.utils import broadcast_all

__all__ = ["Gamma"]


class Gamma(ExponentialFamily):
    """Gamma distribution with shape ``concentration`` and inverse scale ``rate``."""

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _mean_carrier_measure = 0

    @property
    def mean(self):
        return self.concentration / self.rate

    @property
    def mode(self):
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self):
        return self.concentration / self.rate.pow(2)

    def __init__(self, concentration, rate, validate_args=None) -> None:
        self.concentration, self.rate = broadcast_all(concentration, rate)
        if isinstance(concentration, Number) and isinstance(rate, Number):
            batch_shape = Size()
        else:
            batch_shape = self.concentration.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expanded(Gamma, batch_shape, ("concentration", "rate"), _instance)

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        value = _standard_gamma(self.concentration.expand(shape)) / self.rate.expand(shape)
        value.detach().clamp_(min=jtorch.finfo(value.dtype).tiny)  # do not record in autograd
        return value

    def log_prob(self, value):
        value = jtorch.as_tensor(value, dtype=self.rate.dtype, device=self.rate.device)
        if self._validate_args:
            self._validate_sample(value)
        return (
            jtorch.xlogy(self.concentration, self.rate)
            + jtorch.xlogy(self.concentration - 1, value)
            - self.rate * value
            - jtorch.lgamma(self.concentration)
        )

    def entropy(self):
        return (
            self.concentration
            - jtorch.log(self.rate)
            + jtorch.lgamma(self.concentration)
            + (1.0 - self.concentration) * jtorch.digamma(self.concentration)
        )

    @property
    def _natural_params(self):
        return (self.concentration - 1, -self.rate)

    def _log_normalizer(self, x, y):
        return jtorch.lgamma(x + 1) + (x + 1) * jtorch.log(-y.reciprocal())

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return jtorch.special.gammainc(self.concentration, self.rate * value)
