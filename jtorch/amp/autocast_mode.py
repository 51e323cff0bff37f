"""Automatic mixed precision: ``autocast`` state per device type and the per-op cast policy.

While an autocast region is enabled for a device type, ops on the "lower precision" list (matmul,
linear, convolutions, ...) cast their floating inputs to the autocast dtype, ops on the "fp32" list
(losses, reductions that overflow, ...) cast them to float32, and "promote" ops cast them to the
widest floating type among their inputs. float64 inputs are never cast (as torch).

An op takes part by being decorated with :func:`autocast_op`: the decorated function costs one
list lookup when no autocast region is active.

bfloat16 (the CPU default) has no NumPy representation: entering ``autocast("cpu")`` works, and an
op that would cast to bfloat16 raises jtorch's TypeError naming float16 as the alternative, so use
``autocast("cpu", dtype=torch.float16)``.

Example:
    >>> import jtorch
    >>> with jtorch.amp.autocast("cpu", dtype=jtorch.float16):
    ...     is_autocast_enabled("cpu"), get_autocast_dtype("cpu")
    (True, torch.float16)
"""

from __future__ import annotations

import functools
import threading
import warnings
from collections.abc import Callable

from jtorch import dtypes
from jtorch._tensor import Tensor

__all__ = [
    "autocast",
    "autocast_op",
    "autocast_args",
    "ACTIVE",
    "custom_fwd",
    "custom_bwd",
    "is_autocast_available",
    "is_autocast_enabled",
    "set_autocast_enabled",
    "get_autocast_dtype",
    "set_autocast_dtype",
    "is_autocast_cpu_enabled",
    "set_autocast_cpu_enabled",
    "get_autocast_cpu_dtype",
    "set_autocast_cpu_dtype",
    "get_autocast_gpu_dtype",
    "set_autocast_gpu_dtype",
    "is_autocast_cache_enabled",
    "set_autocast_cache_enabled",
    "clear_autocast_cache",
    "autocast_increment_nesting",
    "autocast_decrement_nesting",
    "LOWER_PRECISION_OPS",
    "FP32_OPS",
    "PROMOTE_OPS",
]

# NOTE: torch's CPU autocast op lists (aten/src/ATen/autocast_mode.cpp), by public name. The
# core decorates these functions with autocast_op(kind).
LOWER_PRECISION_OPS = frozenset(
    {
        "conv1d",
        "conv2d",
        "conv3d",
        "conv_transpose1d",
        "conv_transpose2d",
        "conv_transpose3d",
        "conv_tbc",
        "bmm",
        "mm",
        "linalg_vecdot",
        "baddbmm",
        "addmm",
        "addbmm",
        "linear",
        "matmul",
        "prelu",
        "scaled_dot_product_attention",
    }
)
FP32_OPS = frozenset(
    {
        "avg_pool3d",
        "binary_cross_entropy",
        "grid_sample",
        "polar",
        "prod",
        "quantile",
        "nanquantile",
        "stft",
        "cdist",
        "trace",
        "view_as_complex",
        "cholesky",
        "cholesky_inverse",
        "cholesky_solve",
        "inverse",
        "lu_solve",
        "orgqr",
        "ormqr",
        "pinverse",
        "max_pool3d",
        "max_unpool2d",
        "max_unpool3d",
        "adaptive_avg_pool3d",
        "reflection_pad1d",
        "reflection_pad2d",
        "replication_pad1d",
        "replication_pad2d",
        "replication_pad3d",
        "mse_loss",
        "cosine_embedding_loss",
        "nll_loss",
        "hinge_embedding_loss",
        "poisson_nll_loss",
        "smooth_l1_loss",
        "cross_entropy",
        "l1_loss",
        "huber_loss",
        "margin_ranking_loss",
        "soft_margin_loss",
        "triplet_margin_loss",
        "multi_margin_loss",
        "ctc_loss",
        "kl_div",
        "multilabel_margin_loss",
        "binary_cross_entropy_with_logits",
        "fractional_max_pool2d",
        "fractional_max_pool3d",
        "adaptive_max_pool3d",
        "qr",
        "svd",
        "triangular_solve",
        "geqrf",
    }
)
PROMOTE_OPS = frozenset({"stack", "cat", "index_copy"})

_DEFAULT_DTYPE = {"cpu": dtypes.bfloat16, "cuda": dtypes.float16}
_AVAILABLE = frozenset(
    {"cpu", "cuda", "xpu", "mps", "hpu", "xla", "ipu", "mtia", "maia", "privateuseone"}
)
# NOTE: count of enabled autocast regions in all threads: the decorated ops' only cost when it
# is 0. The per-thread state below decides what a thread's ops do.
ACTIVE = [0]


