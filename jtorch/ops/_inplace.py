"""In-place ops and ``out=``: write an out-of-place result into an existing tensor, as torch does.

An in-place op is its out-of-place op plus a write: the tensor's version counter is bumped (so
saved copies of it fail loudly in backward), it takes over the result's ``grad_fn``, and when it
is a view of a tensor that requires grad, the base gets a ``CopySlices`` node so gradients flow
to both the untouched part of the base and the written values.

Example:
    >>> import jtorch
    >>> x = jtorch.zeros(3)
    >>> x[1:].add_(2)
    tensor([2., 2.])
    >>> x, x._version
    (tensor([0., 2., 2.]), 1)
"""

from __future__ import annotations

import functools
import inspect

from jtorch import dtypes
from jtorch._tensor import Tensor
from jtorch.autograd.function import Function
from jtorch.autograd.grad_mode import STATE

__all__ = ["inplace", "make_inplace", "make_inplace_view", "with_out", "write_into", "replay_view"]


def replay_view(chain: tuple, t: Tensor) -> Tensor:
    """Apply a recorded chain of view ops to ``t`` (a base, or a gradient of the base's shape)."""
    links = []
    while chain is not None:
        chain, fn, attrs = chain
        links.append((fn, attrs))
    for fn, attrs in reversed(links):
        t = fn.apply(t, **attrs)
    return t


class CopySlices(Function):
    """The base of a view that was written in place: grads go to the old base and the value."""

    node_name = "CopySlices"

    @staticmethod
    def forward(ctx, base, value, chain):
        ctx.chain = chain
        return base  # already holds the written values

    @staticmethod
    def backward(ctx, grad):
        xp = grad._xp()
        mask = Tensor._make(xp.ones(grad.shape, grad._array.dtype))
        replay_view(ctx.chain, mask)._array[...] = 0
        return grad * mask, replay_view(ctx.chain, grad)


def write_into(dst: Tensor, result: Tensor) -> None:
    """Copy ``result``'s values into ``dst``'s memory with torch's shape and dtype checks."""
    if result._array.shape != dst._array.shape:
        raise RuntimeError(
            f"output with shape {list(dst._array.shape)} doesn't match the broadcast shape "
            f"{list(result._array.shape)}"
        )
    if result._array.dtype != dst._array.dtype and not dtypes.can_cast(result.dtype, dst.dtype):
        raise RuntimeError(
            f"result type {result.dtype.scalar_name} can't be cast to the desired output type "
            f"{dst.dtype.scalar_name}"
        )
    if not dst._array.flags.writeable:
        raise RuntimeError(
            "unsupported operation: more than one element of the written-to tensor refers to a "
            "single memory location. Please clone() the tensor before performing the operation."
        )
    dst._xp().copyto(dst._array, result._array, casting="unsafe")
    dst._bump()


def inplace(self: Tensor, result: Tensor) -> Tensor:
    """Make ``self`` hold ``result`` (computed out of place from ``self``) and take its graph."""
    write_into(self, result)
    if result.grad_fn is not None:
        if self._base is None:
            self.grad_fn, self._output_nr, self._requires_grad = (
                result.grad_fn,
                result._output_nr,
                True,
            )
        else:
            _rebase_view(self, result)
    return self


def _rebase_view(view: Tensor, result: Tensor) -> None:
    base = view._base
    new = CopySlices.apply(base, result, chain=view._view_chain)
    base.grad_fn, base._output_nr, base._requires_grad = new.grad_fn, 0, True
    replayed = replay_view(view._view_chain, base)
    view.grad_fn, view._output_nr, view._requires_grad = replayed.grad_fn, replayed._output_nr, True
    view._view_version = view._vc[0]


def _check_inplace_allowed(self: Tensor) -> None:
    if self._requires_grad and self.grad_fn is None:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation."
        )
    base = self._base
    if base is not None and base._requires_grad and base.grad_fn is None:
        raise RuntimeError(
            "a view of a leaf Variable that requires grad is being used in an in-place operation."
        )


