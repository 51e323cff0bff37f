"""Matrix products: mm, bmm, mv, dot, vdot, matmul (torch's dispatch), addmm & co, einsum,
tensordot, kron, outer, inner.

The primitives (``Mm``, ``Bmm``, ``Mv``, ``Dot``, ``Vdot``) are one GEMM (or dot) each; their
``add*`` variants (``Addmm``, ``Addmv``, ``Baddbmm``, ``Addbmm``) fuse ``beta * input`` into the
same pass, which is what ``nn.Linear`` uses. ``matmul`` composes them the way torch does, so
results carry torch's grad_fn names (``MmBackward0``, ``DotBackward0``, ``UnsafeViewBackward0``).

Example:
    >>> import jtorch
    >>> a = jtorch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> a @ jtorch.tensor([1.0, 1.0])
    tensor([3., 7.], grad_fn=<MvBackward0>)
"""

from __future__ import annotations

import string

import numpy as np

from jtorch import _parallel as parallel
from jtorch._tensor import Tensor
from jtorch.amp.autocast_mode import ACTIVE as _AUTOCAST
from jtorch.amp.autocast_mode import autocast_args
from jtorch.autograd.function import Function
from jtorch.autograd.grad_mode import STATE
from jtorch.backend import get_array_module as xp_of
from jtorch.ops._broadcast import broadcast_shapes
from jtorch.ops._inplace import with_out
from jtorch.ops.movement import Squeeze, UnsafeView

__all__ = [
    "matmul",
    "mm",
    "bmm",
    "mv",
    "dot",
    "vdot",
    "inner",
    "outer",
    "ger",
    "addmm",
    "addmv",
    "addbmm",
    "baddbmm",
    "einsum",
    "tensordot",
    "kron",
]

# torch's C++ type names, used by a few of its dtype-mismatch messages
_CPP = {
    "float32": "float",
    "float64": "double",
    "float16": "c10::Half",
    "bfloat16": "c10::BFloat16",
    "int64": "long int",
    "int32": "int",
    "int16": "short int",
    "int8": "signed char",
    "uint8": "unsigned char",
    "bool": "bool",
    "complex64": "c10::complex<float>",
    "complex128": "c10::complex<double>",
}


def _shape_x(t: Tensor) -> str:
    return "x".join(map(str, t._array.shape))


# -- the primitives --------------------------------------------------------------------------
def _retain_cross(ctx, i: int, j: int) -> None:
    """Save operand i if j needs a gradient and j if i does (a product's grads swap operands)."""
    need_i, need_j = ctx.needs_input_grad[i], ctx.needs_input_grad[j]
    ctx._retain_in = ((i, j) if need_i else (i,)) if need_j else ((j,) if need_i else ())


def _cross_saved(ctx, i: int, j: int) -> tuple:
    """``(x_i, x_j)`` as saved by ``_retain_cross``; None where it was not kept."""
    need = ctx.needs_input_grad
    saved = iter(ctx.saved_inputs)
    return (next(saved) if need[j] else None), (next(saved) if need[i] else None)


def _is_transposed(x) -> bool:
    """A 2-D array laid out as the transpose of a contiguous one (``weight.t()``)."""
    flags = x.flags
    return x.ndim == 2 and flags.f_contiguous and not flags.c_contiguous


def _product_grads(kind, ctx, grad: Tensor, a: Tensor | None, b: Tensor | None) -> tuple:
    """Both operands' gradients of the product ``kind`` (None where not needed).

    NOTE: as torch's mm_mat1/mat2_backward: a 2-D operand that was a transposed view (a Linear
    weight's ``.t()``) gets its gradient computed transposed, so that TBackward0 hands the leaf a
    contiguous array, which AccumulateGrad then stores without a copy.
    """
    t_a, t_b = ctx.transposed
    if kind is Mm and not STATE.enabled and grad._array.dtype.kind == "f":
        return _mm_grads_arrays(
            grad._array, None if a is None else a._array, None if b is None else b._array, t_a, t_b
        )
    if b is None:
        ga = None
    elif t_a and kind is Mm:
        ga = Mm.apply(b, grad.mH).mH
    else:
        ga = kind.grad_a(grad, b)
    if a is None:
        gb = None
    elif t_b and kind is Mm:
        gb = Mm.apply(grad.mH, a).mH
    else:
        gb = kind.grad_b(a, grad)
    return ga, gb


