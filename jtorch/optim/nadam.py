"""NAdam: Adam with Nesterov momentum (and momentum decay, as in Dozat 2016).

Example:
    >>> p = jtorch.tensor([1.0], requires_grad=True)
    >>> opt = jtorch.optim.NAdam([p], lr=0.1)
    >>> p.sum().backward(); opt.step(); p
    tensor([0.8944], requires_grad=True)
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

__all__ = ["NAdam", "nadam"]


class NAdam(Optimizer):
    """``torch.optim.NAdam``."""

    def __init__(
        self,
        params,
        lr: float | Tensor = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_hyperparameters(lr, eps, betas, weight_decay)
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum_decay": momentum_decay,
            "decoupled_weight_decay": decoupled_weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
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
                    state["mu_product"] = step_tensor()
                    state["mu_product"]._array[...] = 1.0
                    state["exp_avg"] = zeros_state(p)
                    state["exp_avg_sq"] = zeros_state(p)
            states = [self.state[p] for p in params]
            beta1, beta2 = group["betas"]
            nadam(
                params,
                [p.grad for p in params],
                [s["exp_avg"] for s in states],
                [s["exp_avg_sq"] for s in states],
                [s["mu_product"] for s in states],
                [s["step"] for s in states],
                beta1=beta1,
                beta2=beta2,
                lr=group["lr"],
                weight_decay=group["weight_decay"],
                momentum_decay=group["momentum_decay"],
                eps=group["eps"],
                decoupled_weight_decay=group["decoupled_weight_decay"],
                maximize=group["maximize"],
            )
        return loss


def nadam(
    params: list[Tensor],
    grads: list[Tensor],
    exp_avgs: list[Tensor],
    exp_avg_sqs: list[Tensor],
    mu_products: list[Tensor],
    state_steps: list[Tensor],
    *,
    beta1: float,
    beta2: float,
    lr: float | Tensor,
    weight_decay: float,
    momentum_decay: float,
    eps: float,
    decoupled_weight_decay: bool = False,
    maximize: bool = False,
) -> None:
    """The NAdam update (``torch.optim.nadam.nadam``).

    Example:
        >>> p = jtorch.ones(1)
        >>> nadam([p], [jtorch.ones(1)], [jtorch.zeros(1)], [jtorch.zeros(1)],
        ...     [jtorch.tensor(1.0)], [jtorch.tensor(0.0)], beta1=0.9, beta2=0.999, lr=0.1,
        ...     weight_decay=0, momentum_decay=4e-3, eps=1e-8); p
        tensor([0.8944])
    """
    lr = scalar_value(lr)
    for i, p in enumerate(params):
        param = p._array
        xp = get_array_module(param)
        grad = -grads[i]._array if maximize else grads[i]._array
        exp_avg, exp_avg_sq = exp_avgs[i]._array, exp_avg_sqs[i]._array
        mu_product = mu_products[i]._array
        step_t = state_steps[i]._array
        step_t += 1
        step = float(step_t)
        bias_correction2 = 1 - beta2**step
        if weight_decay != 0:
            if decoupled_weight_decay:
                param *= as_scalar(1 - lr * weight_decay, param)
            else:
                grad = add_scaled(grad, param, weight_decay)
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
        mu_product *= as_scalar(mu, mu_product)
        lerp_(exp_avg, grad, 1 - beta1)
        exp_avg_sq *= as_scalar(beta2, exp_avg_sq)
        addcmul_(exp_avg_sq, grad, grad, 1 - beta2)
        denom = exp_avg_sq / as_scalar(bias_correction2, exp_avg_sq)
        xp.sqrt(denom, out=denom)
        mu_product_next = float(mu_product) * mu_next
        denom += as_scalar(eps, denom)
        addcdiv_(param, grad, denom, -lr * (1.0 - mu) / (1.0 - float(mu_product)))
        addcdiv_(param, exp_avg, denom, (-lr * mu_next) / (1.0 - mu_product_next))
        p._bump()
