"""``torch.amp``: automatic mixed precision (``autocast``) and loss scaling (``GradScaler``).

Example:
    >>> import jtorch
    >>> with jtorch.amp.autocast("cpu", dtype=jtorch.float16):
    ...     jtorch.amp.autocast_mode.is_autocast_enabled("cpu")
    True
"""

from jtorch.amp.autocast_mode import (
    autocast,
    custom_bwd,
    custom_fwd,
    is_autocast_available,
)
from jtorch.amp.grad_scaler import GradScaler

__all__ = ["autocast", "custom_bwd", "custom_fwd", "is_autocast_available", "GradScaler"]
