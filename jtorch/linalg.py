"""``torch.linalg`` and the legacy top-level decompositions (torch.svd, qr, inverse, det, trace).

Forward on the array module's LAPACK bindings (batched over leading dims); backward in Tensor ops,
so higher-order gradients work.

Example:
    >>> import jtorch
    >>> a = jtorch.tensor([[2.0, 0.0], [0.0, 4.0]])
    >>> jtorch.linalg.inv(a), jtorch.linalg.det(a)
    (tensor([[0.5000, 0.0000],
            [0.0000, 0.2500]]), tensor(8.))
"""

from __future__ import annotations

import math

import numpy as np

from jtorch import return_types
from jtorch._runtime import warn_outside
from jtorch._tensor import Tensor
from jtorch.autograd.function import Function
from jtorch.backend import get_array_module as xp_of
from jtorch.backend import to_numpy
from jtorch.ops import reduce
from jtorch.ops._broadcast import float_operand
from jtorch.ops._inplace import with_out

__all__ = [
    "LinAlgError",
    "inv",
    "det",
    "slogdet",
    "svd",
    "svdvals",
    "qr",
    "eig",
    "eigvals",
    "eigh",
    "eigvalsh",
    "norm",
    "vector_norm",
    "matrix_norm",
    "solve",
    "cholesky",
    "pinv",
    "matrix_power",
    "matrix_rank",
    "diagonal",
    "cholesky_ex",
    "cond",
    "cross",
    "householder_product",
    "inv_ex",
    "lstsq",
    "lu",
    "lu_factor",
    "lu_factor_ex",
    "lu_solve",
    "matmul",
    "matrix_exp",
    "multi_dot",
    "solve_ex",
    "solve_triangular",
    "tensorinv",
    "tensorsolve",
    "vander",
    "vecdot",
    "ldl_factor",
    "ldl_factor_ex",
    "ldl_solve",
]


def _square(a: Tensor, op: str) -> None:
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise RuntimeError(
            f"{op}: A must be batches of square matrices, but they are "
            f"{a.shape[-2] if a.ndim >= 2 else a.shape[-1]} by {a.shape[-1]} matrices"
        )


def _mh(x: Tensor) -> Tensor:
    """Conjugate transpose of the last two dims."""
    return x.transpose(-2, -1).conj()


class LinAlgError(RuntimeError):
    """A singular or non-definite input (``torch.linalg.LinAlgError``)."""


def _getrf_info(a):
    """LAPACK getrf's info of every matrix in ``a`` (batch-shaped, int32): 0, or the 1-based
    index of the first zero pivot of LU with partial pivoting."""
    xp = xp_of(a)
    n = a.shape[-1]
    info = _lu_forward(a)[2].reshape(-1)
    flat = a.reshape(-1, n, n)
    for b in xp.flatnonzero(info == 0).tolist():
        # NOTE: the unblocked LU can miss an exact zero that LAPACK's blocked one meets
        try:
            xp.linalg.inv(flat[b])
        except xp.linalg.LinAlgError:
            info[b] = n
    return info.reshape(a.shape[:-2])


def _raise_info(op: str, info, message: str) -> None:
    """torch's LinAlgError for the first failing matrix (``{}`` in ``message`` takes its info);
    batches name the element."""
    flat = to_numpy(info).reshape(-1)
    if not flat.any():
        return
    b = int(np.flatnonzero(flat)[0])
    where = f"(Batch element {b}): " if info.ndim else ""
    raise LinAlgError(f"{op}: {where}{message.format(int(flat[b]))}")


class Inv(Function):
    node_name = "LinalgInvExBackward0"

    @staticmethod
    def forward(ctx, a, op="linalg.inv"):
        ctx.retain_outputs(0)
        xp = xp_of(a)
        try:
            return xp.linalg.inv(a)
        except xp.linalg.LinAlgError:
            _raise_info(op, _getrf_info(a), _SINGULAR_INV)

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_outputs
        yh = _mh(y)
        return -(yh @ grad @ yh)


_SINGULAR_INV = (
    "The diagonal element {} is zero, the inversion could not be completed because the input "
    "matrix is singular."
)
_SINGULAR_SOLVE = "The solver failed because the input matrix is singular."


def inv(A: Tensor) -> Tensor:
    """Inverse of a square matrix (or a batch of them).

    Example:
        >>> jtorch.linalg.inv(jtorch.tensor([[4.0]]))
        tensor([[0.2500]])
    """
    A = float_operand(A)
    _square(A, "linalg.inv")
    return Inv.apply(A)


def inverse(input: Tensor) -> Tensor:
    """``torch.inverse``: alias of :func:`linalg.inv`."""
    return inv(input)


