"""gradcheck / gradgradcheck: analytical gradients against central finite differences.

Complex tensors are checked as pairs of reals (torch's convention: the gradient of a real loss
``L`` with respect to ``z = x + iy`` is ``dL/dx + i dL/dy``; the imaginary part of an output is
reached with the cotangent ``1j``).

Example:
    >>> import jtorch
    >>> x = jtorch.rand(3, dtype=jtorch.float64, requires_grad=True)
    >>> jtorch.autograd.gradcheck(lambda t: (t * t).exp(), (x,))
    True
"""

from __future__ import annotations

import warnings

import numpy as np

from jtorch._tensor import Tensor

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Raised by gradcheck and gradgradcheck when a check fails."""


def _as_tuple(x) -> tuple:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _differentiable(outputs: tuple) -> tuple:
    return tuple(o for o in outputs if isinstance(o, Tensor) and o.requires_grad)


def _real_vector(a) -> np.ndarray:
    """A NumPy array as float64 reals (a complex element gives its real and imaginary part)."""
    a = np.asarray(a)
    if a.dtype.kind == "c":
        return np.stack([a.real, a.imag], -1).reshape(-1).astype(np.float64)
    return a.reshape(-1).astype(np.float64)


def _numerical_jacobians(func, inputs: tuple, diff_in: list, out_idx: list, eps: float) -> list:
    """``J[i][o]``: (real size of input i) x (real size of output o), by central differences."""

    def evaluate() -> list:
        outs = _as_tuple(func(*inputs))  # NOTE: with grad on: gradgradcheck's func differentiates
        return [_real_vector(outs[k]._array) for k in out_idx]

    out_sizes = [len(v) for v in evaluate()]
    jacobians = []
    for i in diff_in:
        arr = inputs[i]._array
        cplx = arr.dtype.kind == "c"
        cols: list[list] = [[] for _ in out_idx]
        for flat in range(arr.size):
            pos = np.unravel_index(flat, arr.shape)
            orig = arr[pos].item()
            for step in (eps, eps * 1j) if cplx else (eps,):
                arr[pos] = orig - step
                minus = evaluate()
                arr[pos] = orig + step
                plus = evaluate()
                arr[pos] = orig
                for o, (p, m) in enumerate(zip(plus, minus)):
                    cols[o].append((p - m) / (2 * eps))
        # rows: input params (none for an empty input)
        jacobians.append([np.stack(c) if c else np.zeros((0, m)) for c, m in zip(cols, out_sizes)])
    return jacobians


def _analytical_jacobians(inputs: tuple, outputs: tuple, diff_in: list, check_dtypes: bool):
    """Rows of each output's Jacobian by one backward per real output component."""
    from jtorch.autograd import grad as autograd_grad  # noqa: PLC0415

    diff = tuple(inputs[i] for i in diff_in)
    sizes = [2 * t.numel() if t.is_complex() else t.numel() for t in diff]
    jacobians = [[None] * len(outputs) for _ in diff]
    for o, out in enumerate(outputs):
        xp = out._xp()
        cplx = out.is_complex()
        n = out.numel()
        rows = [np.zeros((size, 2 * n if cplx else n)) for size in sizes]
        for k in range(n):
            for part, unit in enumerate((1, 1j) if cplx else (1,)):
                cot = xp.zeros(out._array.shape, out._array.dtype)
                cot.reshape(-1)[k] = unit
                grads = autograd_grad(
                    out, diff, Tensor._make(cot), retain_graph=True, allow_unused=True
                )
                for j, (g, t) in enumerate(zip(grads, diff)):
                    if g is None:
                        continue
                    if check_dtypes and g.dtype != t.dtype:
                        raise GradcheckError("Gradient has dtype mismatch")
                    if g.shape != t.shape:
                        raise GradcheckError("Analytical gradient has incorrect size")
                    rows[j][:, 2 * k + part if cplx else k] = _real_vector(
                        g.detach().numpy(force=True)
                    )
        for j in range(len(diff)):
            jacobians[j][o] = rows[j]
    return jacobians


def _check_inputs(inputs: tuple) -> list:
    diff_in = []
    for i, t in enumerate(inputs):
        if isinstance(t, Tensor) and t.requires_grad:
            if t.dtype.name not in ("float64", "complex128"):
                warnings.warn(
                    f"Input #{i} requires gradient and is not a double precision floating point "
                    "or complex. This check will likely fail if all the inputs are not of double "
                    "precision floating point or complex. ",
                    stacklevel=3,
                )
            if t.numel() and any(st == 0 and sz > 1 for st, sz in zip(t.stride(), t.shape)):
                raise RuntimeError(
                    f"The {i}th input has a dimension with stride 0. gradcheck only supports "
                    "inputs that are non-overlapping to be able to compute the numerical "
                    "gradients correctly. You should call .contiguous on the input before "
                    "passing it to gradcheck."
                )
            diff_in.append(i)
    if not diff_in:
        raise ValueError(
            "gradcheck expects at least one input tensor to require gradient, but none of them "
            "have requires_grad=True."
        )
    return diff_in


