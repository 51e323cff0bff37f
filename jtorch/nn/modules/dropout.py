"""Dropout, Dropout1d/2d/3d, AlphaDropout, FeatureAlphaDropout (active only in training).

Example:
    >>> import jtorch
    >>> from jtorch import nn
    >>> jtorch.nn.Dropout(0.5).eval()(jtorch.ones(2))
    tensor([1., 1.])
"""

from __future__ import annotations

from jtorch._tensor import Tensor
from jtorch.nn import functional as F
from jtorch.nn.modules.module import Module

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout"]


class _DropoutNd(Module):
    fn = staticmethod(F.dropout)

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return self.fn(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Zero elements with probability ``p`` and scale the rest by ``1 / (1 - p)``."""


class Dropout1d(_DropoutNd):
    """Zero whole channels of ``(N, C, L)`` inputs."""

    fn = staticmethod(F.dropout1d)


class Dropout2d(_DropoutNd):
    """Zero whole channels of ``(N, C, H, W)`` inputs."""

    fn = staticmethod(F.dropout2d)


class Dropout3d(_DropoutNd):
    """Zero whole channels of ``(N, C, D, H, W)`` inputs."""

    fn = staticmethod(F.dropout3d)


class AlphaDropout(_DropoutNd):
    """Dropout that keeps SELU's self-normalising statistics."""

    fn = staticmethod(F.alpha_dropout)


class FeatureAlphaDropout(_DropoutNd):
    """Alpha dropout of whole channels."""

    fn = staticmethod(F.feature_alpha_dropout)
