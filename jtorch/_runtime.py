"""Process-level settings and small top-level utilities: threads, compile, is_tensor, numel.

Example:
    >>> import jtorch
    >>> jtorch.set_num_threads(2); jtorch.get_num_threads()
    2
    >>> f = jtorch.compile(lambda x: x * 2)
    >>> f(jtorch.ones(2))
    tensor([2., 2.])
"""

from __future__ import annotations

import os
from collections.abc import Callable

from jtorch._tensor import Tensor

__all__ = [
    "set_num_threads",
    "get_num_threads",
    "set_num_interop_threads",
    "get_num_interop_threads",
    "compile",
    "is_tensor",
    "is_storage",
    "numel",
    "is_floating_point",
    "is_complex",
    "is_nonzero",
    "use_deterministic_algorithms",
    "are_deterministic_algorithms_enabled",
]

_threads = {"intra": os.cpu_count() or 1, "inter": os.cpu_count() or 1}
_deterministic = [False]


def set_num_threads(n: int) -> None:
    """Threads for BLAS kernels (applied through threadpoolctl when it is installed)."""
    if n < 1:
        raise RuntimeError("set_num_threads expects a positive integer")
    _threads["intra"] = int(n)
    try:
        from threadpoolctl import threadpool_limits  # noqa: PLC0415

        threadpool_limits(int(n))
    except ImportError:  # NOTE: without threadpoolctl the BLAS keeps its own setting
        pass


def get_num_threads() -> int:
    return _threads["intra"]


def set_num_interop_threads(n: int) -> None:
    _threads["inter"] = int(n)


def get_num_interop_threads() -> int:
    return _threads["inter"]


def compile(
    model: Callable | None = None,
    *,
    fullgraph: bool = False,
    dynamic=None,
    backend="inductor",
    mode=None,
    options=None,
    disable: bool = False,
):  # noqa: A001
    """``torch.compile``: jtorch runs eagerly, so the model or function is returned unchanged
    (same object, same behaviour); all of torch's options are accepted. Usable as a decorator."""
    if model is None:
        return lambda fn: fn
    return model


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def is_storage(obj) -> bool:
    return False


def numel(input: Tensor) -> int:
    return input.numel()


def is_floating_point(input: Tensor) -> bool:
    return input.is_floating_point()


def is_complex(input: Tensor) -> bool:
    return input.is_complex()


def is_nonzero(input: Tensor) -> bool:
    if input.numel() != 1:
        raise RuntimeError(
            "Boolean value of Tensor with no values is ambiguous"
            if input.numel() == 0
            else "Boolean value of Tensor with more than one value is ambiguous"
        )
    return bool(input.item())


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    _deterministic[0] = bool(mode)


def are_deterministic_algorithms_enabled() -> bool:
    return _deterministic[0]
