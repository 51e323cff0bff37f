"""Complex-tensor ops beside real/imag/angle/polar/complex/conj (in elementwise) and
view_as_real/view_as_complex (in movement): physical conjugation, adjoint and the conj/neg bits.

torch's ``conj`` is lazy: it returns a view with the conjugate bit set, and ``resolve_conj``
materialises it. jtorch's ``conj`` always computes its result; a tensor counts as conjugated
while it carries ``_is_conj = True`` (set by ``conj`` and so on the results that torch returns
with the bit), and ``resolve_conj`` gives an unmarked copy of it. jtorch has no lazy negative
views, so ``is_neg`` is False and ``resolve_neg`` returns its input, as torch does for a tensor
without the bit.

Example:
    >>> import jtorch
    >>> z = jtorch.tensor([1 + 2j])
    >>> jtorch.conj_physical(z), z.is_conj()
    (tensor([1.-2.j]), False)
"""

from __future__ import annotations

from jtorch._tensor import Tensor
from jtorch.autograd.function import Function
from jtorch.ops._inplace import make_inplace, with_out
from jtorch.ops.elementwise import conj
from jtorch.ops.movement import transpose

__all__ = ["conj_physical", "conj_physical_", "resolve_conj", "resolve_neg", "is_conj", "is_neg"]
__all__ += ["adjoint"]


class ConjPhysical(Function):
    @staticmethod
    def forward(ctx, x):
        return x.conj()

    @staticmethod
    def backward(ctx, grad):
        return conj_physical(grad)


@with_out
def conj_physical(input: Tensor) -> Tensor:
    """The complex conjugate, always computed (a real tensor is returned as is, as torch).

    Example:
        >>> jtorch.conj_physical(jtorch.tensor([1 - 1j, 2j]))
        tensor([1.+1.j, 0.-2.j])
    """
    return ConjPhysical.apply(input) if input._array.dtype.kind == "c" else input


conj_physical_ = make_inplace(conj_physical)


# ``conj`` marks its complex results as torch's lazily conjugated views (a result that torch
# returns with the conjugate bit set, such as ``fft.ifft`` of a real tensor).
lazy_conj = conj


def is_conj(input: Tensor) -> bool:
    """Whether ``input`` stands for a lazily conjugated tensor (torch's conjugate bit).

    Example:
        >>> jtorch.is_conj(jtorch.tensor([1j]))
        False
    """
    return getattr(input, "_is_conj", False)


def resolve_conj(input: Tensor) -> Tensor:
    """``input`` with its conjugation materialised: an unmarked copy if :func:`is_conj`, else
    ``input`` itself.

    Example:
        >>> z = jtorch.tensor([1 + 1j])
        >>> jtorch.resolve_conj(z) is z
        True
    """
    # NOTE: jtorch's conjugated tensors already hold the conjugated values; torch's resolve_conj
    # is a copy (CloneBackward0) that drops the bit, so is clone.
    return input.clone() if getattr(input, "_is_conj", False) else input


def is_neg(input: Tensor) -> bool:
    """Whether ``input`` is a lazily negated view: never in jtorch.

    Example:
        >>> jtorch.tensor([1.0]).is_neg()
        False
    """
    return False


def resolve_neg(input: Tensor) -> Tensor:
    """``input`` with its negation materialised: ``input`` itself (no lazy negative views).

    Example:
        >>> x = jtorch.tensor([1.0])
        >>> x.resolve_neg() is x
        True
    """
    return input


def adjoint(input: Tensor) -> Tensor:
    """The conjugate transpose of the last two dims (``input.mH``).

    Example:
        >>> jtorch.adjoint(jtorch.tensor([[1 + 1j, 2j]]))
        tensor([[1.-1.j],
                [0.-2.j]])
    """
    if input.dim() < 2:
        raise RuntimeError(
            "tensor.adjoint() is only supported on matrices or batches of matrices. "
            f"Got {input.dim()}-D tensor."
        )
    return lazy_conj(transpose(input, -2, -1))
