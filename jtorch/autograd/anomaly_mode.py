"""Anomaly detection: NaN checks on every gradient and the forward traceback of a failing node.

While it is on, the engine raises when a backward function returns NaN ("Function
'ExpBackward0' returned nan values in its 0th output.") and every recorded node keeps the
traceback of the forward call that created it in ``node.metadata["traceback_"]``, shown as a
warning when its backward fails.

Example:
    >>> import jtorch
    >>> with jtorch.autograd.set_detect_anomaly(True):
    ...     jtorch.autograd.anomaly_mode.is_anomaly_enabled()
    True
"""

from __future__ import annotations

import warnings

from jtorch.autograd.grad_mode import STATE, _GradModeContext

__all__ = [
    "detect_anomaly",
    "set_detect_anomaly",
    "is_anomaly_enabled",
    "is_anomaly_check_nan_enabled",
]


def is_anomaly_enabled() -> bool:
    """Whether anomaly detection is on in this thread."""
    return STATE.anomaly


def is_anomaly_check_nan_enabled() -> bool:
    """Whether anomaly detection also checks gradients for NaN."""
    return STATE.anomaly and getattr(STATE, "anomaly_check_nan", True)


def _set(mode: bool, check_nan: bool) -> None:
    STATE.anomaly, STATE.anomaly_check_nan = bool(mode), bool(check_nan)


class detect_anomaly(_GradModeContext):
    """Context manager (and decorator) that turns anomaly detection on.

    Example:
        >>> x = jtorch.zeros(1, requires_grad=True)
        >>> with jtorch.autograd.detect_anomaly():  # doctest: +SKIP
        ...     (x / x).sum().backward()
        Traceback (most recent call last):
        RuntimeError: Function 'DivBackward0' returned nan values in its 0th output.
    """

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan
        self.prev = (False, True)
        warnings.warn(
            "Anomaly Detection has been enabled. This mode will increase the runtime and should "
            "only be enabled for debugging.",
            stacklevel=2,
        )

    def _enter_mode(self) -> None:
        self.prev = (STATE.anomaly, getattr(STATE, "anomaly_check_nan", True))
        _set(True, self.check_nan)

    def _exit_mode(self) -> None:
        _set(*self.prev)

    def clone(self) -> detect_anomaly:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return self.__class__(self.check_nan)


class set_detect_anomaly:
    """Turn anomaly detection on or off; as a function call or a context manager (restoring
    the previous setting on exit).

    Example:
        >>> _ = jtorch.autograd.set_detect_anomaly(False)
        >>> jtorch.autograd.anomaly_mode.is_anomaly_enabled()
        False
    """

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev = (STATE.anomaly, getattr(STATE, "anomaly_check_nan", True))
        _set(mode, check_nan)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc) -> None:
        _set(*self.prev)
