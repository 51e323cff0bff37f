"""Function (one differentiable op) and Node (its record in the graph, the ``grad_fn``).

Internal ops subclass ``Function``: ``forward(ctx, *arrays, **attrs)`` runs on raw xp arrays and
``backward(ctx, *grads)`` on Tensors, so ``create_graph=True`` differentiates backward itself.
User functions subclass ``jtorch.autograd.Function`` (``UserFunction`` here), whose forward gets
Tensors as in torch.

Example:
    >>> import jtorch
    >>> y = jtorch.ones(2, requires_grad=True) * 3
    >>> y.grad_fn.name(), y.grad_fn.next_functions
    ('MulBackward0', ((<AccumulateGrad object at 0x...>, 0), (None, 0)))
"""

from __future__ import annotations

import re
import traceback
import weakref
from collections import OrderedDict
from collections.abc import Callable
from contextlib import contextmanager

import numpy as np

from jtorch._tensor import Tensor
from jtorch.autograd.grad_mode import STATE
from jtorch.utils.hooks import RemovableHandle, add_hook

__all__ = ["Function", "UserFunction", "Node", "AccumulateGrad", "REGISTRY", "once_differentiable"]

REGISTRY: dict[str, type[Function]] = {}

_FREED = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you "
    "call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward "
    "through the graph a second time or if you need to access saved tensors after calling "
    "backward."
)


def _version_error(t: Tensor, node: Node | None, now: int, saved: int) -> RuntimeError:
    what = f"[{t.type()} {list(t.shape)}]"
    if node is not None:  # torch names the forward op: "output 0 of Exp"
        what += (
            f", which is output {t._output_nr} of {re.sub(r'Backward[0-9]*$', '', node.name())},"
        )
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: {what} is at version {now}; expected version {saved} instead. Hint: enable "
        "anomaly detection to find the operation that failed to compute its gradient, with "
        "torch.autograd.set_detect_anomaly(True, check_nan=False)."
    )


class Node:
    """A recorded op: the ``grad_fn`` of the tensors it produced, and the ``ctx`` of its Function.

    ``edges[i]`` is ``(node, output_nr)`` for input i that needs a gradient, else None.
    """

    # NOTE: class-level defaults instead of an __init__: a node (also the ctx of ops that run
    # without recording) is created per op call, so it must cost one allocation and no stores.
    __slots__ = ("edges", "needs_input_grad", "_in_meta", "_saved", "__dict__", "__weakref__")
    fn: type
    _retain_in: tuple = ()
    _retain_out: tuple = ()
    _out_meta = None
    _pre_hooks = None
    _post_hooks = None
    _tensor_hooks = None
    _retained = None
    _metadata = None
    _hidden: tuple = ()  # input positions that next_functions leaves out (see Function)

    # -- what forward calls ------------------------------------------------------------------
    def retain_inputs(self, *indexes: int) -> None:
        """Keep these inputs (as Tensors) for backward: ``ctx.saved_inputs``."""
        self._retain_in = indexes

    def retain_outputs(self, *indexes: int) -> None:
        """Keep these outputs for backward: ``ctx.saved_outputs`` (no reference cycle)."""
        self._retain_out = indexes

    @property
    def saved_inputs(self) -> tuple:
        return self._unpack(0, len(self._retain_in))

    @property
    def saved_outputs(self) -> tuple:
        n = len(self._retain_in)
        return self._unpack(n, n + len(self._retain_out))

    @property
    def saved_tensors(self) -> tuple:
        """What a user Function saved with ``ctx.save_for_backward``."""
        return self._unpack(0, len(self._retain_in))

    def _unpack(self, start: int, stop: int) -> tuple:
        if start == stop:
            return ()
        saved = self._saved
        if saved is None:
            raise RuntimeError(_FREED)
        out = []
        for k in range(start, stop):
            obj, vc, version, kind = saved[k]
            if kind == -1 and (vc is None or vc[0] == version):  # an unchanged input: as is
                out.append(obj)
            else:
                out.append(self._unpack_one(obj, vc, version, kind))
        return tuple(out)

    def _unpack_one(self, obj, vc, version: int, kind: int):
        # kind: -1 an input (Tensor or scalar) kept as is; -2 a non-differentiable output's
        # array; >= 0 the array of differentiable output number `kind` of this node.
        if kind == -1:
            t = obj
        else:
            t = Tensor._make(obj, kind >= 0, self if kind >= 0 else None, max(kind, 0))
            t._vc = vc
        if vc is not None and vc[0] != version:
            raise _version_error(t, t.grad_fn, vc[0], version)
        return t

    def _release(self) -> None:
        self._saved = None

    # -- torch's Node API ----------------------------------------------------------------------
    def name(self) -> str:
        return type(self).__name__

    @property
    def next_functions(self) -> tuple:
        hidden = self._hidden
        return tuple(
            e if e is not None else (None, 0) for i, e in enumerate(self.edges) if i not in hidden
        )

    @property
    def metadata(self) -> dict:
        if self._metadata is None:
            self._metadata = {}
        return self._metadata

    def register_hook(self, hook) -> RemovableHandle:
        """``hook(grad_inputs, grad_outputs)`` runs after this node's backward; may replace grads."""
        if self._post_hooks is None:
            self._post_hooks = OrderedDict()
        return add_hook(self._post_hooks, hook)

    def register_prehook(self, hook) -> RemovableHandle:
        """``hook(grad_outputs)`` runs before this node's backward; may replace grads."""
        if self._pre_hooks is None:
            self._pre_hooks = OrderedDict()
        return add_hook(self._pre_hooks, hook)

    def _register_tensor_hook(self, output_nr: int, hook) -> RemovableHandle:
        if self._tensor_hooks is None:
            self._tensor_hooks = OrderedDict()
        return add_hook(self._tensor_hooks.setdefault(output_nr, OrderedDict()), hook)

    def _retain_grad(self, t: Tensor) -> None:
        if self._retained is None:
            self._retained = {}
        self._retained[t._output_nr] = weakref.ref(t)

    def _call_backward(self, grads: list) -> tuple:
        out = self.fn.backward(self, *grads)
        return out if type(out) is tuple else (out,)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    # -- the rest of torch's FunctionCtx, for user Functions -------------------------------------
    def save_for_backward(self, *tensors) -> None:
        self.to_save = tensors

    def mark_dirty(self, *tensors) -> None:
        self.dirty_tensors = tensors

    def mark_non_differentiable(self, *tensors) -> None:
        self.non_differentiable = tensors

    def set_materialize_grads(self, value: bool) -> None:
        self.materialize_grads = value