class _State(threading.local):
    def __init__(self) -> None:
        self.enabled: dict[str, bool] = {}
        self.dtype: dict[str, dtypes.dtype] = dict(_DEFAULT_DTYPE)
        self.cache_enabled = True
        self.nesting = 0
        self.cache: dict[int, tuple[Tensor, Tensor]] = {}


_STATE = _State()


def is_autocast_available(device_type: str) -> bool:
    """Whether autocast can be used on ``device_type``.

    Example:
        >>> jtorch.amp.is_autocast_available("cpu")
        True
    """
    return device_type in _AVAILABLE


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """Whether autocast is on for ``device_type`` (``"cuda"`` when not given, as torch).

    Example:
        >>> is_autocast_enabled("cpu")
        False
    """
    return _STATE.enabled.get("cuda" if device_type is None else device_type, False)


def set_autocast_enabled(device_type, enabled: bool | None = None) -> None:
    """Turn autocast on or off for ``device_type`` (``set_autocast_enabled(flag)``: CUDA).

    Example:
        >>> set_autocast_enabled("cpu", False)
    """
    if enabled is None:
        device_type, enabled = "cuda", device_type
    was = _STATE.enabled.get(device_type, False)
    _STATE.enabled[device_type] = bool(enabled)
    ACTIVE[0] += bool(enabled) - was


def get_autocast_dtype(device_type: str) -> dtypes.dtype:
    """The dtype lower-precision ops run in under autocast on ``device_type``.

    Example:
        >>> get_autocast_dtype("cuda")
        torch.float16
    """
    return _STATE.dtype.get(device_type, dtypes.float16)


def set_autocast_dtype(device_type: str, dtype: dtypes.dtype) -> None:
    """Set the autocast dtype of ``device_type``.

    Example:
        >>> set_autocast_dtype("cpu", jtorch.bfloat16)
    """
    _STATE.dtype[device_type] = dtype


def is_autocast_cpu_enabled() -> bool:
    """Deprecated: ``is_autocast_enabled("cpu")``.

    Example:
        >>> is_autocast_cpu_enabled()
        False
    """
    return is_autocast_enabled("cpu")


def set_autocast_cpu_enabled(enabled: bool) -> None:
    """Deprecated: ``set_autocast_enabled("cpu", enabled)``.

    Example:
        >>> set_autocast_cpu_enabled(False)
    """
    set_autocast_enabled("cpu", enabled)


def get_autocast_cpu_dtype() -> dtypes.dtype:
    """Deprecated: ``get_autocast_dtype("cpu")``.

    Example:
        >>> get_autocast_cpu_dtype()
        torch.bfloat16
    """
    return get_autocast_dtype("cpu")


def set_autocast_cpu_dtype(dtype: dtypes.dtype) -> None:
    """Deprecated: ``set_autocast_dtype("cpu", dtype)``.

    Example:
        >>> set_autocast_cpu_dtype(jtorch.bfloat16)
    """
    set_autocast_dtype("cpu", dtype)


def get_autocast_gpu_dtype() -> dtypes.dtype:
    """Deprecated: ``get_autocast_dtype("cuda")``.

    Example:
        >>> get_autocast_gpu_dtype()
        torch.float16
    """
    return get_autocast_dtype("cuda")


def set_autocast_gpu_dtype(dtype: dtypes.dtype) -> None:
    """Deprecated: ``set_autocast_dtype("cuda", dtype)``.

    Example:
        >>> set_autocast_gpu_dtype(jtorch.float16)
    """
    set_autocast_dtype("cuda", dtype)


def is_autocast_cache_enabled() -> bool:
    """Whether casts of leaf parameters are cached inside autocast regions.

    Example:
        >>> is_autocast_cache_enabled()
        True
    """
    return _STATE.cache_enabled


def set_autocast_cache_enabled(enabled: bool) -> None:
    """Turn the autocast weight-cast cache on or off.

    Example:
        >>> set_autocast_cache_enabled(True)
    """
    _STATE.cache_enabled = bool(enabled)


def clear_autocast_cache() -> None:
    """Drop the cached casts (done when the outermost autocast region exits).

    Example:
        >>> clear_autocast_cache()
    """
    _STATE.cache.clear()


def autocast_increment_nesting() -> int:
    """Enter one autocast level; returns the new depth.

    Example:
        >>> autocast_increment_nesting(), autocast_decrement_nesting()
        (1, 0)
    """
    _STATE.nesting += 1
    return _STATE.nesting


def autocast_decrement_nesting() -> int:
    """Leave one autocast level; returns the new depth.

    Example:
        >>> autocast_increment_nesting(), autocast_decrement_nesting()
        (1, 0)
    """
    _STATE.nesting -= 1
    return _STATE.nesting


