"""Higher-level autograd: vjp, jvp, jacobian, hessian, vhp, hvp (``torch.autograd.functional``).

Inputs are a Tensor or a tuple of Tensors, and results mirror that structure as in torch.
Forward-mode products (``jvp``) use the double-backward trick; ``hvp`` equals ``vhp`` because
the Hessian is symmetric.

Example:
    >>> import jtorch
    >>> from jtorch.autograd.functional import jacobian
    >>> jacobian(lambda x: x**2, jtorch.tensor([1.0, 2.0]))
    tensor([[2., 0.],
            [0., 4.]])
"""

from __future__ import annotations

from jtorch._tensor import Tensor
from jtorch.autograd.grad_mode import enable_grad, is_grad_enabled, set_grad_enabled

__all__ = ["vjp", "jvp", "jacobian", "hessian", "vhp", "hvp"]


def _tuple(x, what: str, fn: str) -> tuple[bool, tuple]:
    is_tuple = isinstance(x, tuple)
    items = x if is_tuple else (x,)
    for i, el in enumerate(items):
        if not isinstance(el, Tensor):
            where = f" value at index {i}" if is_tuple else f" given {what}"
            raise TypeError(
                f"The {what} given to {fn} must be either a Tensor or a tuple of Tensors but "
                f"the{where} has type {type(el)}."
            )
    return is_tuple, items


def _unpack(res, is_tuple):
    """Undo the tuple wrapping: ``is_tuple`` is a bool, or (outputs, inputs) for nested results."""
    if isinstance(is_tuple, tuple):
        if not is_tuple[1]:
            res = tuple(el[0] for el in res)
        return res if is_tuple[0] else res[0]
    return res if is_tuple else res[0]


def _prepare(inputs: tuple, create_graph: bool, need_graph: bool) -> tuple:
    # NOTE: fresh leaves so the user's graph is untouched, unless create_graph asks to keep it
    return tuple(
        t.view_as(t) if create_graph and t.requires_grad else t.detach().requires_grad_(need_graph)
        for t in inputs
    )


def _finish(res, create_graph: bool):
    if isinstance(res, Tensor):
        return res if create_graph else res.detach()
    return tuple(_finish(r, create_graph) for r in res)


def _validate_v(v: tuple, other: tuple, is_tuple: bool) -> None:
    if len(v) != len(other):
        raise RuntimeError(
            f"v is a tuple of invalid length: should be {len(other)} but got {len(v)}."
            if is_tuple
            else "The given v should contain a single Tensor."
        )
    for i, (a, b) in enumerate(zip(v, other)):
        if a.shape != b.shape:
            where = f"Entry {i} in " if is_tuple else ""
            raise RuntimeError(f"{where}v has invalid size: should be {b.shape} but got {a.shape}.")


def _grad(outputs: tuple, inputs: tuple, grad_outputs=None, create_graph=False, retain=None):
    """``autograd.grad`` over the outputs that require grad (all None if none does)."""
    from jtorch.autograd import grad  # noqa: PLC0415

    grad_outputs = grad_outputs if grad_outputs is not None else (None,) * len(outputs)
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None and o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    outs, gouts = zip(*pairs)
    return grad(
        outs, inputs, gouts, retain_graph=retain, create_graph=create_graph, allow_unused=True
    )


def _zeros(grads: tuple, refs: tuple, strict: bool, message: str) -> tuple:
    res = []
    for i, (g, ref) in enumerate(zip(grads, refs)):
        if g is None:
            if strict:
                raise RuntimeError(message.format(i))
            g = Tensor._make(ref._xp().zeros_like(ref._array))
        res.append(g)
    return tuple(res)


_INDEPENDENT = (
    "The output of the user-provided function is independent of input {}. This is not allowed "
    "in strict mode."
)


def _check_outputs(outputs: tuple, strict: bool) -> None:
    if strict:
        for i, o in enumerate(outputs):
            if not o.requires_grad:
                raise RuntimeError(
                    f"Output {i} of the user-provided function does not require gradients. The "
                    "outputs must be computed in a differentiable manner from the input when "
                    "running in strict mode."
                )


