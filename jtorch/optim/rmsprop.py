"""RMSprop: divide the gradient by a running root mean square (optionally centered, with momentum).

Example:
    >>> p = jtorch.tensor([1.0], requires_grad=True)
    >>> opt = jtorch.optim.RMSprop([p], lr=0.01)
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
    check_hyperparameters,
    lerp_,
    params_with_grad,
    scalar_value,
    step_tensor,
    zeros_state,
)

__all__ = ["RMSprop", "rmsprop"]


class RMSprop(Optimizer):
    """``torch.optim.RMSprop``."""

    def __init__(
        self,
        params,
        lr: float | Tensor = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_hyperparameters(lr, eps)
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            "capturable": capturable,
            "foreach": foreach,
            "maximize": maximize,
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
                    if group["momentum"] > 0:
                        state["momentum_buffer"] = zeros_state(p)
                    if group["centered"]:
                        state["grad_avg"] = zeros_state(p)
            states = [self.state[p] for p in params]
            rmsprop(
                params,
                [p.grad for p in params],
                [s["square_avg"] for s in states],
                [s["grad_avg"] for s in states] if group["centered"] else [],
                [s["momentum_buffer"] for s in states] if group["momentum"] > 0 else [],
                [s["step"] for s in states],
                lr=group["lr"],
                alpha=group["alpha"],
                eps=group["eps"],
                weight_decay=group["weight_decay"],
                momentum=group["momentum"],
                centered=group["centered"],
                maximize=group["maximize"],
            )
        return loss


def rmsprop(
    params: list[Tensor],
    grads: list[Tensor],
    square_avgs: list[Tensor],
    grad_avgs: list[Tensor],
    momentum_buffer_list: list[Tensor],
    state_steps: list[Tensor],
    *,
    lr: float | Tensor,
    alpha: float,
    eps: float,
    weight_decay: float,
    momentum: float,
    centered: bool,
    maximize: bool,
) -> None:
    """The RMSprop update (``torch.optim.rmsprop.rmsprop``).

    Example:
        >>> p = jtorch.ones(1)
        >>> rmsprop([p], [jtorch.ones(1)], [jtorch.zeros(1)], [], [], [jtorch.tensor(0.0)],
        ...     lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
        ...     maximize=False); p
        tensor([0.9000])
    """
    lr = scalar_value(lr)
    for i, p in enumerate(params):
        param = p._array
        xp = get_array_module(param)
        grad = -grads[i]._array if maximize else grads[i]._array
        square_avg = square_avgs[i]._array
        step_t = state_steps[i]._array
        step_t += 1
        if weight_decay != 0:
            grad = add_scaled(grad, param, weight_decay)
        square_avg *= as_scalar(alpha, square_avg)
        addcmul_(square_avg, grad, grad, 1 - alpha)
        if centered:
            grad_avg = grad_avgs[i]._array
            lerp_(grad_avg, grad, 1 - alpha)
            avg = addcmul_(square_avg.copy(), grad_avg, grad_avg, -1)
            xp.sqrt(avg, out=avg)
        else:
            avg = xp.sqrt(square_avg)
        avg += as_scalar(eps, avg)
        if momentum > 0:
            buf = momentum_buffer_list[i]._array
            buf *= as_scalar(momentum, buf)
            addcdiv_(buf, grad, avg, 1)
            add_scaled(param, buf, -lr, out=param)
        else:
            addcdiv_(param, grad, avg, -lr)
        p._bump()
