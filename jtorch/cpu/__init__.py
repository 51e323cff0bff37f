"""``torch.cpu``: the CPU device module (always available) and the deprecated ``torch.cpu.amp``.

Example:
    >>> import jtorch.cpu
    >>> jtorch.cpu.is_available(), jtorch.cpu.device_count(), jtorch.cpu.current_device()
    (True, 1, 'cpu')
"""

from __future__ import annotations

from jtorch.cpu import amp

__all__ = [
    "amp",
    "is_available",
    "is_initialized",
    "synchronize",
    "current_device",
    "set_device",
    "device_count",
]


def is_available() -> bool:
    """The CPU is always available.

    Example:
        >>> is_available()
        True
    """
    return True


def is_initialized() -> bool:
    """The CPU needs no initialisation.

    Example:
        >>> is_initialized()
        True
    """
    return True


def synchronize(device=None) -> None:
    """CPU work is synchronous: nothing to wait for.

    Example:
        >>> synchronize()
    """


def current_device() -> str:
    """The current CPU device's name.

    Example:
        >>> current_device()
        'cpu'
    """
    return "cpu"


def set_device(device) -> None:
    """A no-op, as in torch (there is one CPU device).

    Example:
        >>> set_device("cpu")
    """


def device_count() -> int:
    """One CPU device.

    Example:
        >>> device_count()
        1
    """
    return 1