def _mm_grads_arrays(g, a, b, t_a: bool, t_b: bool) -> tuple:
    """The grads of a real 2-D ``a @ b`` on arrays (a backward that records no graph), each
    None where its operand needs none; a transposed operand's grad comes out transposed.

    NOTE: no Tensor ops, so no transpose nodes: two GEMMs and two wraps. Two mid-sized GEMMs
    (too small to split, since a worker's wake-up costs as much as half of one saves) run side
    by side, one per thread.
    """
    jobs = []  # (left, right, transpose the product)
    if b is not None:
        jobs.append((b, g.T, True) if t_a else (g, b.T, False))
    if a is not None:
        jobs.append((g.T, a, True) if t_b else (a.T, g, False))
    out: list = [None] * len(jobs)

    def run(lo: int, hi: int) -> None:
        for j in range(lo, hi):
            left, right, flip = jobs[j]
            product = parallel.matmul(left, right)
            out[j] = product.T if flip else product

    m, n = g.shape
    k = a.shape[1] if a is not None else b.shape[0]
    concurrent = len(jobs) == 2 and 1_000_000 <= m * k * n < parallel.SPLIT_MACS
    if concurrent and type(g) is np.ndarray:  # NOTE: parallel_for runs inline on one thread
        parallel.parallel_for(2, 2 * parallel.GRAIN, run)
    else:
        run(0, len(jobs))
    grads = iter([Tensor._make(x) for x in out])
    return (next(grads) if b is not None else None), (next(grads) if a is not None else None)


