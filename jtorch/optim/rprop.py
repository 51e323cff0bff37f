"""Rprop: resilient backpropagation, per-weight step sizes driven by gradient signs.

Example:
    >>> p = jtorch.tensor([1.0], requires_grad=True)
    >>> opt = jtorch.optim.Rprop([p], lr=0.1)
    >>> p.sum().backward(); opt.step(); p
    tensor([0.9000], requires_grad=True)
"""

from __future__ import annotations

from jtorch._tensor import Tensor
from jtorch.backend import get_array_module
from jtorch.ops._fused import as_scalar
from jtorch.optim.optimizer import (
    Optimizer,
    check_tensor_lr,
    params_with_grad,
    scalar_value,
    step_tensor,
    zeros_state,
)

__all__ = ["Rprop", "rprop"]


class Rprop(Optimizer):
    """``torch.optim.Rprop``."""

    def __init__(
        self,
        params,
        lr: float | Tensor = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50),
        *,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = {
            "lr": lr,
            "etas": etas,
            "step_sizes": step_sizes,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns ``closure()``'s loss if given."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            params = params_with_grad(group)
            for p in params:
                state = self.state[p]
                if not state:
                    state["step"] = step_tensor()
                    state["prev"] = zeros_state(p)
                    xp = get_array_module(p._array)
                    lr = scalar_value(group["lr"])
                    state["step_size"] = Tensor._make(xp.full_like(p.grad._array, lr))
            states = [self.state[p] for p in params]
            etaminus, etaplus = group["etas"]
            step_size_min, step_size_max = group["step_sizes"]
            rprop(
                params,
                [p.grad for p in params],
                [s["prev"] for s in states],
                [s["step_size"] for s in states],
                [s["step"] for s in states],
                step_size_min=step_size_min,
                step_size_max=step_size_max,
                etaminus=etaminus,
                etaplus=etaplus,
                maximize=group["maximize"],
            )
        return loss


def rprop(
    params: list[Tensor],
    grads: list[Tensor],
    prevs: list[Tensor],
    step_sizes: list[Tensor],
    state_steps: list[Tensor],
    *,
    step_size_min: float,
    step_size_max: float,
    etaminus: float,
    etaplus: float,
    maximize: bool,
) -> None:
    """The Rprop update (``torch.optim.rprop.rprop``).

    Example:
        >>> p = jtorch.ones(1)
        >>> rprop([p], [jtorch.ones(1)], [jtorch.zeros(1)], [jtorch.full((1,), 0.1)],
        ...     [jtorch.tensor(0.0)], step_size_min=1e-6, step_size_max=50, etaminus=0.5,
        ...     etaplus=1.2, maximize=False); p
        tensor([0.9000])
    """
    for i, p in enumerate(params):
        param = p._array
        xp = get_array_module(param)
        grad = -grads[i]._array if maximize else grads[i]._array
        prev, step_size = prevs[i]._array, step_sizes[i]._array
        step_t = state_steps[i]._array
        step_t += 1
        sign = xp.sign(grad * prev)
        factor = xp.where(
            sign > 0,
            as_scalar(etaplus, step_size),
            xp.where(sign < 0, as_scalar(etaminus, step_size), as_scalar(1, step_size)),
        )
        step_size *= factor
        xp.clip(step_size, step_size_min, step_size_max, out=step_size)
        grad = xp.where(sign < 0, as_scalar(0, grad), grad)
        update = xp.sign(grad)
        update *= step_size
        param -= update
        prev[...] = grad
        p._bump()
