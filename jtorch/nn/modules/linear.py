"""Identity, Linear, Bilinear, LazyLinear.

Example:
    >>> from jtorch import nn
    >>> jtorch.nn.Linear(3, 2)
    Linear(in_features=3, out_features=2, bias=True)
"""

from __future__ import annotations

import math

from jtorch._creation import empty
from jtorch._tensor import Tensor
from jtorch.nn import functional as F
from jtorch.nn import init
from jtorch.nn.modules.lazy import _LazyMixin
from jtorch.nn.modules.module import Module
from jtorch.nn.parameter import Parameter, UninitializedParameter, is_lazy

__all__ = ["Identity", "Linear", "Bilinear", "LazyLinear"]


class Identity(Module):
    """Returns its input; accepts and ignores any constructor arguments."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


class Linear(Module):
    """``y = x @ weight.T + bias`` with torch's Kaiming-uniform initialisation.

    Example:
        >>> import jtorch
        >>> jtorch.nn.Linear(3, 2)(jtorch.ones(4, 3)).shape
        torch.Size([4, 2])
    """

    in_features: int
    out_features: int
    weight: Parameter

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device=None,
                 dtype=None) -> None:  # fmt: skip
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(empty((out_features, in_features), device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_features, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class Bilinear(Module):
    """``y = x1 @ W @ x2 + b`` per output feature.

    Example:
        >>> import jtorch
        >>> jtorch.nn.Bilinear(2, 3, 4)(jtorch.ones(5, 2), jtorch.ones(5, 3)).shape
        torch.Size([5, 4])
    """

    def __init__(self, in1_features: int, in2_features: int, out_features: int, bias=True,
                 device=None, dtype=None) -> None:  # fmt: skip
        super().__init__()
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        shape = (out_features, in1_features, in2_features)
        self.weight = Parameter(empty(shape, device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_features, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1 / math.sqrt(self.weight.size(1))
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
            f"out_features={self.out_features}, bias={self.bias is not None}"
        )


class LazyLinear(_LazyMixin, Linear):
    """A Linear whose ``in_features`` is taken from the first input it sees.

    Example:
        >>> import jtorch
        >>> m = jtorch.nn.LazyLinear(2); _ = m(jtorch.ones(1, 5)); m
        Linear(in_features=5, out_features=2, bias=True)
    """

    cls_to_become = Linear

    def __init__(self, out_features: int, bias: bool = True, device=None, dtype=None) -> None:
        Module.__init__(self)
        self.in_features = 0
        self.out_features = out_features
        self._factory = {"device": device, "dtype": dtype}
        self.weight = UninitializedParameter()
        if bias:
            self.bias = UninitializedParameter()
        else:
            self.register_parameter("bias", None)

    def reset_parameters(self) -> None:
        if self.in_features != 0:
            super().reset_parameters()

    def forward(self, input: Tensor) -> Tensor:
        if not is_lazy(self.weight):  # NOTE: loaded from a state_dict: torch reads in_features
            self.in_features = self.weight.shape[1]
        n_in = input.shape[-1]
        shapes = {"weight": (self.out_features, n_in), "bias": (self.out_features,)}
        self._become(self.cls_to_become, "in_features", n_in, shapes)
        return F.linear(input, self.weight, self.bias)