class _Product:
    """``a (x) b`` for one product kind; subclasses give ``product``, ``grad_a``, ``grad_b``."""

    @staticmethod
    def forward(ctx, a, b):
        _retain_cross(ctx, 0, 1)
        ctx.transposed = _is_transposed(a), _is_transposed(b)
        return ctx.fn.product(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = _cross_saved(ctx, 0, 1)
        return _product_grads(ctx.fn, ctx, grad, a, b)


class Mm(_Product, Function):
    @staticmethod
    def product(a, b):
        return parallel.matmul(a, b)

    @staticmethod
    def grad_a(grad: Tensor, b: Tensor) -> Tensor:
        return Mm.apply(grad, b.mH)

    @staticmethod
    def grad_b(a: Tensor, grad: Tensor) -> Tensor:
        return Mm.apply(a.mH, grad)


class Bmm(_Product, Function):
    """Batched product; NumPy broadcasts batch dims (``matmul``), the engine sums them back."""

    @staticmethod
    def product(a, b):
        return parallel.matmul(a, b)

    @staticmethod
    def grad_a(grad: Tensor, b: Tensor) -> Tensor:
        return Bmm.apply(grad, b.mH)

    @staticmethod
    def grad_b(a: Tensor, grad: Tensor) -> Tensor:
        return Bmm.apply(a.mH, grad)


class Mv(_Product, Function):
    @staticmethod
    def product(a, b):
        return a @ b

    @staticmethod
    def grad_a(grad: Tensor, b: Tensor) -> Tensor:
        return grad.unsqueeze(-1) * b.conj()

    @staticmethod
    def grad_b(a: Tensor, grad: Tensor) -> Tensor:
        return Mv.apply(a.mH, grad)


class Dot(_Product, Function):
    @staticmethod
    def product(a, b):
        return xp_of(a).dot(a, b)

    @staticmethod
    def grad_a(grad: Tensor, b: Tensor) -> Tensor:
        return grad * b.conj()

    @staticmethod
    def grad_b(a: Tensor, grad: Tensor) -> Tensor:
        return grad * a.conj()


class Vdot(_Product, Function):
    @staticmethod
    def product(a, b):
        return xp_of(a).vdot(a, b)

    @staticmethod
    def grad_a(grad: Tensor, b: Tensor) -> Tensor:
        return grad.conj() * b

    @staticmethod
    def grad_b(a: Tensor, grad: Tensor) -> Tensor:
        return grad * a


class _BatchSum:
    """``sum_i a[i] @ b[i]`` (addbmm's product) as a single GEMM over the joined batch."""

    @staticmethod
    def product(a, b):
        n, k = a.shape[1], a.shape[0] * a.shape[2]
        return parallel.matmul(a.transpose(1, 0, 2).reshape(n, k), b.reshape(k, b.shape[2]))

    @staticmethod
    def grad_a(grad: Tensor, b: Tensor) -> Tensor:
        return Bmm.apply(grad, b.mH)

    @staticmethod
    def grad_b(a: Tensor, grad: Tensor) -> Tensor:
        return Bmm.apply(a.mH, grad)


class _AddProduct:
    """``beta * input + alpha * (a (x) b)`` in one pass, for the product kind ``of``."""

    of: type

    @staticmethod
    def forward(ctx, c, a, b, beta=1, alpha=1):
        _retain_cross(ctx, 1, 2)
        ctx.beta, ctx.alpha = beta, alpha
        ctx.transposed = _is_transposed(a), _is_transposed(b)
        out = ctx.fn.of.product(a, b)
        if alpha != 1:
            out *= alpha
        if beta == 1:
            out += c
        elif beta != 0:  # NOTE: beta == 0 ignores input entirely (its nan/inf do not propagate)
            out += beta * c
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b = _cross_saved(ctx, 1, 2)
        of, alpha, beta = ctx.fn.of, ctx.alpha, ctx.beta
        gc = (grad if beta == 1 else grad * beta) if ctx.needs_input_grad[0] else None
        ga, gb = _product_grads(of, ctx, grad, a, b)
        if alpha != 1:
            ga = ga * alpha if ga is not None else None
            gb = gb * alpha if gb is not None else None
        return gc, ga, gb


class Addmm(_AddProduct, Function):
    of = Mm


class Addmv(_AddProduct, Function):
    of = Mv


class Baddbmm(_AddProduct, Function):
    of = Bmm


class Addbmm(_AddProduct, Function):
    of = _BatchSum


class _SqueezeRow(Squeeze):
    """The in-place ``squeeze_(0)`` torch applies after a vector-matrix product."""

    node_name = "SqueezeBackward4"


# -- checks with torch's messages ----------------------------------------------------------------
def _check_mm(a: Tensor, b: Tensor) -> None:
    if a._array.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b._array.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    _check_m1_m2(a, b)


def _check_m1_m2(a: Tensor, b: Tensor) -> None:
    if a._array.shape[-1] != b._array.shape[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({_shape_x(a)} and {_shape_x(b)})"
        )
    da, db = a._array.dtype, b._array.dtype
    if da != db:
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: {_CPP[str(a.dtype)[6:]]} != "
            f"{_CPP[str(b.dtype)[6:]]}"
        )
    if da.kind == "b":
        raise NotImplementedError("\"addmm_impl_cpu_\" not implemented for 'Bool'")


def _check_mv(a: Tensor, v: Tensor, dtype_of_input: Tensor | None = None) -> None:
    if a._array.ndim != 2 or v._array.ndim != 1:
        raise RuntimeError(
            f"vector + matrix @ vector expected, got 1, {a._array.ndim}, {v._array.ndim}"
        )
    c = dtype_of_input if dtype_of_input is not None else v
    if not c._array.dtype == a._array.dtype == v._array.dtype:
        raise RuntimeError(
            "addmv input tensors must have the same dtype, but got "
            f"{c.dtype.scalar_name}, {a.dtype.scalar_name}, and {v.dtype.scalar_name}"
        )
    n = a._array.shape[0]
    size = c._array.shape[0] if c is not v and c._array.ndim else n
    if a._array.shape[1] != v._array.shape[0] or size not in (1, n) or c._array.ndim > 1:
        raise RuntimeError(
            f"size mismatch, got input ({size}), mat ({_shape_x(a)}), vec ({v._array.shape[0]})"
        )


def _check_dot(a: Tensor, b: Tensor) -> None:
    if a._array.ndim != 1 or b._array.ndim != 1:
        raise RuntimeError(
            f"1D tensors expected, but got {a._array.ndim}D and {b._array.ndim}D tensors"
        )
    if a._array.dtype != b._array.dtype:
        raise RuntimeError(
            "dot : expected both vectors to have same dtype, but found "
            f"{a.dtype.scalar_name} and {b.dtype.scalar_name}"
        )
    if a._array.dtype.kind == "b":
        raise NotImplementedError("\"dot\" not implemented for 'Bool'")
    n, m = a._array.shape[0], b._array.shape[0]
    if n != m:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the same "
            f"number of elements, but got {n} and {m} elements respectively"
        )