class AccumulateGrad(Node):
    """The node of a leaf tensor: adds the incoming gradient into ``variable.grad``."""

    __slots__ = ("_variable",)

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    def __init__(self, variable: Tensor) -> None:
        self.edges = ()
        self._saved = None
        self._variable = weakref.ref(variable)

    @property
    def variable(self) -> Tensor:
        """The leaf (held weakly here: the leaf holds this node, and a graph holds the leaf)."""
        return self._variable()


class Function:
    """A differentiable primitive: ``forward`` on xp arrays, ``backward`` on Tensors.

    ``apply(*inputs, **attrs)`` takes Tensors and Python scalars. Class attributes:
    ``node_name`` (the grad_fn's class name, default ``<Name>Backward0``), ``is_view`` (outputs
    share the first input's memory and version counter), ``differentiable_outputs`` (indices of
    outputs that can carry gradients, default all), ``hidden_inputs`` (positions of inputs that
    torch's schema does not differentiate: Python numbers of its Scalar overloads, indices, masks
    and targets; ``next_functions`` leaves them out, as torch's does).
    """

    _Node: type[Node]
    is_view = False
    differentiable_outputs: tuple[int, ...] | None = None
    hidden_inputs: tuple[int, ...] = ()

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("node_name") or f"{cls.__name__}Backward0"
        cls._Node = type(name, (Node,), {"__slots__": (), "fn": cls, "_hidden": cls.hidden_inputs})
        REGISTRY[cls.__name__] = cls

    @staticmethod
    def forward(ctx: Node, *arrays, **attrs):
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Node, *grads):
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs, **attrs):
        ctx = cls._Node()
        arrays = []
        needs = []
        record = False
        for t in inputs:
            if isinstance(t, Tensor):
                arrays.append(t._array)
                if t._requires_grad:
                    record = True
                    needs.append(True)
                else:
                    needs.append(False)
            else:
                arrays.append(t)
                needs.append(False)
        if record and STATE.enabled:
            ctx.needs_input_grad = tuple(needs)
            return _record(ctx, inputs, cls.forward(ctx, *arrays, **attrs), attrs)
        n = len(inputs)
        ctx.needs_input_grad = _NO_GRAD[n] if n < 8 else (False,) * n
        out = cls.forward(ctx, *arrays, **attrs)
        if out.__class__ is np.ndarray and not cls.is_view:  # the no-grad path of every op
            t = _new(Tensor)  # NOTE: Tensor._make inlined
            t._array, t._requires_grad, t.grad_fn = out, False, None
            return t
        if type(out) is tuple:
            return tuple(_wrap_output(cls, o, inputs, attrs) for o in out)
        if cls.is_view:
            return _wrap_output(cls, out, inputs, attrs)
        return Tensor._make(out)


