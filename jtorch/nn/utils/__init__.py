"""``torch.nn.utils``: gradient clipping, parameter/vector conversion, packed sequences,
parametrizations, weight and spectral normalisation, and conv/linear-BatchNorm fusion.

Example:
    >>> import jtorch
    >>> m = jtorch.nn.Linear(2, 1)
    >>> parameters_to_vector(m.parameters()).shape
    torch.Size([3])
"""

from __future__ import annotations

from jtorch._tensor import Tensor
from jtorch.nn.utils import parametrizations, parametrize, rnn
from jtorch.nn.utils.clip_grad import (
    clip_grad_norm,
    clip_grad_norm_,
    clip_grad_value_,
    clip_grads_with_norm_,
    get_total_norm,
)
from jtorch.nn.utils.fusion import (
    fuse_conv_bn_eval,
    fuse_conv_bn_weights,
    fuse_linear_bn_eval,
    fuse_linear_bn_weights,
)
from jtorch.nn.utils.init import skip_init
from jtorch.nn.utils.weight_norm import (
    remove_spectral_norm,
    remove_weight_norm,
    spectral_norm,
    weight_norm,
)

__all__ = [
    "clip_grad_norm", "clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_",
    "get_total_norm", "parameters_to_vector", "vector_to_parameters", "rnn", "parametrize",
    "parametrizations", "weight_norm", "remove_weight_norm", "spectral_norm",
    "remove_spectral_norm", "fuse_conv_bn_eval", "fuse_conv_bn_weights", "fuse_linear_bn_eval",
    "fuse_linear_bn_weights", "skip_init",
]  # fmt: skip


def parameters_to_vector(parameters) -> Tensor:
    """All parameters flattened and concatenated into one vector (differentiable)."""
    import jtorch  # noqa: PLC0415

    return jtorch.cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec: Tensor, parameters) -> None:
    """Copy consecutive slices of ``vec`` into the parameters' data."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    pointer = 0
    for param in parameters:
        n = param.numel()
        param.data = vec[pointer : pointer + n].view_as(param).data
        pointer += n