class Det(Function):
    node_name = "LinalgDetBackward0"

    @staticmethod
    def forward(ctx, a):
        ctx.retain_inputs(0)
        ctx.retain_outputs(0)
        return xp_of(a).linalg.det(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_inputs
        (d,) = ctx.saved_outputs
        # NOTE: d * inv(A)^H, written with a solve-free inverse; singular A gives inf/nan like
        # torch's generic path would for an exactly singular matrix.
        return (grad * d.conj()).unsqueeze(-1).unsqueeze(-1) * _mh(inv(a))


def det(A: Tensor) -> Tensor:
    """Determinant of a square matrix (or batch).

    Example:
        >>> jtorch.linalg.det(jtorch.tensor([[1.0, 2.0], [3.0, 4.0]]))
        tensor(-2.)
    """
    A = float_operand(A)
    _square(A, "linalg.det")
    return Det.apply(A)


class SlogDet(Function):
    node_name = "LinalgSlogdetBackward0"

    @staticmethod
    def forward(ctx, a):
        ctx.retain_inputs(0)
        ctx.retain_outputs(0)
        sign, logabs = xp_of(a).linalg.slogdet(a)
        return sign.astype(a.dtype), logabs.astype(a.real.dtype)

    @staticmethod
    def backward(ctx, grad_sign, grad_logabs):
        (a,), (sign,) = ctx.saved_inputs, ctx.saved_outputs
        g = grad_logabs
        if a.is_complex() and grad_sign is not None:
            # NOTE: torch's slogdet_backward: a complex sign moves with Im(tr(A^-1 dA)), so
            # gA = conj(g) A^-H with g = grad_logabsdet - i Im(grad_sign conj(sign)).
            phase = (grad_sign * sign.conj()).imag * 1j
            g = phase if g is None else g + phase
        if g is None:
            return None
        return g.unsqueeze(-1).unsqueeze(-1) * _mh(inv(a))


def slogdet(A: Tensor):
    """Sign and log of the absolute value of the determinant.

    Example:
        >>> jtorch.linalg.slogdet(jtorch.tensor([[-2.0, 0.0], [0.0, 3.0]])).logabsdet
        tensor(1.7918)
    """
    A = float_operand(A)
    _square(A, "linalg.slogdet")
    return return_types.linalg_slogdet(*SlogDet.apply(A))


def logdet(input: Tensor) -> Tensor:
    """log(det(input)); nan for a negative determinant, as torch."""
    sign, logabs = slogdet(input)
    return logabs + (sign < 0) * float("nan") if (sign < 0).any() else logabs


class Trace(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.shape = a.shape
        return xp_of(a).trace(a)

    @staticmethod
    def backward(ctx, grad):
        n, m = ctx.shape
        eye = Tensor._make(xp_of(grad._array).eye(n, m, dtype=grad._array.dtype))
        return grad * eye


def trace(input: Tensor) -> Tensor:
    """Sum of the main diagonal of a 2-D tensor.

    Example:
        >>> jtorch.trace(jtorch.tensor([[1, 2], [3, 4]]))
        tensor(5)
    """
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    if input._array.dtype.kind in "biu":
        return Tensor._make(xp_of(input._array).trace(input._array).astype("int64"))
    return Trace.apply(input)


class Svd(Function):
    node_name = "LinalgSvdBackward0"

    @staticmethod
    def forward(ctx, a, full_matrices):
        u, s, vh = xp_of(a).linalg.svd(a, full_matrices=full_matrices)
        ctx.full = full_matrices and a.shape[-1] != a.shape[-2]
        ctx.retain_outputs(0, 1, 2)
        return u, s.astype(a.real.dtype), vh

    @staticmethod
    def backward(ctx, gu, gs, gvh):
        if ctx.full:
            raise RuntimeError(
                "linalg_svd_backward: The derivative of linalg.svd is not implemented when "
                "full_matrices=True and the matrix is not square. Use full_matrices=False."
            )
        u, s, vh = ctx.saved_outputs
        return svd_backward(u, s, vh, gu, gs, gvh)


def svd_backward(u: Tensor, s: Tensor, vh: Tensor, gu, gs, gvh) -> Tensor:
    """Gradient of A = U diag(S) Vh (reduced SVD, real or complex), as torch's svd_backward."""
    v, gv = _mh(vh), _mh(gvh)
    m, n = u.shape[-2], vh.shape[-1]
    ss = s.unsqueeze(-2)  # row vector of singular values
    sdiag = (ss * _eye_like(s)).to(u.dtype)
    e = ss * ss - (s * s).unsqueeze(-1)  # E_jk = s_k^2 - s_j^2
    e = e + _eye_like(s)  # 1 on the diagonal: the skew terms are zero there anyway
    uhgu, vhgv = _mh(u) @ gu, _mh(v) @ gv
    j = (uhgu - _mh(uhgu)) / e
    k = (vhgv - _mh(vhgv)) / e
    inner = j @ sdiag + sdiag @ k + gs.unsqueeze(-2) * _eye_like(s)
    if u.is_complex():
        # NOTE: torch fixes the phase gauge with V: the imaginary diagonal of U^H gU acts on
        # Im(U^H dA V)_jj / s_j.
        inner = inner + (j * e).diagonal(0, -2, -1).div(2 * s).unsqueeze(-2) * _eye_like(s)
    ga = u @ inner.to(u.dtype) @ vh
    sinv = 1 / s
    if m > n:
        ga = ga + (gu - u @ uhgu) * sinv.unsqueeze(-2) @ vh
    if n > m:
        ga = ga + u @ (sinv.unsqueeze(-1) * _mh(gv - v @ vhgv))
    return ga


def _eye_like(s: Tensor) -> Tensor:
    k = s.shape[-1]
    return Tensor._make(xp_of(s._array).eye(k, dtype=s._array.dtype))


def svd(A: Tensor, full_matrices: bool = True, *, driver=None):
    """Singular value decomposition ``A = U diag(S) Vh`` (``torch.linalg.svd``).

    Example:
        >>> U, S, Vh = jtorch.linalg.svd(jtorch.tensor([[3.0, 0.0], [0.0, 2.0]]))
        >>> S
        tensor([3., 2.])
    """
    A = float_operand(A)
    return return_types.linalg_svd(*Svd.apply(A, full_matrices=full_matrices))


def svdvals(A: Tensor, *, driver=None) -> Tensor:
    """Singular values of ``A`` in descending order.

    Example:
        >>> jtorch.linalg.svdvals(jtorch.tensor([[0.0, 2.0], [1.0, 0.0]]))
        tensor([2., 1.])
    """
    return svd(A, full_matrices=False).S


def svd_legacy(input: Tensor, some: bool = True, compute_uv: bool = True):
    """``torch.svd``: like linalg.svd but returns V (not Vh) and reduced by default."""
    U, S, Vh = svd(input, full_matrices=not some)
    if not compute_uv:
        U, Vh = U * 0, Vh * 0
    return return_types.svd(U, S, _mh(Vh))


class Qr(Function):
    node_name = "LinalgQrBackward0"

    @staticmethod
    def forward(ctx, a, mode):
        q, r = xp_of(a).linalg.qr(a, mode=mode)
        ctx.mode = mode
        ctx.retain_outputs(0, 1)
        return q, r

    @staticmethod
    def backward(ctx, gq, gr):
        q, r = ctx.saved_outputs
        m, n = q.shape[-2], r.shape[-1]
        if ctx.mode == "complete" and m > n or m < n:
            raise RuntimeError(
                "The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
                "Please use linalg.qr(A, mode='reduced') if you are going to differentiate "
                "through linalg.qr."
                if ctx.mode == "r"
                else "The QR decomposition is not differentiable when mode='complete' and "
                "nrows > ncols."
            )
        # NOTE: gA = (gQ + Q copyltu(M)) R^{-H}, M = R gR^H - gQ^H Q (m >= n, reduced).
        mm = r @ _mh(gr) - _mh(gq) @ q
        low = mm.tril(-1)
        # NOTE: R's diagonal is real, so only the real part of M's diagonal acts
        sym = low + _mh(low) + (mm.real if mm.is_complex() else mm) * _eye_like(mm[..., 0])
        b = gq + q @ sym
        return b @ _mh(inv(r))


def qr(A: Tensor, mode: str = "reduced"):
    """QR decomposition ``A = Q R`` (``torch.linalg.qr``; mode 'reduced', 'complete' or 'r').

    Example:
        >>> Q, R = jtorch.linalg.qr(jtorch.tensor([[2.0, 0.0], [0.0, 3.0]]))
        >>> (Q @ R).allclose(jtorch.tensor([[2.0, 0.0], [0.0, 3.0]]))
        True
    """
    A = float_operand(A)
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(
            f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), 'r', or 'complete'"
        )
    q, r = Qr.apply(A, mode="reduced" if mode == "r" else mode)
    if mode == "r":
        q = Tensor._make(xp_of(q._array).empty((0,), q._array.dtype))
    return return_types.linalg_qr(q, r)


def qr_legacy(input: Tensor, some: bool = True):
    """``torch.qr``: reduced QR unless ``some=False``."""
    return return_types.qr(*qr(input, "reduced" if some else "complete"))


class Eig(Function):
    """Eigen-decomposition of a general matrix (complex results)."""

    node_name = "LinalgEigBackward0"

    @staticmethod
    def forward(ctx, a):
        w, v = xp_of(a).linalg.eig(a)
        cdtype = (a.dtype.type(0) * 1j).dtype if a.dtype.kind == "f" else a.dtype
        ctx.real_input = a.dtype.kind == "f"
        ctx.retain_outputs(0, 1)
        return w.astype(cdtype), v.astype(cdtype)

    @staticmethod
    def backward(ctx, gw, gv):
        from jtorch.ops.joining import diag_embed  # noqa: PLC0415

        w, v = ctx.saved_outputs
        vh = _mh(v)
        eye = _eye_like(w)
        if gv is None:
            ga = diag_embed(gw)
        else:
            # NOTE: torch's linalg_eig_backward: project out the gauge (phase) directions, then
            # gA = V^{-H} (diag(gL) + (V^H gV - V^H V Re(diag(V^H gV))) / conj(E)) V^H
            vhgv = vh @ gv
            diag = vhgv.diagonal(0, -2, -1)
            vhgv = vhgv - vh @ (v * diag.real.unsqueeze(-2).to(v.dtype))
            lc = w.conj()
            e = (lc.unsqueeze(-2) - lc.unsqueeze(-1)) * (1 - eye) + eye
            ga = vhgv / e
            if gw is not None:
                ga = ga * (1 - eye) + diag_embed(gw)
        ga = solve(vh, ga @ vh)
        return ga.real if ctx.real_input else ga


def eig(A: Tensor):
    """Eigenvalues and eigenvectors of a square matrix (complex, as torch.linalg.eig).

    Example:
        >>> jtorch.linalg.eig(jtorch.tensor([[2.0, 0.0], [0.0, 3.0]])).eigenvalues
        tensor([2.+0.j, 3.+0.j])
    """
    A = float_operand(A)
    _square(A, "linalg.eig")
    return return_types.linalg_eig(*Eig.apply(A))


def eigvals(A: Tensor) -> Tensor:
    """Eigenvalues of a square matrix (complex)."""
    return eig(A).eigenvalues


class Eigh(Function):
    node_name = "LinalgEighBackward0"

    @staticmethod
    def forward(ctx, a, uplo):
        w, v = xp_of(a).linalg.eigh(a, UPLO=uplo)
        ctx.retain_outputs(0, 1)
        return w.astype(a.real.dtype), v

    @staticmethod
    def backward(ctx, gw, gv):
        w, v = ctx.saved_outputs
        # NOTE: gA = V (diag(gw) + (V^H gV - (V^H gV)^H) / (2 E)) V^H, E_ij = w_j - w_i.
        e = w.unsqueeze(-2) - w.unsqueeze(-1)
        e = e + _eye_like(w)
        vhgv = _mh(v) @ gv
        inner = (vhgv - _mh(vhgv)) / (2 * e) * (1 - _eye_like(w))
        inner = inner + gw.unsqueeze(-2) * _eye_like(w)
        return v @ inner.to(v.dtype) @ _mh(v)


def eigh(A: Tensor, UPLO: str = "L"):
    """Eigen-decomposition of a symmetric/Hermitian matrix (ascending real eigenvalues).

    Example:
        >>> jtorch.linalg.eigh(jtorch.tensor([[2.0, 1.0], [1.0, 2.0]])).eigenvalues
        tensor([1., 3.])
    """
    A = float_operand(A)
    _square(A, "linalg.eigh")
    return return_types.linalg_eigh(*Eigh.apply(A, uplo=UPLO))


def eigvalsh(A: Tensor, UPLO: str = "L") -> Tensor:
    return eigh(A, UPLO).eigenvalues


def vector_norm(x: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """The ``ord``-norm of ``x`` as a vector (over ``dim`` or all elements).

    Example:
        >>> jtorch.linalg.vector_norm(jtorch.tensor([3.0, -4.0]), ord=1)
        tensor(7.)
    """
    return reduce.vector_norm(x, ord, dim, keepdim, dtype=dtype)


def matrix_norm(A: Tensor, ord="fro", dim=(-2, -1), keepdim: bool = False, *, dtype=None) -> Tensor:
    """Frobenius, nuclear, 1, -1, 2, -2, inf or -inf norm of matrices over ``dim``.

    Example:
        >>> jtorch.linalg.matrix_norm(jtorch.tensor([[3.0, 0.0], [0.0, 4.0]]))
        tensor(5.)
    """
    A = float_operand(A)
    if dtype is not None:
        A = A.to(dtype)
    if len(dim) != 2:
        raise RuntimeError(
            f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(map(str, dim))}"
        )
    d0, d1 = (d % A.ndim for d in dim)
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim)
    if ord in ("nuc", 2, -2):
        moved = A.movedim((d0, d1), (-2, -1))
        s = svdvals(moved)
        out = s.sum(-1) if ord == "nuc" else (s.amax(-1) if ord == 2 else s.amin(-1))
        if keepdim:
            out = out.unsqueeze(min(d0, d1)).unsqueeze(max(d0, d1))
        return out
    if ord in (1, -1, float("inf"), -float("inf")):
        reduce_dim, other = (d0, d1) if ord in (1, -1) else (d1, d0)
        sums = A.abs().sum(reduce_dim, keepdim=True)
        pick = sums.amax if ord > 0 else sums.amin
        out = pick(other, keepdim=True)
        return out if keepdim else out.squeeze((d0, d1))
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")