_NO_GRAD = [(False,) * n for n in range(8)]
INTERCEPTED = [0]  # NOTE: while non-zero every op must go through Function.apply (no fast path)


@contextmanager
def intercepted_apply(wrap: Callable):
    """Inside the block every op's ``Foo.apply(*inputs, **attrs)`` runs ``wrap(apply)`` instead,
    where ``apply(cls, *inputs, **attrs)`` is the real one; the fast paths that skip ``apply``
    (arithmetic on plain tensors outside autograd) are off meanwhile.

    NOTE: a temporary patch of the class attribute: every op calls ``Foo.apply``, which
    resolves to ``Function.apply``, so one assignment sees them all (tracers use this:
    TensorBoard's ``add_graph`` and ``%tensor_summary``'s op trace).

    Example:
        >>> import jtorch
        >>> seen = []
        >>> def wrap(apply):
        ...     return lambda cls, *a, **k: seen.append(cls.__name__) or apply(cls, *a, **k)
        >>> with intercepted_apply(wrap):
        ...     _ = jtorch.ones(2) + jtorch.ones(2)
        >>> seen
        ['Add']
    """
    original = Function.__dict__["apply"]
    Function.apply = classmethod(wrap(original.__func__))
    INTERCEPTED[0] += 1
    try:
        yield
    finally:
        INTERCEPTED[0] -= 1
        Function.apply = original


_new = object.__new__


def _wrap_output(cls: type[Function], array, inputs: tuple, attrs: dict) -> Tensor:
    t = Tensor._make(array)
    if cls.is_view:
        t._become_view_of(inputs[0], cls, attrs)
    return t


def _record(ctx: Node, inputs: tuple, out, attrs: dict):
    """Wrap forward's arrays as outputs with ``grad_fn=ctx`` and save what backward needs."""
    cls = ctx.fn
    edges, meta = [], []
    for t, need in zip(inputs, ctx.needs_input_grad):
        if not need:
            edges.append(None)
            meta.append(None)
            continue
        a = t._array
        if t._base is None:  # NOTE: Tensor._edge's common cases inlined
            fn = t.grad_fn
            if fn is not None:
                edges.append((fn, t._output_nr))
                meta.append((a.shape, a.dtype))
                continue
            if t._leaf_edge is not None:
                edges.append(t._leaf_edge)
                meta.append((a.shape, a.dtype, t))
                continue
        edges.append(t._edge())
        # NOTE: a leaf rides along in its meta: the graph keeps its leaves alive (as torch's
        # AccumulateGrad does), while the leaf's node only refers to it weakly.
        meta.append((a.shape, a.dtype) if t.grad_fn is not None else (a.shape, a.dtype, t))
    ctx.edges, ctx._in_meta = edges, meta
    if STATE.anomaly:
        ctx.metadata["traceback_"] = "".join(traceback.format_stack()[:-2])
    if type(out) is not tuple:
        if cls.is_view:
            t = _wrap_output(cls, out, inputs, attrs)
            if t._array.dtype.kind in "fc":
                t._requires_grad, t.grad_fn = True, ctx
        elif type(out) is np.ndarray and out.dtype.kind in "fc":  # Tensor._make inlined
            t = _new(Tensor)
            t._array, t._requires_grad, t.grad_fn = out, True, ctx
        elif out.dtype.kind in "fc":
            t = Tensor._make(out, True, ctx)
        else:
            t = Tensor._make(out)
        if ctx._retain_out:
            _save(ctx, inputs, (t,))
        elif ctx._retain_in:  # NOTE: _save inlined for the common case of saved inputs only
            ctx._saved = [_saved_input(inputs[i]) for i in ctx._retain_in]
        else:
            ctx._saved = None
        return t
    diff = cls.differentiable_outputs
    outputs = [_wrap_output(cls, a, inputs, attrs) for a in out]
    for i, t in enumerate(outputs):
        if (diff is None or i in diff) and t._array.dtype.kind in "fc":
            t._requires_grad, t.grad_fn, t._output_nr = True, ctx, i
    # only outputs that carry gradients get zeros when their gradient is missing
    ctx._out_meta = tuple(
        (t._array.shape, t._array.dtype) if t.grad_fn is ctx else None for t in outputs
    )
    if ctx._retain_in or ctx._retain_out:
        _save(ctx, inputs, outputs)
    else:
        ctx._saved = None
    return tuple(outputs)


def _save(ctx: Node, inputs: tuple, outputs) -> None:
    saved = [_saved_input(inputs[i]) for i in ctx._retain_in]
    if ctx._retain_out:
        saved += [_saved_output(outputs[i]) for i in ctx._retain_out]
    ctx._saved = saved


