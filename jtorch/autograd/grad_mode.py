"""Grad mode: no_grad, enable_grad, set_grad_enabled, inference_mode (thread-local, as torch).

Each is a context manager and a decorator.

Example:
    >>> import jtorch
    >>> x = jtorch.ones(2, requires_grad=True)
    >>> with jtorch.no_grad():
    ...     (x * 2).requires_grad
    False
"""

from __future__ import annotations

import functools
import inspect
import threading

__all__ = [
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "inference_mode",
    "is_grad_enabled",
    "is_inference_mode_enabled",
    "is_multithreading_enabled",
    "set_multithreading_enabled",
]


class _State(threading.local):
    def __init__(self) -> None:
        self.enabled = True
        self.inference = False
        self.anomaly = False


STATE = _State()


def is_grad_enabled() -> bool:
    """Whether ops are being recorded for autograd in this thread."""
    return STATE.enabled


def is_inference_mode_enabled() -> bool:
    return STATE.inference


class _GradModeContext:
    """Base: a context manager that is also a decorator (including for generators)."""

    def _enter_mode(self) -> None:
        raise NotImplementedError

    def _exit_mode(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> None:
        self._enter_mode()

    def __exit__(self, *exc) -> None:
        self._exit_mode()

    def clone(self) -> _GradModeContext:
        return self.__class__()

    def __call__(self, fn):
        if inspect.isgeneratorfunction(fn):

            @functools.wraps(fn)
            def gen_wrapper(*args, **kwargs):
                gen = fn(*args, **kwargs)
                value = None
                while True:
                    with self.clone():
                        try:
                            value = gen.send(value)
                        except StopIteration as stop:
                            return stop.value
                    value = yield value

            return gen_wrapper

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.clone():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradModeContext):
    """Disable recording of ops for autograd.

    Example:
        >>> @jtorch.no_grad()
        ... def f(x):
        ...     return x * 2
        >>> f(jtorch.ones(1, requires_grad=True)).requires_grad
        False
    """

    def __init__(self) -> None:
        self.prev = False

    def _enter_mode(self) -> None:
        self.prev, STATE.enabled = STATE.enabled, False

    def _exit_mode(self) -> None:
        STATE.enabled = self.prev


class enable_grad(_GradModeContext):
    """Enable recording inside a ``no_grad`` block.

    Example:
        >>> with jtorch.no_grad(), jtorch.enable_grad():
        ...     jtorch.is_grad_enabled()
        True
    """

    def __init__(self) -> None:
        self.prev = True

    def _enter_mode(self) -> None:
        self.prev, STATE.enabled = STATE.enabled, True

    def _exit_mode(self) -> None:
        STATE.enabled = self.prev


class _SetMode(_GradModeContext):
    """A setting ``attr`` of ``where`` changed at once (used as a function), and back when the
    ``with`` block or decorated call it opens ends."""

    where: object
    attr: str

    def __init__(self, mode: bool) -> None:
        self.prev = getattr(self.where, self.attr)
        self.mode = bool(mode)
        setattr(self.where, self.attr, self.mode)

    def _enter_mode(self) -> None:
        setattr(self.where, self.attr, self.mode)

    def _exit_mode(self) -> None:
        setattr(self.where, self.attr, self.prev)

    def clone(self) -> _SetMode:
        prev = getattr(self.where, self.attr)
        clone = self.__class__(self.mode)
        setattr(self.where, self.attr, prev)
        return clone

    def __call__(self, fn):
        setattr(self.where, self.attr, self.prev)  # as a decorator: the mode applies inside fn
        return super().__call__(fn)


class set_grad_enabled(_SetMode):
    """Set grad mode on or off; works as a function, context manager or decorator.

    Example:
        >>> with jtorch.set_grad_enabled(False):
        ...     jtorch.is_grad_enabled()
        False
    """

    where, attr = STATE, "enabled"


class _Engine:
    multithreading = True  # process-wide, as torch's


def is_multithreading_enabled() -> bool:
    """Whether backward may run on threads of its own (the default).

    Example:
        >>> jtorch.autograd.is_multithreading_enabled()
        True
    """
    return _Engine.multithreading


class set_multithreading_enabled(_SetMode):
    """Allow or forbid backward threads of its own, as a function, context manager or decorator.
    jtorch's engine runs backward on the calling thread either way (as torch's does for CPU
    tensors); the setting is kept for code that sets and reads it.

    Example:
        >>> with jtorch.autograd.set_multithreading_enabled(False):
        ...     jtorch.autograd.is_multithreading_enabled()
        False
    """

    where, attr = _Engine, "multithreading"
    __call__ = _GradModeContext.__call__  # NOTE: torch's decorator leaves the setting changed


class inference_mode(_GradModeContext):
    """Like ``no_grad``, for code that never needs gradients of what it makes.

    Example:
        >>> with jtorch.inference_mode():
        ...     jtorch.is_inference_mode_enabled(), jtorch.ones(1, requires_grad=True).exp().requires_grad
        (True, False)
    """

    def __init__(self, mode: bool = True) -> None:
        self.mode = mode
        self.prev = (True, False)

    def _enter_mode(self) -> None:
        self.prev = (STATE.enabled, STATE.inference)
        if self.mode:
            STATE.enabled, STATE.inference = False, True

    def _exit_mode(self) -> None:
        STATE.enabled, STATE.inference = self.prev

    def clone(self) -> inference_mode:
        return self.__class__(self.mode)

    def __call__(self, fn):
        if isinstance(fn, bool):  # @inference_mode(False) used as a factory by some code
            return self.__class__(fn)
        return super().__call__(fn)