def vjp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), v^T J)``: the vector-Jacobian product at ``inputs``.

    Example:
        >>> vjp(lambda x: x.exp().sum(), jtorch.zeros(2))
        (tensor(2.), tensor([1., 1.]))
    """
    with enable_grad():
        in_tuple, inputs = _tuple(inputs, "inputs", "vjp")
        inputs = _prepare(inputs, create_graph, True)
        out_tuple, outputs = _tuple(func(*inputs), "outputs of the user-provided function", "vjp")
        _check_outputs(outputs, strict)
        if v is not None:
            v = _prepare(_tuple(v, "v", "vjp")[1], create_graph, False)
            _validate_v(v, outputs, out_tuple)
        elif len(outputs) != 1 or outputs[0].numel() != 1:
            raise RuntimeError(
                "The vector v can only be None if the user-provided function returns a single "
                "Tensor with a single element."
            )
        grads = _grad(outputs, inputs, v, create_graph)
        result = _zeros(grads, inputs, strict, _INDEPENDENT)
    return _unpack(_finish(outputs, create_graph), out_tuple), _unpack(
        _finish(result, create_graph), in_tuple
    )


def jvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), J v)``: the Jacobian-vector product (by the double-backward trick).

    Example:
        >>> jvp(lambda x: x**2, jtorch.tensor([1.0, 3.0]), jtorch.ones(2))
        (tensor([1., 9.]), tensor([2., 6.]))
    """
    with enable_grad():
        in_tuple, inputs = _tuple(inputs, "inputs", "jvp")
        inputs = _prepare(inputs, create_graph, True)
        if v is not None:
            v = _prepare(_tuple(v, "v", "jvp")[1], create_graph, False)
            _validate_v(v, inputs, in_tuple)
        elif len(inputs) != 1 or inputs[0].numel() != 1:
            raise RuntimeError(
                "The vector v can only be None if the input to the user-provided function is a "
                "single Tensor with a single element."
            )
        out_tuple, outputs = _tuple(func(*inputs), "outputs of the user-provided function", "jvp")
        _check_outputs(outputs, strict)
        # J^T u is linear in the dummy u; differentiating <J^T u, v> by u gives J v
        dummies = tuple(
            Tensor._make(o._xp().zeros_like(o._array)).requires_grad_() for o in outputs
        )
        grad_inputs = _grad(outputs, inputs, dummies, create_graph=True)
        result = _grad(grad_inputs, dummies, v, create_graph)
        result = _zeros(
            result,
            outputs,
            strict,
            "The gradient with respect to the input is independent of entry {} in the "
            "grad_outputs when using the double backward trick to compute forward mode "
            "gradients. This is not allowed in strict mode.",
        )
    return _unpack(_finish(outputs, create_graph), out_tuple), _unpack(
        _finish(result, create_graph), out_tuple
    )


def jacobian(
    func,
    inputs,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    strategy: str = "reverse-mode",
):
    """The Jacobian of ``func`` at ``inputs``: for output i and input j a tensor of shape
    ``outputs[i].shape + inputs[j].shape`` (nested tuples when either side is a tuple).

    Example:
        >>> jacobian(lambda x, y: x * y, (jtorch.tensor([1.0, 2.0]), jtorch.tensor([3.0, 4.0])))
        (tensor([[3., 0.],
                [0., 4.]]), tensor([[1., 0.],
                [0., 2.]]))
    """
    from jtorch.ops import stack  # noqa: PLC0415

    if strategy not in ("reverse-mode", "forward-mode"):
        raise AssertionError(
            'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
            'function has more outputs than inputs, "forward-mode" tends to be more '
            'performant. Otherwise, prefer to use "reverse-mode".'
        )
    with enable_grad():
        in_tuple, inputs = _tuple(inputs, "inputs", "jacobian")
        inputs = _prepare(inputs, create_graph, True)
        out_tuple, outputs = _tuple(
            func(*inputs), "outputs of the user-provided function", "jacobian"
        )
        _check_outputs(outputs, strict)
        jac = []
        for i, out in enumerate(outputs):
            rows: list[list] = [[] for _ in inputs]
            xp = out._xp()
            for k in range(out.numel()):
                onehot = xp.zeros(out._array.shape, out._array.dtype)
                onehot.reshape(-1)[k] = 1
                grads = _grad((out,), inputs, (Tensor._make(onehot),), create_graph, retain=True)
                for j, (g, inp) in enumerate(zip(grads, inputs)):
                    if g is None:
                        if strict:
                            raise RuntimeError(
                                f"Output {i} of the user-provided function is independent of "
                                f"input {j}. This is not allowed in strict mode."
                            )
                        g = Tensor._make(inp._xp().zeros_like(inp._array))
                    rows[j].append(g)
            jac.append(
                tuple(
                    (
                        stack(r).view(out.shape + inp.shape)
                        if r
                        else Tensor._make(xp.zeros(out.shape + inp.shape, out._array.dtype))
                    )
                    for r, inp in zip(rows, inputs)
                )
            )
    return _unpack(_finish(tuple(jac), create_graph), (out_tuple, in_tuple))


