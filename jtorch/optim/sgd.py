"""SGD: stochastic gradient descent with momentum, dampening, Nesterov and weight decay.

Example:
    >>> p = jtorch.tensor([1.0, 2.0], requires_grad=True)
    >>> opt = jtorch.optim.SGD([p], lr=0.1, momentum=0.9)
    >>> for _ in range(2):
    ...     opt.zero_grad(); (p * p).sum().backward(); opt.step()
    >>> p
    tensor([0.4600, 0.9200], requires_grad=True)
"""

from __future__ import annotations

from jtorch._tensor import Tensor
from jtorch.ops._fused import add_scaled, as_scalar, fma
from jtorch.optim.optimizer import Optimizer, check_tensor_lr, params_with_grad, scalar_value

__all__ = ["SGD", "sgd"]


class SGD(Optimizer):
    """``torch.optim.SGD``: ``p -= lr * (momentum buffer of grad + weight_decay * p)``."""

    def __init__(
        self,
        params,
        lr: float | Tensor = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        check_tensor_lr(lr)
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
            "foreach": foreach,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns ``closure()``'s loss if given."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            params = params_with_grad(group)
            momentum = group["momentum"]
            bufs = [self.state[p].get("momentum_buffer") for p in params] if momentum else None
            sgd(
                params,
                [p.grad for p in params],
                bufs,
                weight_decay=group["weight_decay"],
                momentum=momentum,
                lr=group["lr"],
                dampening=group["dampening"],
                nesterov=group["nesterov"],
                maximize=group["maximize"],
            )
            if momentum:
                for p, buf in zip(params, bufs):
                    self.state[p]["momentum_buffer"] = buf
        return loss


def sgd(
    params: list[Tensor],
    d_p_list: list[Tensor],
    momentum_buffer_list: list[Tensor | None] | None,
    *,
    weight_decay: float,
    momentum: float,
    lr: float | Tensor,
    dampening: float,
    nesterov: bool,
    maximize: bool,
) -> None:
    """The SGD update (``torch.optim.sgd.sgd``); new momentum buffers are stored in the list.

    Example:
        >>> p = jtorch.ones(2); sgd([p], [jtorch.ones(2)], None, weight_decay=0, momentum=0,
        ...     lr=0.5, dampening=0, nesterov=False, maximize=False); p
        tensor([0.5000, 0.5000])
    """
    lr = scalar_value(lr)
    for i, p in enumerate(params):
        param = p._array
        grad = -d_p_list[i]._array if maximize else d_p_list[i]._array
        if weight_decay != 0:
            grad = add_scaled(grad, param, weight_decay)
        if momentum != 0:
            buf = momentum_buffer_list[i]
            if buf is None:
                buf = momentum_buffer_list[i] = Tensor._make(grad.copy())
            else:
                b = buf._array
                b *= as_scalar(momentum, b)
                fma(grad, as_scalar(1 - dampening, b), b, b)
            grad = add_scaled(grad, buf._array, momentum) if nesterov else buf._array
        fma(grad, as_scalar(-lr, param), param, param)
        p._bump()