def _saved_input(t) -> tuple:
    if isinstance(t, Tensor):
        vc = t._vc
        if vc is None:  # NOTE: Tensor._version_counter inlined
            vc = t._vc = [0]
        return (t, vc, vc[0], -1)
    return (t, None, 0, -1)


def _saved_output(t: Tensor) -> tuple:
    # NOTE: an output is saved as its array and version counter and rebuilt on unpack with
    # grad_fn = the node: no node -> output -> node cycle, and create_graph still works.
    vc = t._version_counter()
    return (t._array, vc, vc[0], t._output_nr if t.grad_fn is not None else -2)


def once_differentiable(fn):
    """Decorator for a user Function's backward that runs it without building a graph."""

    def wrapper(ctx, *grads):
        with _no_grad():
            return fn(ctx, *grads)

    return wrapper


def _no_grad():
    from jtorch.autograd.grad_mode import no_grad  # noqa: PLC0415

    return no_grad()


class UserFunction:
    """``torch.autograd.Function``: subclass with static ``forward(ctx, ...)`` on Tensors and
    ``backward(ctx, *grads)``; call with ``MyFn.apply(...)``.

    Example:
        >>> class Square(jtorch.autograd.Function):
        ...     @staticmethod
        ...     def forward(ctx, x):
        ...         ctx.save_for_backward(x)
        ...         return x * x
        ...     @staticmethod
        ...     def backward(ctx, g):
        ...         (x,) = ctx.saved_tensors
        ...         return 2 * x * g
        >>> x = jtorch.tensor(3.0, requires_grad=True)
        >>> Square.apply(x).backward(); x.grad
        tensor(6.)
    """

    _Node: type[Node]

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        cls._Node = type(f"{cls.__name__}Backward", (_UserNode,), {"__slots__": (), "fn": cls})

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function."
        )

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom autograd.Function to use it with backward mode AD."
        )

    @classmethod
    def apply(cls, *args, **kwargs):
        ctx = cls._Node()
        tensors = [a for a in args if isinstance(a, Tensor)]
        record = STATE.enabled and any(t._requires_grad for t in tensors)
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
        with _no_grad():
            out = cls.forward(ctx, *args, **kwargs)
        if not record:
            return out
        return _record_user(ctx, args, out)


class _UserNode(Node):
    __slots__ = ()

    def _call_backward(self, grads: list) -> tuple:
        out = self.fn.backward(self, *grads)
        out = out if type(out) is tuple else (out,)
        n = len(self.edges)
        if len(out) > n and all(g is None for g in out[n:]):
            out = out[:n]
        if len(out) != n:
            raise RuntimeError(
                f"function {self.name()} returned an incorrect number of gradients "
                f"(expected {n}, got {len(out)})"
            )
        return out


def _record_user(ctx: Node, args: tuple, out):
    multi = isinstance(out, tuple)
    outs = list(out) if multi else [out]
    dirty = {id(t) for t in getattr(ctx, "dirty_tensors", ())}
    nondiff = {id(t) for t in getattr(ctx, "non_differentiable", ())}
    inputs = {id(a) for a in args if isinstance(a, Tensor)}
    ctx.edges = tuple(
        a._edge() if isinstance(a, Tensor) and a._requires_grad else None for a in args
    )
    ctx._hidden = tuple(i for i, a in enumerate(args) if not isinstance(a, Tensor))
    ctx._in_meta = tuple(
        (
            (a._array.shape, a._array.dtype, a)
            if a._requires_grad and a.grad_fn is None
            else (a._array.shape, a._array.dtype)
        )
        if isinstance(a, Tensor)
        else None
        for a in args
    )
    if STATE.anomaly:
        ctx.metadata["traceback_"] = "".join(traceback.format_stack()[:-2])
    for t in getattr(ctx, "dirty_tensors", ()):
        t._bump()  # torch bumps a dirty input once more when it becomes an output
    for i, t in enumerate(outs):
        if not isinstance(t, Tensor):
            continue
        if id(t) in inputs and id(t) not in dirty:  # an input returned as is: a new alias
            t = outs[i] = t.detach()
        if id(t) not in nondiff and t._array.dtype.kind in "fc":
            t._requires_grad, t.grad_fn, t._output_nr = True, ctx, i
    ctx._out_meta = tuple(
        (t._array.shape, t._array.dtype) if isinstance(t, Tensor) else None for t in outs
    )
    to_save = getattr(ctx, "to_save", None)
    ctx._saved = None
    if to_save:
        produced = {id(t) for t in outs}
        ctx._saved = [_saved_output(t) if id(t) in produced else _saved_input(t) for t in to_save]
        ctx._retain_in = tuple(range(len(to_save)))
        del ctx.to_save
    return tuple(outs) if multi else outs[0]
