"""``ExponentialFamily``: entropy and KL through the log-normalizer (Bregman divergence).

Example:
    >>> import jtorch
    >>> from jtorch.distributions import Exponential
    >>> from jtorch.distributions.exp_family import ExponentialFamily
    >>> d = Exponential(jtorch.tensor([2.0]))
    >>> ExponentialFamily.entropy(d)
    tensor([0.3069], grad_fn=<SubBackward0>)
"""

from __future__ import annotations

import jtorch
from jtorch.distributions.distribution import Distribution

__all__ = ["ExponentialFamily"]


class ExponentialFamily(Distribution):
    """Distributions ``p(x) = h(x) exp(<t(x), theta> - F(theta))`` for natural parameters theta."""

    @property
    def _natural_params(self) -> tuple:
        raise NotImplementedError

    def _log_normalizer(self, *natural_params):
        raise NotImplementedError

    @property
    def _mean_carrier_measure(self) -> float:
        raise NotImplementedError

    def entropy(self):
        """``F(theta) - <theta, grad F(theta)> - E[log h(x)]``, with grad F by autograd."""
        result = -self._mean_carrier_measure
        nparams = [p.detach().requires_grad_() for p in self._natural_params]
        lg_normal = self._log_normalizer(*nparams)
        gradients = jtorch.autograd.grad(lg_normal.sum(), nparams, create_graph=True)
        result += lg_normal
        for nparam, g in zip(nparams, gradients):
            result -= (nparam * g).reshape(self._batch_shape + (-1,)).sum(-1)
        return result
