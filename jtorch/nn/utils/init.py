"""``skip_init``: build a module without asking for initialised parameters.

Example:
    >>> import jtorch
    >>> skip_init(jtorch.nn.Linear, 5, 1).weight.shape
    torch.Size([1, 5])
"""

from __future__ import annotations

import inspect

from jtorch.nn.modules.module import Module

__all__ = ["skip_init"]


def skip_init(module_cls: type, *args, **kwargs) -> Module:
    """``module_cls(*args, **kwargs)`` whose parameter values are unspecified.

    NOTE: torch builds the module on its meta device and then allocates empty storage; jtorch
    has no meta device, so the module's own initialisation runs (its values are as good as any).
    """
    if not (inspect.isclass(module_cls) and issubclass(module_cls, Module)):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    return module_cls(*args, **kwargs)
