"""``Laplace(loc, scale)``: the double-exponential distribution.

Example:
    >>> import jtorch
    >>> from jtorch.distributions import Laplace
    >>> Laplace(0.0, 1.0).cdf(jtorch.tensor(0.0))
    tensor(0.5000)
    >>> Laplace(0.0, 2.0).log_prob(jtorch.tensor(1.0))
    tensor(-1.8863)
"""

from __future__ import annotations

from numbers import Number

import jtorch
from jtorch._size import Size
from jtorch.distributions import constraints
from jtorch.distributions.distribution import Distribution
from jtorch.distributions.utils import broadcast_all

__all__ = ["Laplace"]


class Laplace(Distribution):
    """Laplace distribution with location ``loc`` and scale ``scale``."""

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        return 2 * self.scale.pow(2)

    @property
    def stddev(self):
        return (2**0.5) * self.scale

    def __init__(self, loc, scale, validate_args=None) -> None:
        self.loc, self.scale = broadcast_all(loc, scale)
        if isinstance(loc, Number) and isinstance(scale, Number):
            batch_shape = Size()
        else:
            batch_shape = self.loc.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expanded(Laplace, batch_shape, ("loc", "scale"), _instance)

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        finfo = jtorch.finfo(self.loc.dtype)
        u = self.loc.new_empty(shape).uniform_(finfo.eps - 1, 1)
        # NOTE: u ranges in (-1, 1) and never -1, so log1p(-|u|) is finite.
        return self.loc - self.scale * u.sign() * jtorch.log1p(-u.abs())

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return -jtorch.log(2 * self.scale) - jtorch.abs(value - self.loc) / self.scale

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 0.5 - 0.5 * (value - self.loc).sign() * jtorch.expm1(
            -(value - self.loc).abs() / self.scale
        )

    def icdf(self, value):
        term = value - 0.5
        return self.loc - self.scale * term.sign() * jtorch.log1p(-2 * term.abs())

    def entropy(self):
        return 1 + jtorch.log(2 * self.scale)
