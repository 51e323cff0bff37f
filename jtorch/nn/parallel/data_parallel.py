"""``nn.DataParallel``: an honest single-device wrapper.

torch's DataParallel replicates the module over the GPUs of one process in threads; jtorch runs
the module on one device (the first of ``device_ids``, or the CPU), unchanged. For several GPUs
or processes use ``DistributedDataParallel``. The wrapper keeps torch's surface: ``.module``,
``module.``-prefixed ``state_dict`` keys, ``device_ids``/``output_device``.

Example:
    >>> model = DataParallel(jtorch.nn.Linear(3, 2))
    >>> model(jtorch.ones(4, 3)).shape
    torch.Size([4, 2])
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

from jtorch._tensor import Tensor
from jtorch.backend import device as _device
from jtorch.nn.modules.module import Module

__all__ = ["DataParallel"]


def _index(d) -> int:
    return d if isinstance(d, int) else _device(d).index or 0


class DataParallel(Module):
    """Runs ``module`` on one device (see the module docstring)."""

    def __init__(
        self,
        module: Module,
        device_ids: Sequence[int | _device] | None = None,
        output_device: int | _device | None = None,
        dim: int = 0,
    ) -> None:
        super().__init__()
        self.module, self.dim = module, dim
        if not device_ids:  # torch without a GPU: a plain wrapper
            self.device_ids, self.output_device = [], None
            return
        if len(device_ids) > 1:
            warnings.warn(
                "jtorch's DataParallel runs the module on one device only "
                f"(cuda:{_index(device_ids[0])}); use DistributedDataParallel with one process "
                "per GPU to use several",
                stacklevel=2,
            )
        self.device_ids = [_index(device_ids[0])]
        self.output_device = _index(output_device if output_device is not None else device_ids[0])
        self.module.to(_device("cuda", self.device_ids[0]))

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        if self.device_ids:  # torch scatters the inputs to the devices: here, moves them
            where = _device("cuda", self.device_ids[0])
            inputs = tuple(x.to(where) if isinstance(x, Tensor) else x for x in inputs)
            kwargs = {k: v.to(where) if isinstance(v, Tensor) else v for k, v in kwargs.items()}
        return self.module(*inputs, **kwargs)
