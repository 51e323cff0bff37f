"""Automatic differentiation: backward, grad, user Functions and grad-mode switches.

Example:
    >>> import jtorch
    >>> x1 = jtorch.tensor(1.0, requires_grad=True); x2 = jtorch.tensor(2.0, requires_grad=True)
    >>> jtorch.autograd.grad(outputs=x1 * x2, inputs=[x1, x2])
    (tensor(2.), tensor(1.))
"""

from __future__ import annotations

from collections.abc import Sequence

from jtorch._tensor import Tensor
from jtorch.autograd import functional, graph, variable
from jtorch.autograd.anomaly_mode import detect_anomaly, set_detect_anomaly
from jtorch.autograd.engine import run_backward
from jtorch.autograd.function import UserFunction as Function
from jtorch.autograd.function import once_differentiable
from jtorch.autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_multithreading_enabled,
    no_grad,
    set_grad_enabled,
    set_multithreading_enabled,
)
from jtorch.autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck
from jtorch.autograd.variable import Variable

__all__ = [
    "backward",
    "grad",
    "Function",
    "once_differentiable",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "inference_mode",
    "is_grad_enabled",
    "is_multithreading_enabled",
    "set_multithreading_enabled",
    "gradcheck",
    "gradgradcheck",
    "GradcheckError",
    "functional",
    "graph",
    "detect_anomaly",
    "set_detect_anomaly",
    "Variable",
    "variable",
]


def _as_tuple(x) -> tuple:
    if x is None:
        return ()
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _grads_for(outputs: tuple, grad_outputs) -> tuple:
    grads = _as_tuple(grad_outputs) if grad_outputs is not None else (None,) * len(outputs)
    if len(grads) != len(outputs):
        raise RuntimeError(
            "grad can be implicitly created only for scalar outputs"
            if not grads
            else f"Mismatch in number of gradients: got {len(grads)} but expected {len(outputs)}"
        )
    return grads


def backward(
    tensors: Tensor | Sequence[Tensor],
    grad_tensors=None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Tensor | Sequence[Tensor] | None = None,
) -> None:
    """Accumulate gradients of ``tensors`` into the ``.grad`` of leaves (or only ``inputs``).

    Example:
        >>> x = jtorch.ones(2, requires_grad=True)
        >>> jtorch.autograd.backward([(x * 3).sum()]); x.grad
        tensor([3., 3.])
    """
    outputs = _as_tuple(tensors)
    if inputs is not None and not _as_tuple(inputs):
        raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    grads = _grads_for(outputs, grad_tensors)
    run_backward(outputs, grads, retain_graph, create_graph, _as_tuple(inputs))


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs=None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    only_inputs: bool = True,
    allow_unused: bool | None = None,
    is_grads_batched: bool = False,
    materialize_grads: bool = False,
) -> tuple:
    """Gradients of ``outputs`` with respect to ``inputs``, without touching any ``.grad``.

    Example:
        >>> x = jtorch.tensor(3.0, requires_grad=True)
        >>> (g,) = jtorch.autograd.grad(x**2, x, create_graph=True)
        >>> g, jtorch.autograd.grad(g, x)
        (tensor(6., grad_fn=<MulBackward0>), (tensor(2.),))
    """
    outs = _as_tuple(outputs)
    ins = _as_tuple(inputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    return run_backward(
        outs,
        _grads_for(outs, grad_outputs),
        retain_graph,
        create_graph,
        ins,
        allow_unused=allow_unused,
        accumulate=False,
        materialize_grads=materialize_grads,
    )