def norm(A: Tensor, ord=None, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """``torch.linalg.norm``: vector norm for 1-d/``dim`` int, matrix norm for 2-d/2 dims.

    Example:
        >>> jtorch.linalg.norm(jtorch.tensor([[1.0, 2.0], [2.0, 4.0]]))
        tensor(5.)
    """
    if isinstance(dim, int):
        dim = (dim,)
    if ord is None:
        return vector_norm(A, 2, dim, keepdim, dtype=dtype)
    if (dim is not None and len(dim) == 2) or (dim is None and A.ndim == 2):
        return matrix_norm(A, ord, dim or (-2, -1), keepdim, dtype=dtype)
    return vector_norm(A, ord, dim, keepdim, dtype=dtype)


class Solve(Function):
    node_name = "LinalgSolveExBackward0"

    @staticmethod
    def forward(ctx, a, b, op="torch.linalg.solve"):
        ctx.retain_inputs(0)
        ctx.retain_outputs(0)
        xp = xp_of(a)
        try:
            return _solve(xp, a, b)
        except xp.linalg.LinAlgError:
            _raise_info(op, _getrf_info(a), _SINGULAR_SOLVE)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_inputs
        (x,) = ctx.saved_outputs
        # NOTE: torch's linalg_solve backward: gB = A^{-H} gX, gA = -gB X^H
        gb = Solve.apply(_mh(a), grad)
        return (-gb @ _mh(x) if ctx.needs_input_grad[0] else None), gb


@with_out
def solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:
    """The solution X of ``A X = B`` (``left``) or ``X A = B``.

    ``B`` is a (batch of) vector(s) when it is 1-D or has the shape ``A.shape[:-1]``.

    Example:
        >>> jtorch.linalg.solve(jtorch.tensor([[2.0, 0.0], [0.0, 4.0]]), jtorch.tensor([2.0, 4.0]))
        tensor([1., 1.])
    """
    A, B = float_operand(A), float_operand(B)
    _square(A, "linalg.solve")
    if not left:
        return _mh(solve(_mh(A), _mh(B)))
    if B.ndim == 1 or (B.ndim == A.ndim - 1 and B.shape == A.shape[:-1]):
        return Solve.apply(A, B.unsqueeze(-1)).squeeze(-1)
    return Solve.apply(A, B)


def _potrf(a):
    """Lower Cholesky factors and LAPACK potrf's info of every matrix in ``a``: where a leading
    minor of order k is not positive-definite, info is k and the factor is potf2's partial one
    (columns before k factored, the failed pivot's value at (k, k), the rest of the lower
    triangle of ``a``), as torch returns it."""
    xp = xp_of(a)
    try:
        low = xp.linalg.cholesky(a)
        # NOTE: NumPy's LAPACK lets NaN pivots through; torch's reports them
        if not xp.isnan(low.diagonal(0, -2, -1)).any():
            return low, xp.zeros(a.shape[:-2], dtype="int32")
    except xp.linalg.LinAlgError:
        pass
    n = a.shape[-1]
    low = xp.tril(a.reshape(-1, n, n))
    info = xp.zeros(low.shape[0], dtype="int32")
    for j in range(n):
        row = low[:, j, :j]
        d = low[:, j, j].real - (row * row.conj()).real.sum(-1)
        ok = info == 0
        info[ok & ~(d > 0)] = j + 1
        low[:, j, j] = xp.where(ok & (d > 0), xp.sqrt(xp.where(d > 0, d, 1)), d)
        ok = info == 0
        col = low[ok, j + 1 :, j] - (low[ok, j + 1 :, :j] @ row[ok].conj()[..., None])[..., 0]
        low[ok, j + 1 :, j] = col / low[ok, j, j][:, None]
    good = info == 0
    if good.any():  # LAPACK's own factors where it succeeds (if it does: rounding may differ)
        try:
            low[good] = xp.linalg.cholesky(a.reshape(-1, n, n)[good])
        except xp.linalg.LinAlgError:
            pass
    return low.reshape(a.shape), info.reshape(a.shape[:-2])


class Cholesky(Function):
    node_name = "LinalgCholeskyExBackward0"
    differentiable_outputs = (0,)

    @staticmethod
    def forward(ctx, a, upper, op):
        low, info = _potrf(a)
        if op is not None:
            _raise_info(
                op,
                info,
                "The factorization could not be completed because the input is not "
                "positive-definite (the leading minor of order {} is not positive-definite).",
            )
        ctx.upper = upper
        ctx.retain_outputs(0)
        return (low.swapaxes(-1, -2).conj() if upper else low), info

    @staticmethod
    def backward(ctx, grad, *_):
        (out,) = ctx.saved_outputs
        low, gl = (_mh(out), _mh(grad)) if ctx.upper else (out, grad)
        # NOTE: Murray (2016): Phi(L^H gL) with Phi = lower triangle with halved diagonal,
        # then gA = L^{-H} Phi L^{-1}, symmetrised.
        p = _mh(low) @ gl
        phi = p.tril() - 0.5 * p * _eye_like(p[..., 0])
        linv = inv(low)
        ga = _mh(linv) @ phi @ linv
        return 0.5 * (ga + _mh(ga))


def cholesky(A: Tensor, *, upper: bool = False) -> Tensor:
    """Cholesky factor of a positive-definite matrix (lower unless ``upper``).

    Example:
        >>> jtorch.linalg.cholesky(jtorch.tensor([[4.0, 0.0], [0.0, 9.0]]))
        tensor([[2., 0.],
                [0., 3.]])
    """
    return _cholesky(A, upper, "linalg.cholesky")


def _cholesky(A: Tensor, upper: bool, op: str) -> Tensor:
    A = float_operand(A)
    _square(A, op)
    return Cholesky.apply(A, upper=upper, op=op)[0]


def pinv(A: Tensor, *, atol=None, rtol=None, hermitian: bool = False) -> Tensor:
    """Moore-Penrose pseudo-inverse via the SVD (singular values at or below the tolerance of
    :func:`matrix_rank` are dropped).

    Example:
        >>> jtorch.linalg.pinv(jtorch.tensor([[2.0, 0.0], [0.0, 0.0]]))
        tensor([[0.5000, 0.0000],
                [0.0000, 0.0000]])
    """
    U, S, Vh = svd(A, full_matrices=False)
    cutoff = _tolerance(A, S, atol, rtol)
    sinv = (1 / S).where(S > cutoff, S * 0)
    return _mh(Vh) @ (sinv.unsqueeze(-1) * _mh(U))


def _tolerance(A: Tensor, S: Tensor, atol, rtol) -> Tensor:
    """torch's ``max(atol, rtol * sigma_max)``; rtol defaults to eps * max(m, n) unless an atol
    > 0 is given (then 0). ``atol``/``rtol`` may be tensors (broadcast over the batch)."""
    if rtol is None:
        positive_atol = atol is not None and (not isinstance(atol, (int, float)) or atol > 0)
        rtol = 0.0 if positive_atol else max(A.shape[-2:]) * _eps(A)
    if isinstance(rtol, Tensor):
        rtol = rtol.unsqueeze(-1)
    tol = rtol * S.amax(-1, keepdim=True).detach()
    if atol is not None:
        from jtorch.ops.elementwise import maximum  # noqa: PLC0415

        atol = atol.unsqueeze(-1) if isinstance(atol, Tensor) else atol
        tol = maximum(tol, atol if isinstance(atol, Tensor) else tol * 0 + atol)
    return tol


def _eps(A: Tensor) -> float:
    import numpy as np  # noqa: PLC0415

    return float(np.finfo(A._array.dtype).eps)


def matrix_power(A: Tensor, n: int) -> Tensor:
    """``A`` multiplied by itself ``n`` times (``n < 0`` uses the inverse).

    Example:
        >>> jtorch.linalg.matrix_power(jtorch.tensor([[1.0, 1.0], [0.0, 1.0]]), 3)
        tensor([[1., 3.],
                [0., 1.]])
    """
    _square(A, "linalg.matrix_power")
    if n < 0:
        A, n = inv(A), -n
    result = None
    base = A
    while n:
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if n:
            base = base @ base
    if result is None:
        eye = xp_of(A._array).broadcast_to(
            xp_of(A._array).eye(A.shape[-1], dtype=A._array.dtype), A.shape
        )
        return Tensor._make(eye.copy())
    return result


def matrix_rank(A: Tensor, *, atol=None, rtol=None, hermitian: bool = False) -> Tensor:
    """Number of singular values above ``max(atol, rtol * sigma_max)``.

    Example:
        >>> jtorch.linalg.matrix_rank(jtorch.tensor([[1.0, 2.0], [2.0, 4.0]]))
        tensor(1)
    """
    A = float_operand(A)
    S = svdvals(A.detach())
    return (S > _tolerance(A, S, atol, rtol)).sum(-1)


def diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """``torch.linalg.diagonal``: the diagonal over the last two dims by default."""
    return A.diagonal(offset, dim1, dim2)


# -- *_ex variants: the result plus LAPACK's info code ----------------------------------------


def _info(A: Tensor, value: int = 0) -> Tensor:
    xp = xp_of(A._array)
    return Tensor._make(xp.full(A.shape[:-2], value, dtype="int32"))


@with_out
def inv_ex(A: Tensor, *, check_errors: bool = False):
    """Inverse and info (0 on success; else the first zero pivot, with a NaN result).

    Example:
        >>> jtorch.linalg.inv_ex(jtorch.tensor([[2.0]])).inverse
        tensor([[0.5000]])
    """
    A = float_operand(A)
    _square(A, "linalg.inv")
    try:
        return return_types.linalg_inv_ex(Inv.apply(A, op="linalg.inv_ex"), _info(A))
    except LinAlgError:
        if check_errors:
            raise
    info, safe, singular = _singular_ones(A)
    return return_types.linalg_inv_ex(inv(safe).masked_fill(singular, math.nan), info)


def _singular_ones(A: Tensor):
    """getrf's info of each matrix of ``A``, ``A`` with identities in place of its singular
    matrices, and the mask (batch dims + two 1s) of those."""
    info = Tensor._make(_getrf_info(A._array))
    singular = (info != 0)[..., None, None]
    return info, A.where(~singular, _eye_like_shape(A, *A.shape[-2:])), singular


@with_out
def cholesky_ex(A: Tensor, *, upper: bool = False, check_errors: bool = False):
    """Cholesky factor and info (0 on success, else the order of the first non-PD minor).

    Example:
        >>> jtorch.linalg.cholesky_ex(jtorch.tensor([[4.0]])).L
        tensor([[2.]])
    """
    A = float_operand(A)
    _square(A, "linalg.cholesky")
    op = "linalg.cholesky_ex" if check_errors else None
    return return_types.linalg_cholesky_ex(*Cholesky.apply(A, upper=upper, op=op))


@with_out
def solve_ex(A: Tensor, B: Tensor, *, left: bool = True, check_errors: bool = False):
    """Solution of ``A X = B`` and info (0 on success; else the first zero pivot, with NaNs).

    Example:
        >>> jtorch.linalg.solve_ex(jtorch.tensor([[2.0]]), jtorch.tensor([4.0])).result
        tensor([2.])
    """
    A, B = float_operand(A), float_operand(B)
    try:
        return return_types.linalg_solve_ex(solve(A, B, left=left), _info(A))
    except LinAlgError:
        if check_errors:
            _raise_info("torch.linalg.solve_ex", _getrf_info(A._array), _SINGULAR_SOLVE)
    info, safe, singular = _singular_ones(A)
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and B.shape == A.shape[:-1])
    x = solve(safe, B, left=left).masked_fill(singular[..., 0] if vector else singular, math.nan)
    return return_types.linalg_solve_ex(x, info)