def make_inplace(fn):
    """The in-place method ``fn_`` of an out-of-place op ``fn(self, ...)``."""

    @functools.wraps(fn)
    def method(self: Tensor, *args, **kwargs) -> Tensor:
        if not STATE.enabled:
            return inplace(self, fn(self, *args, **kwargs))
        _check_inplace_allowed(self)
        # NOTE: the op sees an alias of self with its own version counter; if its node saved
        # that alias, it gets a private copy of the old values before self is overwritten
        # (torch's in-place formulas save `original_self` the same way).
        old = Tensor._make(self._array, self._requires_grad, self.grad_fn, self._output_nr)
        result = fn(old, *args, **kwargs)
        node = result.grad_fn
        if node is not None and node._saved and any(e[0] is old for e in node._saved):
            old._array = old._array.copy()
        return inplace(self, result)

    method.__name__ = method.__qualname__ = fn.__name__ + "_"
    method.__doc__ = f"In-place version of :func:`{fn.__name__}`."
    return method


def make_inplace_view(fn):
    """The in-place method of a view op (``t_``, ``transpose_``, ``squeeze_``...): the tensor
    itself becomes the view (same memory, new shape/strides) and takes the view's graph."""

    @functools.wraps(fn)
    def method(self: Tensor, *args, **kwargs) -> Tensor:
        if STATE.enabled:
            _check_inplace_allowed(self)
        old = Tensor._make(self._array, self._requires_grad, self.grad_fn, self._output_nr)
        result = fn(old, *args, **kwargs)
        self._array = result._array
        self._bump()
        if self._base is not None and result._view_chain is not None:
            _, view_fn, attrs = result._view_chain
            self._view_chain = (self._view_chain, view_fn, attrs)
            self._view_version = self._vc[0]
        if result.grad_fn is not None:
            self.grad_fn, self._output_nr, self._requires_grad = (
                result.grad_fn,
                result._output_nr,
                True,
            )
        return self

    method.__name__ = method.__qualname__ = fn.__name__ + "_"
    method.__doc__ = f"In-place version of :func:`{fn.__name__}` (changes shape, not values)."
    return method


def with_out(fn):
    """Give op ``fn`` torch's ``out=`` keyword: the result is written into ``out``.

    The wrapper takes ``fn``'s own parameters plus ``out`` and passes them on by name.
    NOTE: it is generated with ``exec`` (as ``dataclasses`` makes ``__init__``): a generic
    ``(*args, out=None, **kwargs)`` wrapper packs and unpacks the arguments on every call, 0.2 us
    of a 2 us small op.
    """
    params = inspect.signature(fn).parameters.values()
    kinds = {p.kind for p in params}
    if not kinds <= {inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY}:
        raise TypeError(f"with_out: {fn.__name__} must take only named parameters")
    pos = [p.name for p in params if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
    kw = [p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY]
    by_name = [f"{k}={k}" for k in kw]
    src = (
        f"def {fn.__name__}({', '.join([*pos, '*', *kw, 'out'])}):\n"
        "    if out is None:\n"
        f"        return fn({', '.join(pos + by_name)})\n"
        f"    return _into(out, fn, ({''.join(a + ', ' for a in pos)}), dict({', '.join(by_name)}))\n"
    )
    namespace = {"__name__": fn.__module__, "fn": fn, "_into": _into}
    exec(src, namespace)  # noqa: S102  (source built above from fn's parameter names)
    wrapper = functools.wraps(fn)(namespace[fn.__name__])
    wrapper.__defaults__ = fn.__defaults__
    wrapper.__kwdefaults__ = {**(fn.__kwdefaults__ or {}), "out": None}
    return wrapper


def _into(out: Tensor | tuple | list, fn, args: tuple, kwargs: dict):
    """``fn(*args, **kwargs)`` written into ``out`` (a tensor, or one per result)."""
    if STATE.enabled and any(isinstance(a, Tensor) and a._requires_grad for a in args):
        raise RuntimeError(
            f"{fn.__name__}(): functions with out=... arguments don't support automatic "
            "differentiation, but one of the arguments requires grad."
        )
    result = fn(*args, **kwargs)
    if isinstance(out, (tuple, list)):
        for dst, res in zip(out, result):
            _resize_write(dst, res)
        return type(result)(out) if isinstance(result, tuple) else out
    _resize_write(out, result)
    return out


def _resize_write(out: Tensor, result: Tensor) -> None:
    if out._array.shape != result._array.shape:
        # torch resizes out= tensors to the result's shape
        out._array = out._xp().empty(result._array.shape, out._array.dtype)
    write_into(out, result)
