"""Adafactor: Adam-like steps with the second moment of a matrix kept as row and column factors.

Example:
    >>> p = jtorch.tensor([1.0, -1.0], requires_grad=True)
    >>> opt = jtorch.optim.Adafactor([p], lr=0.1)
    >>> (p * p).sum().backward(); opt.step(); p
    tensor([ 0.9000, -0.9000], requires_grad=True)
"""

from __future__ import annotations

import numpy as np

from jtorch._tensor import Tensor
from jtorch.backend import get_array_module
from jtorch.ops._fused import add_scaled, as_scalar
from jtorch.optim.optimizer import (
    Optimizer,
    check_tensor_lr,
    lerp_,
    params_with_grad,
    scalar_value,
    step_tensor,
    zeros_state,
)

__all__ = ["Adafactor", "adafactor"]


class Adafactor(Optimizer):
    """``torch.optim.Adafactor`` (Shazeer & Stern, 2018), with torch's defaults and checks."""

    def __init__(
        self,
        params,
        lr: float | Tensor = 1e-2,
        beta2_decay: float = -0.8,
        eps: tuple[float | None, float] = (None, 1e-3),
        d: float = 1.0,
        weight_decay: float = 0.0,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
    ) -> None:
        check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        defaults = {
            "lr": lr,
            "beta2_decay": beta2_decay,
            "eps": eps,
            "d": d,
            "weight_decay": weight_decay,
            "foreach": foreach,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns ``closure()``'s loss if given."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            params = params_with_grad(group)
            for p in params:
                if p.is_complex():
                    raise RuntimeError("Adafactor does not support complex parameters")
                state = self.state[p]
                if not state:
                    state["step"] = step_tensor()
                    if p.grad.dim() > 1:
                        xp = p._xp()
                        shape = p.grad.shape
                        zeros = xp.zeros(shape[:-1] + (1,), dtype=p.grad._array.dtype)
                        state["row_var"] = Tensor._make(zeros)
                        zeros = xp.zeros(shape[:-2] + (1, shape[-1]), dtype=zeros.dtype)
                        state["col_var"] = Tensor._make(zeros)
                    else:
                        state["variance"] = zeros_state(p.grad)
            states = [self.state[p] for p in params]
            eps1, eps2 = group["eps"]
            adafactor(
                params,
                [p.grad for p in params],
                [s.get("row_var") for s in states],
                [s.get("col_var") for s in states],
                [s.get("variance") for s in states],
                [s["step"] for s in states],
                d=group["d"],
                lr=group["lr"],
                beta2_decay=group["beta2_decay"],
                weight_decay=group["weight_decay"],
                eps1=eps1,
                eps2=eps2,
                maximize=group["maximize"],
            )
        return loss


def _norm(a) -> float:
    """``a.norm(2).item()`` (accumulated in float64 for a float32 ``a``)."""
    return float(np.sqrt(get_array_module(a).vdot(a, a).real)) if a.size else 0.0


def adafactor(
    params: list[Tensor],
    grads: list[Tensor],
    row_vars: list[Tensor | None],
    col_vars: list[Tensor | None],
    variances: list[Tensor | None],
    state_steps: list[Tensor],
    *,
    d: float,
    lr: float | Tensor,
    beta2_decay: float,
    weight_decay: float,
    eps1: float | None,
    eps2: float,
    maximize: bool,
) -> None:
    """The Adafactor update (``torch.optim._adafactor.adafactor``), in place on params and state.

    Example:
        >>> p = jtorch.ones(2)
        >>> adafactor([p], [jtorch.ones(2)], [None], [None], [jtorch.zeros(2)],
        ...           [jtorch.tensor(0.0)], d=1.0, lr=0.1, beta2_decay=-0.8, weight_decay=0.0,
        ...           eps1=None, eps2=1e-3, maximize=False); p
        tensor([0.9000, 0.9000])
    """
    lr = scalar_value(lr)
    for i, p in enumerate(params):
        param = p._array
        xp = get_array_module(param)
        grad = -grads[i]._array if maximize else grads[i]._array
        eps = np.finfo(param.dtype).eps if eps1 is None else eps1
        step_t = state_steps[i]._array
        step_t += 1
        step = float(step_t)
        one_minus_beta2_t = step**beta2_decay
        rho_t = min(lr, 1 / (step**0.5))
        alpha = max(eps2, _norm(param) / (param.size**0.5)) * rho_t
        if weight_decay != 0:
            param *= as_scalar(1 - lr * weight_decay, param)
        if grad.ndim > 1:
            row_var, col_var = row_vars[i]._array, col_vars[i]._array
            square = grad * grad
            lerp_(row_var, square.sum(-1, keepdims=True) / as_scalar(grad.shape[-1], grad),
                  one_minus_beta2_t)  # fmt: skip
            lerp_(col_var, square.sum(-2, keepdims=True) / as_scalar(grad.shape[-2], grad),
                  one_minus_beta2_t)  # fmt: skip
            var_estimate = row_var @ col_var
            var_estimate /= xp.maximum(row_var.mean(-2, keepdims=True), as_scalar(eps, param))
        else:
            variance = variances[i]._array
            lerp_(variance, grad * grad, one_minus_beta2_t)
            var_estimate = variance.copy()
        update = xp.maximum(var_estimate, as_scalar(eps * eps, param), out=var_estimate)
        update = xp.sqrt(update, out=update)
        xp.divide(grad, update, out=update)
        denom = max(1.0, _norm(update) / ((update.size**0.5) * d))
        add_scaled(param, update, -alpha / denom, out=param)
        p._bump()
