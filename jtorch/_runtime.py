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

import functools
import os
import sys
import warnings
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


def _default_threads() -> int:
    """torch's default intra-op thread count: ``OMP_NUM_THREADS`` when set, else the cores."""
    value = os.environ.get("OMP_NUM_THREADS", "")
    return int(value) if value.isdigit() and int(value) > 0 else (os.cpu_count() or 1)


_threads = {"intra": _default_threads(), "inter": os.cpu_count() or 1}
_deterministic = [False]


def set_num_threads(n: int) -> None:
    """Threads for intra-op parallelism: large element-wise ops, copies and GEMMs are split over
    ``n`` workers (jtorch/_parallel.py), each calling a single-threaded BLAS."""
    if n < 1:
        raise RuntimeError("set_num_threads expects a positive integer")
    _threads["intra"] = int(n)


def get_num_threads() -> int:
    return _threads["intra"]


def set_num_interop_threads(n: int) -> None:
    _threads["inter"] = int(n)


def get_num_interop_threads() -> int:
    return _threads["inter"]


# NOTE: torch's compiler names (torch._dynamo.list_backends(exclude_tags=()) and the modes of
# torch.compile); jtorch accepts them all and runs eagerly.
_BACKENDS = frozenset(
    {
        "aot_eager",
        "aot_eager_decomp_partition",
        "aot_eager_default_partitioner",
        "aot_ts",
        "cudagraphs",
        "eager",
        "eager_debug",
        "eager_noexcept",
        "inductor",
        "invoke_subgraph",
        "openxla",
        "openxla_eval",
        "pre_dispatch_eager",
        "ts",
        "tvm",
    }
)


class InvalidBackend(RuntimeError):
    """torch._dynamo's error for an unknown ``compile`` backend name.

    Example:
        >>> issubclass(InvalidBackend, RuntimeError)
        True
    """


_MODES = ("default", "lite", "reduce-overhead", "max-autotune-no-cudagraphs", "max-autotune")


def compile(  # noqa: A001
    model: Callable | None = None,
    *,
    fullgraph: bool = False,
    dynamic: bool | None = None,
    backend: str | Callable | None = None,
    mode: str | None = None,
    options: dict | None = None,
    name: str | None = None,
    disable: bool = False,
    recompile_limit: int | None = None,
    isolate_recompiles: bool = False,
    shapes_spec=None,
):
    """``torch.compile``: validates torch's options and returns a callable that behaves exactly
    like ``model`` (jtorch runs eagerly). A module comes back wrapped in an ``OptimizedModule``
    (state-dict keys prefixed ``_orig_mod.``, attributes forwarded), a function as a wrapper
    with the same name. Usable as ``@compile`` and ``@compile(...)``.

    Example:
        >>> m = jtorch.compile(jtorch.nn.Linear(2, 1))
        >>> type(m).__name__, list(m.state_dict())
        ('OptimizedModule', ['_orig_mod.weight', '_orig_mod.bias'])
    """
    if model is None:

        def decorate(model: Callable) -> Callable:
            if model is None:
                raise RuntimeError("Model can't be None")
            return compile(
                model,
                fullgraph=fullgraph,
                dynamic=dynamic,
                backend=backend,
                mode=mode,
                options=options,
                name=name,
                disable=disable,
                recompile_limit=recompile_limit,
                isolate_recompiles=isolate_recompiles,
                shapes_spec=shapes_spec,
            )

        return decorate
    if mode is not None and options is not None:
        raise RuntimeError(
            "Either mode or options can be specified, but both can't be specified at the same time."
        )
    if mode is not None and mode not in _MODES:
        raise RuntimeError(f"Unrecognized mode={mode}, should be one of: {', '.join(_MODES)}")
    if isinstance(backend, str) and backend not in _BACKENDS:
        raise InvalidBackend(
            f"Invalid backend: {backend!r}, see `torch._dynamo.list_backends()` for available "
            "backends."
        )
    if not callable(model):
        raise AssertionError(f"A callable function is expected, but {type(model)} is provided.")
    if disable:
        return model
    from jtorch.nn import Module  # noqa: PLC0415

    if isinstance(model, Module):
        return _optimized_module_class()(model)

    @functools.wraps(model)
    def compiled(*args, **kwargs):
        return model(*args, **kwargs)

    compiled._torchdynamo_orig_callable = model
    return compiled