# -- triangular solves -------------------------------------------------------------------------


def _triangle(x, xp, upper: bool, unitriangular: bool):
    t = xp.triu(x) if upper else xp.tril(x)
    if unitriangular:
        n = x.shape[-1]
        t = t * (1 - xp.eye(n, dtype=x.dtype)) + xp.eye(n, dtype=x.dtype)
    return t


class SolveTriangular(Function):
    node_name = "LinalgSolveTriangularBackward0"

    @staticmethod
    def forward(ctx, a, b, upper, left, unitriangular):
        xp = xp_of(a)
        ctx.upper, ctx.left, ctx.unit = upper, left, unitriangular
        ctx.retain_inputs(0)
        ctx.retain_outputs(0)
        t = _triangle(a, xp, upper, unitriangular)
        if left:
            return _solve(xp, t, b)
        return _solve(xp, t.swapaxes(-1, -2), b.swapaxes(-1, -2)).swapaxes(-1, -2)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_inputs
        (x,) = ctx.saved_outputs
        gb = solve_triangular(
            _mh(a), grad, upper=not ctx.upper, left=ctx.left, unitriangular=ctx.unit
        )
        ga = None
        if ctx.needs_input_grad[0]:
            ga = -gb @ _mh(x) if ctx.left else -_mh(x) @ gb
            off = 1 if ctx.unit else 0
            ga = ga.triu(off) if ctx.upper else ga.tril(-off)
        return ga, gb if ctx.needs_input_grad[1] else None


def _solve(xp, a, b):
    """``a^{-1} b`` for batches of matrices ``b`` (broadcast over the batch dims)."""
    shape = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = xp.broadcast_to(a, shape + a.shape[-2:])
    b = xp.broadcast_to(b, shape + b.shape[-2:])
    return xp.linalg.solve(a, b)


@with_out
def solve_triangular(
    A: Tensor, B: Tensor, *, upper: bool, left: bool = True, unitriangular: bool = False
) -> Tensor:
    """Solution of ``A X = B`` (``left``) or ``X A = B`` for a triangular ``A``.

    Only the triangle named by ``upper`` is read (and not the diagonal if ``unitriangular``).

    Example:
        >>> A = jtorch.tensor([[2.0, 1.0], [0.0, 4.0]])
        >>> jtorch.linalg.solve_triangular(A, jtorch.tensor([[3.0], [4.0]]), upper=True)
        tensor([[1.],
                [1.]])
    """
    A, B = float_operand(A), float_operand(B)
    if A.dtype != B.dtype:  # NOTE: torch casts B to A's dtype (whichever is wider)
        B = B.to(A.dtype)
    return SolveTriangular.apply(A, B, upper=upper, left=left, unitriangular=unitriangular)


@with_out
def triangular_solve(
    b: Tensor, A: Tensor, upper: bool = True, transpose: bool = False, unitriangular: bool = False
):
    """``torch.triangular_solve``: (solution of ``op(A) X = b``, a copy of ``A``).

    Example:
        >>> A = jtorch.tensor([[2.0, 0.0], [0.0, 4.0]])
        >>> jtorch.tensor([[2.0], [4.0]]).triangular_solve(A).solution
        tensor([[1.],
                [1.]])
    """
    a = A.mT if transpose else A
    x = solve_triangular(a, b, upper=upper != transpose, unitriangular=unitriangular)
    return return_types.triangular_solve(x, A.clone())


def _cholesky_factor(xp, l, upper: bool):
    """The lower factor held in the ``upper`` or lower triangle of ``l``."""
    t = _triangle(l, xp, upper, False)
    return t.swapaxes(-1, -2).conj() if upper else t


def _cholesky_grad(ctx, common: Tensor, l: Tensor) -> Tensor:
    # NOTE: as torch, the factor's gradient is not projected onto its triangle
    return -(l @ common) if ctx.upper else -(common @ l)


class CholeskySolve(Function):
    @staticmethod
    def forward(ctx, b, l, upper):
        xp = xp_of(l)
        ctx.upper = upper
        ctx.retain_inputs(1)
        ctx.retain_outputs(0)
        low = _cholesky_factor(xp, l, upper)
        return _solve(xp, low.swapaxes(-1, -2).conj(), _solve(xp, low, b))

    @staticmethod
    def backward(ctx, grad):
        (l,), (x,) = ctx.saved_inputs, ctx.saved_outputs
        gb = cholesky_solve(grad, l, ctx.upper)
        gl = None
        if ctx.needs_input_grad[1]:
            common = gb @ _mh(x)
            gl = _cholesky_grad(ctx, common + _mh(common), l)
        return gb, gl


@with_out
def cholesky_solve(B: Tensor, L: Tensor, upper: bool = False) -> Tensor:
    """Solution of ``A X = B`` given the Cholesky factor ``L`` of ``A``.

    Example:
        >>> L = jtorch.tensor([[2.0, 0.0], [1.0, 1.0]])
        >>> (L @ L.mT @ jtorch.ones(2, 1)).cholesky_solve(L)
        tensor([[1.],
                [1.]])
    """
    if B.dtype != L.dtype:
        raise RuntimeError(
            f"Expected b and A to have the same dtype, but found b of type {B.dtype.scalar_name} and "
            f"A of type {L.dtype.scalar_name} instead."
        )
    if B.ndim < 2:
        raise RuntimeError(
            f"b should have at least 2 dimensions, but has {B.ndim} dimensions instead"
        )
    return CholeskySolve.apply(B, L, upper=upper)


class CholeskyInverse(Function):
    @staticmethod
    def forward(ctx, l, upper):
        xp = xp_of(l)
        ctx.upper = upper
        ctx.retain_inputs(0)
        ctx.retain_outputs(0)
        low = _cholesky_factor(xp, l, upper)
        eye = xp.broadcast_to(xp.eye(l.shape[-1], dtype=l.dtype), l.shape)
        return _solve(xp, low.swapaxes(-1, -2).conj(), _solve(xp, low, eye))

    @staticmethod
    def backward(ctx, grad):
        (l,), (inverse,) = ctx.saved_inputs, ctx.saved_outputs
        return _cholesky_grad(ctx, inverse @ (grad + _mh(grad)) @ inverse, l)