def hessian(
    func,
    inputs,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    outer_jacobian_strategy: str = "reverse-mode",
):
    """The Hessian of a scalar function: the Jacobian of its gradient.

    Example:
        >>> hessian(lambda x: (x**3).sum(), jtorch.tensor([1.0, 2.0]))
        tensor([[ 6.,  0.],
                [ 0., 12.]])
    """
    in_tuple, inputs = _tuple(inputs, "inputs", "hessian")

    def scalar_output(*inp):
        out = func(*inp)
        if isinstance(out, tuple) or not isinstance(out, Tensor):
            raise RuntimeError("The function given to hessian should return a single Tensor")
        if out.numel() != 1:
            raise RuntimeError(
                "The Tensor returned by the function given to hessian should contain a single "
                "element"
            )
        return out.squeeze()

    def gradient(*inp):
        jac = jacobian(scalar_output, inp, create_graph=True)
        if strict:
            for i, g in enumerate(jac):
                if not g.requires_grad:
                    raise RuntimeError(
                        f"The hessian of the user-provided function with respect to input {i} "
                        "is independent of the input. This is not allowed in strict mode. You "
                        "should ensure that your function is thrice differentiable and that the "
                        "hessian depends on the inputs."
                    )
        return jac

    res = jacobian(gradient, inputs, create_graph=create_graph, strict=strict)
    return _unpack(res, (in_tuple, in_tuple))


def vhp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), v^T H)`` for a scalar function.

    Example:
        >>> vhp(lambda x: (x**3).sum(), jtorch.tensor([1.0, 2.0]), jtorch.ones(2))
        (tensor(9.), tensor([ 6., 12.]))
    """
    return _hessian_product(func, inputs, v, create_graph, strict, "vhp")


def hvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), H v)`` for a scalar function.

    Example:
        >>> hvp(lambda x: (x**3).sum(), jtorch.tensor([1.0, 2.0]), jtorch.ones(2))
        (tensor(9.), tensor([ 6., 12.]))
    """
    # NOTE: the Hessian of a twice continuously differentiable function is symmetric, so
    # H v = (v^T H)^T: one double backward instead of torch's extra forward-mode trick.
    return _hessian_product(func, inputs, v, create_graph, strict, "hvp")


def _hessian_product(func, inputs, v, create_graph: bool, strict: bool, name: str):
    with enable_grad():
        in_tuple, inputs = _tuple(inputs, "inputs", name)
        inputs = _prepare(inputs, create_graph, True)
        if v is not None:
            v = _prepare(_tuple(v, "v", name)[1], create_graph, False)
            _validate_v(v, inputs, in_tuple)
        elif len(inputs) != 1 or inputs[0].numel() != 1:
            raise RuntimeError(
                "The vector v can only be None if the input to the user-provided function is a "
                "single Tensor with a single element."
            )
        out = func(*inputs)
        out_tuple, outputs = _tuple(out, "outputs of the user-provided function", name)
        if out_tuple or not isinstance(outputs[0], Tensor):
            raise RuntimeError(f"The function given to {name} should return a single Tensor")
        if outputs[0].numel() != 1:
            raise RuntimeError(
                f"The Tensor returned by the function given to {name} should contain a single "
                "element"
            )
        jac = _grad(outputs, inputs, create_graph=True)
        if strict:
            for i, g in enumerate(jac):
                if g is None or not g.requires_grad:
                    raise RuntimeError(
                        "While computing the hessian, found that the jacobian of the "
                        f"user-provided function with respect to input {i} is independent of "
                        "the input. This is not allowed in strict mode. You should ensure that "
                        "your function is twice differentiable and that the jacobian depends on "
                        "the inputs (this would be violated by a linear function for example)."
                    )
    with set_grad_enabled(create_graph or is_grad_enabled()):
        grads = _grad(jac, inputs, v, create_graph)
        result = _zeros(
            grads,
            inputs,
            strict,
            "The jacobian of the user-provided function is independent of input {}. This is "
            "not allowed in strict mode.",
        )
    return _unpack(_finish(outputs, create_graph), False), _unpack(
        _finish(result, create_graph), in_tuple
    )
