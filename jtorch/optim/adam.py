"""Adam (and, with ``decoupled_weight_decay=True``, AdamW): adaptive moment estimation.

Example:
    >>> p = jtorch.tensor([1.0, -1.0], requires_grad=True)
    >>> opt = jtorch.optim.Adam([p], lr=0.1)
    >>> (p * p).sum().backward(); opt.step(); p
    tensor([ 0.9000, -0.9000], requires_grad=True)
"""

from __future__ import annotations

from jtorch._tensor import Tensor
from jtorch.backend import get_array_module
from jtorch.ops._fused import add_scaled, as_scalar
from jtorch.optim.optimizer import (
    Optimizer,
    addcdiv_,
    addcmul_,
    check_hyperparameters,
    lerp_,
    params_with_grad,
    scalar_value,
    step_tensor,
    zeros_state,
)

__all__ = ["Adam", "adam"]


class Adam(Optimizer):
    """``torch.optim.Adam``: moving averages of the gradient and its square, bias corrected."""

    def __init__(
        self,
        params,
        lr: float | Tensor = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        check_hyperparameters(lr, eps, betas, weight_decay)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
            "fused": fused,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns ``closure()``'s loss if given."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            params = params_with_grad(group)
            amsgrad = group["amsgrad"]
            for p in params:
                state = self.state[p]
                if not state:
                    state["step"] = step_tensor()
                    state["exp_avg"] = zeros_state(p)
                    state["exp_avg_sq"] = zeros_state(p)
                    if amsgrad:
                        state["max_exp_avg_sq"] = zeros_state(p)
            states = [self.state[p] for p in params]
            beta1, beta2 = group["betas"]
            adam(
                params,
                [p.grad for p in params],
                [s["exp_avg"] for s in states],
                [s["exp_avg_sq"] for s in states],
                [s["max_exp_avg_sq"] for s in states] if amsgrad else [],
                [s["step"] for s in states],
                amsgrad=amsgrad,
                beta1=beta1,
                beta2=beta2,
                lr=group["lr"],
                weight_decay=group["weight_decay"],
                eps=group["eps"],
                maximize=group["maximize"],
                decoupled_weight_decay=group["decoupled_weight_decay"],
            )
        return loss


def adam(
    params: list[Tensor],
    grads: list[Tensor],
    exp_avgs: list[Tensor],
    exp_avg_sqs: list[Tensor],
    max_exp_avg_sqs: list[Tensor],
    state_steps: list[Tensor],
    *,
    amsgrad: bool,
    beta1: float,
    beta2: float,
    lr: float | Tensor,
    weight_decay: float,
    eps: float,
    maximize: bool,
    decoupled_weight_decay: bool = False,
) -> None:
    """The Adam/AdamW update (``torch.optim.adam.adam``), in place on params and state.

    Example:
        >>> p, s = jtorch.ones(1), [jtorch.zeros(1), jtorch.zeros(1)]
        >>> adam([p], [jtorch.ones(1)], s[:1], s[1:], [], [jtorch.tensor(0.0)], amsgrad=False,
        ...      beta1=0.9, beta2=0.999, lr=0.1, weight_decay=0, eps=1e-8, maximize=False); p
        tensor([0.9000])
    """
    lr, beta1, beta2 = scalar_value(lr), scalar_value(beta1), scalar_value(beta2)
    for i, p in enumerate(params):
        param = p._array
        xp = get_array_module(param)
        grad = -grads[i]._array if maximize else grads[i]._array
        exp_avg, exp_avg_sq = exp_avgs[i]._array, exp_avg_sqs[i]._array
        step_t = state_steps[i]._array
        step_t += 1
        if weight_decay != 0:
            if decoupled_weight_decay:
                param *= as_scalar(1 - lr * weight_decay, param)
            else:
                grad = add_scaled(grad, param, weight_decay)
        lerp_(exp_avg, grad, 1 - beta1)
        exp_avg_sq *= as_scalar(beta2, exp_avg_sq)
        addcmul_(exp_avg_sq, grad, grad, 1 - beta2)
        step = float(step_t)
        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        step_size = lr / bias_correction1
        if amsgrad:
            max_sq = max_exp_avg_sqs[i]._array
            xp.maximum(max_sq, exp_avg_sq, out=max_sq)
            denom = xp.sqrt(max_sq)
        else:
            denom = xp.sqrt(exp_avg_sq)
        denom /= as_scalar(bias_correction2**0.5, denom)
        denom += as_scalar(eps, denom)
        addcdiv_(param, exp_avg, denom, -step_size)
        p._bump()