@with_out
def cholesky_inverse(L: Tensor, upper: bool = False) -> Tensor:
    """Inverse of ``A`` given its Cholesky factor.

    Example:
        >>> jtorch.tensor([[2.0]]).cholesky_inverse()
        tensor([[0.2500]])
    """
    if L.ndim < 2:
        raise RuntimeError("cholesky_inverse: The input tensor A must have at least 2 dimensions.")
    if L._array.dtype.kind not in "fc":
        raise NotImplementedError(
            f"\"cholesky_inverse_out_cpu\" not implemented for '{L.dtype.scalar_name}'"
        )
    return CholeskyInverse.apply(L, upper=upper)


def cholesky_legacy(input: Tensor, upper: bool = False) -> Tensor:
    """``torch.cholesky`` (deprecated, as torch warns once): :func:`linalg.cholesky` with
    ``upper`` positional.

    Example:
        >>> jtorch.cholesky(jtorch.tensor([[4.0, 0.0], [0.0, 9.0]]), True)
        tensor([[2., 0.],
                [0., 3.]])
    """
    warn_outside(_CHOLESKY_DEPRECATED, once=True)
    return _cholesky(input, upper, "cholesky")


_CHOLESKY_DEPRECATED = (
    "torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed in a "
    "future PyTorch release.\nL = torch.cholesky(A)\nshould be replaced with\n"
    "L = torch.linalg.cholesky(A)\nand\nU = torch.cholesky(A, upper=True)\n"
    "should be replaced with\nU = torch.linalg.cholesky(A).mH\nThis transform will produce "
    "equivalent results for all valid (symmetric positive definite) inputs."
)


# -- LU ------------------------------------------------------------------------------------------


def _lu_forward(a):
    """Partial-pivoting LU of every matrix in ``a`` (LAPACK getrf's pivots, 1-based)."""
    xp = xp_of(a)
    m, n = a.shape[-2:]
    k = min(m, n)
    lu = a.reshape(-1, m, n).copy()
    batch = xp.arange(lu.shape[0])
    piv = xp.empty((lu.shape[0], k), dtype="int32")
    info = xp.zeros(lu.shape[0], dtype="int32")
    for j in range(k):
        p = j + xp.argmax(xp.abs(lu[:, j:, j]), axis=1)
        piv[:, j] = p + 1
        row = lu[batch, j].copy()
        lu[batch, j] = lu[batch, p]
        lu[batch, p] = row
        pivot = lu[:, j, j]
        zero = pivot == 0
        info = xp.where((info == 0) & zero, j + 1, info)
        lu[:, j + 1 :, j] /= xp.where(zero, 1, pivot)[:, None]
        lu[:, j + 1 :, j + 1 :] -= lu[:, j + 1 :, j, None] * lu[:, j, None, j + 1 :]
    batch_shape = a.shape[:-2]
    return lu.reshape(a.shape), piv.reshape(batch_shape + (k,)), info.reshape(batch_shape)


class LuFactorEx(Function):
    node_name = "LinalgLuFactorExBackward0"
    differentiable_outputs = (0,)

    @staticmethod
    def forward(ctx, a):
        lu, piv, info = _lu_forward(a)
        ctx.retain_outputs(0, 1)
        return lu, piv, info

    @staticmethod
    def backward(ctx, grad, *_):
        lu, piv = ctx.saved_outputs
        k = min(lu.shape[-2:])
        p, low, up = lu_unpack(lu, piv)
        return p @ _lu_backward(grad[..., :, :k].tril(-1), grad[..., :k, :].triu(), low, up)


def _lu_backward(gl: Tensor, gu: Tensor, low: Tensor, up: Tensor) -> Tensor:
    """``P^T gA`` for ``A = P L U`` given the gradients of ``L`` (m x k) and ``U`` (k x n)."""
    from jtorch.ops.joining import cat  # noqa: PLC0415

    m, n = low.shape[-2], up.shape[-1]
    if m < n:  # wide: U = [U1 U2], U2 = L^-1 (P^T A)_2, which also depends on L
        gu2 = solve_triangular(_mh(low), gu[..., m:], upper=True, unitriangular=True)
        gl = (gl - gu2 @ _mh(up[..., m:])).tril(-1)
        return cat([_lu_backward(gl, gu[..., :m], low, up[..., :m]), gu2], -1)
    if m > n:  # tall: L = [L1; L2], L2 = (P^T A)_2 U^-1, which also depends on U
        gl2 = solve_triangular(_mh(up), gl[..., n:, :], upper=False, left=False)
        gu = (gu - _mh(low[..., n:, :]) @ gl2).triu()
        return cat([_lu_backward(gl[..., :n, :], gu, low[..., :n, :], up), gl2], -2)
    # NOTE: torch's linalg_lu_backward, square case:
    # P^T gA = L^{-H} [(L^H gL) o 1_strictly_lower + (gU U^H) o 1_upper] U^{-H}
    phi = (_mh(low) @ gl).tril(-1) + (gu @ _mh(up)).triu()
    phi = solve_triangular(_mh(up), phi, upper=False, left=False)
    return solve_triangular(_mh(low), phi, upper=True, unitriangular=True)


@with_out
def lu_factor_ex(A: Tensor, *, pivot: bool = True, check_errors: bool = False):
    """Packed LU factorisation with partial pivoting, its pivots and info.

    Example:
        >>> jtorch.linalg.lu_factor_ex(jtorch.tensor([[1.0, 2.0], [3.0, 4.0]])).pivots
        tensor([2, 2], dtype=torch.int32)
    """
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")
    A = float_operand(A)
    if A.ndim < 2:
        raise RuntimeError(
            f"torch.linalg.lu_factor: Expected tensor with 2 or more dimensions. Got size: "
            f"{list(A.shape)} instead"
        )
    lu, piv, info = LuFactorEx.apply(A)
    if check_errors and bool((info > 0).any()):
        raise LinAlgError(
            f"torch.linalg.lu_factor_ex: U[{int(info.max())},{int(info.max())}] is zero and "
            "using it on lu_solve would result in a division by zero. If you still want to "
            "perform the factorization, consider calling linalg.lu(A, pivot) or "
            "linalg.lu_factor_ex(A, pivot)"
        )
    return return_types.linalg_lu_factor_ex(lu, piv, info)


@with_out
def lu_factor(A: Tensor, *, pivot: bool = True):
    """Packed LU factorisation ``(LU, pivots)``; raises for a singular matrix.

    Example:
        >>> jtorch.linalg.lu_factor(jtorch.tensor([[1.0, 2.0], [3.0, 4.0]])).LU
        tensor([[3.0000, 4.0000],
                [0.3333, 0.6667]])
    """
    lu, piv, info = lu_factor_ex(A, pivot=pivot)
    if bool((info > 0).any()):
        k = int(info[info > 0][0]) if info.ndim else int(info)
        raise RuntimeError(
            f"torch.linalg.lu_factor: U[{k},{k}] is zero and using it on lu_solve would result "
            "in a division by zero. If you still want to perform the factorization, consider "
            "calling linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)"
        )
    return return_types.linalg_lu_factor(lu, piv)


def _permutation(pivots, m: int, xp, dtype):
    """The permutation matrices P (``A = P L U``) of LAPACK's sequential row swaps."""
    k = pivots.shape[-1]
    flat = pivots.reshape(-1, k) - 1
    perm = xp.broadcast_to(xp.arange(m), (flat.shape[0], m)).copy()
    rows = xp.arange(flat.shape[0])
    for j in range(k):
        pj = flat[:, j]
        a, b = perm[rows, j].copy(), perm[rows, pj].copy()
        perm[rows, j], perm[rows, pj] = b, a
    # perm[i] is the original row now at position i: (P^T A)[i] = A[perm[i]], so P[perm[i], i] = 1
    p = xp.zeros((flat.shape[0], m, m), dtype=dtype)
    p[rows[:, None], perm, xp.arange(m)] = 1
    return p.reshape(pivots.shape[:-1] + (m, m))


@with_out
def lu_unpack(
    LU_data: Tensor, LU_pivots: Tensor, unpack_data: bool = True, unpack_pivots: bool = True
):
    """``(P, L, U)`` from a packed LU factorisation.

    Example:
        >>> LU, piv = jtorch.linalg.lu_factor(jtorch.tensor([[1.0, 2.0], [3.0, 4.0]]))
        >>> from jtorch.linalg import lu_unpack  # also jtorch.lu_unpack, as in torch
        >>> lu_unpack(LU, piv).P
        tensor([[0., 1.],
                [1., 0.]])
    """
    m, n = LU_data.shape[-2:]
    k = min(m, n)
    xp = xp_of(LU_data._array)
    empty = Tensor._make(xp.empty((0,), LU_data._array.dtype))
    if unpack_pivots:
        p = Tensor._make(_permutation(LU_pivots._array, m, xp, LU_data._array.dtype))
    else:
        p = empty
    if not unpack_data:
        return return_types.lu_unpack(p, empty, empty)
    eye = Tensor._make(xp.eye(m, k, dtype=LU_data._array.dtype))
    low = LU_data[..., :, :k].tril(-1) + eye
    up = LU_data[..., :k, :].triu()
    return return_types.lu_unpack(p, low, up)


