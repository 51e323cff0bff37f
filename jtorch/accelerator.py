"""``torch.accelerator``: the device-generic API over the one accelerator jtorch has, CUDA
through CuPy (``is_available()`` is False without a GPU, as on torch's CPU build).

Example:
    >>> import jtorch
    >>> acc = jtorch.accelerator.current_accelerator()
    >>> device = acc.type if jtorch.accelerator.is_available() else "cpu"
    >>> jtorch.ones(1, device=device).sum().item()
    1.0
"""

from __future__ import annotations

from jtorch import backend, cuda

__all__ = [
    "current_accelerator",
    "current_device_idx",
    "current_device_index",
    "device_count",
    "device_index",
    "is_available",
    "set_device_idx",
    "set_device_index",
    "synchronize",
]


def is_available() -> bool:
    """Whether an accelerator (a GPU that CuPy sees) can be used.

    Example:
        >>> isinstance(is_available(), bool)
        True
    """
    return cuda.is_available()


def current_accelerator(check_available: bool = False) -> backend.device | None:
    """``device('cuda')`` when jtorch can use a GPU, else None. (torch's answer without
    ``check_available`` is the accelerator it was built for; jtorch's is CUDA when CuPy sees a
    GPU, so both answers are the same.)

    Example:
        >>> current_accelerator() in (None, jtorch.device("cuda"))
        True
    """
    return backend.device("cuda") if cuda.is_available() else None


def device_count() -> int:
    """How many accelerators there are (0 without one).

    Example:
        >>> device_count() >= 0
        True
    """
    return cuda.device_count()


def _require() -> None:
    if not cuda.is_available():
        raise RuntimeError("Cannot access accelerator device when none is available.")


def current_device_index() -> int:
    """The index of the current accelerator (an error without one)."""
    _require()
    return cuda.current_device()


def set_device_index(device, /) -> None:
    """Make ``device`` (an index, a ``cuda`` device or its name) the current accelerator."""
    _require()
    if device is not None:
        index = device if isinstance(device, int) else backend.device(device).index or 0
        backend.require_cupy().cuda.Device(index).use()


def synchronize(device=None, /) -> None:
    """Wait for everything queued on the accelerator."""
    _require()
    cuda.synchronize(device)


class device_index:
    """Within ``with device_index(i)``, accelerator ``i`` is the current one (None: no change).

    Example:
        >>> with device_index(None):
        ...     pass
    """

    def __init__(self, device: int | None, /) -> None:
        self.index, self.prev = device, None

    def __enter__(self) -> None:
        if self.index is not None:
            self.prev = current_device_index()
            set_device_index(self.index)

    def __exit__(self, *exc) -> None:
        if self.prev is not None:
            set_device_index(self.prev)


current_device_idx = current_device_index
set_device_idx = set_device_index
