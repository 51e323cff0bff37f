"""``torch.func``: composable function transforms (grad, vjp, jvp, jacrev, jacfwd, hessian, vmap)
and the stateless module helpers (functional_call, stack_module_state).

jtorch has no batching or dual-number tensors, so the transforms are built on reverse-mode
autograd: ``grad``/``vjp``/``jacrev`` differentiate the function's graph, ``jvp`` uses the
double-vjp trick (J^T u is linear in a dummy u, so d<J^T u, v>/du = J v), ``jacfwd`` and
``hessian`` use the Jacobian core, and ``vmap`` runs the function per batch element and stacks
the results. Transforms nest (``vmap(grad(f))``, ``jacrev(jacrev(f))``, ``grad(grad(f))``) because
an inner transform keeps its graph (``create_graph``) whenever an outer one may differentiate it.

Example:
    >>> import jtorch
    >>> from jtorch.func import grad, vmap
    >>> x = jtorch.tensor([0.0, 1.0, 2.0])
    >>> grad(lambda t: (t**3).sum())(x)
    tensor([ 0.,  3., 12.])
    >>> vmap(grad(lambda t: t.sin()))(x)
    tensor([ 1.0000,  0.5403, -0.4161])
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Sequence
from typing import Any

from jtorch._tensor import Tensor
from jtorch.autograd import grad as _autograd_grad
from jtorch.autograd.grad_mode import enable_grad, is_grad_enabled

__all__ = [
    "grad",
    "grad_and_value",
    "vjp",
    "jvp",
    "linearize",
    "jacrev",
    "jacfwd",
    "hessian",
    "vmap",
    "functional_call",
    "stack_module_state",
    "functionalize",
    "replace_all_batch_norm_modules_",
    "debug_unwrap",
]

# -- pytrees: tuples, lists, namedtuples and dicts of leaves ------------------------------------


def _is_node(x) -> bool:
    return isinstance(x, (tuple, list, dict))


def _tree_flatten(tree) -> tuple[list, Any]:
    """``(leaves, spec)``; spec is None for a leaf, else ``(type, dict keys, child specs)``."""
    leaves: list = []

    def go(x):
        if isinstance(x, dict):
            keys = list(x)
            return (dict, keys, [go(x[k]) for k in keys])
        if isinstance(x, (tuple, list)):
            return (type(x), None, [go(c) for c in x])
        leaves.append(x)
        return None

    return leaves, go(tree)


def _tree_unflatten(leaves: Sequence, spec) -> Any:
    it = iter(leaves)

    def go(s):
        if s is None:
            return next(it)
        typ, keys, children = s
        values = [go(c) for c in children]
        if keys is not None:
            return dict(zip(keys, values))
        if hasattr(typ, "_fields"):  # namedtuple
            return typ(*values)
        return typ(values)

    return go(spec)


def _spec_str(spec, indent: int = 0) -> str:
    """A spec printed as torch prints its ``TreeSpec`` (error messages quote it)."""
    if spec is None:
        return "*"
    typ, keys, children = spec
    context = typ if hasattr(typ, "_fields") else keys
    inner = ""
    if children:
        indent += 2
        inner = _spec_str(children[0], indent) + ("," if len(children) > 1 else "")
        inner += ",".join("\n" + " " * indent + _spec_str(c, indent) for c in children[1:])
    return f"TreeSpec({typ.__name__}, {context}, [{inner}])"


def _spec_pprint(spec) -> str:
    """torch's ``treespec_pprint``: the structure with ``*`` for leaves."""
    if spec is None:
        return "*"
    typ, keys, children = spec
    if keys is not None:
        items = ", ".join(f"{k!r}: {_spec_pprint(c)}" for k, c in zip(keys, children))
        return "{" + items + "}"
    inner = ", ".join(_spec_pprint(c) for c in children)
    if typ is list:
        return f"[{inner}]"
    return f"({inner},)" if len(children) == 1 else f"({inner})"


def _broadcast_prefix(prefix, spec) -> list | None:
    """Flat per-leaf values of ``prefix`` (an int/None applies to a whole subtree), or None when
    ``prefix`` does not match the tree's structure."""
    if not _is_node(prefix):
        return [prefix] * _count_leaves(spec)
    if (
        spec is None
        or not isinstance(prefix, spec[0])
        and not (isinstance(prefix, (tuple, list)) and spec[0] in (tuple, list))
    ):
        return None
    _, keys, children = spec
    if isinstance(prefix, dict):
        if keys is None or set(prefix) != set(keys):
            return None
        parts = [prefix[k] for k in keys]
    else:
        if keys is not None or len(prefix) != len(children):
            return None
        parts = list(prefix)
    out: list = []
    for p, c in zip(parts, children):
        sub = _broadcast_prefix(p, c)
        if sub is None:
            return None
        out += sub
    return out


