"""jtorch tensors, NumPy arrays and Python numbers -> NumPy, before tensorboardX sees them.

# NOTE: tensorboardX's ``make_np`` treats any object whose type name contains "torch" as a torch
# tensor and calls ``import torch`` on it; a jtorch Tensor must never reach it.

Example:
    >>> make_np(jtorch.tensor([1.0, 2.0]))
    array([1., 2.], dtype=float32)
    >>> make_np(3)
    array(3)
"""

from __future__ import annotations

import numbers

import numpy as np

from jtorch._tensor import Tensor
from jtorch.backend import to_numpy

__all__ = ["make_np", "scalar_value"]


def make_np(x) -> np.ndarray:
    """Return ``x`` (Tensor, ndarray, NumPy or Python number, or a list of these) as an ndarray.

    Tensors are detached and copied to host memory; NumPy arrays are returned as they are.
    """
    if isinstance(x, Tensor):
        return to_numpy(x._array)
    if isinstance(x, np.ndarray):
        return x
    if isinstance(x, (numbers.Number, np.generic)):
        return np.asarray(x)
    if isinstance(x, (list, tuple)):
        return np.stack([make_np(v) for v in x]) if x else np.asarray(x)
    if hasattr(x, "__array__"):  # e.g. CuPy arrays and other array-likes
        return np.asarray(x)
    raise NotImplementedError(
        f"Got {type(x)}, but numpy array, jtorch tensor or Python number are expected."
    )


def scalar_value(x, name: str = "scalar_value") -> float:
    """``x`` as a Python float; ValueError naming ``name`` unless it holds exactly one number.

    Example:
        >>> scalar_value(jtorch.tensor([[2.5]]))
        2.5
    """
    try:
        array = make_np(x)
    except NotImplementedError:
        raise ValueError(
            f"{name} must be a number or a one-element tensor, got {type(x).__name__}"
        ) from None
    if array.size != 1:
        raise ValueError(
            f"{name} must hold exactly one number, got an array of shape {tuple(array.shape)}"
        )
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be a real number, got dtype {array.dtype}")
    return float(array.reshape(()))