def _check_bmm(a: Tensor, b: Tensor) -> None:
    if a._array.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b._array.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if a._array.dtype != b._array.dtype:
        raise RuntimeError(
            f"expected scalar type {a.dtype.scalar_name} but found {b.dtype.scalar_name}"
        )
    (bs, _, k), (bs2, k2, _) = a._array.shape, b._array.shape
    if bs != bs2 or k != k2:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{bs}, {k}] but "
            f"got: [{bs2}, {k2}]."
        )


def _check_input(c: Tensor, shape: tuple) -> None:
    """``input`` of an add* op must expand to the product's shape (torch's expand message)."""
    have = c._array.shape
    if have == shape or have == shape[1:] or not have:  # NOTE: the common cases, cheaply
        return
    try:
        ok = np.broadcast_shapes(c._array.shape, shape) == shape
    except ValueError:
        ok = False
    if not ok:
        c.expand(*shape)  # raises torch's expand error
        raise RuntimeError(f"expand: {list(c.shape)} -> {list(shape)}")  # pragma: no cover


# -- public functions ------------------------------------------------------------------------------
@with_out
def mm(input: Tensor, mat2: Tensor) -> Tensor:
    """Matrix product of two 2-D tensors.

    Example:
        >>> jtorch.mm(jtorch.ones(2, 3), jtorch.ones(3, 4)).shape
        torch.Size([2, 4])
    """
    if _AUTOCAST[0]:
        input, mat2 = autocast_args("lower", input, mat2)
    _check_mm(input, mat2)
    return Mm.apply(input, mat2)


@with_out
def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """Batched matrix product of two 3-D tensors with the same batch size.

    Example:
        >>> jtorch.bmm(jtorch.ones(5, 2, 3), jtorch.ones(5, 3, 4)).shape
        torch.Size([5, 2, 4])
    """
    if _AUTOCAST[0]:
        input, mat2 = autocast_args("lower", input, mat2)
    _check_bmm(input, mat2)
    return Bmm.apply(input, mat2)


@with_out
def mv(input: Tensor, vec: Tensor) -> Tensor:
    """Matrix-vector product.

    Example:
        >>> jtorch.mv(jtorch.ones(2, 3), jtorch.tensor([1.0, 2.0, 3.0]))
        tensor([6., 6.])
    """
    _check_mv(input, vec)
    return Mv.apply(input, vec)


@with_out
def dot(input: Tensor, tensor: Tensor) -> Tensor:
    """Dot product of two 1-D tensors (no conjugation).

    Example:
        >>> jtorch.dot(jtorch.tensor([2.0, 3.0]), jtorch.tensor([2.0, 1.0]))
        tensor(7.)
    """
    _check_dot(input, tensor)
    return Dot.apply(input, tensor)


@with_out
def vdot(input: Tensor, other: Tensor) -> Tensor:
    """Dot product of two 1-D tensors, conjugating the first.

    Example:
        >>> jtorch.vdot(jtorch.tensor([1j, 2.0]), jtorch.tensor([1.0, 1j]))
        tensor(0.+1.j)
    """
    _check_dot(input, other)
    return Vdot.apply(input, other)