class autocast:  # noqa: N801  (torch's name)
    """``torch.amp.autocast(device_type, dtype=None, enabled=True, cache_enabled=None)``: a
    context manager (and decorator) in which lower-precision ops run in ``dtype``.

    Example:
        >>> with jtorch.amp.autocast("cpu", dtype=jtorch.float16):
        ...     is_autocast_enabled("cpu")
        True
        >>> is_autocast_enabled("cpu")
        False
    """

    def __init__(
        self,
        device_type: str,
        dtype: dtypes.dtype | None = None,
        enabled: bool = True,
        cache_enabled: bool | None = None,
    ) -> None:
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        if device_type not in _AVAILABLE:
            from jtorch.backend import device  # noqa: PLC0415

            device(device_type)  # torch's error for an unknown device string
            raise RuntimeError(
                f"User specified an unsupported autocast device_type '{device_type}'"
            )
        self.device = device_type
        self.fast_dtype = get_autocast_dtype(device_type) if dtype is None else dtype
        self._cache_enabled = (
            is_autocast_cache_enabled() if cache_enabled is None else cache_enabled
        )
        if enabled and device_type == "cuda":
            from jtorch import cuda  # noqa: PLC0415

            if not cuda.is_available():
                warnings.warn(
                    "CUDA is not available or torch_xla is imported. Disabling autocast.",
                    stacklevel=2,
                )
                enabled = False
        elif enabled and self.fast_dtype not in (dtypes.bfloat16, dtypes.float16):
            name = device_type.upper()
            warnings.warn(
                f"In {name} autocast, but the target dtype is not supported. Disabling autocast."
                f"\n{name} Autocast only supports dtypes of torch.bfloat16, torch.float16 "
                "currently.",
                stacklevel=2,
            )
            enabled = False
        self._enabled = bool(enabled)

    def __enter__(self) -> autocast:
        self.prev_cache_enabled = is_autocast_cache_enabled()
        self.prev = is_autocast_enabled(self.device)
        self.prev_fastdtype = get_autocast_dtype(self.device)
        set_autocast_enabled(self.device, self._enabled)
        set_autocast_dtype(self.device, self.fast_dtype)
        autocast_increment_nesting()
        set_autocast_cache_enabled(self._cache_enabled)
        return self

    def __exit__(self, *exc) -> bool:
        if autocast_decrement_nesting() == 0:
            clear_autocast_cache()
        set_autocast_enabled(self.device, self.prev)
        set_autocast_dtype(self.device, self.prev_fastdtype)
        set_autocast_cache_enabled(self.prev_cache_enabled)
        return False

    def __call__(self, func: Callable) -> Callable:
        if not callable(func):
            raise TypeError(
                f"autocast()(func) requires a callable, but got {type(func).__name__}. Did you "
                "mean to use autocast as a context manager? For example:\n    with "
                "torch.autocast(device_type=...):\n        output = model(input)"
            )

        @functools.wraps(func)
        def decorate_autocast(*args, **kwargs):
            with autocast(self.device, self.fast_dtype, self._enabled, self._cache_enabled):
                return func(*args, **kwargs)

        return decorate_autocast


# -- the per-op policy ----------------------------------------------------------------------


def _eligible(x) -> bool:
    return (
        isinstance(x, Tensor)
        and x._array.dtype.kind == "f"
        and x._array.dtype.itemsize != 8  # float64 is never autocast
        and _STATE.enabled.get(x.device.type, False)
    )


def _cast(x, dtype_of: Callable):
    """``x`` cast by the policy (``dtype_of(tensor)`` gives the target); lists/tuples recursed."""
    if isinstance(x, (list, tuple)):
        return type(x)(_cast(v, dtype_of) for v in x)
    if not _eligible(x):
        return x
    dtype = dtype_of(x)
    if x.dtype == dtype:
        return x
    # NOTE: torch caches the casts of leaf parameters (requires_grad) for the whole region, so
    # a weight used many times is cast once.
    cacheable = _STATE.cache_enabled and x.requires_grad and x.grad_fn is None
    if cacheable:
        hit = _STATE.cache.get(id(x))
        if hit is not None and hit[0] is x and hit[1].dtype == dtype:
            return hit[1]
    out = x.to(dtype)
    if cacheable:
        _STATE.cache[id(x)] = (x, out)
    return out


def _lower(x) -> dtypes.dtype:
    return get_autocast_dtype(x.device.type)


def _fp32(x) -> dtypes.dtype:
    return dtypes.float32


_TARGETS = {"lower": _lower, "fp32": _fp32}


