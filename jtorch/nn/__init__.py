"""``torch.nn``: Module and layers, Parameter, functional, init, utils.

Example:
    >>> import jtorch
    >>> from jtorch import nn
    >>> model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    >>> model(jtorch.ones(3, 4)).shape
    torch.Size([3, 2])
"""

from jtorch.nn import functional, init, parameter  # noqa: I001
from jtorch.nn.modules import *  # noqa: F403
from jtorch.nn.modules import Module
from jtorch.nn.parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter
from jtorch.nn import modules, utils
from jtorch.nn.parallel import DataParallel

__all__ = ["Module", "Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer"]
__all__ += ["functional", "init", "modules", "parameter", "utils"]
__all__ += [name for m in (modules,) for name in dir(m) if name[:1].isupper()]
