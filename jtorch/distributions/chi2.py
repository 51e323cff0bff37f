"""``Chi2(df)``: the chi-squared distribution, ``Gamma(df / 2, 1 / 2)``.

Example:
    >>> import jtorch
    >>> from jtorch.distributions import Chi2
    >>> Chi2(jtorch.tensor([3.0])).mean, Chi2(jtorch.tensor([3.0])).variance
    (tensor([3.]), tensor([6.]))
"""

from __future__ import annotations

from jtorch.distributions import constraints
from jtorch.distributions.gamma import Gamma

__all__ = ["Chi2"]


class Chi2(Gamma):
    """Chi-squared distribution with ``df`` degrees of freedom: ``Gamma(df / 2, 1 / 2)``."""

    arg_constraints = {"df": constraints.positive}

    def __init__(self, df, validate_args=None) -> None:
        super().__init__(0.5 * df, 0.5, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Chi2, _instance)
        return super().expand(batch_shape, new)

    @property
    def df(self):
        return self.concentration * 2
