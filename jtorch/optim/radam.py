"""RAdam: Adam with a rectified variance of the adaptive learning rate (Liu et al. 2019).

Example:
    >>> p = jtorch.tensor([1.0], requires_grad=True)
    >>> opt = jtorch.optim.RAdam([p], lr=0.1)
    >>> p.sum().backward(); opt.step(); p
    tensor([0.9000], requires_grad=True)
"""

from __future__ import annotations

from jtorch._tensor import Tensor
from jtorch.backend import get_array_module
from jtorch.ops._fused import add_scaled, as_scalar
from jtorch.optim.optimizer import (
    Optimizer,
    addcmul_,
    check_hyperparameters,
    lerp_,
    params_with_grad,
    scalar_value,
    step_tensor,
    zeros_state,
)

__all__ = ["RAdam", "radam"]


class RAdam(Optimizer):
    """``torch.optim.RAdam``."""

    def __init__(
        self,
        params,
        lr: float | Tensor = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_hyperparameters(lr, eps, betas, weight_decay)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "decoupled_weight_decay": decoupled_weight_decay,
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
                    state["exp_avg"] = zeros_state(p)
                    state["exp_avg_sq"] = zeros_state(p)
            states = [self.state[p] for p in params]
            beta1, beta2 = group["betas"]
            radam(
                params,
                [p.grad for p in params],
                [s["exp_avg"] for s in states],
                [s["exp_avg_sq"] for s in states],
                [s["step"] for s in states],
                beta1=beta1,
                beta2=beta2,
                lr=group["lr"],
                weight_decay=group["weight_decay"],
                eps=group["eps"],
                decoupled_weight_decay=group["decoupled_weight_decay"],
                maximize=group["maximize"],
            )
        return loss


def radam(
    params: list[Tensor],
    grads: list[Tensor],
    exp_avgs: list[Tensor],
    exp_avg_sqs: list[Tensor],
    state_steps: list[Tensor],
    *,
    beta1: float,
    beta2: float,
    lr: float | Tensor,
    weight_decay: float,
    eps: float,
    decoupled_weight_decay: bool = False,
    maximize: bool = False,
) -> None:
    """The RAdam update (``torch.optim.radam.radam``).

    Example:
        >>> p = jtorch.ones(1)
        >>> radam([p], [jtorch.ones(1)], [jtorch.zeros(1)], [jtorch.zeros(1)],
        ...     [jtorch.tensor(0.0)], beta1=0.9, beta2=0.999, lr=0.1, weight_decay=0, eps=1e-8)
        >>> p
        tensor([0.9000])
    """
    lr = scalar_value(lr)
    rho_inf = 2 / (1 - beta2) - 1
    for i, p in enumerate(params):
        param = p._array
        xp = get_array_module(param)
        grad = -grads[i]._array if maximize else grads[i]._array
        exp_avg, exp_avg_sq = exp_avgs[i]._array, exp_avg_sqs[i]._array
        step_t = state_steps[i]._array
        step_t += 1
        step = float(step_t)
        if weight_decay != 0:
            if decoupled_weight_decay:
                param *= as_scalar(1 - lr * weight_decay, param)
            else:
                grad = add_scaled(grad, param, weight_decay)
        lerp_(exp_avg, grad, 1 - beta1)
        exp_avg_sq *= as_scalar(beta2, exp_avg_sq)
        addcmul_(exp_avg_sq, grad, grad, 1 - beta2)
        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        update = exp_avg / as_scalar(bias_correction1, exp_avg)
        update *= as_scalar(lr, update)
        rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
        if rho_t > 5.0:
            rect = (
                (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
            ) ** 0.5
            adaptive = xp.sqrt(exp_avg_sq)
            adaptive += as_scalar(eps, adaptive)
            xp.divide(as_scalar(bias_correction2**0.5, adaptive), adaptive, out=adaptive)
            update *= adaptive
            update *= as_scalar(rect, update)
        param -= update
        p._bump()
