"""RemovableHandle: what every hook registration returns, as in torch.utils.hooks.

Example:
    >>> hooks = OrderedDict()
    >>> handle = add_hook(hooks, print)
    >>> len(hooks), handle.remove(), len(hooks)
    (1, None, 0)
"""

from __future__ import annotations

import itertools
import weakref
from collections import OrderedDict
from collections.abc import Callable

__all__ = ["RemovableHandle", "add_hook", "OrderedDict"]


def _ref(d: dict):
    """A weak reference to a hooks dict (OrderedDict), or a strong one for a plain dict."""
    try:
        return weakref.ref(d)
    except TypeError:  # plain dicts cannot be weakly referenced
        return lambda: d


class RemovableHandle:
    """A handle that removes its hook from ``hooks_dict`` (and ``extra_dict``) on ``remove()``."""

    next_id = itertools.count()

    def __init__(self, hooks_dict: dict, *, extra_dict: dict | list | None = None) -> None:
        self.hooks_dict_ref = _ref(hooks_dict)
        self.id = next(RemovableHandle.next_id)
        extras = (
            extra_dict if isinstance(extra_dict, list) else [extra_dict] * (extra_dict is not None)
        )
        self.extra_dict_ref = tuple(_ref(d) for d in extras)

    def remove(self) -> None:
        for ref in (self.hooks_dict_ref, *self.extra_dict_ref):
            d = ref()
            if d is not None:
                d.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


def add_hook(
    hooks: dict, hook: Callable, *, prepend: bool = False, extra_dict: dict | None = None
) -> RemovableHandle:
    """Register ``hook`` in ``hooks`` (first when ``prepend``) and return its handle."""
    handle = RemovableHandle(hooks, extra_dict=extra_dict)
    hooks[handle.id] = hook
    if prepend:
        for key in [k for k in hooks if k != handle.id]:
            hooks[key] = hooks.pop(key)
    return handle
