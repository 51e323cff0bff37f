"""ChannelShuffle layer (ShuffleNet).

Example:
    >>> from jtorch import nn
    >>> nn.ChannelShuffle(2)
    ChannelShuffle(groups=2)
"""

from __future__ import annotations

from jtorch._tensor import Tensor
from jtorch.nn import functional as F
from jtorch.nn.modules.module import Module

__all__ = ["ChannelShuffle"]


class ChannelShuffle(Module):
    """Interleave the channels of ``groups`` groups.

    Example:
        >>> import jtorch
        >>> jtorch.nn.ChannelShuffle(2)(jtorch.arange(4.0).view(1, 4, 1)).flatten()
        tensor([0., 2., 1., 3.])
    """

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = groups

    def forward(self, input: Tensor) -> Tensor:
        return F.channel_shuffle(input, self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"
