"""``torch.sparse``: jtorch has no sparse layouts; ``mm`` and ``addmm`` accept the strided
tensors torch's versions also accept, and constructing a sparse tensor raises
``NotImplementedError`` naming the feature (see ``jtorch.sparse_coo_tensor``).

Example:
    >>> import jtorch
    >>> jtorch.sparse.mm(jtorch.ones(2, 3), jtorch.ones(3, 1))
    tensor([[3.],
            [3.]])
"""

from __future__ import annotations

from jtorch._tensor import Tensor

__all__ = ["addmm", "mm"]


def mm(mat1: Tensor, mat2: Tensor, reduce: str = "sum") -> Tensor:
    """``mat1 @ mat2`` for strided matrices (as ``torch.sparse.mm`` computes for them)."""
    import jtorch  # noqa: PLC0415

    if reduce != "sum":
        raise NotImplementedError("jtorch: sparse tensors are not supported (sparse.mm reduce)")
    return jtorch.mm(mat1, mat2)


def addmm(mat: Tensor, mat1: Tensor, mat2: Tensor, *, beta: float = 1, alpha: float = 1) -> Tensor:
    """``beta * mat + alpha * (mat1 @ mat2)`` for strided matrices."""
    import jtorch  # noqa: PLC0415

    return jtorch.addmm(mat, mat1, mat2, beta=beta, alpha=alpha)
