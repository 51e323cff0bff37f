"""``torch.version``: the torch release jtorch follows and the CUDA it runs on (through CuPy).

Example:
    >>> import jtorch
    >>> jtorch.version.__version__.split("+")[0], jtorch.version.hip
    ('2.13.0', None)
"""

from __future__ import annotations

from jtorch import backend

__all__ = ["__version__", "debug", "git_version", "hip", "rocm", "xpu"]  # and cuda, on first use

__version__ = "2.13.0+jtorch.0.1.0"
debug = False
git_version = "jtorch"
hip = rocm = xpu = None


def __getattr__(name: str) -> str | None:
    if name == "cuda":  # NOTE: probed on first use, as importing CuPy is slow
        cp = backend.cupy_or_none()
        if cp is None:
            return None
        v = cp.cuda.runtime.runtimeGetVersion()
        return f"{v // 1000}.{v % 1000 // 10}"
    raise AttributeError(f"module 'jtorch.version' has no attribute '{name}'")
