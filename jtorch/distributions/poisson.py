"""``Poisson(rate)``: counts of events occurring at ``rate``.

Example:
    >>> import jtorch
    >>> from jtorch.distributions import Poisson
    >>> Poisson(jtorch.tensor([2.0])).log_prob(jtorch.tensor([3.0]))
    tensor([-1.7123])
"""

from __future__ import annotations

from numbers import Number

import jtorch
from jtorch._size import Size
from jtorch.distributions import constraints
from jtorch.distributions.exp_family import ExponentialFamily
from jtorch.distributions.utils import broadcast_all

__all__ = ["Poisson"]


class Poisson(ExponentialFamily):
    """Poisson distribution with mean ``rate``."""

    arg_constraints = {"rate": constraints.nonnegative}
    support = constraints.nonnegative_integer

    @property
    def mean(self):
        return self.rate

    @property
    def mode(self):
        return self.rate.floor()

    @property
    def variance(self):
        return self.rate

    def __init__(self, rate, validate_args=None) -> None:
        (self.rate,) = broadcast_all(rate)
        batch_shape = Size() if isinstance(rate, Number) else self.rate.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expanded(Poisson, batch_shape, ("rate",), _instance)

    def sample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        with jtorch.no_grad():
            return jtorch.poisson(self.rate.expand(shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        rate, value = broadcast_all(self.rate, value)
        return value.xlogy(rate) - rate - (value + 1).lgamma()

    @property
    def _natural_params(self):
        return (jtorch.log(self.rate),)

    def _log_normalizer(self, x):
        return jtorch.exp(x)
