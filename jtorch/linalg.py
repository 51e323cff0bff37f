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

from jtorch import return_types
from jtorch._tensor import Tensor
from jtorch.autograd.function import Function
from jtorch.backend import get_array_module as xp_of
from jtorch.ops import reduce
from jtorch.ops._broadcast import float_operand

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
]


def _square(a: Tensor, op: str) -> None:
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise RuntimeError(
            f"linalg.{op}: A must be batches of square matrices, but they are "
            f"{a.shape[-2] if a.ndim >= 2 else a.shape[-1]} by {a.shape[-1]} matrices"
        )


def _mh(x: Tensor) -> Tensor:
    """Conjugate transpose of the last two dims."""
    return x.transpose(-2, -1).conj()


class LinAlgError(RuntimeError):
    """A singular or non-definite input (``torch.linalg.LinAlgError``)."""


def _zero_pivot(a) -> int:
    """1-based index of the first zero pivot of LU with partial pivoting (LAPACK's getrf info)."""
    import numpy as np  # noqa: PLC0415

    m = np.array(a, dtype=np.float64).reshape(-1, *a.shape[-2:])
    m = next(x for x in m if np.linalg.matrix_rank(x) < x.shape[-1]).copy()
    for k in range(m.shape[0]):
        p = k + int(np.argmax(np.abs(m[k:, k])))
        if m[p, k] == 0:
            return k + 1
        m[[k, p]] = m[[p, k]]
        m[k + 1 :, k:] -= np.outer(m[k + 1 :, k] / m[k, k], m[k, k:])
    return m.shape[0]


class Inv(Function):
    node_name = "LinalgInvExBackward0"

    @staticmethod
    def forward(ctx, a):
        ctx.retain_outputs(0)
        xp = xp_of(a)
        try:
            return xp.linalg.inv(a)
        except xp.linalg.LinAlgError:
            raise LinAlgError(
                f"linalg.inv: The diagonal element {_zero_pivot(a)} is zero, the inversion could "
                "not be completed because the input matrix is singular."
            ) from None

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_outputs
        yh = _mh(y)
        return -(yh @ grad @ yh)


def inv(A: Tensor) -> Tensor:
    """Inverse of a square matrix (or a batch of them).

    Example:
        >>> jtorch.linalg.inv(jtorch.tensor([[4.0]]))
        tensor([[0.2500]])
    """
    A = float_operand(A)
    _square(A, "inv")
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
    _square(A, "det")
    return Det.apply(A)


class SlogDet(Function):
    node_name = "LinalgSlogdetBackward0"

    @staticmethod
    def forward(ctx, a):
        ctx.retain_inputs(0)
        sign, logabs = xp_of(a).linalg.slogdet(a)
        return sign.astype(a.dtype), logabs.astype(a.real.dtype)

    @staticmethod
    def backward(ctx, grad_sign, grad_logabs):
        (a,) = ctx.saved_inputs
        return grad_logabs.unsqueeze(-1).unsqueeze(-1) * _mh(inv(a))


def slogdet(A: Tensor):
    """Sign and log of the absolute value of the determinant.

    Example:
        >>> jtorch.linalg.slogdet(jtorch.tensor([[-2.0, 0.0], [0.0, 3.0]])).logabsdet
        tensor(1.7918)
    """
    A = float_operand(A)
    _square(A, "slogdet")
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
    sdiag = ss * _eye_like(s)
    e = ss * ss - (s * s).unsqueeze(-1)  # E_jk = s_k^2 - s_j^2
    e = e + _eye_like(s)  # 1 on the diagonal: the skew terms are zero there anyway
    uhgu, vhgv = _mh(u) @ gu, _mh(v) @ gv
    j = (uhgu - _mh(uhgu)) / e
    k = (vhgv - _mh(vhgv)) / e
    inner = j @ sdiag + sdiag @ k + gs.unsqueeze(-2) * _eye_like(s)
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
        sym = low + _mh(low) + mm * _eye_like(mm[..., 0])
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
        return w.astype(cdtype), v.astype(cdtype)

    @staticmethod
    def backward(ctx, gw, gv):
        raise RuntimeError(
            "jtorch: the derivative of linalg.eig is not implemented yet; use linalg.eigh for "
            "symmetric/Hermitian matrices"
        )


