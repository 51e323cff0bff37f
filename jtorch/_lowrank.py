"""Randomized low-rank SVD and PCA (Halko, Martinsson and Tropp, 2009), as torch's
``svd_lowrank`` and ``pca_lowrank``: the same random draws under the same seed, so the same
subspace; written with jtorch's differentiable ops, so gradients flow through.

Example:
    >>> import jtorch
    >>> _ = jtorch.manual_seed(0)
    >>> a = jtorch.outer(jtorch.arange(1.0, 5.0), jtorch.arange(1.0, 4.0))  # rank 1
    >>> u, s, v = jtorch.svd_lowrank(a, q=2)
    >>> round(s[0].item(), 3), jtorch.allclose(u[:, :1] * s[0] @ v[:, :1].T, a, atol=1e-5)
    (20.494, True)
"""

from __future__ import annotations

import jtorch
from jtorch._tensor import Tensor

__all__ = ["svd_lowrank", "pca_lowrank"]


def _floating(A: Tensor):
    return A.dtype if A.is_floating_point() or A.is_complex() else jtorch.float32


def get_approximate_basis(A: Tensor, q: int, niter: int | None = 2, M: Tensor | None = None):
    """``q`` orthonormal columns ``Q`` with ``Q Q^H (A - M)`` close to ``A - M`` (Algorithm 4.4
    of Halko et al.; ``M`` defaults to zero)."""
    niter = 2 if niter is None else niter
    R = jtorch.randn(A.shape[-1], q, dtype=_floating(A), device=A.device)

    def product(left: Tensor, right: Tensor, minus: Tensor | None) -> Tensor:
        X = left @ right
        return X if minus is None else X - minus @ right

    Q = jtorch.linalg.qr(product(A, R, M)).Q
    for _ in range(niter):
        Q = jtorch.linalg.qr(product(A.mH, Q, None if M is None else M.mH)).Q
        Q = jtorch.linalg.qr(product(A, Q, M)).Q
    return Q


def svd_lowrank(
    A: Tensor, q: int | None = 6, niter: int | None = 2, M: Tensor | None = None
) -> tuple[Tensor, Tensor, Tensor]:
    """``(U, S, V)`` with ``A - M`` close to ``U diag(S) V^H``, of rank ``q`` (Algorithm 5.1 of
    Halko et al.), for a matrix or a batch of them.

    Example:
        >>> _ = jtorch.manual_seed(0)
        >>> [t.shape for t in jtorch.svd_lowrank(jtorch.ones(5, 4), q=2)]
        [torch.Size([5, 2]), torch.Size([2]), torch.Size([4, 2])]
    """
    q = 6 if q is None else q
    m, n = A.shape[-2:]
    if M is not None:
        M = M.broadcast_to(A.size())
    if m < n:
        A = A.mH
        M = None if M is None else M.mH
    Q = get_approximate_basis(A, q, niter=niter, M=M)
    B = Q.mH @ A
    if M is not None:
        B = B - Q.mH @ M
    U, S, Vh = jtorch.linalg.svd(B, full_matrices=False)
    U, V = Q @ U, Vh.mH
    return (V, S, U) if m < n else (U, S, V)


def pca_lowrank(
    A: Tensor, q: int | None = None, center: bool = True, niter: int = 2
) -> tuple[Tensor, Tensor, Tensor]:
    """Principal components of the rows of ``A`` (``m`` samples of ``n`` features): the
    low-rank SVD ``(U, S, V)`` of ``A`` less its column means (unless ``center=False``);
    ``V``'s columns are the principal directions. ``q`` defaults to ``min(6, m, n)``.

    Example:
        >>> _ = jtorch.manual_seed(0)
        >>> x = jtorch.tensor([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])
        >>> v = jtorch.pca_lowrank(x, q=1)[2]
        >>> v.abs()
        tensor([[0.7071],
                [0.7071]])
    """
    m, n = A.shape[-2:]
    if q is None:
        q = min(6, m, n)
    elif not (q >= 0 and q <= min(m, n)):
        raise ValueError(
            f"q(={q}) must be non-negative integer and not greater than min(m, n)={min(m, n)}"
        )
    if not (niter >= 0):
        raise ValueError(f"niter(={niter}) must be non-negative integer")
    if not center:
        return svd_lowrank(A, q, niter=niter)
    return svd_lowrank(A - A.mean(dim=(-2,), keepdim=True), q, niter=niter)
