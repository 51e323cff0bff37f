"""``torch.backends``: the flags PyTorch programs set (cudnn.deterministic, benchmark, ...).

On jtorch they are recorded and readable; NumPy kernels are deterministic whatever they say.

Example:
    >>> import jtorch
    >>> jtorch.backends.cudnn.benchmark = False
    >>> jtorch.backends.cudnn.is_available()
    False
"""

from __future__ import annotations

from types import SimpleNamespace

from jtorch import backend

__all__ = ["cudnn", "cuda", "mps", "mkldnn", "openmp"]


class _CudnnFlags(SimpleNamespace):
    """``torch.backends.cudnn``: settable flags plus the availability queries."""

    def is_available(self) -> bool:
        cp = backend.cupy_or_none()
        if cp is None:
            return False
        try:
            import cupy.cuda.cudnn  # noqa: F401, PLC0415

            return True
        except ImportError:
            return False

    def version(self) -> int | None:
        return None


def _unavailable() -> bool:
    return False


cudnn = _CudnnFlags(enabled=True, benchmark=False, deterministic=False, allow_tf32=True)
cuda = SimpleNamespace(
    matmul=SimpleNamespace(allow_tf32=False, allow_fp16_reduced_precision_reduction=True)
)
mps = SimpleNamespace(is_available=_unavailable, is_built=_unavailable)
mkldnn = SimpleNamespace(is_available=_unavailable, enabled=False)
openmp = SimpleNamespace(is_available=_unavailable)
