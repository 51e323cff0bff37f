"""Adagrad: per-coordinate learning rates scaled by the accumulated squared gradients.

Example:
    >>> p = jtorch.tensor([1.0], requires_grad=True)
    >>> opt = jtorch.optim.Adagrad([p], lr=0.1)
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
    addcmul_,
    check_tensor_lr,
    params_with_grad,
    scalar_value,
    step_tensor,
)

__all__ = ["Adagrad", "adagrad"]


class Adagrad(Optimizer):
    """``torch.optim.Adagrad`` (state is created for every parameter at construction, as torch)."""

    def __init__(
        self,
        params,
        lr: float | Tensor = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(
                f"Invalid initial_accumulator_value value: {initial_accumulator_value}"
            )
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = step_tensor()
                xp = get_array_module(p._array)
                init = group["initial_accumulator_value"]
                state["sum"] = Tensor._make(xp.full_like(p._array, init))

    def share_memory(self) -> None:
        """A no-op: state arrays live in ordinary process memory."""

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns ``closure()``'s loss if given."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            params = params_with_grad(group)
            states = [self.state[p] for p in params]
            adagrad(
                params,
                [p.grad for p in params],
                [s["sum"] for s in states],
                [s["step"] for s in states],
                lr=group["lr"],
                weight_decay=group["weight_decay"],
                lr_decay=group["lr_decay"],
                eps=group["eps"],
                maximize=group["maximize"],
            )
        return loss


def adagrad(
    params: list[Tensor],
    grads: list[Tensor],
    state_sums: list[Tensor],
    state_steps: list[Tensor],
    *,
    lr: float | Tensor,
    weight_decay: float,
    lr_decay: float,
    eps: float,
    maximize: bool,
) -> None:
    """The Adagrad update (``torch.optim.adagrad.adagrad``).

    Example:
        >>> p = jtorch.ones(1)
        >>> adagrad([p], [jtorch.ones(1)], [jtorch.zeros(1)], [jtorch.tensor(0.0)], lr=0.1,
        ...     weight_decay=0, lr_decay=0, eps=1e-10, maximize=False); p
        tensor([0.9000])
    """
    lr = scalar_value(lr)
    for i, p in enumerate(params):
        param = p._array
        step_t = state_steps[i]._array
        step_t += 1
        step = float(step_t)
        grad = -grads[i]._array if maximize else grads[i]._array
        if weight_decay != 0:
            grad = add_scaled(grad, param, weight_decay)
        clr = lr / (1 + (step - 1) * lr_decay)
        state_sum = state_sums[i]._array
        addcmul_(state_sum, grad, grad, 1)
        std = get_array_module(param).sqrt(state_sum)
        std += as_scalar(eps, std)
        addcdiv_(param, grad, std, -clr)
        p._bump()