@functools.cache
def _optimized_module_class() -> type:
    """``OptimizedModule`` (built on first use: jtorch.nn imports this module)."""
    from jtorch.nn import Module  # noqa: PLC0415

    class OptimizedModule(Module):
        """What ``compile(module)`` returns: the module registered as ``_orig_mod``; calls,
        attributes and the training flag go to it."""

        def __init__(self, mod: Module) -> None:
            super().__init__()
            self._orig_mod = mod
            self._torchdynamo_orig_callable = mod.forward

        def forward(self, *args, **kwargs):
            return self._orig_mod(*args, **kwargs)

        def __len__(self) -> int:
            if hasattr(type(self._orig_mod), "__len__"):
                return len(self._orig_mod)
            raise TypeError(f"{type(self._orig_mod).__name__} does not support len()")

        @property
        def training(self) -> bool:
            return self._orig_mod.training

        @training.setter
        def training(self, value: bool) -> None:
            # NOTE: Module.__init__ sets training before _orig_mod exists
            if "_orig_mod" in self.__dict__.get("_modules", {}):
                self._orig_mod.training = value

        def __getattr__(self, name: str):
            if name == "_orig_mod":
                return self._modules["_orig_mod"]
            return getattr(self._modules["_orig_mod"], name)

    OptimizedModule.__module__ = __name__
    OptimizedModule.__qualname__ = "OptimizedModule"
    return OptimizedModule


def __getattr__(name: str):
    # NOTE: the class is built on first use; this makes it importable (and picklable) by name
    if name == "OptimizedModule":
        return _optimized_module_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
    _flags["deterministic_warn_only"] = bool(mode) and bool(warn_only)


def are_deterministic_algorithms_enabled() -> bool:
    return _deterministic[0]


# -- process flags torch keeps (jtorch records them; NumPy kernels are deterministic and compute
# float32 matmuls at full precision whatever the setting) ------------------------------------
__all__ += [
    "is_deterministic_algorithms_warn_only_enabled",
    "set_deterministic_debug_mode",
    "get_deterministic_debug_mode",
    "set_float32_matmul_precision",
    "get_float32_matmul_precision",
    "set_warn_always",
    "is_warn_always_enabled",
    "get_default_device",
    "set_default_device",
    "set_default_tensor_type",
    "set_flush_denormal",
    "set_anomaly_enabled",
    "is_vulkan_available",
    "init_num_threads",
]
_flags = {"deterministic_warn_only": False, "matmul_precision": "highest", "warn_always": False}


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    """Whether :func:`use_deterministic_algorithms` was turned on with ``warn_only=True``."""
    return _flags["deterministic_warn_only"]


