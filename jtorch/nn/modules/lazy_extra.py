"""Lazy batch/instance norms and lazy transposed convolutions: the feature or channel count is
taken from the first input, then the module becomes its eager class (``cls_to_become``).

As torch's ``LazyModuleMixin``: ``load_state_dict`` materialises still-uninitialised tensors
with the checkpoint's shapes, and a module with nothing left to materialise at its first forward
keeps its feature count at 0 (so does its repr).

Example:
    >>> import jtorch
    >>> m = jtorch.nn.LazyBatchNorm2d(); _ = m(jtorch.randn(2, 3, 4, 4)); m
    BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
"""

from __future__ import annotations

from jtorch import dtypes
from jtorch._creation import tensor
from jtorch._tensor import Tensor
from jtorch.nn.modules.conv import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d, _ConvTranspose
from jtorch.nn.modules.lazy import _LazyMixin
from jtorch.nn.modules.normalization import (
    BatchNorm1d,
    BatchNorm2d,
    BatchNorm3d,
    InstanceNorm1d,
    InstanceNorm2d,
    InstanceNorm3d,
    _BatchNorm,
    _InstanceNorm,
    _NormBase,
)
from jtorch.nn.parameter import UninitializedBuffer, UninitializedParameter

__all__ = ["LazyBatchNorm1d", "LazyBatchNorm2d", "LazyBatchNorm3d", "LazyInstanceNorm1d"]
__all__ += ["LazyInstanceNorm2d", "LazyInstanceNorm3d", "LazyConvTranspose1d"]
__all__ += ["LazyConvTranspose2d", "LazyConvTranspose3d"]


class _LazyNormBase(_LazyMixin, _NormBase):
    """A norm whose ``num_features`` is ``input.shape[1]`` of the first input (torch's rule, also
    for unbatched instance-norm inputs)."""

    cls_to_become: type = _NormBase

    def __init__(self, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device=None, dtype=None, *,
                 bias: bool = True) -> None:  # fmt: skip
        _NormBase.__init__(self, 0, eps, momentum, False, False, device, dtype, bias=False)
        self.affine, self.track_running_stats = affine, track_running_stats
        self._factory = {"device": device, "dtype": dtype}
        if affine:
            self.weight = UninitializedParameter()
            if bias:
                self.bias = UninitializedParameter()
        if track_running_stats:
            self.running_mean = UninitializedBuffer()
            self.running_var = UninitializedBuffer()
            self.num_batches_tracked = tensor(0, dtype=dtypes.int64, device=device)

    def reset_parameters(self) -> None:
        if not self._lazy_tensors() and self.num_features != 0:
            super().reset_parameters()

    def forward(self, input: Tensor) -> Tensor:
        cls = self.cls_to_become
        if hasattr(self, "_factory"):
            n = input.shape[1]
            self._become(cls, "num_features", n, dict.fromkeys(
                ("weight", "bias", "running_mean", "running_var"), (n,)))  # fmt: skip
        return cls.forward(self, input)


class LazyBatchNorm1d(_LazyNormBase, _BatchNorm):
    """``BatchNorm1d`` with ``num_features`` inferred from the first input.

    Example:
        >>> import jtorch
        >>> m = jtorch.nn.LazyBatchNorm1d(); _ = m(jtorch.randn(4, 3)); m
        BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
    """

    _dims = BatchNorm1d._dims
    cls_to_become = BatchNorm1d


class LazyBatchNorm2d(_LazyNormBase, _BatchNorm):
    """``BatchNorm2d`` with ``num_features`` inferred from the first input."""

    _dims = BatchNorm2d._dims
    cls_to_become = BatchNorm2d


class LazyBatchNorm3d(_LazyNormBase, _BatchNorm):
    """``BatchNorm3d`` with ``num_features`` inferred from the first input."""

    _dims = BatchNorm3d._dims
    cls_to_become = BatchNorm3d