def autocast_args(kind: str, *args, **kwargs):
    """The op's arguments cast by the autocast policy ``kind`` (``"lower"``: the autocast dtype,
    ``"fp32"``: float32, ``"promote"``: the widest floating input type): ``args`` as a tuple,
    or ``(args, kwargs)`` when keyword arguments are given. The core calls it behind the
    ``ACTIVE[0]`` check, which is all an op pays outside autocast regions.

    Example:
        >>> with jtorch.amp.autocast("cpu", dtype=jtorch.float16):
        ...     a, b = autocast_args("lower", jtorch.ones(1), jtorch.ones(1).double())
        >>> a.dtype, b.dtype
        (torch.float16, torch.float64)
    """
    if kind == "promote":
        widest = _widest(args, kwargs)
        if widest is None:
            return (args, kwargs) if kwargs else args
        target = lambda x: widest  # noqa: E731
    else:
        target = _TARGETS[kind]
    args = _cast(args, target)
    if kwargs:
        return args, {k: _cast(v, target) for k, v in kwargs.items()}
    return args


def autocast_op(kind: str) -> Callable[[Callable], Callable]:
    """Decorator putting an op on an autocast list (see :func:`autocast_args`); costs one
    Python call per op, so hot ops should rather call ``autocast_args`` inline.

    Example:
        >>> mm = autocast_op("lower")(jtorch.mm)
        >>> with jtorch.amp.autocast("cpu", dtype=jtorch.float16):
        ...     mm(jtorch.ones(2, 2), jtorch.ones(2, 2)).dtype
        torch.float16
    """
    if kind not in ("lower", "fp32", "promote"):
        raise ValueError(f"autocast_op: unknown kind {kind!r}")

    def decorate(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def op(*args, **kwargs):
            if ACTIVE[0]:
                if kwargs:
                    args, kwargs = autocast_args(kind, *args, **kwargs)
                else:
                    args = autocast_args(kind, *args)
            return fn(*args, **kwargs)

        op.__autocast__ = kind
        return op

    return decorate


def _widest(args: tuple, kwargs: dict):
    found = []

    def visit(x):
        if isinstance(x, (list, tuple)):
            for v in x:
                visit(v)
        elif _eligible(x):
            found.append(x.dtype)

    visit(args)
    visit(list(kwargs.values()))
    if len(set(found)) < 2:
        return None
    return max(found, key=lambda d: (d.itemsize, d != dtypes.bfloat16))


# -- custom autograd Functions --------------------------------------------------------------


def custom_fwd(fwd=None, *, device_type: str, cast_inputs: dtypes.dtype | None = None):
    """Decorator for a custom Function's ``forward``: with ``cast_inputs``, inside an autocast
    region the floating inputs are cast to it and ``forward`` runs with autocast off;
    without, ``forward`` runs under the current autocast state (recorded for ``custom_bwd``).

    Example:
        >>> class Double(jtorch.autograd.Function):
        ...     @staticmethod
        ...     @jtorch.amp.custom_fwd(device_type="cpu", cast_inputs=jtorch.float32)
        ...     def forward(ctx, x):
        ...         return x * 2
        ...     @staticmethod
        ...     @jtorch.amp.custom_bwd(device_type="cpu")
        ...     def backward(ctx, g):
        ...         return g * 2
        >>> with jtorch.amp.autocast("cpu", dtype=jtorch.float16):
        ...     Double.apply(jtorch.ones(1, dtype=jtorch.float16)).dtype
        torch.float32
    """
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def decorate_fwd(*args, **kwargs):
        ctx = args[0]
        ctx._dtype = get_autocast_dtype(device_type)
        if cast_inputs is None:
            ctx._fwd_used_autocast = is_autocast_enabled(device_type)
            return fwd(*args, **kwargs)
        ctx._fwd_used_autocast = False
        if not is_autocast_enabled(device_type):
            return fwd(*args, **kwargs)
        with autocast(device_type=device_type, enabled=False):
            return fwd(*_cast_all(args, cast_inputs), **_cast_all(kwargs, cast_inputs))

    return decorate_fwd


def _cast_all(value, dtype):
    """Every floating tensor in ``value`` (nested containers too) cast to ``dtype``."""
    if isinstance(value, Tensor):
        return value.to(dtype) if value.is_floating_point() else value
    if isinstance(value, dict):
        return {k: _cast_all(v, dtype) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast_all(v, dtype) for v in value)
    return value


def custom_bwd(bwd=None, *, device_type: str):
    """Decorator for a custom Function's ``backward``: runs it under the autocast state its
    ``forward`` (decorated with :func:`custom_fwd`) ran in.

    Example:
        >>> decorated = jtorch.amp.custom_bwd(device_type="cpu")(lambda ctx, g: g)
    """
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)

    @functools.wraps(bwd)
    def decorate_bwd(*args, **kwargs):
        ctx = args[0]
        with autocast(device_type=device_type, enabled=ctx._fwd_used_autocast, dtype=ctx._dtype):
            return bwd(*args, **kwargs)

    return decorate_bwd
