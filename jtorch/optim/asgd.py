"""ASGD: averaged stochastic gradient descent (Polyak and Juditsky).

Example:
    >>> p = jtorch.tensor([1.0], requires_grad=True)
    >>> opt = jtorch.optim.ASGD([p], lr=0.1)
    >>> p.sum().backward(); opt.step(); p
    tensor([0.9000], requires_grad=True)
"""

from __future__ import annotations

import numpy as np

from jtorch._tensor import Tensor
from jtorch.ops._fused import add_scaled, as_scalar
from jtorch.optim.optimizer import (
    Optimizer,
    check_tensor_lr,
    params_with_grad,
    scalar_value,
    step_tensor,
    zeros_state,
)

__all__ = ["ASGD", "asgd"]


class ASGD(Optimizer):
    """``torch.optim.ASGD``; ``state["ax"]`` holds the running average of the parameter."""

    def __init__(
        self,
        params,
        lr: float | Tensor = 1e-2,
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {
            "lr": lr,
            "lambd": lambd,
            "alpha": alpha,
            "t0": t0,
            "weight_decay": weight_decay,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        for p_state in self.state.values():
            for key in ("eta", "mu"):
                if key in p_state and not isinstance(p_state[key], Tensor):
                    p_state[key] = Tensor._make(np.array(float(p_state[key]), np.float32))

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns ``closure()``'s loss if given."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            params = params_with_grad(group)
            for p in params:
                state = self.state[p]
                if not state:
                    state["step"] = step_tensor()
                    state["eta"] = Tensor._make(np.array(scalar_value(group["lr"]), np.float32))
                    state["mu"] = Tensor._make(np.ones((), np.float32))
                    state["ax"] = zeros_state(p)
            states = [self.state[p] for p in params]
            asgd(
                params,
                [p.grad for p in params],
                [s["ax"] for s in states],
                [s["mu"] for s in states],
                [s["eta"] for s in states],
                [s["step"] for s in states],
                lambd=group["lambd"],
                lr=group["lr"],
                t0=group["t0"],
                alpha=group["alpha"],
                weight_decay=group["weight_decay"],
                maximize=group["maximize"],
            )
        return loss


def asgd(
    params: list[Tensor],
    grads: list[Tensor],
    axs: list[Tensor],
    mus: list[Tensor],
    etas: list[Tensor],
    state_steps: list[Tensor],
    *,
    lambd: float,
    lr: float | Tensor,
    t0: float,
    alpha: float,
    weight_decay: float,
    maximize: bool,
) -> None:
    """The ASGD update (``torch.optim.asgd.asgd``).

    Example:
        >>> p = jtorch.ones(1)
        >>> asgd([p], [jtorch.ones(1)], [jtorch.zeros(1)], [jtorch.tensor(1.0)],
        ...     [jtorch.tensor(0.1)], [jtorch.tensor(0.0)], lambd=1e-4, lr=0.1, t0=1e6,
        ...     alpha=0.75, weight_decay=0, maximize=False); p
        tensor([0.9000])
    """
    lr = scalar_value(lr)
    for i, p in enumerate(params):
        param = p._array
        grad = -grads[i]._array if maximize else grads[i]._array
        mu, ax, eta = mus[i]._array, axs[i]._array, etas[i]._array
        step_t = state_steps[i]._array
        step_t += 1
        if weight_decay != 0:
            grad = add_scaled(grad, param, weight_decay)
        eta_value = float(eta)
        param *= as_scalar(1 - lambd * eta_value, param)
        add_scaled(param, grad, -eta_value, out=param)
        if float(mu) != 1:
            diff = param - ax
            diff *= mu
            ax += diff
        else:
            ax[...] = param
        step = float(step_t)
        eta[...] = lr / ((1 + lambd * lr * step) ** alpha)
        mu[...] = 1 / max(1, step - t0)
        p._bump()
