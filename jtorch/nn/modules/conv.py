"""Convolution layers: Conv1d/2d/3d, ConvTranspose1d/2d/3d, LazyConv1d/2d/3d.

Example:
    >>> from jtorch import nn
    >>> nn.Conv2d(3, 16, 3, padding=1)
    Conv2d(3, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
"""

from __future__ import annotations

import math

from jtorch._creation import empty
from jtorch._tensor import Tensor
from jtorch.nn import functional as F
from jtorch.nn import init
from jtorch.nn.modules.lazy import _LazyMixin
from jtorch.nn.modules.module import Module
from jtorch.nn.parameter import Parameter, UninitializedParameter

__all__ = ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"]
__all__ += ["LazyConv1d", "LazyConv2d", "LazyConv3d"]

# NOTE: sets built in torch's order, so their reprs in error messages match torch's
_PADDING_MODES = {"zeros", "reflect", "replicate", "circular"}
_PADDING_STRINGS = {"same", "valid"}


def _ntuple(value, n: int) -> tuple:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,) * n


class _ConvNd(Module):
    """Shared state, initialisation and repr of the convolution layers (as torch's _ConvNd)."""

    _nd = 2
    _transposed = False

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode="zeros", device=None, dtype=None,
                 output_padding=0) -> None:  # fmt: skip
        super().__init__()
        nd = self._nd
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        kernel_size, stride = _ntuple(kernel_size, nd), _ntuple(stride, nd)
        dilation = _ntuple(dilation, nd)
        if isinstance(padding, str):
            if padding not in _PADDING_STRINGS:
                raise ValueError(
                    f"Invalid padding string {padding!r}, should be one of {_PADDING_STRINGS}"
                )
            if padding == "same" and any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        else:
            padding = _ntuple(padding, nd)
        if padding_mode not in _PADDING_MODES:
            raise ValueError(
                f"padding_mode must be one of {_PADDING_MODES}, but got padding_mode="
                f"'{padding_mode}'"
            )
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.dilation, self.transposed = dilation, self._transposed
        self.output_padding, self.groups = _ntuple(output_padding, nd), groups
        self.padding_mode = padding_mode
        # F.pad order: last dim first, (left, right) per dim
        if padding == "same":
            pads = []
            for d, k in zip(reversed(dilation), reversed(kernel_size)):
                total = d * (k - 1)
                pads += [total // 2, total - total // 2]
            self._reversed_padding_repeated_twice = pads
        elif padding == "valid":
            self._reversed_padding_repeated_twice = [0, 0] * nd
        else:
            self._reversed_padding_repeated_twice = [p for p in reversed(padding) for _ in (0, 1)]
        if self._transposed:
            shape = (in_channels, out_channels // groups) + kernel_size
        else:
            shape = (out_channels, in_channels // groups) + kernel_size
        self.weight = Parameter(empty(shape, device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_channels, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        s = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        if self.padding != (0,) * len(self.padding):
            s += f", padding={self.padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class _Conv(_ConvNd):
    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=None) -> None:  # fmt: skip
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype)  # fmt: skip

    def _conv_forward(self, input: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
        conv = (None, F.conv1d, F.conv2d, F.conv3d)[self._nd]
        if self.padding_mode != "zeros":
            mode = self.padding_mode
            padded = F.pad(input, self._reversed_padding_repeated_twice, mode=mode)
            return conv(padded, weight, bias, self.stride, 0, self.dilation, self.groups)
        return conv(input, weight, bias, self.stride, self.padding, self.dilation, self.groups)

    def forward(self, input: Tensor) -> Tensor:
        return self._conv_forward(input, self.weight, self.bias)


class Conv1d(_Conv):
    """1-d convolution layer over ``(N, C_in, L)``.

    Example:
        >>> import jtorch
        >>> jtorch.nn.Conv1d(2, 4, 3)(jtorch.ones(1, 2, 5)).shape
        torch.Size([1, 4, 3])
    """

    _nd = 1


class Conv2d(_Conv):
    """2-d convolution layer over ``(N, C_in, H, W)``; padding_mode zeros/reflect/replicate/circular.

    Example:
        >>> import jtorch
        >>> jtorch.nn.Conv2d(3, 8, 3, stride=2, padding=1)(jtorch.ones(1, 3, 8, 8)).shape
        torch.Size([1, 8, 4, 4])
    """

    _nd = 2


class Conv3d(_Conv):
    """3-d convolution layer over ``(N, C_in, D, H, W)``.

    Example:
        >>> import jtorch
        >>> jtorch.nn.Conv3d(1, 2, 2)(jtorch.ones(1, 1, 3, 3, 3)).shape
        torch.Size([1, 2, 2, 2, 2])
    """

    _nd = 3


class _ConvTranspose(_ConvNd):
    _transposed = True

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 output_padding=0, groups: int = 1, bias: bool = True, dilation=1,
                 padding_mode: str = "zeros", device=None, dtype=None) -> None:  # fmt: skip
        if padding_mode != "zeros":
            raise ValueError(
                f'Only "zeros" padding mode is supported for {self.__class__.__name__}'
            )
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype, output_padding)  # fmt: skip

    def _output_padding(self, input: Tensor, output_size) -> tuple:
        if output_size is None:
            return self.output_padding
        nd = self._nd
        output_size = list(output_size)
        if len(output_size) == nd + 2 or len(output_size) == input.dim():
            output_size = output_size[-nd:]
        if len(output_size) != nd:
            raise ValueError(
                f"ConvTranspose{nd}D: for {input.dim()}D input, output_size must have {nd} or "
                f"{nd + 2} elements (got {len(output_size)})"
            )
        result = []
        for d in range(nd):
            size = input.shape[input.dim() - nd + d]
            smallest = (
                (size - 1) * self.stride[d] - 2 * self.padding[d]
                + self.dilation[d] * (self.kernel_size[d] - 1) + 1
            )  # fmt: skip
            largest = smallest + self.stride[d] - 1
            if not smallest <= output_size[d] <= largest:
                raise ValueError(
                    f"requested an output size of {output_size}, but valid sizes range from "
                    f"{[smallest]} to {[largest]} (for an input of {list(input.shape[2:])})"
                )
            result.append(output_size[d] - smallest)
        return tuple(result)

    def forward(self, input: Tensor, output_size=None) -> Tensor:
        conv = (None, F.conv_transpose1d, F.conv_transpose2d, F.conv_transpose3d)[self._nd]
        output_padding = self._output_padding(input, output_size)
        return conv(input, self.weight, self.bias, self.stride, self.padding, output_padding,
                    self.groups, self.dilation)  # fmt: skip


class ConvTranspose1d(_ConvTranspose):
    """1-d transposed convolution layer.

    Example:
        >>> import jtorch
        >>> jtorch.nn.ConvTranspose1d(2, 3, 3, stride=2)(jtorch.ones(1, 2, 4)).shape
        torch.Size([1, 3, 9])
    """

    _nd = 1


class ConvTranspose2d(_ConvTranspose):
    """2-d transposed convolution layer; ``forward(input, output_size=None)``.

    Example:
        >>> import jtorch
        >>> jtorch.nn.ConvTranspose2d(4, 2, 2, stride=2)(jtorch.ones(1, 4, 3, 3)).shape
        torch.Size([1, 2, 6, 6])
    """

    _nd = 2


class ConvTranspose3d(_ConvTranspose):
    """3-d transposed convolution layer.

    Example:
        >>> import jtorch
        >>> jtorch.nn.ConvTranspose3d(1, 1, 2)(jtorch.ones(1, 1, 2, 2, 2)).shape
        torch.Size([1, 1, 3, 3, 3])
    """

    _nd = 3


class _LazyConv(_LazyMixin, _Conv):
    """A Conv whose ``in_channels`` is inferred from the first input; it then becomes the Conv."""

    cls_to_become: type = _Conv

    def __init__(self, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", device=None,
                 dtype=None) -> None:  # fmt: skip
        super().__init__(0, out_channels, kernel_size, stride, padding, dilation, groups,
                         bias, padding_mode, device, dtype)  # fmt: skip
        self.in_channels = 0
        self._factory = {"device": device, "dtype": dtype}
        self.weight = UninitializedParameter()
        if bias:
            self.bias = UninitializedParameter()

    def reset_parameters(self) -> None:
        if self.in_channels != 0:
            super().reset_parameters()

    def forward(self, input: Tensor) -> Tensor:
        n_in = input.shape[-self._nd - 1]
        shapes = {
            "weight": (self.out_channels, n_in // self.groups) + self.kernel_size,
            "bias": (self.out_channels,),
        }
        self._become(self.cls_to_become, "in_channels", n_in, shapes)
        return self._conv_forward(input, self.weight, self.bias)


class LazyConv1d(_LazyConv, Conv1d):
    """``Conv1d`` with ``in_channels`` inferred from the first input.

    Example:
        >>> import jtorch
        >>> jtorch.nn.LazyConv1d(4, 3)(jtorch.ones(1, 2, 5)).shape
        torch.Size([1, 4, 3])
    """

    cls_to_become = Conv1d


class LazyConv2d(_LazyConv, Conv2d):
    """``Conv2d`` with ``in_channels`` inferred from the first input.

    Example:
        >>> import jtorch
        >>> m = jtorch.nn.LazyConv2d(4, 3)
        >>> _ = m(jtorch.ones(1, 2, 5, 5)); m
        Conv2d(2, 4, kernel_size=(3, 3), stride=(1, 1))
    """

    cls_to_become = Conv2d


class LazyConv3d(_LazyConv, Conv3d):
    """``Conv3d`` with ``in_channels`` inferred from the first input.

    Example:
        >>> import jtorch
        >>> jtorch.nn.LazyConv3d(1, 2)(jtorch.ones(1, 2, 2, 2, 2)).shape
        torch.Size([1, 1, 1, 1, 1])
    """

    cls_to_become = Conv3d