@with_out
def matmul(input: Tensor, other: Tensor) -> Tensor:
    """Matrix product with torch's rules: dot, mv, mm, or a batched product broadcasting the
    batch dims (a 1-D operand gets a dim prepended/appended and removed again).

    Example:
        >>> jtorch.matmul(jtorch.ones(10, 1, 2, 3), jtorch.ones(5, 3, 4)).shape
        torch.Size([10, 5, 2, 4])
    """
    if _AUTOCAST[0]:
        input, other = autocast_args("lower", input, other)
    a, b = input, other
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        raise TypeError(
            f"matmul(): argument 'other' (position 2) must be Tensor, not {type(b).__name__}"
            if isinstance(a, Tensor)
            else f"matmul(): argument 'input' (position 1) must be Tensor, not {type(a).__name__}"
        )
    da, db = a._array.ndim, b._array.ndim
    if da == 2 and db == 2:
        _check_m1_m2(a, b)
        return Mm.apply(a, b)
    if da == 1 and db == 1:
        _check_dot(a, b)
        return Dot.apply(a, b)
    if da == 2 and db == 1:
        _check_mv(a, b)
        return Mv.apply(a, b)
    if da == 0 or db == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {da}D and {db}D"
        )
    if da == 1 and db == 2:
        _check_m1_m2(a.unsqueeze(0), b)
        return _SqueezeRow.apply(Mm.apply(a.unsqueeze(0), b), dims=(0,))
    if da >= 3 and db <= 2:
        # NOTE: fold the batch into the rows: one GEMM instead of a loop of small ones
        # (torch's should_fold); grads of b come out as one GEMM too.
        flat = a.reshape(-1, a._array.shape[-1])
        if db == 2:
            _check_m1_m2(flat, b)
            out = Mm.apply(flat, b)
        else:
            _check_mv(flat, b)
            out = Mv.apply(flat, b)
        return UnsafeView.apply(out, shape=a._array.shape[:-1] + b._array.shape[1:])
    if da == 1:  # vector @ batch of matrices: a mv over the folded transposed batch
        flat = b.mT.reshape(-1, b._array.shape[-2])
        _check_mv(flat, a)
        return UnsafeView.apply(Mv.apply(flat, a), shape=b._array.shape[:-2] + b._array.shape[-1:])
    return _batched(a, b)


def _batched(a: Tensor, b: Tensor) -> Tensor:
    lead = broadcast_shapes(a._array.shape[:-2], b._array.shape[:-2])
    vec = b._array.ndim == 1
    if vec:
        b = b.unsqueeze(-1)
    n, k = a._array.shape[-2:]
    k2, m = b._array.shape[-2:]
    if a._array.dtype != b._array.dtype:
        raise RuntimeError(
            f"expected scalar type {a.dtype.scalar_name} but found {b.dtype.scalar_name}"
        )
    if k != k2:
        batch = int(np.prod(lead))
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{batch}, {k}] but "
            f"got: [{batch}, {k2}]."
        )
    shape = lead + (n,) if vec else lead + (n, m)
    return UnsafeView.apply(Bmm.apply(a, b), shape=shape)


@with_out
def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """``beta * input + alpha * (mat1 @ mat2)`` in one GEMM pass (``input`` broadcasts).

    Example:
        >>> jtorch.addmm(jtorch.ones(3), jtorch.ones(2, 4), jtorch.ones(4, 3), alpha=2)
        tensor([[9., 9., 9.],
                [9., 9., 9.]])
    """
    if _AUTOCAST[0]:
        input, mat1, mat2 = autocast_args("lower", input, mat1, mat2)
    # NOTE: torch's order: dtypes, then dims, then shapes
    for name, t in (("self", input), ("mat1", mat1)):
        if t._array.dtype != mat2._array.dtype:
            raise RuntimeError(
                f"{name} and mat2 must have the same dtype, but got "
                f"{t.dtype.scalar_name} and {mat2.dtype.scalar_name}"
            )
    for name, t in (("mat1", mat1), ("mat2", mat2)):
        if t._array.ndim != 2:
            raise RuntimeError(f"{name} must be a matrix, got {t._array.ndim}-D tensor")
    _check_m1_m2(mat1, mat2)
    _check_input(input, (mat1._array.shape[0], mat2._array.shape[1]))
    return Addmm.apply(input, mat1, mat2, beta=beta, alpha=alpha)


@with_out
def addmv(input: Tensor, mat: Tensor, vec: Tensor, *, beta=1, alpha=1) -> Tensor:
    """``beta * input + alpha * (mat @ vec)``.

    Example:
        >>> jtorch.addmv(jtorch.tensor([1.0, 2.0]), jtorch.ones(2, 3), jtorch.ones(3))
        tensor([4., 5.])
    """
    _check_mv(mat, vec, input)
    return Addmv.apply(input, mat, vec, beta=beta, alpha=alpha)