@with_out
def lu(A: Tensor, *, pivot: bool = True):
    """LU decomposition ``A = P L U`` with partial pivoting.

    Example:
        >>> P, L, U = jtorch.linalg.lu(jtorch.tensor([[1.0, 2.0], [3.0, 4.0]]))
        >>> U
        tensor([[3.0000, 4.0000],
                [0.0000, 0.6667]])
    """
    lu_, piv, _ = lu_factor_ex(A, pivot=pivot)
    return return_types.linalg_lu(*lu_unpack(lu_, piv))


@with_out
def lu_solve(LU: Tensor, pivots: Tensor, B: Tensor, *, left: bool = True, adjoint: bool = False):
    """Solution of ``A X = B`` (or ``X A = B``; ``A^H`` if ``adjoint``) from ``lu_factor(A)``.

    Example:
        >>> LU, piv = jtorch.linalg.lu_factor(jtorch.tensor([[2.0, 0.0], [0.0, 4.0]]))
        >>> jtorch.linalg.lu_solve(LU, piv, jtorch.tensor([[2.0], [4.0]]))
        tensor([[1.],
                [1.]])
    """
    p, low, up = lu_unpack(LU, pivots)
    if left and not adjoint:  # X = U^-1 L^-1 P^T B
        y = solve_triangular(low, p.mT @ B, upper=False, unitriangular=True)
        return solve_triangular(up, y, upper=True)
    if left:  # A^H = U^H L^H P^T: X = P L^-H U^-H B
        y = solve_triangular(_mh(up), B, upper=False)
        return p @ solve_triangular(_mh(low), y, upper=True, unitriangular=True)
    if not adjoint:  # X P L U = B
        y = solve_triangular(up, B, upper=True, left=False)
        return solve_triangular(low, y, upper=False, left=False, unitriangular=True) @ p.mT
    y = solve_triangular(_mh(low), B @ p, upper=True, left=False, unitriangular=True)
    return solve_triangular(_mh(up), y, upper=False, left=False)


def lu_legacy(A: Tensor, pivot: bool = True, get_infos: bool = False):
    """``torch.lu``: ``(LU, pivots)``, plus ``infos`` when ``get_infos``."""
    lu_, piv, info = lu_factor_ex(A, pivot=pivot)
    return return_types._lu_with_info(lu_, piv, info) if get_infos else (lu_, piv)


@with_out
def lu_solve_legacy(b: Tensor, LU_data: Tensor, LU_pivots: Tensor) -> Tensor:
    """``torch.lu_solve``: :func:`linalg.lu_solve` with the right-hand side first."""
    return lu_solve(LU_data, LU_pivots, b)


# -- matrix exponential --------------------------------------------------------------------------

# NOTE: Higham's (2005) scaling and squaring with the degree-13 Pade approximant.
_PADE13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0)
_PADE13 += (129060195264000.0, 10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0)
_PADE13 += (40840800.0, 960960.0, 16380.0, 182.0, 1.0)


def _expm(a):
    xp = xp_of(a)
    b = _PADE13
    norm = xp.abs(a).sum(-2).max(-1) if a.size else xp.zeros(a.shape[:-2])
    s = xp.maximum(0, xp.ceil(xp.log2(xp.maximum(norm, 1e-300) / 5.371920351148152)))
    s = xp.where(xp.isfinite(s), s, 0).astype("int64")
    a = a / (2.0**s)[..., None, None].astype(a.dtype)
    eye = xp.eye(a.shape[-1], dtype=a.dtype)
    a2 = a @ a
    a4 = a2 @ a2
    a6 = a4 @ a2
    u = a @ (a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2) + b[7] * a6 + b[5] * a4 + b[3] * a2)
    u = u + a @ (b[1] * eye)
    v = a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2
    v = v + b[0] * eye
    r = _solve(xp, v - u, v + u)
    for k in range(int(s.max()) if s.size else 0):
        r = xp.where((s > k)[..., None, None], r @ r, r)
    return r


