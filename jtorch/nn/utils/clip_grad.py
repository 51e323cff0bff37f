"""Gradient clipping: clip_grad_norm_, clip_grad_value_, get_total_norm, clip_grads_with_norm_.

Example:
    >>> import jtorch
    >>> p = jtorch.nn.Parameter(jtorch.ones(2)); p.grad = jtorch.tensor([3.0, 4.0])
    >>> jtorch.nn.utils.clip_grad_norm_([p], 1.0), p.grad
    (tensor(5.), tensor([0.6000, 0.8000]))
"""

from __future__ import annotations

import math

from jtorch._tensor import Tensor
from jtorch.autograd.grad_mode import no_grad

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm",
           "clip_grads_with_norm_"]  # fmt: skip


def _tensors(tensors) -> list:
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def get_total_norm(tensors, norm_type: float = 2.0, error_if_nonfinite: bool = False,
                   foreach=None) -> Tensor:  # fmt: skip
    """The ``norm_type``-norm of the norms of ``tensors`` (as if concatenated)."""
    import jtorch  # noqa: PLC0415

    tensors = _tensors(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return jtorch.tensor(0.0)
    with no_grad():
        norms = jtorch.stack([t.detach().norm(norm_type) for t in tensors])
        total = norms.amax() if norm_type == math.inf else norms.norm(norm_type)
    if error_if_nonfinite and not math.isfinite(float(total)):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the gradients "
            "by the non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    return total


def clip_grads_with_norm_(parameters, max_norm: float, total_norm: Tensor, foreach=None):
    """Scale the gradients in place by ``max_norm / (total_norm + 1e-6)`` when that is < 1."""
    grads = [p.grad for p in _tensors(parameters) if p.grad is not None]
    if not grads:
        return
    coef = float(max_norm) / (float(total_norm) + 1e-6)
    if coef < 1:
        with no_grad():
            for g in grads:
                g._array *= g._array.dtype.type(coef)
                g._bump()


def clip_grad_norm_(parameters, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach=None) -> Tensor:  # fmt: skip
    """Rescale gradients so their total norm is at most ``max_norm``; returns the norm before."""
    parameters = _tensors(parameters)
    grads = [p.grad for p in parameters if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total, foreach)
    return total


def clip_grad_norm(parameters, max_norm: float, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach=None) -> Tensor:  # fmt: skip
    """Deprecated alias of :func:`clip_grad_norm_`."""
    import warnings  # noqa: PLC0415

    warnings.warn(
        "`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
        "`torch.nn.utils.clip_grad_norm_`.",
        FutureWarning,
        stacklevel=2,
    )
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value: float, foreach=None) -> None:
    """Clamp every gradient element into ``[-clip_value, clip_value]`` in place.

    Example:
        >>> p = jtorch.nn.Parameter(jtorch.ones(2)); p.grad = jtorch.tensor([-3.0, 0.5])
        >>> clip_grad_value_([p], 1.0); p.grad
        tensor([-1.0000,  0.5000])
    """
    clip_value = float(clip_value)
    with no_grad():
        for p in _tensors(parameters):
            if p.grad is not None:
                g = p.grad._array
                p.grad._xp().clip(g, -clip_value, clip_value, out=g)
                p.grad._bump()
