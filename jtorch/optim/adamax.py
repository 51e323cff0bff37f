"""Adamax: Adam with the infinity norm in place of the second moment.

Example:
    >>> p = jtorch.tensor([1.0], requires_grad=True)
    >>> opt = jtorch.optim.Adamax([p], lr=0.1)
    >>> p.sum().backward(); opt.step(); p
    tensor([0.9000], requires_grad=True)
"""

from __future__ import annotations

from jtorch._tensor import Tensor
from jtorch.backend import get_array_module
from jtorch.ops._fused import add_scaled, as_scalar
from jtorch.optim.optimizer import (
    Optimizer,
    addcdiv_,
    check_hyperparameters,
    lerp_,
    params_with_grad,
    scalar_value,
    step_tensor,
    zeros_state,
)

__all__ = ["Adamax", "adamax"]


class Adamax(Optimizer):
    """``torch.optim.Adamax``."""

    def __init__(
        self,
        params,
        lr: float | Tensor = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        check_hyperparameters(lr, eps, betas, weight_decay)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
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
                    state["exp_avg"] = zeros_state(p)
                    state["exp_inf"] = zeros_state(p)
            states = [self.state[p] for p in params]
            beta1, beta2 = group["betas"]
            adamax(
                params,
                [p.grad for p in params],
                [s["exp_avg"] for s in states],
                [s["exp_inf"] for s in states],
                [s["step"] for s in states],
                eps=group["eps"],
                beta1=beta1,
                beta2=beta2,
                lr=group["lr"],
                weight_decay=group["weight_decay"],
                maximize=group["maximize"],
            )
        return loss


def adamax(
    params: list[Tensor],
    grads: list[Tensor],
    exp_avgs: list[Tensor],
    exp_infs: list[Tensor],
    state_steps: list[Tensor],
    *,
    eps: float,
    beta1: float,
    beta2: float,
    lr: float | Tensor,
    weight_decay: float,
    maximize: bool,
) -> None:
    """The Adamax update (``torch.optim.adamax.adamax``).

    Example:
        >>> p = jtorch.ones(1)
        >>> adamax([p], [jtorch.ones(1)], [jtorch.zeros(1)], [jtorch.zeros(1)],
        ...     [jtorch.tensor(0.0)], eps=1e-8, beta1=0.9, beta2=0.999, lr=0.1, weight_decay=0,
        ...     maximize=False); p
        tensor([0.9000])
    """
    lr = scalar_value(lr)
    for i, p in enumerate(params):
        param = p._array
        xp = get_array_module(param)
        step_t = state_steps[i]._array
        step_t += 1
        grad = -grads[i]._array if maximize else grads[i]._array
        if weight_decay != 0:
            grad = add_scaled(grad, param, weight_decay)
        exp_avg, exp_inf = exp_avgs[i]._array, exp_infs[i]._array
        lerp_(exp_avg, grad, 1 - beta1)
        exp_inf *= as_scalar(beta2, exp_inf)
        norm = xp.abs(grad)
        norm += as_scalar(eps, norm)
        xp.maximum(exp_inf, norm, out=exp_inf)
        clr = lr / (1 - beta1 ** float(step_t))
        addcdiv_(param, exp_avg, exp_inf, -clr)
        p._bump()