def eig(A: Tensor):
    """Eigenvalues and eigenvectors of a square matrix (complex, as torch.linalg.eig).

    Example:
        >>> jtorch.linalg.eig(jtorch.tensor([[2.0, 0.0], [0.0, 3.0]])).eigenvalues
        tensor([2.+0.j, 3.+0.j])
    """
    A = float_operand(A)
    _square(A, "eig")
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
    _square(A, "eigh")
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


def solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:
    """The solution X of ``A X = B`` (``left``) or ``X A = B``.

    Example:
        >>> jtorch.linalg.solve(jtorch.tensor([[2.0, 0.0], [0.0, 4.0]]), jtorch.tensor([2.0, 4.0]))
        tensor([1., 1.])
    """
    if not left:
        return _mh(solve(_mh(A), _mh(B)))
    if B.ndim == A.ndim - 1:
        return (inv(A) @ B.unsqueeze(-1)).squeeze(-1)
    return inv(A) @ B


class Cholesky(Function):
    node_name = "LinalgCholeskyExBackward0"

    @staticmethod
    def forward(ctx, a, upper):
        xp = xp_of(a)
        try:
            low = xp.linalg.cholesky(a)
        except xp.linalg.LinAlgError:
            raise LinAlgError(
                "linalg.cholesky: The factorization could not be completed because the input is "
                "not positive-definite (the leading minor of order "
                f"{_first_bad_minor(a)} is not positive-definite)."
            ) from None
        ctx.upper = upper
        ctx.retain_outputs(0)
        return low.swapaxes(-1, -2).conj() if upper else low

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_outputs
        low, gl = (_mh(out), _mh(grad)) if ctx.upper else (out, grad)
        # NOTE: Murray (2016): Phi(L^H gL) with Phi = lower triangle with halved diagonal,
        # then gA = L^{-H} Phi L^{-1}, symmetrised.
        p = _mh(low) @ gl
        phi = p.tril() - 0.5 * p * _eye_like(p[..., 0])
        linv = inv(low)
        ga = _mh(linv) @ phi @ linv
        return 0.5 * (ga + _mh(ga))


def _first_bad_minor(a) -> int:
    import numpy as np  # noqa: PLC0415

    m = np.array(a, dtype=np.float64).reshape(-1, *a.shape[-2:])[0]
    return next(
        k for k in range(1, m.shape[0] + 1) if np.linalg.eigvalsh(m[:k, :k]).min() <= 0
    )


def cholesky(A: Tensor, *, upper: bool = False) -> Tensor:
    """Cholesky factor of a positive-definite matrix (lower unless ``upper``).

    Example:
        >>> jtorch.linalg.cholesky(jtorch.tensor([[4.0, 0.0], [0.0, 9.0]]))
        tensor([[2., 0.],
                [0., 3.]])
    """
    A = float_operand(A)
    _square(A, "cholesky")
    return Cholesky.apply(A, upper=upper)


def pinv(A: Tensor, *, atol=None, rtol=None, hermitian: bool = False) -> Tensor:
    """Moore-Penrose pseudo-inverse via the SVD (singular values below rtol*max cut off)."""
    U, S, Vh = svd(A, full_matrices=False)
    cutoff = (rtol if rtol is not None else max(A.shape[-2:]) * _eps(A)) * S.amax(-1, keepdim=True)
    if atol is not None:
        cutoff = cutoff.clamp(min=atol)
    sinv = (1 / S).where(S > cutoff, S * 0)
    return _mh(Vh) @ (sinv.unsqueeze(-1) * _mh(U))


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
    _square(A, "matrix_power")
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
    """Number of singular values above the tolerance."""
    S = svdvals(A)
    tol = (rtol if rtol is not None else max(A.shape[-2:]) * _eps(A)) * S.amax(-1, keepdim=True)
    return (S > tol).sum(-1)


def diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """``torch.linalg.diagonal``: the diagonal over the last two dims by default."""
    return A.diagonal(offset, dim1, dim2)
