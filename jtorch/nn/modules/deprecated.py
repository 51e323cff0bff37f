"""Deprecated layer names torch still exports: ``Container`` and ``NLLLoss2d``.

Example:
    >>> import jtorch
    >>> jtorch.nn.Container(fc=jtorch.nn.Linear(2, 1))
    Container(
      (fc): Linear(in_features=2, out_features=1, bias=True)
    )
"""

from __future__ import annotations

import warnings
from typing import Any

from jtorch.nn.modules.loss import NLLLoss
from jtorch.nn.modules.module import Module

__all__ = ["Container", "NLLLoss2d"]


class Container(Module):
    """A module holding the submodules given as keyword arguments (torch's legacy container)."""

    def __init__(self, **kwargs: Any) -> None:
        warnings.warn(
            "`nn.Container` is deprecated. All of its functionality is now implemented in "
            "`nn.Module`. Subclass that instead.",
            FutureWarning,
            stacklevel=2,
        )
        super().__init__()
        for key, value in kwargs.items():
            self.add_module(key, value)


class NLLLoss2d(NLLLoss):
    """``NLLLoss`` under its old name for ``(N, C, H, W)`` inputs.

    Example:
        >>> import jtorch
        >>> jtorch.nn.NLLLoss2d()(jtorch.zeros(1, 2, 1, 1), jtorch.zeros(1, 1, 1).long())
        tensor(0.)
    """

    def __init__(self, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                 reduction: str = "mean") -> None:  # fmt: skip
        warnings.warn(
            "`NLLLoss2d` has been deprecated. Please use `NLLLoss` instead as a drop-in "
            "replacement and see https://pytorch.org/docs/main/nn.html#torch.nn.NLLLoss for more "
            "details.",
            FutureWarning,
            stacklevel=2,
        )
        super().__init__(weight, size_average, ignore_index, reduce, reduction)
