"""Devices and array modules: the only module that imports CuPy.

The CPU path never imports CuPy; it is imported the first time a CUDA device is asked for.

Example:
    >>> import jtorch
    >>> jtorch.device("cuda:1")
    device(type='cuda', index=1)
    >>> str(jtorch.device("cpu"))
    'cpu'
"""

from __future__ import annotations

import warnings

import numpy as np

# NOTE: torch computes inf and nan silently, where NumPy warns from the jtorch frame that called
# the ufunc. A filter costs nothing until a warning fires (np.errstate around every op would cost
# about 2 us per op), and it matches only floating-point warnings raised inside jtorch.
warnings.filterwarnings(
    "ignore",
    r"(divide by zero|invalid value|overflow|underflow) encountered",
    RuntimeWarning,
    r"jtorch\.",
)

__all__ = ["device", "get_array_module", "get_device_module", "to_numpy", "cupy_or_none", "where"]


def _keep_freed_memory() -> None:
    """Ask glibc to keep freed blocks (up to 32 MiB each) for reuse instead of unmapping them.

    NOTE: by default glibc serves blocks over 128 KiB with mmap and returns them to the OS on
    free, so every fresh temporary of a large op costs page faults (a 1M-element backward ran
    3x slower than torch, whose allocator keeps memory). Raising the mmap and trim thresholds,
    as torch's CPU allocator effectively does, makes NumPy's temporaries reuse warm pages.
    """
    import ctypes  # noqa: PLC0415
    import sys  # noqa: PLC0415

    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl or another libc: leave its defaults
        return
    m_trim_threshold, m_mmap_threshold = -1, -3
    mallopt(m_mmap_threshold, 32 * 1024 * 1024)
    mallopt(m_trim_threshold, 1024 * 1024 * 1024)


_keep_freed_memory()

_INSTALL_HINT = (
    "jtorch's CUDA backend needs CuPy and an NVIDIA GPU: install it with "
    "`pip install 'jtorch[gpu]'` (CuPy for CUDA 12) or `pip install cupy-cuda13x` for CUDA 13"
)
_cupy: list = []  # [module or None] once probed


def cupy_or_none():
    """CuPy if it imports and sees a GPU, else None (probed once, lazily)."""
    if not _cupy:
        try:
            import cupy  # noqa: PLC0415  (the one place CuPy is imported)

            cupy.cuda.runtime.getDeviceCount()
            _cupy.append(cupy)
        except Exception:  # ImportError, or CUDA driver/runtime errors: no usable GPU
            _cupy.append(None)
    return _cupy[0]


def require_cupy():
    cp = cupy_or_none()
    if cp is None:
        raise AssertionError(f"Torch not compiled with CUDA enabled ({_INSTALL_HINT})")
    return cp


def get_device_module(device=None):
    """The module of ``device``'s type (``jtorch.cuda``, ``jtorch.cpu``); without one, the
    current accelerator's, else ``jtorch.cpu``.

    Example:
        >>> get_device_module("cpu").__name__
        'jtorch.cpu'
    """
    import importlib  # noqa: PLC0415

    if device is None:
        kind = "cpu" if cupy_or_none() is None else "cuda"
    else:
        kind = as_device(device).type
    if kind not in ("cpu", "cuda"):
        raise RuntimeError(
            f"Device '{kind}' does not have a corresponding module registered as 'torch.{kind}'."
        )
    return importlib.import_module(f"jtorch.{kind}")


class device:
    """Where a tensor lives: ``device('cpu')`` or ``device('cuda', 0)``, as ``torch.device``.

    Example:
        >>> jtorch.device("cuda", 0).index
        0
    """

    __slots__ = ("type", "index")

    def __init__(self, type: str | device | int, index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            type, index = type.type, type.index  # noqa: A001
        elif isinstance(type, int):
            type, index = "cuda", type  # noqa: A001
        elif ":" in type:
            if index is not None:
                raise RuntimeError(
                    f"type (string) must not include an index because index was passed explicitly: {type}"
                )
            type, idx = type.split(":", 1)  # noqa: A001
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}:{idx}'")
            index = int(idx)
        if type not in ("cpu", "cuda", "meta"):
            raise RuntimeError(
                "Expected one of cpu, cuda, meta device type at start of device string: " + type
            )
        self.type, self.index = type, index

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __enter__(self) -> device:
        return self

    def __exit__(self, *exc) -> None:
        return None

    def __reduce__(self):
        return (device, (self.type, self.index))


CPU = device("cpu")


def as_device(d) -> device:
    """Normalise a device argument (None means cpu)."""
    if d is None:
        return CPU
    if type(d) is device:
        return d
    return device(d)


def device_of(array) -> device:
    if type(array) is np.ndarray:
        return CPU
    return device("cuda", array.device.id)


def get_array_module(array):
    """NumPy for CPU arrays, CuPy for GPU arrays (the ``xp`` of every op's forward).

    Example:
        >>> get_array_module(np.zeros(2)) is np
        True
    """
    if type(array) is np.ndarray or not _cupy or _cupy[0] is None:
        return np
    return _cupy[0].get_array_module(array)


_UINT = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}


def where(condition, x, y):
    """``xp.where(condition, x, y)``; for large NumPy operands of one dtype a bitwise select.

    NOTE: NumPy's own where takes about 4.5 ns an element here (a 32K select 128 us); picking
    the bits, ``y ^ ((x ^ y) & -condition)`` on the items viewed as unsigned integers, takes 28 us
    and copies NaN payloads and signed zeros exactly as where does.

    Example:
        >>> where(np.array([True, False]), np.array([1.0, 2.0]), np.float64(0.0))
        array([1., 0.])
    """
    if type(x) in (int, float) and type(y) is np.ndarray and y.dtype.kind in "fc":
        x = y.dtype.type(x)  # NOTE: a Python number next to a float array takes its dtype
    elif type(y) in (int, float) and type(x) is np.ndarray and x.dtype.kind in "fc":
        y = x.dtype.type(y)
    if (
        type(condition) is np.ndarray
        and condition.dtype == np.bool_
        and isinstance(x, (np.ndarray, np.generic))
        and isinstance(y, (np.ndarray, np.generic))
        and x.dtype == y.dtype
        and x.dtype.itemsize in _UINT
        and max(condition.size, x.size, y.size) >= 4096
    ):
        u = _UINT[x.dtype.itemsize]
        out = np.empty(np.broadcast_shapes(condition.shape, np.shape(x), np.shape(y)), u)
        yu = np.asarray(y).view(u)
        np.bitwise_xor(np.asarray(x).view(u), yu, out=out)
        np.bitwise_and(out, np.negative(condition, dtype=u), out=out)
        np.bitwise_xor(out, yu, out=out)
        return out.view(x.dtype)
    return get_array_module(condition).where(condition, x, y)


def xp_for(d: device):
    """The array module that holds tensors on device ``d``."""
    return np if d.type == "cpu" else require_cupy()


def to_numpy(array) -> np.ndarray:
    """A NumPy view (CPU) or host copy (GPU) of an array."""
    if type(array) is np.ndarray:
        return array
    return array.get() if hasattr(array, "get") else np.asarray(array)


def move(array, d: device):
    """``array`` on device ``d`` (the same object when it is already there)."""
    if d.type == "cpu":
        return to_numpy(array)
    cp = require_cupy()
    with cp.cuda.Device(d.index or 0):
        return cp.asarray(array)
