"""Helpers shared by the distributions: broadcasting parameters, probs/logits, lazy properties.

Example:
    >>> import jtorch
    >>> from jtorch.distributions.utils import broadcast_all, probs_to_logits
    >>> broadcast_all(jtorch.zeros(2), 1.0)
    (tensor([0., 0.]), tensor([1., 1.]))
    >>> probs_to_logits(jtorch.tensor([0.5]), is_binary=True)
    tensor([0.])
"""

from __future__ import annotations

import numbers
from functools import update_wrapper

import jtorch
from jtorch._tensor import Tensor

__all__ = [
    "broadcast_all",
    "logits_to_probs",
    "clamp_probs",
    "probs_to_logits",
    "lazy_property",
    "tril_matrix_to_vec",
    "vec_to_tril_matrix",
]

euler_constant = 0.57721566490153286060  # Euler Mascheroni Constant


def broadcast_all(*values) -> tuple[Tensor, ...]:
    """Numbers and tensors broadcast to one shape; numbers take the first tensor's dtype/device."""
    if not all(isinstance(v, (Tensor, numbers.Number)) for v in values):
        raise ValueError(
            "Input arguments must all be instances of Number, torch.Tensor or objects "
            "implementing __torch_function__."
        )
    if not all(isinstance(v, Tensor) for v in values):
        first = next((v for v in values if isinstance(v, Tensor)), None)
        options = (
            {"dtype": first.dtype, "device": first.device}
            if first is not None
            else {"dtype": jtorch.get_default_dtype()}
        )
        values = [v if isinstance(v, Tensor) else jtorch.tensor(v, **options) for v in values]
    return jtorch.broadcast_tensors(*values)


def _standard_normal(shape, dtype, device) -> Tensor:
    # NOTE: torch draws with normal_() on a fresh tensor, so seeded samples match torch's.
    return jtorch.empty(shape, dtype=dtype, device=device).normal_()


def _sum_rightmost(value, dim: int):
    """Sum out the ``dim`` rightmost dimensions of ``value``."""
    if dim == 0:
        return value
    return value.reshape(value.shape[:-dim] + (-1,)).sum(-1)


def logits_to_probs(logits: Tensor, is_binary: bool = False) -> Tensor:
    """Sigmoid (binary) or softmax over the last dimension."""
    if is_binary:
        return jtorch.sigmoid(logits)
    return jtorch.nn.functional.softmax(logits, dim=-1)


def clamp_probs(probs: Tensor) -> Tensor:
    """Probabilities clamped into ``[eps, 1 - eps]`` of their dtype."""
    eps = jtorch.finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs: Tensor, is_binary: bool = False) -> Tensor:
    """Log-odds (binary) or log-probabilities of clamped ``probs``."""
    ps_clamped = clamp_probs(probs)
    if is_binary:
        return jtorch.log(ps_clamped) - jtorch.log1p(-ps_clamped)
    return jtorch.log(ps_clamped)


class lazy_property:
    """A property computed on first access (with grad enabled) and then stored on the instance."""

    def __init__(self, wrapped) -> None:
        self.wrapped = wrapped
        update_wrapper(self, wrapped)

    def __get__(self, instance, obj_type=None):
        if instance is None:
            return _lazy_property_and_property(self.wrapped)
        with jtorch.enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


class _lazy_property_and_property(lazy_property, property):
    """What a ``lazy_property`` looks like on the class (so documentation tools see a property)."""

    def __init__(self, wrapped) -> None:
        property.__init__(self, wrapped)


def _tril_mask(n: int, diag: int, device) -> Tensor:
    arange = jtorch.arange(n, device=device)
    return arange < arange.view(-1, 1) + (diag + 1)


def tril_matrix_to_vec(mat: Tensor, diag: int = 0) -> Tensor:
    """The lower triangle (below diagonal ``diag``) of the last two dims, row by row."""
    n = mat.shape[-1]
    if diag < -n or diag >= n:
        raise ValueError(f"diag ({diag}) provided is outside [{-n}, {n - 1}].")
    return mat[..., _tril_mask(n, diag, mat.device)]


def vec_to_tril_matrix(vec: Tensor, diag: int = 0) -> Tensor:
    """The inverse of :func:`tril_matrix_to_vec`: a square matrix with zeros elsewhere."""
    m = vec.shape[-1]
    n = (-(1 + 2 * diag) + ((1 + 2 * diag) ** 2 + 8 * m + 4 * abs(diag) * (diag + 1)) ** 0.5) / 2
    eps = jtorch.finfo(vec.dtype).eps
    if round(n) - n > eps:
        raise ValueError(
            f"The size of last dimension is {m} which cannot be expressed as "
            "the lower triangular part of a square D x D matrix."
        )
    n = round(n)
    mat = vec.new_zeros(vec.shape[:-1] + (n, n))
    mat[..., _tril_mask(n, diag, vec.device)] = vec
    return mat
