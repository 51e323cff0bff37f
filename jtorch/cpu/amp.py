"""``torch.cpu.amp``: deprecated aliases of ``torch.amp.autocast("cpu")`` and
``torch.amp.GradScaler("cpu")`` (each warns with torch's FutureWarning).

Example:
    >>> import warnings, jtorch.cpu
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     with jtorch.cpu.amp.autocast(dtype=jtorch.float16) as ctx:
    ...         ctx.device, ctx.fast_dtype
    ('cpu', torch.float16)
"""

from __future__ import annotations

import warnings

from jtorch import dtypes
from jtorch.amp import autocast_mode, grad_scaler

__all__ = ["autocast", "GradScaler"]


class autocast(autocast_mode.autocast):  # noqa: N801  (torch's name)
    """Deprecated: ``torch.amp.autocast("cpu", ...)`` (see the module example)."""

    def __init__(
        self,
        enabled: bool = True,
        dtype: dtypes.dtype = dtypes.bfloat16,
        cache_enabled: bool = True,
    ) -> None:
        warnings.warn(
            "`torch.cpu.amp.autocast(args...)` is deprecated. Please use "
            "`torch.amp.autocast('cpu', args...)` instead.",
            FutureWarning,
            stacklevel=2,
        )
        super().__init__("cpu", enabled=enabled, dtype=dtype, cache_enabled=cache_enabled)


class GradScaler(grad_scaler.GradScaler):
    """Deprecated: ``torch.amp.GradScaler("cpu", ...)``.

    Example:
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     GradScaler(init_scale=2.0).get_scale()
        2.0
    """

    def __init__(
        self,
        init_scale: float = 2.0**16,
        growth_factor: float = 2.0,
        backoff_factor: float = 0.5,
        growth_interval: int = 2000,
        enabled: bool = True,
    ) -> None:
        warnings.warn(
            "`torch.cpu.amp.GradScaler(args...)` is deprecated. Please use "
            "`torch.amp.GradScaler('cpu', args...)` instead.",
            FutureWarning,
            stacklevel=2,
        )
        super().__init__(
            "cpu",
            init_scale=init_scale,
            growth_factor=growth_factor,
            backoff_factor=backoff_factor,
            growth_interval=growth_interval,
            enabled=enabled,
        )
