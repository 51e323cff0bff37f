"""Muon: momentum whose update is orthogonalised by a Newton-Schulz iteration (2-d params only).

NOTE: torch runs the Newton-Schulz iteration in bfloat16; NumPy has no bfloat16, so the kernel
keeps float32 arrays and rounds every intermediate result to bfloat16 (round to nearest even), as
torch's bfloat16 kernels do after accumulating in float32.

Example:
    >>> p = jtorch.zeros(2, 2, requires_grad=True)
    >>> opt = jtorch.optim.Muon([p], lr=0.1)
    >>> p.grad = jtorch.eye(2); opt.step(); p.abs().max() > 0
    tensor(True)
"""

from __future__ import annotations

import math

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
    zeros_state,
)

__all__ = ["Muon", "muon"]

EPS = 1e-7
DEFAULT_A = 3.4445
DEFAULT_B = -4.7750
DEFAULT_C = 2.0315
DEFAULT_NS_STEPS = 5


class Muon(Optimizer):
    """``torch.optim.Muon`` with torch's defaults, checks and learning-rate adjustments."""

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        weight_decay: float = 0.1,
        momentum: float = 0.95,
        nesterov: bool = True,
        ns_coefficients: tuple[float, float, float] = (DEFAULT_A, DEFAULT_B, DEFAULT_C),
        eps: float = EPS,
        ns_steps: int = DEFAULT_NS_STEPS,
        adjust_lr_fn: str | None = None,
    ) -> None:
        check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 <= momentum:
            raise ValueError(f"momentum should be >= 0 but is: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight decay should be >= 0 but is: {weight_decay}")
        if adjust_lr_fn is not None and adjust_lr_fn not in ("original", "match_rms_adamw"):
            raise ValueError(f"Adjust learning rate function {adjust_lr_fn} is not supported")
        defaults = {
            "lr": lr,
            "weight_decay": weight_decay,
            "momentum": momentum,
            "nesterov": nesterov,
            "ns_coefficients": ns_coefficients,
            "eps": eps,
            "ns_steps": ns_steps,
            "adjust_lr_fn": adjust_lr_fn,
        }
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                if p.ndim != 2:
                    raise ValueError(
                        "Muon only supports 2D parameters whereas we found a parameter with "
                        f"size: {p.size()}"
                    )

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns ``closure()``'s loss if given."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            params = params_with_grad(group)
            for p in params:
                if p.is_complex():
                    raise RuntimeError("Muon does not support complex parameters")
                state = self.state[p]
                if "momentum_buffer" not in state:
                    state["momentum_buffer"] = zeros_state(p.grad)
            muon(
                params,
                [p.grad for p in params],
                [self.state[p]["momentum_buffer"] for p in params],
                lr=group["lr"],
                weight_decay=group["weight_decay"],
                momentum=group["momentum"],
                nesterov=group["nesterov"],
                ns_coefficients=group["ns_coefficients"],
                eps=group["eps"],
                ns_steps=group["ns_steps"],
                adjust_lr_fn=group["adjust_lr_fn"],
            )
        return loss


def _bf16(a):
    """``a`` rounded to bfloat16 values (nearest even; NaN kept), as a float32 array.

    NOTE: float64 goes through float32 first (two roundings), as torch's ``.bfloat16()`` does.
    """
    xp = get_array_module(a)
    a = xp.asarray(a, dtype=np.float32)
    bits = a.view(np.uint32)
    rounded = (bits + np.uint32(0x7FFF) + ((bits >> np.uint32(16)) & np.uint32(1))) & np.uint32(
        0xFFFF0000
    )
    return xp.where(xp.isnan(a), a, rounded.view(np.float32))


def _zeropower_via_newtonschulz(grad, ns_coefficients, ns_steps: int, eps: float):
    """torch's quintic Newton-Schulz orthogonalisation of a 2-d ``grad``, in bfloat16 steps."""
    if ns_steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    if grad.ndim != 2:
        raise ValueError("Input tensor gradient must be a 2D matrix")
    if len(ns_coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    a, b, c = (np.float32(v) for v in ns_coefficients)
    xp = get_array_module(grad)
    ortho = _bf16(grad)
    tall = grad.shape[0] > grad.shape[1]
    if tall:
        ortho = ortho.T
    norm = _bf16(xp.sqrt(xp.vdot(ortho, ortho)))
    ortho = _bf16(ortho / xp.maximum(norm, _bf16(np.float32(eps))))
    for _ in range(ns_steps):
        gram = _bf16(ortho @ ortho.T)
        gram_update = _bf16(b * gram + c * (gram @ gram))
        ortho = _bf16(a * ortho + gram_update @ ortho)
    return ortho.T if tall else ortho


def _adjust_lr(lr: float, adjust_lr_fn: str | None, param_shape) -> float:
    rows, cols = param_shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        ratio = math.sqrt(max(1, rows / cols))
    elif adjust_lr_fn == "match_rms_adamw":
        ratio = 0.2 * math.sqrt(max(rows, cols))
    else:
        ratio = 1.0
    return lr * ratio


def muon(
    params: list[Tensor],
    grads: list[Tensor],
    muon_momentum_bufs: list[Tensor],
    *,
    lr: float | Tensor,
    weight_decay: float,
    momentum: float,
    nesterov: bool,
    ns_coefficients: tuple[float, float, float],
    ns_steps: int,
    eps: float,
    adjust_lr_fn: str | None,
) -> None:
    """The Muon update (``torch.optim._muon.muon``), in place on params and momentum buffers.

    Example:
        >>> p, buf = jtorch.zeros(2, 2), jtorch.zeros(2, 2)
        >>> muon([p], [jtorch.eye(2)], [buf], lr=0.1, weight_decay=0.0, momentum=0.9,
        ...      nesterov=False, ns_coefficients=(3.4445, -4.775, 2.0315), ns_steps=5, eps=1e-7,
        ...      adjust_lr_fn=None); buf
        tensor([[0.1000, 0.0000],
                [0.0000, 0.1000]])
    """
    lr = scalar_value(lr)
    for i, p in enumerate(params):
        param = p._array
        grad = grads[i]._array
        if grad.ndim != 2:
            raise ValueError("Param gradient must be a 2D matrix")
        buf = muon_momentum_bufs[i]._array
        lerp_(buf, grad, 1 - momentum)
        update = lerp_(grad.copy(), buf, momentum) if nesterov else buf
        update = _zeropower_via_newtonschulz(update, ns_coefficients, ns_steps, eps)
        adjusted_lr = _adjust_lr(lr, adjust_lr_fn, param.shape)
        param *= as_scalar(1 - lr * weight_decay, param)
        add_scaled(param, update.astype(param.dtype, copy=False), -adjusted_lr, out=param)
        p._bump()
        muon_momentum_bufs[i]._bump()
