"""AdamW: Adam with weight decay decoupled from the gradient (Loshchilov & Hutter).

Example:
    >>> p = jtorch.tensor([1.0], requires_grad=True)
    >>> opt = jtorch.optim.AdamW([p], lr=0.1, weight_decay=0.1)
    >>> p.sum().backward(); opt.step(); p
    tensor([0.8900], requires_grad=True)
"""

from __future__ import annotations

from jtorch._tensor import Tensor
from jtorch.optim.adam import Adam, adam

__all__ = ["AdamW", "adamw"]


class AdamW(Adam):
    """``torch.optim.AdamW``: ``Adam(..., decoupled_weight_decay=True)`` with decay 0.01."""

    def __init__(
        self,
        params,
        lr: float | Tensor = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            foreach=foreach,
            maximize=maximize,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=True,
        )

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True


def adamw(*args, **kwargs) -> None:
    """The AdamW update: ``adam(..., decoupled_weight_decay=True)``."""
    adam(*args, **kwargs, decoupled_weight_decay=True)