def _check_add_batched(
    input: Tensor, batch1: Tensor, batch2: Tensor, shape: tuple, summed: bool
) -> None:
    for t, name in ((batch1, "batch1"), (batch2, "batch2")):
        if t._array.ndim != 3:
            raise RuntimeError(f"{name} must be a 3D tensor")
    _check_input(input, shape)
    if not input._array.dtype == batch1._array.dtype == batch2._array.dtype:
        names = [_CPP[str(t.dtype)[6:]] for t in (input, batch1, batch2)]
        raise RuntimeError(
            "Input dtypes must be the same, got: input {}, batch1: {}, batch2: {}".format(*names)
        )
    (bs, n, k), (bs2, k2, m) = batch1._array.shape, batch2._array.shape
    if bs != bs2:
        raise RuntimeError(
            f"batch1 and batch2 must have same number of batches, got {bs} and {bs2}"
        )
    if k != k2:
        raise RuntimeError(
            f"Incompatible matrix sizes for bmm ({n}x{k} and {k2}x{m})"
            if summed
            else f"Expected size for first two dimensions of batch2 tensor to be: [{bs}, {k}] "
            f"but got: [{bs2}, {k2}]."
        )


@with_out
def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """``beta * input + alpha * bmm(batch1, batch2)``.

    Example:
        >>> jtorch.baddbmm(jtorch.zeros(2, 1, 1), jtorch.ones(2, 1, 3), jtorch.ones(2, 3, 1))
        tensor([[[3.]],
        <BLANKLINE>
                [[3.]]])
    """
    if _AUTOCAST[0]:
        input, batch1, batch2 = autocast_args("lower", input, batch1, batch2)
    shape = batch1._array.shape[:2] + batch2._array.shape[2:]
    _check_add_batched(input, batch1, batch2, shape, summed=False)
    return Baddbmm.apply(input, batch1, batch2, beta=beta, alpha=alpha)


@with_out
def addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """``beta * input + alpha * sum_i batch1[i] @ batch2[i]`` (one GEMM over the joined batch).

    Example:
        >>> jtorch.addbmm(jtorch.zeros(1, 1), jtorch.ones(4, 1, 3), jtorch.ones(4, 3, 1))
        tensor([[12.]])
    """
    if _AUTOCAST[0]:
        input, batch1, batch2 = autocast_args("lower", input, batch1, batch2)
    shape = batch1._array.shape[1:2] + batch2._array.shape[2:]
    _check_add_batched(input, batch1, batch2, shape, summed=True)
    return Addbmm.apply(input, batch1, batch2, beta=beta, alpha=alpha)


def _check_vector(t: Tensor, name: str) -> None:
    if t._array.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {t._array.ndim}-D")


@with_out
def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """Outer product of two vectors: ``out[i, j] = input[i] * vec2[j]``.

    Example:
        >>> jtorch.outer(jtorch.tensor([1, 2]), jtorch.tensor([1, 10]))
        tensor([[ 1, 10],
                [ 2, 20]])
    """
    _check_vector(input, "self")
    _check_vector(vec2, "vec2")
    return input.reshape(-1, 1) * vec2


ger = outer


@with_out
def inner(input: Tensor, other: Tensor) -> Tensor:
    """Sum of products over the last dims of both (a plain product when one is 0-D).

    Example:
        >>> jtorch.inner(jtorch.ones(2, 3), jtorch.ones(4, 3)).shape
        torch.Size([2, 4])
    """
    if input._array.ndim == 0 or other._array.ndim == 0:
        return input * other
    if input._array.shape[-1] != other._array.shape[-1]:
        raise RuntimeError(
            "inner() the last dimension must match on both input tensors but got shapes "
            f"{list(input.shape)} and {list(other.shape)}"
        )
    return tensordot(input, other, dims=([-1], [-1]))


