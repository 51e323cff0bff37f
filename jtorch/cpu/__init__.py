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
    """The CPU is always available."""
    return True


def is_initialized() -> bool:
    """The CPU needs no initialisation."""
    return True


def synchronize(device=None) -> None:
    """CPU work is synchronous: nothing to wait for."""


def current_device() -> str:
    return "cpu"


def set_device(device) -> None:
    """A no-op, as in torch (there is one CPU device)."""


def device_count() -> int:
    return 1