def _count_leaves(spec) -> int:
    return 1 if spec is None else sum(_count_leaves(c) for c in spec[2])


# -- nesting: an inner transform keeps its graph when an outer one may differentiate it ---------


class _Depth(threading.local):
    """How many differentiating transforms are running in this thread (functorch's levels)."""

    value = 0


_DEPTH = _Depth()


class _Level:
    """Enter one differentiating transform: grad on inside, whatever the caller's grad mode."""

    def __init__(self, flat_inputs: Sequence) -> None:
        # NOTE: the result must stay differentiable when an enclosing transform is running or the
        # caller can still backpropagate into the inputs (grad mode on and an input needs grad).
        self.create = is_grad_enabled() and (
            _DEPTH.value > 0 or any(isinstance(t, Tensor) and t.requires_grad for t in flat_inputs)
        )

    def __enter__(self) -> _Level:
        _DEPTH.value += 1
        self._grad = enable_grad()
        self._grad.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._grad.__exit__(*exc)
        _DEPTH.value -= 1

    def wrap(self, flat: list) -> list:
        """Fresh differentiable stand-ins for the inputs (connected to them when ``create``)."""
        out = []
        for t in flat:
            if not isinstance(t, Tensor):
                raise ValueError(f"Thing passed to transform API must be Tensor, got {type(t)}")
            if self.create and t.requires_grad:
                out.append(t.view_as(t))
            else:
                out.append(t.detach().requires_grad_())
        return out

    def unwrap_aux(self, aux):
        """``aux`` outputs must be (pytrees of) Tensors, as in torch."""
        for t in _tree_flatten(aux)[0]:
            if not isinstance(t, Tensor):
                raise RuntimeError(f"Expected tensors, got unsupported type {type(t)}")
        return self.unwrap(aux)

    def unwrap(self, tree):
        """Results as the caller sees them: detached unless they must stay differentiable."""
        if self.create:
            return tree
        leaves, spec = _tree_flatten(tree)
        return _tree_unflatten([t.detach() if isinstance(t, Tensor) else t for t in leaves], spec)


def _vjp_flat(outs: Sequence, ins: Sequence, cotangents: Sequence, create: bool) -> list:
    """Gradients of ``outs`` (weighted by ``cotangents``) for each of ``ins``; zeros where an
    input does not reach the outputs. The graph is kept so the product can be taken again."""
    pairs = [(o, c) for o, c in zip(outs, cotangents) if o.requires_grad]
    grads = (None,) * len(ins)
    if pairs:
        grads = _autograd_grad(
            [o for o, _ in pairs],
            list(ins),
            [c for _, c in pairs],
            retain_graph=True,
            create_graph=create,
            allow_unused=True,
        )
    return [g if g is not None else _zeros_like(t) for g, t in zip(grads, ins)]


def _zeros_like(t: Tensor) -> Tensor:
    return Tensor._make(t._xp().zeros_like(t._array))


# -- argnums --------------------------------------------------------------------------------


def _wrap_argnum(argnum, num_args: int) -> int:
    if not isinstance(argnum, int):
        raise RuntimeError(f"argnum must be int, got: {type(argnum)}")
    if 0 <= argnum < num_args:
        return argnum
    if -num_args <= argnum < 0:
        return argnum + num_args
    raise RuntimeError(f"Got argnum={argnum}, but only {num_args} positional inputs")


def _argnums(argnums, num_args: int) -> tuple[int, ...] | int:
    if isinstance(argnums, int):
        return _wrap_argnum(argnums, num_args)
    if not isinstance(argnums, tuple):
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    if not argnums:
        raise RuntimeError("argnums must be non-empty")
    if len(set(argnums)) != len(argnums):
        raise RuntimeError(f"argnums elements must be unique, got {argnums}")
    return tuple(_wrap_argnum(a, num_args) for a in argnums)


