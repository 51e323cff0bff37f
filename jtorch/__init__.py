"""jtorch: a PyTorch-compatible tensor, autograd and neural-network library on NumPy and CuPy.

Use it as ``import jtorch as torch``.

Example:
    >>> import jtorch as torch
    >>> x = torch.ones(2, 2, requires_grad=True)
    >>> y = x + 2
    >>> y
    tensor([[3., 3.],
            [3., 3.]], grad_fn=<AddBackward0>)
"""

from jtorch._tensor import Tensor  # noqa: I001  (Tensor first: everything else builds on it)
from jtorch import autograd, backend, backends, cuda, dtypes, ops, return_types
from jtorch._creation import *  # noqa: F403
from jtorch.ops import *  # noqa: F403  (before the dtype names below, which must win)
from jtorch._printing import set_printoptions
from jtorch.autograd.anomaly_mode import is_anomaly_check_nan_enabled, is_anomaly_enabled
from jtorch._runtime import *  # noqa: F403
from jtorch._size import Size
from jtorch._layouts import *  # noqa: F403
from jtorch._tensor_methods import bind as _bind_methods
from jtorch import linalg
from jtorch import nn
from jtorch import optim
from jtorch.serialization import load, save
from jtorch.utils import data as _data  # noqa: F401  (makes jtorch.utils.data reachable)
from jtorch.random import Generator, default_generator, get_rng_state, initial_seed
from jtorch.random import manual_seed, seed, set_rng_state
from jtorch.linalg import det, inverse, logdet, matrix_power, slogdet, trace
from jtorch.linalg import pinv as pinverse
from jtorch.linalg import qr_legacy as qr
from jtorch.linalg import svd_legacy as svd
from jtorch.linalg import chain_matmul, cholesky_inverse, cholesky_solve, geqrf, lu_unpack
from jtorch.linalg import matrix_exp, orgqr, ormqr, triangular_solve
from jtorch.linalg import cholesky_legacy as cholesky
from jtorch.linalg import cross_legacy as cross
from jtorch.linalg import lu_legacy as lu
from jtorch.linalg import lu_solve_legacy as lu_solve
from jtorch.autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from jtorch.backend import device, get_device_module
from jtorch.dtypes import (
    bfloat16,
    bool,
    can_cast,
    cdouble,
    cfloat,
    chalf,
    complex32,
    complex64,
    complex128,
    double,
    dtype,
    finfo,
    float,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    iinfo,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    promote_types,
    result_type,
    set_default_dtype,
    short,
    uint8,
)
from math import e, inf, nan, pi
from jtorch.amp import GradScaler
from jtorch.amp.autocast_mode import (
    autocast,
    autocast_decrement_nesting,
    autocast_increment_nesting,
    clear_autocast_cache,
    get_autocast_cpu_dtype,
    get_autocast_dtype,
    get_autocast_gpu_dtype,
    is_autocast_cache_enabled,
    is_autocast_cpu_enabled,
    is_autocast_enabled,
    set_autocast_cache_enabled,
    set_autocast_cpu_dtype,
    set_autocast_cpu_enabled,
    set_autocast_dtype,
    set_autocast_enabled,
    set_autocast_gpu_dtype,
)
from jtorch.func import vmap
from jtorch._lowrank import pca_lowrank, svd_lowrank
from jtorch.utils import checkpoint as _checkpoint  # noqa: F401  (torch.utils.checkpoint)
from jtorch import version
from jtorch.version import __version__

newaxis = None

_bind_methods()

# Submodules torch users reach as attributes (``torch.fft.rfft``); imported on first use, so
# ``import jtorch`` stays fast and optional transports (mpi4py) load only when asked for.
_LAZY_SUBMODULES = frozenset(
    {
        "accelerator",
        "amp",
        "cpu",
        "distributed",
        "distributions",
        "fft",
        "func",
        "sparse",
        "special",
        "testing",
    }
)


def __getattr__(name: str):
    if name in _LAZY_SUBMODULES:
        import importlib

        return importlib.import_module(f"jtorch.{name}")
    raise AttributeError(f"module 'jtorch' has no attribute '{name}'")