class MatrixExp(Function):
    node_name = "LinalgMatrixExpBackward0"

    @staticmethod
    def forward(ctx, a):
        ctx.retain_inputs(0)
        return _expm(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_inputs
        # NOTE: torch's differential_analytic_matrix_function: the upper-right block of
        # exp([[A^H, G], [0, A^H]]) is the gradient.
        from jtorch.ops.joining import cat  # noqa: PLC0415

        n = a.shape[-1]
        ah = _mh(a)
        top = cat([ah, grad], -1)
        bottom = cat([grad * 0, ah], -1)
        return matrix_exp(cat([top, bottom], -2))[..., :n, n:]


def matrix_exp(A: Tensor) -> Tensor:
    """The matrix exponential ``sum_k A^k / k!`` of square matrices.

    Example:
        >>> jtorch.linalg.matrix_exp(jtorch.tensor([[0.0, 1.0], [0.0, 0.0]]))
        tensor([[1., 1.],
                [0., 1.]])
    """
    A = float_operand(A)
    _square(A, "linalg.matrix_exp")
    return MatrixExp.apply(A)


# -- least squares -------------------------------------------------------------------------------


class Lstsq(Function):
    node_name = "LinalgLstsqBackward0"
    differentiable_outputs = (0, 1)

    @staticmethod
    def forward(ctx, a, b, rcond, driver):
        ctx.retain_inputs(0, 1)
        ctx.retain_outputs(0)
        xp = xp_of(a)
        m, n = a.shape[-2:]
        u, s, vh = xp.linalg.svd(a, full_matrices=False)
        s = s.astype(a.real.dtype)
        cutoff = (rcond if rcond is not None else _eps_of(a) * max(m, n)) * s[..., :1]
        rank = (s > cutoff).sum(-1)
        sinv = xp.where(s > cutoff, 1 / xp.where(s > cutoff, s, 1), 0)
        x = _mh_array(vh) @ (sinv[..., None] * (_mh_array(u) @ b))
        empty = xp.empty((0,), a.real.dtype)
        residuals = empty
        if driver != "gelsy" and m > n and bool((rank == n).all()):
            residuals = (xp.abs(a @ x - b) ** 2).sum(-2)
        if driver == "gels":
            rank = xp.empty((0,), "int64")
        sv = s if driver in ("gelsd", "gelss") else empty
        return x, residuals, rank.astype("int64"), sv

    @staticmethod
    def backward(ctx, grad, grad_residuals, *_):
        a, b = ctx.saved_inputs
        (x,) = ctx.saved_outputs
        pinv_a = pinv(a)
        ga = _pinv_backward(grad @ _mh(b), pinv_a, a) if ctx.needs_input_grad[0] else None
        gb = _mh(pinv_a) @ grad if ctx.needs_input_grad[1] else None
        if grad_residuals is not None and grad_residuals.numel():
            # NOTE: x minimises |A x - b|^2, so only the explicit dependence on A and b counts
            r = (a @ x - b) * (2 * grad_residuals).unsqueeze(-2)
            ga = ga + r @ _mh(x) if ga is not None else None
            gb = gb - r if gb is not None else None
        return ga, gb


def _mh_array(x):
    return x.swapaxes(-1, -2).conj()


def _eps_of(a) -> float:
    return float(np.finfo(a.dtype).eps)


def _pinv_backward(grad: Tensor, pinv_a: Tensor, a: Tensor) -> Tensor:
    """The gradient wrt ``A`` given the gradient ``G`` wrt ``A+ = pinv(A)`` (Golub-Pereyra):
    ``-A+^H G A+^H + (I - A A+) G^H A+ A+^H + A+^H A+ G^H (I - A+ A)``."""
    pinv_ah, gradh = _mh(pinv_a), _mh(grad)
    return (
        -pinv_ah @ grad @ pinv_ah
        + (gradh - a @ (pinv_a @ gradh)) @ pinv_a @ pinv_ah
        + pinv_ah @ pinv_a @ (gradh - (gradh @ pinv_a) @ a)
    )


def lstsq(A: Tensor, B: Tensor, rcond: float | None = None, *, driver: str | None = None):
    """Least-squares solution of ``A X = B`` (``torch.linalg.lstsq``'s four results).

    ``residuals`` are filled for the SVD drivers when ``m > n`` and A has full rank; ``rank``
    for every driver but 'gels'; ``singular_values`` for 'gelsd' and 'gelss'.

    Example:
        >>> A = jtorch.tensor([[1.0, 0.0], [0.0, 2.0], [0.0, 0.0]])
        >>> jtorch.linalg.lstsq(A, jtorch.tensor([[1.0], [2.0], [3.0]])).solution
        tensor([[1.],
                [1.]])
    """
    driver = driver or "gelsy"
    if driver not in ("gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError(
            "torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)"
        )
    A, B = float_operand(A), float_operand(B)
    if A.ndim < B.ndim or A.ndim - B.ndim > 1:
        raise RuntimeError(
            "torch.linalg.lstsq: input.dim() must be greater or equal to other.dim() and "
            "(input.dim() - other.dim()) <= 1"
        )
    vector = B.ndim == A.ndim - 1
    x, residuals, rank, sv = Lstsq.apply(
        A, B.unsqueeze(-1) if vector else B, rcond=rcond, driver=driver
    )
    return return_types.linalg_lstsq(x.squeeze(-1) if vector else x, residuals, rank, sv)


# -- products and small composites ---------------------------------------------------------------


@with_out
def matmul(input: Tensor, other: Tensor) -> Tensor:
    """``torch.linalg.matmul``: alias of :func:`jtorch.matmul`.

    Example:
        >>> jtorch.linalg.matmul(jtorch.ones(2, 3), jtorch.ones(3))
        tensor([3., 3.])
    """
    return input @ other


@with_out
def multi_dot(tensors) -> Tensor:
    """Product of a chain of matrices; the first and last may be vectors.

    Example:
        >>> jtorch.linalg.multi_dot([jtorch.ones(2), jtorch.ones(2, 3), jtorch.ones(3)])
        tensor(6.)
    """
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    first, last = tensors[0], tensors[-1]
    mats = [first.unsqueeze(0) if first.ndim == 1 else first, *tensors[1:-1]]
    mats.append(last.unsqueeze(-1) if last.ndim == 1 else last)
    out = mats[0]
    for m in mats[1:]:
        out = out @ m
    if last.ndim == 1:
        out = out.squeeze(-1)
    return out.squeeze(0) if first.ndim == 1 else out


def chain_matmul(*matrices: Tensor) -> Tensor:
    """``torch.chain_matmul``: :func:`multi_dot` of 2-D tensors given as arguments."""
    return matrices[0] if len(matrices) == 1 else multi_dot(matrices)


@with_out
def vecdot(x: Tensor, y: Tensor, *, dim: int = -1) -> Tensor:
    """Dot product ``sum(conj(x) * y)`` over ``dim`` (with broadcasting).

    Example:
        >>> jtorch.linalg.vecdot(jtorch.tensor([1.0, 2.0]), jtorch.tensor([3.0, 4.0]))
        tensor(11.)
    """
    return (x.conj() * y).sum(dim)


@with_out
def cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:
    """Cross product of 3-vectors along ``dim`` (with broadcasting).

    Example:
        >>> jtorch.linalg.cross(jtorch.tensor([1.0, 0.0, 0.0]), jtorch.tensor([0.0, 1.0, 0.0]))
        tensor([0., 0., 1.])
    """
    from jtorch.ops._broadcast import broadcast_shapes  # noqa: PLC0415
    from jtorch.ops.joining import stack  # noqa: PLC0415

    if input.ndim != other.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    if input.shape[dim] != 3 or other.shape[dim] != 3:
        raise RuntimeError(
            f"linalg.cross: inputs dimension {dim} must have length 3. Got "
            f"{input.shape[dim]} and {other.shape[dim]}"
        )
    shape = broadcast_shapes(input.shape, other.shape)
    input, other = input.expand(shape), other.expand(shape)
    a = [input.select(dim, i) for i in range(3)]
    b = [other.select(dim, i) for i in range(3)]
    parts = [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
    out = stack(parts, -1)
    return out.movedim(-1, dim % out.ndim)


@with_out
def cross_legacy(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:
    """``torch.cross``: ``dim`` defaults to the first dimension of size 3."""
    if dim is None:
        dim = next(i for i, s in enumerate(input.shape) if s == 3)
    return cross(input, other, dim=dim)


def vander(x: Tensor, N: int | None = None) -> Tensor:
    """Vandermonde matrix with columns ``x**0, x**1, ..., x**(N-1)``.

    Example:
        >>> jtorch.linalg.vander(jtorch.tensor([1, 2, 3]))
        tensor([[1, 1, 1],
                [1, 2, 4],
                [1, 3, 9]])
    """
    from jtorch.ops.joining import cat  # noqa: PLC0415

    n = x.shape[-1] if N is None else N
    if n <= 1:
        if n < 1:
            raise RuntimeError("N must be greater than 1.")
        return x.unsqueeze(-1) ** 0
    # NOTE: a cumulative product, as torch: its gradient is finite at x = 0 (unlike pow's).
    ones = Tensor._make(xp_of(x._array).ones(x.shape + (1,), x._array.dtype))
    return cat([ones, x.unsqueeze(-1).expand(*x.shape, n - 1)], -1).cumprod(-1)


@with_out
def cond(A: Tensor, p=None) -> Tensor:
    """Condition number of ``A`` in the ``p``-norm (2-norm by default, via singular values).

    Example:
        >>> jtorch.linalg.cond(jtorch.tensor([[1.0, 0.0], [0.0, 4.0]]))
        tensor(4.)
    """
    if p in (None, 2, -2):
        s = svdvals(A)
        big, small = s[..., 0], s[..., -1]
        return big / small if p != -2 else small / big
    return matrix_norm(A, p) * matrix_norm(inv(A), p)


@with_out
def tensorinv(A: Tensor, ind: int = 2) -> Tensor:
    """Inverse of ``A`` seen as a linear map from its first ``ind`` dims to the rest.

    Example:
        >>> jtorch.linalg.tensorinv(jtorch.eye(4).reshape(4, 2, 2), ind=1).shape
        torch.Size([2, 2, 4])
    """
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    out_shape, in_shape = A.shape[:ind], A.shape[ind:]
    rows = 1
    for s in out_shape:
        rows *= s
    return inv(A.reshape(rows, -1)).reshape(*in_shape, *out_shape)


@with_out
def tensorsolve(A: Tensor, B: Tensor, dims=None) -> Tensor:
    """The ``X`` with ``tensordot(A, X, X.ndim) == B``.

    Example:
        >>> jtorch.linalg.tensorsolve(2 * jtorch.eye(4).reshape(2, 2, 4), jtorch.ones(2, 2))
        tensor([0.5000, 0.5000, 0.5000, 0.5000])
    """
    if dims is not None:
        dims = [d % A.ndim for d in dims]
        A = A.movedim(dims, list(range(A.ndim - len(dims), A.ndim)))
    x_shape = A.shape[B.ndim :]
    return solve(A.reshape(B.numel(), -1), B.reshape(-1)).reshape(x_shape)


@with_out
def householder_product(A: Tensor, tau: Tensor) -> Tensor:
    """The first ``n`` columns of ``H_1 ... H_k``, ``H_i = I - tau_i v_i v_i^H`` (as LAPACK orgqr).

    Example:
        >>> jtorch.linalg.householder_product(jtorch.zeros(2, 2), jtorch.zeros(1))
        tensor([[1., 0.],
                [0., 1.]])
    """
    m, n = A.shape[-2:]
    q = _eye_like_shape(A, m, n)
    for i in reversed(range(tau.shape[-1])):
        q = _apply_reflector(A, tau, i, q)
    return q


def _eye_like_shape(A: Tensor, m: int, n: int) -> Tensor:
    xp = xp_of(A._array)
    eye = xp.broadcast_to(xp.eye(m, n, dtype=A._array.dtype), A.shape[:-2] + (m, n))
    return Tensor._make(eye.copy())


def _apply_reflector(A: Tensor, tau: Tensor, i: int, x: Tensor) -> Tensor:
    """``H_i x`` with ``H_i = I - tau_i v v^H``, v = (0, ..., 1, A[i+1:, i])."""
    m = A.shape[-2]
    mask = Tensor._make(xp_of(A._array).arange(m) > i).to(A.dtype)
    unit = Tensor._make(xp_of(A._array).arange(m) == i).to(A.dtype)
    v = (A[..., :, i] * mask + unit).unsqueeze(-1)
    t = tau[..., i].unsqueeze(-1).unsqueeze(-1)
    return x - t * (v @ (_mh(v) @ x))


def orgqr(input: Tensor, tau: Tensor) -> Tensor:
    """``torch.orgqr``: alias of :func:`householder_product`."""
    return householder_product(input, tau)


@with_out
def ormqr(
    input: Tensor, tau: Tensor, other: Tensor, left: bool = True, transpose: bool = False
) -> Tensor:
    """``op(Q) @ other`` (or ``other @ op(Q)``) with ``Q`` from Householder reflectors.

    Example:
        >>> jtorch.zeros(2, 2).ormqr(jtorch.zeros(1), jtorch.ones(2, 1))
        tensor([[1.],
                [1.]])
    """
    k = tau.shape[-1]
    # Q = H_1 ... H_k; Q^H = H_k ... H_1 (each H_i^H is the reflector with conj(tau_i))
    tau_used = tau.conj() if transpose else tau
    order = list(range(k)) if transpose == left else list(reversed(range(k)))
    x = other if left else _mh(other)
    if not left:
        tau_used = tau_used.conj()
    for i in order:
        x = _apply_reflector(input, tau_used, i, x)
    return x if left else _mh(x)


class Geqrf(Function):
    differentiable_outputs = (0, 1)

    @staticmethod
    def forward(ctx, a):
        xp = xp_of(a)
        h, tau = xp.linalg.qr(a, mode="raw")
        return xp.ascontiguousarray(h.swapaxes(-1, -2)), tau.astype(a.dtype)

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError("the derivative for 'geqrf' is not implemented.")


@with_out
def geqrf(input: Tensor):
    """``torch.geqrf``: LAPACK's Householder QR (reflectors below R's diagonal, and tau).

    Example:
        >>> jtorch.tensor([[3.0], [4.0]]).geqrf().a
        tensor([[-5.0000],
                [ 0.5000]])
    """
    return return_types.geqrf(*Geqrf.apply(float_operand(input)))


return_types.structseq("triangular_solve", ("solution", "cloned_coefficient"))
return_types.structseq("linalg_lu_factor_ex", ("LU", "pivots", "info"))
return_types.structseq("geqrf", ("a", "tau"))
return_types.structseq("_lu_with_info", ("LU", "pivots", "info"))


# -- LDL^T (Bunch-Kaufman, as LAPACK's unblocked sytf2/sytrs, lower triangle) ---------------------

_BK_ALPHA = (1 + 17**0.5) / 8


def _ldl_one(w):
    """Factor one symmetric matrix in place (a full symmetric working copy); returns (pivots,
    info) in LAPACK's convention (1-based; negative for 2 x 2 blocks)."""
    n = w.shape[0]
    piv = np.zeros(n, "int32")
    info, k = 0, 0
    while k < n:
        step, absakk = 1, abs(float(w[k, k]))
        imax = k + 1 + int(np.argmax(np.abs(w[k + 1 :, k]))) if k < n - 1 else k
        colmax = abs(float(w[imax, k])) if k < n - 1 else 0.0
        kp = k
        if max(absakk, colmax) == 0 or absakk != absakk:
            info = info or k + 1
        else:
            if absakk < _BK_ALPHA * colmax:
                rowmax = float(np.abs(w[imax, k:imax]).max())
                if imax < n - 1:
                    rowmax = max(rowmax, float(np.abs(w[imax + 1 :, imax]).max()))
                if absakk >= _BK_ALPHA * colmax * (colmax / rowmax):
                    kp = k
                elif abs(float(w[imax, imax])) >= _BK_ALPHA * rowmax:
                    kp = imax
                else:
                    kp, step = imax, 2
            kk = k + step - 1
            if kp != kk:  # symmetric interchange inside the trailing block
                w[[kk, kp], k:] = w[[kp, kk], k:]
                w[k:, [kk, kp]] = w[k:, [kp, kk]]
            if step == 1:
                x = w[k + 1 :, k].copy()
                w[k + 1 :, k + 1 :] -= np.outer(x, x / w[k, k])
                w[k + 1 :, k] = x / w[k, k]
            elif k < n - 2:
                d21 = w[k + 1, k]
                d11, d22 = w[k + 1, k + 1] / d21, w[k, k] / d21
                d21 = 1 / (d11 * d22 - 1) / d21
                a0, a1 = w[k + 2 :, k].copy(), w[k + 2 :, k + 1].copy()
                wk, wkp1 = d21 * (d11 * a0 - a1), d21 * (d22 * a1 - a0)
                w[k + 2 :, k + 2 :] -= np.outer(a0, wk) + np.outer(a1, wkp1)
                w[k + 2 :, k], w[k + 2 :, k + 1] = wk, wkp1
        piv[k : k + step] = kp + 1 if step == 1 else -(kp + 1)
        k += step
    return piv, info


def _ldl_solve_one(ld, piv, b):
    """LAPACK's sytrs (lower): ``A X = B`` from the factorisation of one matrix."""
    n = ld.shape[0]
    k = 0
    while k < n:  # L D Y = P^T B
        kp = abs(int(piv[k])) - 1
        if piv[k] > 0:
            b[[k, kp]] = b[[kp, k]]
            b[k + 1 :] -= np.outer(ld[k + 1 :, k], b[k])
            b[k] /= ld[k, k]
            k += 1
            continue
        b[[k + 1, kp]] = b[[kp, k + 1]]
        b[k + 2 :] -= np.outer(ld[k + 2 :, k], b[k]) + np.outer(ld[k + 2 :, k + 1], b[k + 1])
        akm1k = ld[k + 1, k]
        akm1, ak = ld[k, k] / akm1k, ld[k + 1, k + 1] / akm1k
        denom = akm1 * ak - 1
        bkm1, bk = b[k] / akm1k, b[k + 1] / akm1k
        b[k], b[k + 1] = (ak * bkm1 - bk) / denom, (akm1 * bk - bkm1) / denom
        k += 2
    k = n - 1
    while k >= 0:  # L^T X = Y, then undo the interchanges
        b[k] -= ld[k + 1 :, k] @ b[k + 1 :]
        step = 1
        if piv[k] < 0:
            b[k - 1] -= ld[k + 1 :, k - 1] @ b[k + 1 :]
            step = 2
        kp = abs(int(piv[k])) - 1
        b[[k, kp]] = b[[kp, k]]
        k -= step
    return b


class LdlFactorEx(Function):
    node_name = "NotImplemented"
    differentiable_outputs = (0,)

    @staticmethod
    def forward(ctx, a):
        # NOTE: LAPACK's pivoting decisions are sequential per matrix: done on the host
        flat = to_numpy(a).reshape(-1, *a.shape[-2:])
        flat = np.tril(flat) + np.tril(flat, -1).swapaxes(-1, -2)  # the lower triangle is read
        pivs, infos = zip(*(_ldl_one(w) for w in flat)) if len(flat) else ((), ())
        xp = xp_of(a)
        batch = a.shape[:-2]
        piv = np.array(pivs, "int32").reshape(batch + a.shape[-1:])
        info = np.array(infos, "int32").reshape(batch)
        ld = np.tril(flat).reshape(a.shape)
        return xp.asarray(ld), xp.asarray(piv), xp.asarray(info)

    @staticmethod
    def backward(ctx, *grads):
        raise RuntimeError("derivative for aten::linalg_ldl_factor_ex is not implemented")


class LdlSolve(Function):
    node_name = "NotImplemented"

    @staticmethod
    def forward(ctx, ld, piv, b):
        shape = np.broadcast_shapes(ld.shape[:-2], b.shape[:-2])
        lds = np.broadcast_to(to_numpy(ld), shape + ld.shape[-2:]).reshape(-1, *ld.shape[-2:])
        ps = np.broadcast_to(to_numpy(piv), shape + piv.shape[-1:]).reshape(-1, piv.shape[-1])
        bs = np.broadcast_to(to_numpy(b), shape + b.shape[-2:]).reshape(-1, *b.shape[-2:])
        out = [_ldl_solve_one(x, p, y.copy()) for x, p, y in zip(lds, ps, bs)]
        out = np.array(out, dtype=b.dtype).reshape(shape + b.shape[-2:])
        return xp_of(b).asarray(out)

    @staticmethod
    def backward(ctx, *grads):
        raise RuntimeError("derivative for aten::linalg_ldl_solve is not implemented")


@with_out
def ldl_factor_ex(A: Tensor, *, hermitian: bool = False, check_errors: bool = False):
    """LDL^T factorisation with Bunch-Kaufman pivoting, its pivots and info (LAPACK's sytrf).

    Example:
        >>> jtorch.linalg.ldl_factor_ex(jtorch.tensor([[4.0, 2.0], [2.0, 3.0]])).LD
        tensor([[4.0000, 0.0000],
                [0.5000, 2.0000]])
    """
    A = float_operand(A)
    _square(A, "linalg.ldl_factor_ex")
    ld, piv, info = LdlFactorEx.apply(A)
    if check_errors and bool((info > 0).any()):
        raise LinAlgError(f"torch.linalg.ldl_factor_ex: Unknown error code: {int(info.max())}.")
    return return_types.linalg_ldl_factor_ex(ld, piv, info)


@with_out
def ldl_factor(A: Tensor, *, hermitian: bool = False):
    """``(LD, pivots)`` of :func:`ldl_factor_ex`.

    Example:
        >>> jtorch.linalg.ldl_factor(jtorch.tensor([[4.0, 2.0], [2.0, 3.0]])).pivots
        tensor([1, 2], dtype=torch.int32)
    """
    ld, piv, _ = ldl_factor_ex(A, hermitian=hermitian)
    return return_types.linalg_ldl_factor(ld, piv)


@with_out
def ldl_solve(LD: Tensor, pivots: Tensor, B: Tensor, *, hermitian: bool = False) -> Tensor:
    """Solution of ``A X = B`` from :func:`ldl_factor` of ``A``.

    Example:
        >>> LD, piv = jtorch.linalg.ldl_factor(jtorch.tensor([[4.0, 2.0], [2.0, 3.0]]))
        >>> jtorch.linalg.ldl_solve(LD, piv, jtorch.tensor([[6.0], [5.0]]))
        tensor([[1.],
                [1.]])
    """
    return LdlSolve.apply(LD, pivots, B)


return_types.structseq("linalg_ldl_factor_ex", ("LD", "pivots", "info"))
return_types.structseq("linalg_ldl_factor", ("LD", "pivots"))


# The legacy top-level functions (``torch.lu``, ``torch.cholesky_solve``, ...) by torch name.
LEGACY = {
    "lu": lu_legacy,
    "lu_solve": lu_solve_legacy,
    "lu_unpack": lu_unpack,
    "cholesky": cholesky_legacy,
    "cholesky_solve": cholesky_solve,
    "cholesky_inverse": cholesky_inverse,
    "triangular_solve": triangular_solve,
    "matrix_exp": matrix_exp,
    "cross": cross_legacy,
    "chain_matmul": chain_matmul,
    "geqrf": geqrf,
    "orgqr": orgqr,
    "ormqr": ormqr,
}