def set_deterministic_debug_mode(debug_mode: str | int) -> None:
    """``"default"``/0 (off), ``"warn"``/1 or ``"error"``/2: :func:`use_deterministic_algorithms`.

    Example:
        >>> jtorch.set_deterministic_debug_mode("warn"); jtorch.get_deterministic_debug_mode()
        1
        >>> jtorch.set_deterministic_debug_mode(0)
    """
    if isinstance(debug_mode, str):
        modes = {"default": 0, "warn": 1, "error": 2}
        if debug_mode not in modes:
            raise RuntimeError(
                "invalid value of debug_mode, expected one of `default`, `warn`, `error`, but got "
                f"{debug_mode}"
            )
        debug_mode = modes[debug_mode]
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(
            f"invalid value of debug_mode, expected 0, 1, or 2, but got {debug_mode}"
        )
    use_deterministic_algorithms(debug_mode > 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode() -> int:
    """0, 1 (warn only) or 2: see :func:`set_deterministic_debug_mode`."""
    if not _deterministic[0]:
        return 0
    return 1 if _flags["deterministic_warn_only"] else 2


def set_float32_matmul_precision(precision: str) -> None:
    """Record ``"highest"``, ``"high"`` or ``"medium"`` (NumPy matmuls are always full float32).

    Example:
        >>> jtorch.set_float32_matmul_precision("high"); jtorch.get_float32_matmul_precision()
        'high'
        >>> jtorch.set_float32_matmul_precision("highest")
    """
    if precision not in ("highest", "high", "medium"):
        import warnings  # noqa: PLC0415

        warnings.warn(
            f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
            "setFloat32MatmulPrecision call has no effect.",
            stacklevel=2,
        )
        return
    _flags["matmul_precision"] = precision


def get_float32_matmul_precision() -> str:
    return _flags["matmul_precision"]


def set_warn_always(b: bool) -> None:
    """Warn every time instead of once (recorded; jtorch warnings go through ``warnings``)."""
    _flags["warn_always"] = bool(b)


def is_warn_always_enabled() -> bool:
    return _flags["warn_always"]


def get_default_device():
    """The device factory functions use by default: always the CPU in jtorch.

    Example:
        >>> jtorch.get_default_device()
        device(type='cpu')
    """
    from jtorch.backend import device  # noqa: PLC0415

    return device("cpu")


def set_default_device(device) -> None:
    """Only the CPU (or None) can be the default device: jtorch factories place tensors on the
    CPU unless given ``device=``."""
    from jtorch.backend import as_device  # noqa: PLC0415

    if device is not None and as_device(device).type != "cpu":
        raise NotImplementedError(
            "jtorch: set_default_device supports only 'cpu'; pass device= to factory functions"
        )


def set_default_tensor_type(t) -> None:
    """Deprecated in torch: set the default floating dtype from a legacy tensor type
    (``jtorch.DoubleTensor`` or ``"torch.DoubleTensor"``).

    Example:
        >>> jtorch.set_default_tensor_type("torch.FloatTensor"); jtorch.get_default_dtype()
        torch.float32
    """
    import jtorch  # noqa: PLC0415

    name = t if isinstance(t, str) else f"torch.{t.__name__}"
    legacy = getattr(jtorch, name.split(".")[-1], None)
    if legacy is None or not name.startswith("torch."):
        raise TypeError(f"invalid type: '{name}'")
    d = legacy.dtype if isinstance(legacy.dtype, jtorch.dtype) else None
    if d is None or not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    jtorch.set_default_dtype(d)


def set_flush_denormal(mode: bool) -> bool:
    """False: NumPy offers no switch to flush denormals to zero (torch returns True where the CPU
    supports it)."""
    return False


def set_anomaly_enabled(enabled: bool, check_nan: bool = True) -> None:
    from jtorch.autograd.anomaly_mode import _set  # noqa: PLC0415

    _set(enabled, check_nan)


def is_vulkan_available() -> bool:
    return False


def init_num_threads() -> None:
    """Nothing to do: thread pools are set up by :func:`set_num_threads`."""


_WARNED_ONCE: set[str] = set()


def warn_outside(message: str, category: type[Warning] = UserWarning, once: bool = False) -> None:
    """``warnings.warn`` attributed to the first caller outside jtorch, wherever jtorch's own
    wrappers (autocast, ``out=``) put extra frames in between; torch's C++ ops warn that way.
    ``once``: only the first time in the process, as torch's ``TORCH_WARN_ONCE``.

    Example:
        >>> import warnings
        >>> with warnings.catch_warnings(record=True) as seen:
        ...     warnings.simplefilter("always")
        ...     warn_outside("careful")
        >>> str(seen[0].message)
        'careful'
    """
    if once:
        if message in _WARNED_ONCE:
            return
        _WARNED_ONCE.add(message)
    frame, level = sys._getframe(1), 2
    while frame is not None and frame.f_globals.get("__name__", "").startswith("jtorch"):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)