def _show(jac: np.ndarray) -> Tensor:
    return Tensor._make(jac)


def _gradcheck(func, inputs: tuple, eps, atol, rtol, check_grad_dtypes) -> bool:
    from jtorch.autograd import grad as autograd_grad  # noqa: PLC0415

    diff_in = _check_inputs(inputs)
    outs = _as_tuple(func(*inputs))
    out_idx = [k for k, o in enumerate(outs) if isinstance(o, Tensor) and o.requires_grad]
    if not out_idx:
        numerical = _numerical_jacobians(
            func,
            inputs,
            diff_in,
            [k for k, o in enumerate(outs) if isinstance(o, Tensor)],
            eps,
        )
        if any(np.any(j != 0) for per_in in numerical for j in per_in):
            raise GradcheckError("Numerical gradient for function expected to be zero")
        return True
    outputs = tuple(outs[k] for k in out_idx)
    numerical = _numerical_jacobians(func, inputs, diff_in, out_idx, eps)
    analytical = _analytical_jacobians(inputs, outputs, diff_in, check_grad_dtypes)
    for j in range(len(diff_in)):
        for o in range(len(outputs)):
            a, n = analytical[j][o], numerical[j][o]
            if not np.allclose(a, n, rtol=rtol, atol=atol):
                raise GradcheckError(
                    f"Jacobian mismatch for output {o:d} with respect to input {j:d},\n"
                    f"numerical:{_show(n)}\nanalytical:{_show(a)}\n"
                )
    # backward must scale with grad_output: zero cotangents give zero gradients
    zeros = tuple(Tensor._make(o._xp().zeros_like(o._array)) for o in outputs)
    grads = autograd_grad(outputs, tuple(inputs[i] for i in diff_in), zeros, allow_unused=True)
    if any(g is not None and bool(g._xp().any(g._array)) for g in grads):
        raise GradcheckError("backward not multiplied by grad_output")
    return True


def gradcheck(
    func,
    inputs,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_batched_forward_grad: bool = False,
    check_forward_ad: bool = False,
    check_backward_ad: bool = True,
    fast_mode: bool = False,
    masked: bool | None = None,
) -> bool:
    """Check the gradients of ``func`` at ``inputs`` against finite differences (use float64).

    Returns True, or raises ``GradcheckError`` (returns False with ``raise_exception=False``)
    naming the output and input whose Jacobians differ.

    Example:
        >>> x = jtorch.tensor([1.0, 2.0], dtype=jtorch.float64, requires_grad=True)
        >>> jtorch.autograd.gradcheck(jtorch.sin, x)
        True
    """
    inputs = _as_tuple(inputs)
    try:
        return _gradcheck(func, inputs, eps, atol, rtol, check_grad_dtypes)
    except GradcheckError:
        if raise_exception:
            raise
        return False


def gradgradcheck(
    func,
    inputs,
    grad_outputs=None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    gen_non_contig_grad_outputs: bool = False,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_fwd_over_rev: bool = False,
    check_rev_over_rev: bool = True,
    fast_mode: bool = False,
    masked: bool = False,
) -> bool:
    """gradcheck of the gradients of ``func`` (second derivatives), with random or given
    ``grad_outputs``.

    Example:
        >>> x = jtorch.tensor([0.5, 1.5], dtype=jtorch.float64, requires_grad=True)
        >>> jtorch.autograd.gradgradcheck(lambda t: t**3, x)
        True
    """
    from jtorch.autograd import grad as autograd_grad  # noqa: PLC0415

    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        outputs = _differentiable(_as_tuple(func(*inputs)))
        grad_outputs = tuple(
            Tensor._make(
                o._xp().asarray(rng.uniform(-1, 1, o.shape).astype(o._array.dtype))
            ).requires_grad_()
            for o in outputs
        )
    grad_outputs = _as_tuple(grad_outputs)
    n = len(grad_outputs)
    diff_idx = {i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad}

    def first_derivatives(*args):
        ins = args[:-n]
        outs = _differentiable(_as_tuple(func(*ins)))
        grads = autograd_grad(
            outs,
            tuple(x for i, x in enumerate(ins) if i in diff_idx),
            args[-n:],
            create_graph=True,
            allow_unused=True,
        )
        return tuple(g for g in grads if g is not None)

    return gradcheck(
        first_derivatives,
        inputs + grad_outputs,
        eps=eps,
        atol=atol,
        rtol=rtol,
        raise_exception=raise_exception,
        check_grad_dtypes=check_grad_dtypes,
    )
