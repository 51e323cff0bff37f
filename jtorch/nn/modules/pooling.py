"""Pooling layers: max, average, power-average, adaptive, and max-unpooling (1/2/3-d).

Example:
    >>> from jtorch import nn
    >>> nn.MaxPool2d(2)
    MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
"""

from __future__ import annotations

from jtorch._tensor import Tensor
from jtorch.nn import functional as F
from jtorch.nn.modules.module import Module
from jtorch.ops import conv as C

__all__ = ["MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d"]
__all__ += ["AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d"]
__all__ += ["AdaptiveMaxPool2d", "AdaptiveMaxPool3d", "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d"]
__all__ += ["LPPool1d", "LPPool2d", "LPPool3d"]


def _ntuple(value, n: int) -> tuple:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,) * n


class _MaxPoolNd(Module):
    _fn = staticmethod(C.max_pool2d)

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1,
                 return_indices: bool = False, ceil_mode: bool = False) -> None:  # fmt: skip
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if (stride is not None) else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input: Tensor):
        return self._fn(input, self.kernel_size, self.stride, self.padding, self.dilation,
                        ceil_mode=self.ceil_mode, return_indices=self.return_indices)  # fmt: skip

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class MaxPool1d(_MaxPoolNd):
    """1-d max pooling layer.

    Example:
        >>> import jtorch
        >>> jtorch.nn.MaxPool1d(2)(jtorch.tensor([[1.0, 3.0, 2.0, 0.0]]))
        tensor([[3., 2.]])
    """

    _fn = staticmethod(C.max_pool1d)


class MaxPool2d(_MaxPoolNd):
    """2-d max pooling layer (``return_indices=True`` also returns the argmax indices).

    Example:
        >>> import jtorch
        >>> jtorch.nn.MaxPool2d(2)(jtorch.arange(16.0).view(1, 4, 4))
        tensor([[[ 5.,  7.],
                 [13., 15.]]])
    """

    _fn = staticmethod(C.max_pool2d)


class MaxPool3d(_MaxPoolNd):
    """3-d max pooling layer.

    Example:
        >>> import jtorch
        >>> jtorch.nn.MaxPool3d(2)(jtorch.arange(8.0).view(1, 2, 2, 2)).flatten()
        tensor([7.])
    """

    _fn = staticmethod(C.max_pool3d)