class LazyInstanceNorm1d(_LazyNormBase, _InstanceNorm):
    """``InstanceNorm1d`` with ``num_features`` inferred from the first input.

    Example:
        >>> import jtorch
        >>> m = jtorch.nn.LazyInstanceNorm1d(); _ = m(jtorch.randn(2, 3, 4)); m.weight.shape
        torch.Size([3])
    """

    _no_batch_dim = 2
    cls_to_become = InstanceNorm1d


class LazyInstanceNorm2d(_LazyNormBase, _InstanceNorm):
    """``InstanceNorm2d`` with ``num_features`` inferred from the first input."""

    _no_batch_dim = 3
    cls_to_become = InstanceNorm2d


class LazyInstanceNorm3d(_LazyNormBase, _InstanceNorm):
    """``InstanceNorm3d`` with ``num_features`` inferred from the first input."""

    _no_batch_dim = 4
    cls_to_become = InstanceNorm3d


class _LazyConvTranspose(_LazyMixin, _ConvTranspose):
    """A ConvTranspose whose ``in_channels`` is inferred from the first input.

    NOTE: built with ``in_channels=0`` so that no initialisation runs (and no random numbers are
    drawn) before the weight is materialised, as in torch.
    """

    cls_to_become: type = _ConvTranspose

    def __init__(self, out_channels: int, kernel_size, stride=1, padding=0, output_padding=0,
                 groups: int = 1, bias: bool = True, dilation=1, padding_mode: str = "zeros",
                 device=None, dtype=None) -> None:  # fmt: skip
        super().__init__(0, out_channels, kernel_size, stride, padding, output_padding, groups,
                         bias, dilation, padding_mode, device, dtype)  # fmt: skip
        self._factory = {"device": device, "dtype": dtype}
        self.weight = UninitializedParameter()
        if bias:
            self.bias = UninitializedParameter()

    def reset_parameters(self) -> None:
        if not self._lazy_tensors() and self.in_channels != 0:
            super().reset_parameters()

    def forward(self, input: Tensor, output_size=None) -> Tensor:
        cls = self.cls_to_become
        if hasattr(self, "_factory"):
            nd = self._nd
            if input.dim() not in (nd + 1, nd + 2):
                raise RuntimeError(
                    f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to "
                    f"{type(self).__name__}, but got input of size: {input.shape}"
                )
            n = input.shape[-nd - 1]
            if self._lazy_tensors() and n % self.groups != 0:
                raise ValueError("in_channels must be divisible by groups")
            weight = (n, self.out_channels // self.groups) + self.kernel_size
            self._become(cls, "in_channels", n,
                         {"weight": weight, "bias": (self.out_channels,)})  # fmt: skip
        return cls.forward(self, input, output_size)


class LazyConvTranspose1d(_LazyConvTranspose, ConvTranspose1d):
    """``ConvTranspose1d`` with ``in_channels`` inferred from the first input.

    Example:
        >>> import jtorch
        >>> jtorch.nn.LazyConvTranspose1d(3, 3, stride=2)(jtorch.ones(1, 2, 4)).shape
        torch.Size([1, 3, 9])
    """

    cls_to_become = ConvTranspose1d


class LazyConvTranspose2d(_LazyConvTranspose, ConvTranspose2d):
    """``ConvTranspose2d`` with ``in_channels`` inferred from the first input.

    Example:
        >>> import jtorch
        >>> m = jtorch.nn.LazyConvTranspose2d(2, 2, stride=2)
        >>> _ = m(jtorch.ones(1, 4, 3, 3)); m
        ConvTranspose2d(4, 2, kernel_size=(2, 2), stride=(2, 2))
    """

    cls_to_become = ConvTranspose2d


class LazyConvTranspose3d(_LazyConvTranspose, ConvTranspose3d):
    """``ConvTranspose3d`` with ``in_channels`` inferred from the first input.

    Example:
        >>> import jtorch
        >>> jtorch.nn.LazyConvTranspose3d(1, 2)(jtorch.ones(1, 1, 2, 2, 2)).shape
        torch.Size([1, 1, 3, 3, 3])
    """

    cls_to_become = ConvTranspose3d