@with_out
def tensordot(a: Tensor, b: Tensor, dims=2) -> Tensor:
    """Contract ``dims`` (an int: the last dims of ``a`` with the first of ``b``; or two lists)
    as one matrix product.

    Example:
        >>> jtorch.tensordot(jtorch.ones(2, 3, 4), jtorch.ones(3, 4, 5), dims=2).shape
        torch.Size([2, 5])
    """
    if isinstance(dims, Tensor):
        dims = dims.tolist() if dims._array.ndim else dims.item()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        da, db = list(range(-dims, 0)), list(range(dims))
    else:
        da, db = ([d] if isinstance(d, int) else list(d) for d in dims)
    if len(da) != len(db):
        raise RuntimeError("both dimension lists should have same length")
    if a._array.dtype != b._array.dtype:
        raise RuntimeError("both inputs should have same dtype")
    sa, sb = a._array.shape, b._array.shape
    for i, j in zip(da, db):
        if sa[i] != sb[j]:
            raise RuntimeError(
                f"contracted dimensions need to match, but first has size {sa[i]} in dim {i} "
                f"and second has size {sb[j]} in dim {j}"
            )
    ca = [d % a._array.ndim for d in da]
    cb = [d % b._array.ndim for d in db]
    free_a = [d for d in range(a._array.ndim) if d not in ca]
    free_b = [d for d in range(b._array.ndim) if d not in cb]
    k = int(np.prod([sa[d] for d in ca]))
    left = a.permute(*free_a, *ca).reshape(-1, k)
    right = b.permute(*cb, *free_b).reshape(k, -1)
    out_shape = tuple(sa[d] for d in free_a) + tuple(sb[d] for d in free_b)
    return Mm.apply(left, right).reshape(out_shape)


@with_out
def kron(input: Tensor, other: Tensor) -> Tensor:
    """Kronecker product (the shorter shape is padded with leading ones).

    Example:
        >>> jtorch.kron(jtorch.eye(2), jtorch.tensor([[1, 2]]))
        tensor([[1., 2., 0., 0.],
                [0., 0., 1., 2.]])
    """
    nd = max(input._array.ndim, other._array.ndim)
    sa = (1,) * (nd - input._array.ndim) + input._array.shape
    sb = (1,) * (nd - other._array.ndim) + other._array.shape
    # a's dims at even positions, b's at odd ones: the product's (a_i, b_i) pairs merge.
    prod = input.reshape(*(s for d in sa for s in (d, 1))) * other.reshape(
        *(s for d in sb for s in (1, d))
    )
    return UnsafeView.apply(prod, shape=tuple(x * y for x, y in zip(sa, sb)))


# -- einsum --------------------------------------------------------------------------------------
class Einsum(Function):
    """``numpy.einsum`` over an explicit equation (no ellipsis); each operand's gradient is an
    einsum of the output gradient with the other operands."""

    @staticmethod
    def forward(ctx, *arrays, equation, sizes):
        ctx.equation, ctx.sizes = equation, sizes
        ctx.retain_inputs(*range(len(arrays)))
        xp = xp_of(arrays[0])
        # NOTE: path optimisation pays off from three operands on; for two, numpy's own
        # contraction (BLAS via tensordot when possible) is chosen by optimize as well.
        return xp.einsum(equation, *arrays, optimize=len(arrays) > 1)

    @staticmethod
    def backward(ctx, grad):
        ins, out = ctx.equation.split("->")
        subs = ins.split(",")
        saved = ctx.saved_inputs
        return tuple(
            _einsum_grad(grad, subs, out, saved, i, ctx.sizes) if need else None
            for i, need in enumerate(ctx.needs_input_grad)
        )


def _einsum_grad(grad: Tensor, subs: list, out: str, saved: tuple, i: int, sizes: dict) -> Tensor:
    target = subs[i]
    others = [s for j, s in enumerate(subs) if j != i]
    avail = set(out).union(*others)
    gsub = "".join(dict.fromkeys(c for c in target if c in avail))
    g = _einsum(
        ",".join([out, *others]) + "->" + gsub,
        [grad, *(t.conj() for j, t in enumerate(saved) if j != i)],
    )
    # letters summed away in forward come back as ones; repeated letters (diagonals) as eyes
    xp, dtype = grad._xp(), grad._array.dtype
    extra_subs, extras, seen, renamed = [], [], set(), []
    free = iter(c for c in string.ascii_letters if c not in sizes)
    for c in target:
        if c not in avail and c not in seen:
            extra_subs.append(c)
            extras.append(Tensor._make(xp.ones(sizes[c], dtype)))
        if c in seen:
            f = next(free)
            extra_subs.append(c + f)
            extras.append(Tensor._make(xp.eye(sizes[c], dtype=dtype)))
            renamed.append(f)
        else:
            renamed.append(c)
        seen.add(c)
    if extras:
        g = _einsum(",".join([gsub, *extra_subs]) + "->" + "".join(renamed), [g, *extras])
    shape = saved[i]._array.shape
    if g._array.shape != shape:
        # a size-1 dim of this operand met a longer one elsewhere (the engine sums it back), or
        # the reverse: expand so the gradient has at least this operand's sizes
        g = g.expand(*(max(a, b) for a, b in zip(g._array.shape, shape)))
    return g


