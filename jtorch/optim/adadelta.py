"""Adadelta: learning rates from running averages of squared gradients and squared updates.

Example:
    >>> p = jtorch.tensor([1.0], requires_grad=True)
    >>> opt = jtorch.optim.Adadelta([p])
    >>> p.sum().backward(); opt.step(); p
    tensor([0.9968], requires_grad=True)
"""

from __future__ import annotations

from jtorch._tensor import Tensor
from jtorch.backend import get_array_module
from jtorch.ops._fused import add_scaled, as_scalar
from jtorch.optim.optimizer import (
    Optimizer,
    addcmul_,
    check_tensor_lr,
    params_with_grad,
    scalar_value,
    step_tensor,
    zeros_state,
)

__all__ = ["Adadelta", "adadelta"]


class Adadelta(Optimizer):
    """``torch.optim.Adadelta``."""

    def __init__(
        self,
        params,
        lr: float | Tensor = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {
            "lr": lr,
            "rho": rho,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "capturable": capturable,
            "foreach": foreach,
            "differentiable": differentiable,
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
                    state["square_avg"] = zeros_state(p)
                    state["acc_delta"] = zeros_state(p)
            states = [self.state[p] for p in params]
            adadelta(
                params,
                [p.grad for p in params],
                [s["square_avg"] for s in states],
                [s["acc_delta"] for s in states],
                [s["step"] for s in states],
                lr=group["lr"],
                rho=group["rho"],
                eps=group["eps"],
                weight_decay=group["weight_decay"],
                maximize=group["maximize"],
            )
        return loss


def adadelta(
    params: list[Tensor],
    grads: list[Tensor],
    square_avgs: list[Tensor],
    acc_deltas: list[Tensor],
    state_steps: list[Tensor],
    *,
    lr: float | Tensor,
    rho: float,
    eps: float,
    weight_decay: float,
    maximize: bool,
) -> None:
    """The Adadelta update (``torch.optim.adadelta.adadelta``).

    Example:
        >>> p = jtorch.ones(1)
        >>> adadelta([p], [jtorch.ones(1)], [jtorch.zeros(1)], [jtorch.zeros(1)],
        ...     [jtorch.tensor(0.0)], lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, maximize=False)
        >>> p
        tensor([0.9968])
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
        square_avg, acc_delta = square_avgs[i]._array, acc_deltas[i]._array
        square_avg *= as_scalar(rho, square_avg)
        addcmul_(square_avg, grad, grad, 1 - rho)
        e = as_scalar(eps, square_avg)
        std = xp.sqrt(square_avg + e)
        delta = xp.sqrt(acc_delta + e)
        delta /= std
        delta *= grad
        acc_delta *= as_scalar(rho, acc_delta)
        addcmul_(acc_delta, delta, delta, 1 - rho)
        add_scaled(param, delta, -lr, out=param)
        p._bump()
