"""What every lazy module shares, as torch's ``LazyModuleMixin``: ``load_state_dict``
materialises still-uninitialised tensors with the checkpoint's shapes, and the first forward
materialises the rest, initialises them and switches to the eager class (``cls_to_become``).

Example:
    >>> import jtorch
    >>> m = jtorch.nn.LazyLinear(2)
    >>> m.load_state_dict(jtorch.nn.Linear(4, 2).state_dict())
    <All keys matched successfully>
    >>> m.weight.shape
    torch.Size([2, 4])
"""

from __future__ import annotations

import itertools

from jtorch._tensor import Tensor
from jtorch.nn.parameter import is_lazy


class _LazyMixin:
    """Shared by the lazy modules: ``_factory`` (device/dtype) lives until the first forward."""

    _factory: dict

    def _lazy_tensors(self) -> list[Tensor]:
        tensors = itertools.chain(self._parameters.values(), self._buffers.values())
        return [t for t in tensors if is_lazy(t)]

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs) -> None:  # fmt: skip
        for name, t in itertools.chain(self._parameters.items(), self._buffers.items()):
            if is_lazy(t) and prefix + name in state_dict:
                t.materialize(state_dict[prefix + name].shape, **self._factory)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                                      unexpected_keys, error_msgs)  # fmt: skip

    def _become(self, cls: type, count_attr: str, count: int, shapes: dict) -> None:
        """Materialise what is still lazy (``shapes[name]``), initialise, switch class."""
        lazy = self._lazy_tensors()
        if lazy:
            setattr(self, count_attr, count)
            for name, t in itertools.chain(self._parameters.items(), self._buffers.items()):
                if is_lazy(t):
                    t.materialize(shapes[name], **self._factory)
            self.reset_parameters()
        del self._factory
        self.__class__ = cls