def _einsum(equation: str, operands: list) -> Tensor:
    sizes: dict = {}
    for sub, t in zip(equation.split("->")[0].split(","), operands):
        for c, n in zip(sub, t._array.shape):
            sizes[c] = max(sizes.get(c, 1), n)
    return Einsum.apply(*operands, equation=equation, sizes=sizes)


def _parse_sublists(args: tuple) -> tuple:
    """torch's ``einsum(op1, [0, 1], op2, [1, 2], [0, 2])`` form as an equation and operands."""

    def letters(sub) -> str:
        return "".join("..." if s is Ellipsis else string.ascii_letters[s] for s in sub)

    out = ""
    if len(args) % 2:
        out, args = "->" + letters(args[-1]), args[:-1]
    return ",".join(letters(s) for s in args[1::2]) + out, args[0::2]


def _normalize(equation: str, operands: list) -> tuple[str, dict]:
    """The equation with explicit output and ellipses spelled out as letters, and letter sizes."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    subs = lhs.split(",")
    if len(subs) > len(operands):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(subs) < len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    used = set(eq)
    spare = [c for c in string.ascii_letters if c not in used]
    n_ell = 0
    for i, (sub, t) in enumerate(zip(subs, operands)):
        nd = t._array.ndim
        named = len(sub.replace("...", ""))
        if "..." in sub:
            n_ell = max(n_ell, nd - named)
        elif named != nd:
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({named}) does not match "
                f"the number of dimensions ({nd}) for operand {i} and no ellipsis was given"
            )
    ell = "".join(spare[:n_ell])
    explicit = []
    for sub, t in zip(subs, operands):
        if "..." in sub:
            k = t._array.ndim - len(sub.replace("...", ""))
            sub = sub.replace("...", ell[n_ell - k :] if k else "")
        explicit.append(sub)
    if arrow:
        out = rhs.replace("...", ell)
    else:
        counts = "".join(s.replace("...", "") for s in subs)
        out = ell + "".join(sorted(c for c in set(counts) if counts.count(c) == 1))
    sizes: dict = {}
    for i, (sub, t) in enumerate(zip(explicit, operands)):
        for c, n in zip(sub, t._array.shape):
            seen = sizes.get(c)
            if seen is not None and seen != n and 1 not in (seen, n):
                raise RuntimeError(
                    f"einsum(): subscript {c} has size {n} for operand {i} which does not "
                    f"broadcast with previously seen size {seen}"
                )
            sizes[c] = n if seen is None or seen == 1 else seen
    return ",".join(explicit) + "->" + out, sizes


def einsum(equation, *operands) -> Tensor:
    """Einstein summation: ``einsum("ij,jk->ik", a, b)``; operands as varargs or one list;
    ellipses broadcast; torch's sublist form ``einsum(a, [0, 1], b, [1, 2])`` works too.

    Example:
        >>> a = jtorch.arange(6.0).reshape(2, 3)
        >>> jtorch.einsum("ij,ij->i", a, a), jtorch.einsum("ii", jtorch.eye(3))
        (tensor([ 5., 50.]), tensor(3.))
    """
    if isinstance(equation, Tensor):  # sublist format
        equation, operands = _parse_sublists((equation, *operands))
    elif len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    operands = list(operands)
    eq, sizes = _normalize(equation, operands)
    dt = operands[0]._array.dtype
    for t in operands[1:]:
        if t._array.dtype != dt:
            raise RuntimeError(
                f"expected scalar type {operands[0].dtype.scalar_name} but found {t.dtype.scalar_name}"
            )
    return Einsum.apply(*operands, equation=eq, sizes=sizes)