class _AvgPoolNd(Module):
    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool1d(_AvgPoolNd):
    """1-d average pooling layer.

    Example:
        >>> import jtorch
        >>> jtorch.nn.AvgPool1d(2)(jtorch.tensor([[1.0, 3.0, 2.0, 0.0]]))
        tensor([[2., 1.]])
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                 count_include_pad: bool = True) -> None:  # fmt: skip
        super().__init__()
        self.kernel_size = _ntuple(kernel_size, 1)
        self.stride = _ntuple(stride if stride is not None else kernel_size, 1)
        self.padding = _ntuple(padding, 1)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input: Tensor) -> Tensor:
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)  # fmt: skip


class _AvgPool(_AvgPoolNd):
    _fn = staticmethod(C.avg_pool2d)

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                 count_include_pad: bool = True, divisor_override=None) -> None:  # fmt: skip
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if (stride is not None) else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: Tensor) -> Tensor:
        return self._fn(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                        self.count_include_pad, self.divisor_override)  # fmt: skip


class AvgPool2d(_AvgPool):
    """2-d average pooling layer.

    Example:
        >>> import jtorch
        >>> jtorch.nn.AvgPool2d(2)(jtorch.arange(16.0).view(1, 4, 4))
        tensor([[[ 2.5000,  4.5000],
                 [10.5000, 12.5000]]])
    """

    _fn = staticmethod(C.avg_pool2d)


class AvgPool3d(_AvgPool):
    """3-d average pooling layer.

    Example:
        >>> import jtorch
        >>> jtorch.nn.AvgPool3d(2)(jtorch.arange(8.0).view(1, 2, 2, 2)).flatten()
        tensor([3.5000])
    """

    _fn = staticmethod(C.avg_pool3d)


class _LPPoolNd(Module):
    _fn = staticmethod(C.lp_pool2d)

    def __init__(self, norm_type: float, kernel_size, stride=None,
                 ceil_mode: bool = False) -> None:  # fmt: skip
        super().__init__()
        self.norm_type = norm_type
        self.kernel_size = kernel_size
        self.stride = stride
        self.ceil_mode = ceil_mode

    def forward(self, input: Tensor) -> Tensor:
        return self._fn(input, float(self.norm_type), self.kernel_size, self.stride,
                        self.ceil_mode)  # fmt: skip

    def extra_repr(self) -> str:
        return (
            f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, stride={self.stride}, "
            f"ceil_mode={self.ceil_mode}"
        )


class LPPool1d(_LPPoolNd):
    """1-d power-average pooling layer.

    Example:
        >>> import jtorch
        >>> jtorch.nn.LPPool1d(2, 2)(jtorch.tensor([[3.0, 4.0]]))
        tensor([[5.]])
    """

    _fn = staticmethod(C.lp_pool1d)


class LPPool2d(_LPPoolNd):
    """2-d power-average pooling layer.

    Example:
        >>> import jtorch
        >>> jtorch.nn.LPPool2d(1, 2)(jtorch.ones(1, 2, 2))
        tensor([[[4.]]])
    """

    _fn = staticmethod(C.lp_pool2d)


class LPPool3d(_LPPoolNd):
    """3-d power-average pooling layer.

    Example:
        >>> import jtorch
        >>> jtorch.nn.LPPool3d(1, 2)(jtorch.ones(1, 2, 2, 2)).flatten()
        tensor([8.])
    """

    _fn = staticmethod(C.lp_pool3d)


class _AdaptiveAvgPoolNd(Module):
    _fn = staticmethod(C.adaptive_avg_pool2d)

    def __init__(self, output_size) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        return self._fn(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptiveAvgPoolNd):
    """Average pooling to a fixed length.

    Example:
        >>> import jtorch
        >>> jtorch.nn.AdaptiveAvgPool1d(2)(jtorch.tensor([[1.0, 2.0, 3.0]]))
        tensor([[1.5000, 2.5000]])
    """

    _fn = staticmethod(C.adaptive_avg_pool1d)


class AdaptiveAvgPool2d(_AdaptiveAvgPoolNd):
    """Average pooling to a fixed ``(H, W)`` (``None`` keeps an input size).

    Example:
        >>> import jtorch
        >>> jtorch.nn.AdaptiveAvgPool2d(1)(jtorch.arange(16.0).view(1, 4, 4))
        tensor([[[7.5000]]])
    """

    _fn = staticmethod(C.adaptive_avg_pool2d)


class AdaptiveAvgPool3d(_AdaptiveAvgPoolNd):
    """Average pooling to a fixed ``(D, H, W)``.

    Example:
        >>> import jtorch
        >>> jtorch.nn.AdaptiveAvgPool3d(1)(jtorch.arange(8.0).view(1, 2, 2, 2)).flatten()
        tensor([3.5000])
    """

    _fn = staticmethod(C.adaptive_avg_pool3d)


class _AdaptiveMaxPoolNd(Module):
    _fn = staticmethod(C.adaptive_max_pool2d)

    def __init__(self, output_size, return_indices: bool = False) -> None:
        super().__init__()
        self.output_size = output_size
        self.return_indices = return_indices

    def forward(self, input: Tensor):
        return self._fn(input, self.output_size, self.return_indices)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    """Max pooling to a fixed length.

    Example:
        >>> import jtorch
        >>> jtorch.nn.AdaptiveMaxPool1d(2)(jtorch.tensor([[1.0, 3.0, 2.0]]))
        tensor([[3., 3.]])
    """

    _fn = staticmethod(C.adaptive_max_pool1d)


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    """Max pooling to a fixed ``(H, W)``.

    Example:
        >>> import jtorch
        >>> jtorch.nn.AdaptiveMaxPool2d(1)(jtorch.arange(16.0).view(1, 4, 4))
        tensor([[[15.]]])
    """

    _fn = staticmethod(C.adaptive_max_pool2d)


class AdaptiveMaxPool3d(_AdaptiveMaxPoolNd):
    """Max pooling to a fixed ``(D, H, W)``.

    Example:
        >>> import jtorch
        >>> jtorch.nn.AdaptiveMaxPool3d(1)(jtorch.arange(8.0).view(1, 2, 2, 2)).flatten()
        tensor([7.])
    """

    _fn = staticmethod(C.adaptive_max_pool3d)


class _MaxUnpoolNd(Module):
    _nd = 2

    def __init__(self, kernel_size, stride=None, padding=0) -> None:
        super().__init__()
        self.kernel_size = _ntuple(kernel_size, self._nd)
        self.stride = _ntuple(stride if (stride is not None) else kernel_size, self._nd)
        self.padding = _ntuple(padding, self._nd)

    def forward(self, input: Tensor, indices: Tensor, output_size=None) -> Tensor:
        fn = (None, F.max_unpool1d, F.max_unpool2d, F.max_unpool3d)[self._nd]
        return fn(input, indices, self.kernel_size, self.stride, self.padding, output_size)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """Partial inverse of ``MaxPool1d``.

    Example:
        >>> import jtorch
        >>> y, i = jtorch.nn.MaxPool1d(2, return_indices=True)(jtorch.tensor([[1.0, 3.0, 2.0, 0.0]]))
        >>> jtorch.nn.MaxUnpool1d(2)(y, i)
        tensor([[0., 3., 2., 0.]])
    """

    _nd = 1


class MaxUnpool2d(_MaxUnpoolNd):
    """Partial inverse of ``MaxPool2d``.

    Example:
        >>> import jtorch
        >>> y, i = jtorch.nn.MaxPool2d(2, return_indices=True)(jtorch.arange(4.0).view(1, 1, 2, 2))
        >>> jtorch.nn.MaxUnpool2d(2)(y, i).flatten()
        tensor([0., 0., 0., 3.])
    """

    _nd = 2


class MaxUnpool3d(_MaxUnpoolNd):
    """Partial inverse of ``MaxPool3d``.

    Example:
        >>> import jtorch
        >>> y, i = jtorch.nn.MaxPool3d(2, return_indices=True)(jtorch.ones(1, 2, 2, 2))
        >>> jtorch.nn.MaxUnpool3d(2)(y, i).sum()
        tensor(1.)
    """

    _nd = 3


__all__ += ["FractionalMaxPool2d", "FractionalMaxPool3d"]


class _FractionalMaxPoolNd(Module):
    _nd = 2

    def __init__(self, kernel_size, output_size=None, output_ratio=None,
                 return_indices: bool = False, _random_samples=None) -> None:  # fmt: skip
        super().__init__()
        name, nd = type(self).__name__, self._nd
        if nd == 3 and any(k <= 0 for k in _ntuple(kernel_size, 1)):
            raise ValueError(f"kernel_size must be greater than 0, but got {kernel_size}")
        self.kernel_size = _ntuple(kernel_size, nd)
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = _ntuple(output_size, nd) if output_size is not None else None
        self.output_ratio = _ntuple(output_ratio, nd) if output_ratio is not None else None
        if output_size is None and output_ratio is None:
            raise ValueError(
                f"{name} requires specifying either an output size, or a pooling ratio"
            )
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        if self.output_ratio is not None and not all(0 < r < 1 for r in self.output_ratio):
            raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")

    def forward(self, input: Tensor):
        fn = C.fractional_max_pool2d if self._nd == 2 else C.fractional_max_pool3d
        return fn(input, self.kernel_size, self.output_size, self.output_ratio,
                  self.return_indices, _random_samples=self._random_samples)  # fmt: skip


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    """2-d fractional max pooling: ``kernel_size`` windows at pseudo-random strides that give
    ``output_size`` (or ``output_ratio`` of the input size).

    Example:
        >>> import jtorch
        >>> jtorch.nn.FractionalMaxPool2d(2, output_ratio=0.5)(jtorch.ones(1, 1, 8, 8)).shape
        torch.Size([1, 1, 4, 4])
    """

    _nd = 2


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    """3-d fractional max pooling.

    Example:
        >>> import jtorch
        >>> jtorch.nn.FractionalMaxPool3d(2, output_size=3)(jtorch.ones(1, 1, 6, 6, 6)).shape
        torch.Size([1, 1, 3, 3, 3])
    """

    _nd = 3