def _split(args: tuple, argnums, level: _Level) -> tuple[tuple, list, Any, Callable]:
    """``(new_args, flat differentiable stand-ins, their spec, rebuild)`` for ``argnums``."""
    nums = _argnums(argnums, len(args))
    diff = args[nums] if isinstance(nums, int) else tuple(args[i] for i in nums)
    flat, spec = _tree_flatten(diff)
    wrapped = level.wrap(flat)
    new_diff = _tree_unflatten(wrapped, spec)
    new_args = list(args)
    if isinstance(nums, int):
        new_args[nums] = new_diff
    else:
        for i, v in zip(nums, new_diff):
            new_args[i] = v
    return tuple(new_args), wrapped, spec, flat


def _split_aux(out, has_aux: bool, api: str):
    if not has_aux:
        return out, None
    if not (isinstance(out, tuple) and len(out) == 2):
        raise RuntimeError(
            f"{api}: output of function f should be a tuple: (output, aux) if has_aux is True"
        )
    return out


# -- grad, vjp, jvp -------------------------------------------------------------------------


def grad_and_value(func: Callable, argnums=0, has_aux: bool = False) -> Callable:
    """Like :func:`grad`, returning ``(gradient, value)`` (``(gradient, (value, aux))`` with
    ``has_aux``).

    Example:
        >>> g, v = jtorch.func.grad_and_value(lambda x: (x**2).sum())(jtorch.tensor([1.0, 2.0]))
        >>> g, v
        (tensor([2., 4.]), tensor(5.))
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        api = "grad_and_value(f)(*args)"
        level = _Level(_tree_flatten(args)[0])
        with level:
            new_args, wrapped, spec, _ = _split(args, argnums, level)
            output, aux = _split_aux(func(*new_args, **kwargs), has_aux, api)
            if not isinstance(output, Tensor):
                raise RuntimeError(
                    f"{api}: Expected f(*args) to return a Tensor, got {type(output)}"
                )
            if output.dim() != 0:
                raise RuntimeError(
                    f"{api}: Expected f(*args) to return a scalar Tensor, got tensor with "
                    f"{output.dim()} dims. Maybe you wanted to use the vjp or jacrev APIs instead?"
                )
            grads = _vjp_flat([output], wrapped, [None], level.create)
        grads = _tree_unflatten(grads, spec)
        if has_aux:
            return grads, (level.unwrap(output), level.unwrap_aux(aux))
        return grads, level.unwrap(output)

    return wrapper


def grad(func: Callable, argnums=0, has_aux: bool = False) -> Callable:
    """The gradient of a scalar function with respect to the ``argnums`` argument(s), as a
    function of the same arguments. Arguments may be pytrees (tuples, lists, dicts) of Tensors.

    Example:
        >>> from jtorch.func import grad
        >>> x = jtorch.tensor(2.0)
        >>> grad(lambda t: t**3)(x), grad(grad(lambda t: t**3))(x)
        (tensor(12.), tensor(12.))
    """
    gv = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        g, value = gv(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return wrapper


def _float_outputs(flat_out: list, api: str) -> None:
    for o in flat_out:
        if not isinstance(o, Tensor):
            raise RuntimeError(
                f"{api}: Expected f to be a function that has Tensor outputs, got {type(o)}"
            )
        if not (o.is_floating_point() or o.is_complex()):
            raise RuntimeError(
                f"{api}: All outputs of f must be floating-point or complex Tensors, got Tensor "
                f"with dtype {o.dtype}"
            )


def vjp(func: Callable, *primals, has_aux: bool = False):
    """``(func(*primals), vjp_fn)``: ``vjp_fn(cotangents)`` returns the vector-Jacobian products,
    a tuple with one entry per primal (``(output, vjp_fn, aux)`` with ``has_aux``).

    Example:
        >>> out, vjp_fn = jtorch.func.vjp(jtorch.sin, jtorch.tensor([0.0, 1.0]))
        >>> vjp_fn(jtorch.ones(2))
        (tensor([1.0000, 0.5403]),)
    """
    level = _Level(_tree_flatten(primals)[0])
    with level:
        new_args, wrapped, spec, _ = _split(primals, tuple(range(len(primals))), level)
        out, aux = _split_aux(func(*new_args), has_aux, "vjp(f, *primals)")
        flat_out, out_spec = _tree_flatten(out)
        _float_outputs(flat_out, "vjp(f, ...)")

    def vjp_fn(cotangents, *, retain_graph: bool = True, create_graph: bool | None = None):
        flat_ct, ct_spec = _tree_flatten(cotangents)
        if ct_spec != out_spec:
            raise RuntimeError(
                "Expected pytree structure of cotangents to be the same as pytree structure of "
                f"outputs to the function. cotangents: {_spec_pprint(ct_spec)}, primal output: "
                f"{_spec_pprint(out_spec)}"
            )
        create = level.create if create_graph is None else create_graph
        with enable_grad():
            grads = _vjp_flat(flat_out, wrapped, flat_ct, create and is_grad_enabled())
        return _tree_unflatten(grads, spec)

    result = (level.unwrap(out), vjp_fn)
    return (*result, level.unwrap_aux(aux)) if has_aux else result


def _jvp_flat(flat_out: list, wrapped: list, flat_tangents: list, create: bool, strict: bool):
    # NOTE: double-vjp trick: g(u) = J^T u is linear in the dummy cotangent u, so the vjp of g
    # with the tangent v is J v. The first vjp keeps its graph so it can be differentiated.
    dummies = [_zeros_like(o).requires_grad_() for o in flat_out]
    grads = _vjp_flat(flat_out, wrapped, dummies, True)
    pairs = [(g, v) for g, v in zip(grads, flat_tangents) if g.requires_grad]
    if not pairs:
        if strict:
            raise RuntimeError(
                "jvp(f, primals, tangents, strict=True): The output of f is independent of "
                "the inputs. This is not allowed with strict=True."
            )
        return [_zeros_like(o) for o in flat_out]
    return _vjp_flat([g for g, _ in pairs], dummies, [v for _, v in pairs], create)


def jvp(func: Callable, primals: tuple, tangents: tuple, *, strict: bool = False, has_aux=False):
    """``(func(*primals), J @ tangents)``: the Jacobian-vector product (forward-mode derivative).

    Example:
        >>> x = jtorch.tensor([1.0, 2.0])
        >>> jtorch.func.jvp(lambda t: t**2, (x,), (jtorch.ones(2),))
        (tensor([1., 4.]), tensor([2., 4.]))
    """
    api = "jvp(f, primals, tangents)"
    if not isinstance(primals, tuple):
        raise RuntimeError(
            f"{api}: Expected primals to be a tuple. E.g. it should be valid to call f(*primals)."
        )
    flat_primals, p_spec = _tree_flatten(primals)
    flat_tangents, t_spec = _tree_flatten(tangents)
    if p_spec != t_spec:
        raise RuntimeError(
            f"{api}: Expected primals and tangents to have the same python structure. For "
            "example, if primals is a tuple of 3 tensors, tangents also must be. Got primals "
            f"with structure {_spec_str(p_spec)} and tangents with structure {_spec_str(t_spec)}"
        )
    if not flat_primals:
        raise RuntimeError(f"{api}: Expected primals to contain at least one Tensor.")
    for p, t in zip(flat_primals, flat_tangents):
        if not isinstance(t, Tensor):
            raise RuntimeError(f"{api}: Expected tangents to only contain Tensors, got {type(t)}")
        if isinstance(p, Tensor) and p.shape != t.shape:
            raise RuntimeError(
                f"{api}: Expected primals and tangents to have the same shape. Got primal "
                f"shape {p.shape} and tangent shape {t.shape}"
            )
    level = _Level(flat_primals + flat_tangents)
    with level:
        new_args, wrapped, _, _ = _split(primals, tuple(range(len(primals))), level)
        out, aux = _split_aux(func(*new_args), has_aux, api)
        flat_out, out_spec = _tree_flatten(out)
        for o in flat_out:
            if not isinstance(o, Tensor):
                raise RuntimeError(
                    f"{api}: expected f(*args) to return only tensors, got unsupported type "
                    f"{type(o)}"
                )
        tangents_out = _jvp_flat(flat_out, wrapped, flat_tangents, level.create, strict)
    result = (level.unwrap(out), level.unwrap(_tree_unflatten(tangents_out, out_spec)))
    return (*result, level.unwrap_aux(aux)) if has_aux else result


def linearize(func: Callable, *primals) -> tuple:
    """``(func(*primals), jvp_fn)`` where ``jvp_fn(*tangents)`` is the JVP at ``primals``.

    Example:
        >>> out, jvp_fn = jtorch.func.linearize(jtorch.sin, jtorch.tensor([0.0]))
        >>> jvp_fn(jtorch.tensor([2.0]))
        tensor([2.])
    """
    # NOTE: as torch (which traces the linearised graph once), the JVP is a function of the
    # tangents only: no gradient flows back into the primals.
    leaves, spec = _tree_flatten(primals)
    primals = _tree_unflatten([t.detach() if isinstance(t, Tensor) else t for t in leaves], spec)
    out = func(*primals)

    def jvp_fn(*tangents):
        return jvp(func, primals, tangents)[1]

    return out, jvp_fn


# -- Jacobians ------------------------------------------------------------------------------


def _jacobian(func: Callable, argnums, has_aux: bool, chunk_size, api: str) -> Callable:
    if chunk_size is not None and chunk_size <= 0:
        raise ValueError(f"{api}: `chunk_size` should be greater than 0.")

    @functools.wraps(func)
    def wrapper(*args):
        from jtorch.ops import stack  # noqa: PLC0415

        level = _Level(_tree_flatten(args)[0])
        with level:
            new_args, wrapped, in_spec, _ = _split(args, argnums, level)
            out, aux = _split_aux(func(*new_args), has_aux, f"{api}(f, ...)(*args)")
            flat_out, out_spec = _tree_flatten(out)
            for o in flat_out:
                if not isinstance(o, Tensor):
                    raise RuntimeError(
                        f"{api}(f, ...)(*args): Expected f to return only tensors, got "
                        f"unsupported type {type(o)}"
                    )
            jac_per_out = []
            for o in flat_out:
                # NOTE: one vjp per output element, with the rows of the identity as cotangents
                eye = o._xp().eye(o.numel(), dtype=o._array.dtype)
                rows = [
                    _vjp_flat([o], wrapped, [Tensor._make(eye[k].reshape(o.shape))], level.create)
                    for k in range(o.numel())
                ]
                jac_per_out.append(
                    _tree_unflatten(
                        [
                            (
                                stack([r[i] for r in rows])
                                if rows
                                else _zeros_like(x).reshape(0, *x.shape)
                            ).reshape(*o.shape, *x.shape)
                            for i, x in enumerate(wrapped)
                        ],
                        in_spec,
                    )
                )
        jac = level.unwrap(_tree_unflatten(jac_per_out, out_spec))
        return (jac, level.unwrap_aux(aux)) if has_aux else jac

    return wrapper


def jacrev(
    func: Callable,
    argnums=0,
    *,
    has_aux: bool = False,
    chunk_size: int | None = None,
    _preallocate_and_copy: bool = False,
) -> Callable:
    """The Jacobian of ``func`` with respect to the ``argnums`` argument(s), by reverse mode:
    each output leaf gets a tensor of shape ``output.shape + input.shape`` per input.

    Example:
        >>> jtorch.func.jacrev(lambda x: x**2)(jtorch.tensor([1.0, 2.0]))
        tensor([[2., 0.],
                [0., 4.]])
    """
    return _jacobian(func, argnums, has_aux, chunk_size, "jacrev")


def jacfwd(func: Callable, argnums=0, has_aux: bool = False, *, randomness: str = "error"):
    """The Jacobian of ``func`` (same layout as :func:`jacrev`). jtorch has no forward-mode
    tensors, so it is computed by reverse mode; the values are the same.

    Example:
        >>> jtorch.func.jacfwd(jtorch.sin)(jtorch.tensor([0.0, 0.0]))
        tensor([[1., 0.],
                [0., 1.]])
    """
    _check_randomness(randomness)
    return _jacobian(func, argnums, has_aux, None, "jacfwd")


def hessian(func: Callable, argnums=0) -> Callable:
    """The Hessian of a scalar function: the Jacobian of its Jacobian.

    Example:
        >>> jtorch.func.hessian(lambda x: (x**3).sum())(jtorch.tensor([1.0, 2.0]))
        tensor([[ 6.,  0.],
                [ 0., 12.]])
    """
    return jacfwd(jacrev(func, argnums), argnums)


# -- vmap -----------------------------------------------------------------------------------


def _check_randomness(randomness: str) -> None:
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(
            "Only allowed values for randomness are 'error', 'different', or 'same'. "
            f"Got {randomness}"
        )


def _name(func) -> str:
    return getattr(func, "__name__", repr(func))


def vmap(
    func: Callable,
    in_dims=0,
    out_dims=0,
    randomness: str = "error",
    *,
    chunk_size: int | None = None,
) -> Callable:
    """Map ``func`` over a batch dimension of its inputs: ``in_dims`` says which dimension of
    each input is mapped (None: not mapped; nested tuples follow the inputs' structure) and
    ``out_dims`` where the batch dimension goes in the outputs.

    jtorch runs ``func`` once per batch element and stacks the results, so any function works
    (including other transforms: ``vmap(grad(f))``). ``randomness='same'`` replays the random
    stream for every element; ``'error'`` raises if ``func`` draws random numbers.

    Example:
        >>> x, y = jtorch.ones(3, 2), jtorch.tensor([1.0, 2.0])
        >>> jtorch.func.vmap(jtorch.dot, in_dims=(0, None))(x, y)
        tensor([3., 3., 3.])
    """
    _check_randomness(randomness)
    if chunk_size is not None and (not isinstance(chunk_size, int) or chunk_size <= 0):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from jtorch.ops import stack  # noqa: PLC0415
        from jtorch.random import get_rng_state, set_rng_state  # noqa: PLC0415

        name = _name(func)
        flat_dims = _batched_dims(name, in_dims, args)
        flat_args, spec = _tree_flatten(args)
        sizes = [a.size(d) for a, d in zip(flat_args, flat_dims) if d is not None]
        if not sizes:
            raise ValueError("vmap: Expected at least one Tensor to vmap over")
        if any(s != sizes[0] for s in sizes):
            raise ValueError(
                "vmap: Expected all tensors to have the same size in the mapped dimension, got "
                f"sizes {sizes} for the mapped dimension"
            )
        rng = get_rng_state() if randomness != "different" else None
        if sizes[0] == 0:
            return _empty_batch(func, flat_args, flat_dims, spec, kwargs, out_dims, name)
        results = []
        for b in range(sizes[0]):
            if randomness == "same":
                set_rng_state(rng)
            sliced = [a if d is None else a.select(d, b) for a, d in zip(flat_args, flat_dims)]
            results.append(func(*_tree_unflatten(sliced, spec), **kwargs))
            if randomness == "error" and b == 0 and not bool((get_rng_state() == rng).all()):
                raise RuntimeError(
                    "vmap: called random operation while in randomness error mode. Please "
                    "either use the 'same' or 'different' randomness flags on vmap or perform "
                    "the randomness operation out of vmap"
                )
        flat_results = [_tree_flatten(r)[0] for r in results]
        out_spec = _tree_flatten(results[0])[1]
        flat_out_dims = _out_dims(name, out_dims, out_spec, results[0])
        outs = []
        for j, d in enumerate(flat_out_dims):
            column = [r[j] for r in flat_results]
            if d is None:
                outs.append(column[0])
                continue
            if not isinstance(column[0], Tensor):
                raise ValueError(
                    f"vmap({name}, ...): `{name}` must only return Tensors, got type "
                    f"{type(column[0])}. Did you mean to set out_dims= to None for output?"
                )
            outs.append(stack(column, d))
        return _tree_unflatten(outs, out_spec)

    return wrapper


def _empty_batch(func, flat_args, flat_dims, spec, kwargs, out_dims, name: str):
    """A batch of size 0: ``func`` runs once on zero-filled examples to learn the output
    shapes, and every output gets an empty batch dimension."""
    from jtorch.random import fork_rng  # noqa: PLC0415

    examples = [
        a
        if d is None
        else Tensor._make(a._xp().zeros(a.shape[:d] + a.shape[d + 1 :], a._array.dtype))
        for a, d in zip(flat_args, flat_dims)
    ]
    with fork_rng():
        sample = func(*_tree_unflatten(examples, spec), **kwargs)
    flat, out_spec = _tree_flatten(sample)
    dims = _out_dims(name, out_dims, out_spec, sample)
    return _tree_unflatten(
        [o if d is None else o.unsqueeze(d).narrow(d, 0, 0) for o, d in zip(flat, dims)], out_spec
    )


def _batched_dims(name: str, in_dims, args: tuple) -> list:
    if not isinstance(in_dims, (int, tuple)):
        raise ValueError(
            f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): expected `in_dims` to be int or a "
            f"(potentially nested) tuple matching the structure of inputs, got: {type(in_dims)}."
        )
    if not args:
        raise ValueError(
            f"vmap({name})(<inputs>): got no inputs. Maybe you forgot to add inputs, or you are "
            "trying to vmap over a function with no inputs. The latter is unsupported."
        )
    flat_args, spec = _tree_flatten(args)
    flat_dims = _broadcast_prefix(in_dims, spec)
    if flat_dims is None:
        raise ValueError(
            f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): in_dims is not compatible with "
            f"the structure of `inputs`. in_dims has structure "
            f"{_spec_str(_tree_flatten(in_dims)[1])} but inputs has structure {_spec_str(spec)}."
        )
    where = f"vmap({name}, in_dims={in_dims}, ...)(<inputs>)"
    for i, (arg, d) in enumerate(zip(flat_args, flat_dims)):
        if d is None:
            continue
        if not isinstance(d, int):
            raise ValueError(
                f"{where}: Got in_dim={d} for an input but in_dim must be either an integer "
                "dimension or None."
            )
        if not isinstance(arg, Tensor):
            raise ValueError(
                f"{where}: Got in_dim={d} for an input but the input is of type {type(arg)}. We "
                "cannot vmap over non-Tensor arguments, please use None as the respective in_dim"
            )
        if not -arg.dim() <= d < arg.dim():
            raise ValueError(
                f"{where}: Got in_dim={d} for some input, but that input is a Tensor of "
                f"dimensionality {arg.dim()} so expected in_dim to satisfy "
                f"-{arg.dim()} <= in_dim < {arg.dim()}."
            )
        flat_dims[i] = d % arg.dim()
    return flat_dims


def _out_dims(name: str, out_dims, out_spec, sample) -> list:
    if isinstance(sample, Tensor):
        if isinstance(out_dims, tuple) and len(out_dims) == 1:
            return list(out_dims)
        if out_dims is None or isinstance(out_dims, int):
            return [out_dims]
        flat = None
    else:
        flat = _broadcast_prefix(out_dims, out_spec)
    if flat is None:
        raise ValueError(
            f"vmap({name}, ..., out_dims={out_dims})(<inputs>): out_dims is not compatible with "
            f"the structure of `outputs`. out_dims has structure "
            f"{_spec_str(_tree_flatten(out_dims)[1])} but outputs has structure "
            f"{_spec_str(out_spec)}."
        )
    return flat


# -- modules --------------------------------------------------------------------------------


def _owner(module, name: str):
    *path, attr = name.split(".")
    for p in path:
        module = getattr(module, p)
    return module, attr


def _untie(module, values: dict) -> dict:
    """Give every name tied to a given parameter/buffer the same value (torch's tie_weights)."""
    names_of: dict[int, list[str]] = {}
    for name, t in (
        *module.named_parameters(remove_duplicate=False),
        *module.named_buffers(remove_duplicate=False),
    ):
        names_of.setdefault(id(t), []).append(name)
    out = dict(values)
    for tied in names_of.values():
        if len(tied) < 2:
            continue
        given = [n for n in tied if n in values]
        if not given:
            continue
        if len({id(values[n]) for n in given}) != 1:
            raise ValueError(
                f"functional_call got multiple values for keys {sorted(given)}, which are tied. "
                "Consider using tie_weights=False"
            )
        for n in tied:
            out[n] = values[given[0]]
    return out


def functional_call(
    module,
    parameter_and_buffer_dicts,
    args: Any = None,
    kwargs: dict | None = None,
    *,
    tie_weights: bool = True,
    strict: bool = False,
):
    """Call ``module`` with its parameters and buffers replaced by the given tensors (by
    state-dict name), restoring the originals afterwards.

    Example:
        >>> lin = jtorch.nn.Linear(2, 1)
        >>> params = {"weight": jtorch.ones(1, 2), "bias": jtorch.zeros(1)}
        >>> jtorch.func.functional_call(lin, params, (jtorch.tensor([[1.0, 2.0]]),))
        tensor([[3.]])
    """
    if isinstance(parameter_and_buffer_dicts, dict):
        values = parameter_and_buffer_dicts
    elif isinstance(parameter_and_buffer_dicts, Sequence):
        if not all(isinstance(d, dict) for d in parameter_and_buffer_dicts):
            raise ValueError(
                "Expected all elements of parameter_and_buffer_dicts to be dictionaries"
            )
        counts: dict[str, int] = {}
        for d in parameter_and_buffer_dicts:
            for k in d:
                counts[k] = counts.get(k, 0) + 1
        repeated = [k for k, n in counts.items() if n > 1]
        if repeated:
            raise ValueError(
                f"{repeated} appeared in multiple dictionaries; behavior of functional call is "
                "ambiguous"
            )
        values = {k: v for d in parameter_and_buffer_dicts for k, v in d.items()}
    else:
        raise ValueError(
            "Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of dicts, but got "
            f"{type(parameter_and_buffer_dicts)}"
        )
    if tie_weights:
        values = _untie(module, values)
    if strict:
        _check_keys(module, values)
    args = () if args is None else args if isinstance(args, tuple) else (args,)
    swapped = []
    try:
        for name, value in values.items():
            owner, attr = _owner(module, name)
            for table in (owner._parameters, owner._buffers):
                if attr in table:
                    swapped.append((table, attr, table[attr]))
                    table[attr] = value
                    break
            else:
                swapped.append((owner.__dict__, attr, owner.__dict__.get(attr, _MISSING)))
                owner.__dict__[attr] = value
        return module(*args, **(kwargs or {}))
    finally:
        for table, attr, old in reversed(swapped):
            if old is _MISSING:
                del table[attr]
            else:
                table[attr] = old


_MISSING = object()


def _check_keys(module, values: dict) -> None:
    expected = {n for n, _ in module.named_parameters(remove_duplicate=False)}
    expected |= {n for n, _ in module.named_buffers(remove_duplicate=False)}
    msgs = []
    unexpected = sorted(set(values) - expected)
    missing = sorted(expected - set(values))
    if unexpected:
        msgs.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
    if missing:
        msgs.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
    if msgs:
        raise RuntimeError(
            f"Error(s) in reparametrizing for {type(module).__name__}:\n\t" + "\n\t".join(msgs)
        )


def stack_module_state(models) -> tuple[dict, dict]:
    """Stack the parameters and buffers of same-class modules along a new leading dimension,
    for ensembling with :func:`vmap` and :func:`functional_call`. Stacked parameters are new
    leaves (requiring grad when the originals do).

    Example:
        >>> models = [jtorch.nn.Linear(3, 2) for _ in range(4)]
        >>> params, buffers = jtorch.func.stack_module_state(models)
        >>> params["weight"].shape, buffers
        (torch.Size([4, 2, 3]), {})
    """
    from jtorch.ops import stack  # noqa: PLC0415

    if len(models) == 0:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if not (all(m.training for m in models) or not any(m.training for m in models)):
        raise RuntimeError(
            "stack_module_state: Expected all models to have the same training/eval mode."
        )
    if not all(type(m) is type(models[0]) for m in models):
        raise RuntimeError("stack_module_state: Expected all models to be of the same class.")

    def stacked(named: list[dict]) -> dict:
        out = {}
        for k in named[0]:
            ts = [d[k] for d in named]
            req = {t.requires_grad for t in ts}
            if len(req) > 1:
                raise RuntimeError(f"Expected {k} from each model to have the same .requires_grad")
            s = stack(ts)
            out[k] = s.detach().requires_grad_() if req == {True} else s
        return out

    return (
        stacked([dict(m.named_parameters()) for m in models]),
        stacked([dict(m.named_buffers()) for m in models]),
    )


def functionalize(func: Callable, *, remove: str = "mutations") -> Callable:
    """``torch.func.functionalize``: jtorch runs programs eagerly with their mutations, which
    gives the same results, so ``func`` is returned wrapped but unchanged.

    Example:
        >>> jtorch.func.functionalize(lambda x: x.add_(1))(jtorch.zeros(2))
        tensor([1., 1.])
    """
    if remove not in ("mutations", "mutations_and_views"):
        raise RuntimeError(
            f"functionalize(f, remove='mutations'): received invalid argument for remove={remove}."
            " Valid options are:\n     remove='mutations': all inplace and out= operators will be"
            " removed from the program, and replaced with their out-of-place equivalents.\n"
            "     remove='mutations_and_views': In addition to the above, all aliasing operators "
            "{view} will be replaced with their non-aliasing counterparts, {view}_copy.\n"
        )
    return functools.wraps(func)(lambda *args, **kwargs: func(*args, **kwargs))


def replace_all_batch_norm_modules_(root):
    """Make every batch-norm module of ``root`` stop tracking running statistics (in place), so
    it can run under :func:`vmap`.

    Example:
        >>> bn = jtorch.func.replace_all_batch_norm_modules_(jtorch.nn.BatchNorm1d(3))
        >>> bn.running_mean is None, bn.track_running_stats
        (True, False)
    """
    from jtorch.nn.modules.normalization import _BatchNorm  # noqa: PLC0415

    for m in root.modules():
        if isinstance(m, _BatchNorm):
            m.running_mean = None
            m.running_var = None
            m.num_batches_tracked = None
            m.track_running_stats = False
    return root


def debug_unwrap(tensor: Tensor, *, recurse: bool = True) -> Tensor:
    """The plain tensor behind a transform's wrapper: jtorch's transforms use plain tensors.

    Example:
        >>> jtorch.func.debug_unwrap(jtorch.ones(1))
        tensor([1.])
    """
    return tensor
