"""``jtorch.cuda``: device queries; every call works (and reports no GPU) without CuPy.

Example:
    >>> import jtorch
    >>> isinstance(jtorch.cuda.is_available(), bool)
    True
"""

from __future__ import annotations

from jtorch import backend

__all__ = [
    "is_available",
    "device_count",
    "current_device",
    "get_device_name",
    "synchronize",
    "manual_seed",
    "manual_seed_all",
]


def is_available() -> bool:
    """Whether CuPy is installed and sees at least one NVIDIA GPU."""
    return backend.cupy_or_none() is not None


def device_count() -> int:
    cp = backend.cupy_or_none()
    return 0 if cp is None else cp.cuda.runtime.getDeviceCount()


def current_device() -> int:
    return backend.require_cupy().cuda.Device().id


def get_device_name(device=None) -> str:
    cp = backend.require_cupy()
    index = 0 if device is None else backend.device(device).index or 0
    name = cp.cuda.runtime.getDeviceProperties(index)["name"]
    return name.decode() if isinstance(name, bytes) else name


def synchronize(device=None) -> None:
    backend.require_cupy().cuda.Device().synchronize()


def manual_seed(seed: int) -> None:
    """Seed the GPU generator; a no-op without a GPU, as in torch."""
    cp = backend.cupy_or_none()
    if cp is not None:
        cp.random.seed(int(seed))


manual_seed_all = manual_seed
