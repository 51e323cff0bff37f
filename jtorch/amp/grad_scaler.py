"""``torch.amp.GradScaler``: dynamic loss scaling for mixed-precision training.

``scale(loss)`` multiplies by the scale factor; ``step(optimizer)`` unscales the gradients (unless
``unscale_`` already did), skips the step when any gradient is inf/NaN, and ``update()`` backs the
scale off after a skipped step or grows it after ``growth_interval`` good steps.

Example:
    >>> import jtorch
    >>> w = jtorch.nn.Parameter(jtorch.ones(2))
    >>> opt = jtorch.optim.SGD([w], lr=0.1)
    >>> scaler = jtorch.amp.GradScaler("cpu", init_scale=4.0)
    >>> scaler.scale((w * 3).sum()).backward()
    >>> scaler.step(opt); scaler.update(); w
    Parameter containing:
    tensor([0.7000, 0.7000], requires_grad=True)
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from collections.abc import Iterable
from enum import Enum
from typing import Any

import numpy as np

from jtorch import dtypes
from jtorch._tensor import Tensor
from jtorch.autograd.grad_mode import no_grad

__all__ = ["GradScaler", "OptState"]


class OptState(Enum):
    """Where an optimizer is in the current iteration: nothing done, unscaled, or stepped.

    Example:
        >>> OptState.READY.value
        0
    """

    READY = 0
    UNSCALED = 1
    STEPPED = 2


def _refresh_per_optimizer_state() -> dict[str, Any]:
    return {"stage": OptState.READY, "found_inf_per_device": {}}


class GradScaler:
    """Loss scaler with torch's API: ``scale``, ``unscale_``, ``step``, ``update``,
    ``get_scale``, ``state_dict``/``load_state_dict`` and the growth/backoff settings.

    Example:
        >>> jtorch.amp.GradScaler("cpu").get_scale()
        65536.0
    """

    def __init__(
        self,
        device: str = "cuda",
        init_scale: float = 2.0**16,
        growth_factor: float = 2.0,
        backoff_factor: float = 0.5,
        growth_interval: int = 2000,
        enabled: bool = True,
    ) -> None:
        self._device = device
        self._enabled = enabled
        if device == "cuda" and enabled:
            from jtorch import cuda  # noqa: PLC0415

            if not cuda.is_available():
                warnings.warn(
                    "torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  Disabling.",
                    stacklevel=2,
                )
                self._enabled = False
        if self._enabled:
            if growth_factor <= 1.0:
                raise AssertionError("The growth factor must be > 1.0.")
            if backoff_factor >= 1.0:
                raise AssertionError("The backoff factor must be < 1.0.")
            self._init_scale = init_scale
            self._scale: Tensor | None = None
            self._growth_factor = growth_factor
            self._backoff_factor = backoff_factor
            self._growth_interval = growth_interval
            self._init_growth_tracker = 0
            self._growth_tracker: Tensor | None = None
            self._per_optimizer_states: defaultdict = defaultdict(_refresh_per_optimizer_state)

    def _check_scale_growth_tracker(self, funcname: str) -> tuple[Tensor, Tensor]:
        fix = (
            "This may indicate your script did not use scaler.scale(loss or outputs) earlier in "
            "the iteration."
        )
        if self._scale is None:
            raise AssertionError(f"Attempted {funcname} but _scale is None.  " + fix)
        if self._growth_tracker is None:
            raise AssertionError(f"Attempted {funcname} but _growth_tracker is None.  " + fix)
        return self._scale, self._growth_tracker

    def _lazy_init_scale_growth_tracker(self, device) -> None:
        from jtorch import full  # noqa: PLC0415

        self._scale = full((), self._init_scale, dtype=dtypes.float32, device=device)
        self._growth_tracker = full(
            (), self._init_growth_tracker, dtype=dtypes.int32, device=device
        )

    def scale(self, outputs):
        """Multiply ``outputs`` (a Tensor or an iterable of Tensors) by the scale factor.

        Example:
            >>> jtorch.amp.GradScaler("cpu", init_scale=8.0).scale(jtorch.tensor(2.0))
            tensor(16.)
        """
        if not self._enabled:
            return outputs
        if isinstance(outputs, Tensor):
            if self._scale is None:
                self._lazy_init_scale_growth_tracker(outputs.device)
            return outputs * self._scale.to(outputs.device)

        def apply_scale(val):
            if isinstance(val, Tensor):
                if self._scale is None:
                    self._lazy_init_scale_growth_tracker(val.device)
                return val * self._scale.to(val.device)
            if isinstance(val, Iterable):
                iterable = map(apply_scale, val)
                if isinstance(val, (list, tuple)):
                    return type(val)(iterable)
                return iterable
            raise ValueError("outputs must be a Tensor or an iterable of Tensors")

        return apply_scale(outputs)

    def _unscale_grads_(self, optimizer, inv_scale: Tensor, allow_fp16: bool) -> dict:
        """Unscale every gradient in place; ``{device: found_inf}`` for the devices that had
        gradients (empty when none had, as torch)."""
        from jtorch import tensor  # noqa: PLC0415

        found: dict[str, bool] = {}
        with no_grad():
            for group in optimizer.param_groups:
                for param in group["params"]:
                    grad = param.grad
                    if grad is None:
                        continue
                    if not allow_fp16 and grad.dtype == dtypes.float16:
                        raise ValueError("Attempting to unscale FP16 gradients.")
                    key = str(grad.device)
                    bad = not bool(grad._xp().isfinite(grad._array).all())
                    found[key] = found.get(key, False) or bad
                    grad.mul_(inv_scale.to(grad.device).to(grad.dtype))
        return {k: tensor(float(v), device=k) for k, v in found.items()}

    def unscale_(self, optimizer) -> None:
        """Divide ``optimizer``'s gradients by the scale factor in place (once per step), e.g.
        before gradient clipping.

        Example:
            >>> w = jtorch.nn.Parameter(jtorch.ones(1)); opt = jtorch.optim.SGD([w], lr=1.0)
            >>> s = jtorch.amp.GradScaler("cpu", init_scale=4.0)
            >>> s.scale(w.sum()).backward(); s.unscale_(opt); w.grad
            tensor([1.])
        """
        if not self._enabled:
            return
        self._check_scale_growth_tracker("unscale_")
        state = self._per_optimizer_states[id(optimizer)]
        if state["stage"] is OptState.UNSCALED:
            raise RuntimeError(
                "unscale_() has already been called on this optimizer since the last update()."
            )
        if state["stage"] is OptState.STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        # NOTE: the reciprocal in float64, then float32, as torch (exact for powers of two)
        inv_scale = self._scale.double().reciprocal().float()
        state["found_inf_per_device"] = self._unscale_grads_(optimizer, inv_scale, False)
        state["stage"] = OptState.UNSCALED

    def step(self, optimizer, *args, **kwargs):
        """Unscale (if not done yet) and run ``optimizer.step()`` unless a gradient is inf/NaN.

        Example:
            >>> w = jtorch.nn.Parameter(jtorch.ones(1)); opt = jtorch.optim.SGD([w], lr=1.0)
            >>> s = jtorch.amp.GradScaler("cpu")
            >>> s.scale(w.sum() * float("inf")).backward(); s.step(opt); w  # skipped
            Parameter containing:
            tensor([1.], requires_grad=True)
        """
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        self._check_scale_growth_tracker("step")
        state = self._per_optimizer_states[id(optimizer)]
        if state["stage"] is OptState.STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if state["stage"] is OptState.READY:
            self.unscale_(optimizer)
        if len(state["found_inf_per_device"]) == 0:
            raise AssertionError("No inf checks were recorded for this optimizer.")
        retval = None
        if not sum(v.item() for v in state["found_inf_per_device"].values()):
            retval = optimizer.step(*args, **kwargs)
        state["stage"] = OptState.STEPPED
        return retval

    def update(self, new_scale: float | Tensor | None = None) -> None:
        """Back the scale off after a skipped step, grow it after ``growth_interval`` good
        steps, or set it to ``new_scale``.

        Example:
            >>> s = jtorch.amp.GradScaler("cpu", init_scale=4.0)
            >>> _ = s.scale(jtorch.ones(1)); s.update(2.0); s.get_scale()
            2.0
        """
        if not self._enabled:
            return
        scale, tracker = self._check_scale_growth_tracker("update")
        if new_scale is not None:
            if isinstance(new_scale, float):
                scale.fill_(new_scale)
            else:
                reason = (
                    "new_scale should be a float or a 1-element torch.cuda.FloatTensor or "
                    "torch.FloatTensor with requires_grad=False."
                )
                if (
                    new_scale.device.type != self._device
                    or new_scale.numel() != 1
                    or new_scale.requires_grad
                ):
                    raise AssertionError(reason)
                scale.copy_(new_scale)
        else:
            found_infs = [
                v.item()
                for state in self._per_optimizer_states.values()
                for v in state["found_inf_per_device"].values()
            ]
            if not found_infs:
                raise AssertionError("No inf checks were recorded prior to update.")
            # NOTE: torch._amp_update_scale_ on the two 0-dim state tensors, in float32
            if sum(found_infs):
                scale.mul_(float(np.float32(self._backoff_factor)))
                tracker.fill_(0)
            elif int(tracker.item()) + 1 == self._growth_interval:
                grown = scale * float(np.float32(self._growth_factor))
                if bool(grown.isfinite()):
                    scale.copy_(grown)
                tracker.fill_(0)
            else:
                tracker.add_(1)
        self._per_optimizer_states = defaultdict(_refresh_per_optimizer_state)

    def get_scale(self) -> float:
        """The current scale factor (1.0 when disabled).

        Example:
            >>> GradScaler("cpu", enabled=False).get_scale()
            1.0
        """
        if not self._enabled:
            return 1.0
        return self._init_scale if self._scale is None else self._scale.item()

    def get_growth_factor(self) -> float:
        """The factor the scale grows by after ``growth_interval`` good steps.

        Example:
            >>> s = GradScaler("cpu"); s.set_growth_factor(3.0); s.get_growth_factor()
            3.0
        """
        return self._growth_factor

    def set_growth_factor(self, new_factor: float) -> None:
        """Set the growth factor (see :meth:`get_growth_factor`)."""
        self._growth_factor = new_factor

    def get_backoff_factor(self) -> float:
        """The factor the scale shrinks by after a step with inf/NaN gradients.

        Example:
            >>> s = GradScaler("cpu"); s.set_backoff_factor(0.25); s.get_backoff_factor()
            0.25
        """
        return self._backoff_factor

    def set_backoff_factor(self, new_factor: float) -> None:
        """Set the backoff factor (see :meth:`get_backoff_factor`)."""
        self._backoff_factor = new_factor

    def get_growth_interval(self) -> int:
        """How many consecutive good steps grow the scale.

        Example:
            >>> s = GradScaler("cpu"); s.set_growth_interval(10); s.get_growth_interval()
            10
        """
        return self._growth_interval

    def set_growth_interval(self, new_interval: int) -> None:
        """Set the growth interval (see :meth:`get_growth_interval`)."""
        self._growth_interval = new_interval

    def _get_growth_tracker(self) -> int:
        if not self._enabled:
            return 0
        if self._growth_tracker is None:
            return self._init_growth_tracker
        return int(self._growth_tracker.item())

    def is_enabled(self) -> bool:
        """Whether the scaler does anything (a CUDA scaler without CUDA disables itself).

        Example:
            >>> GradScaler("cpu").is_enabled()
            True
        """
        return self._enabled

    def state_dict(self) -> dict[str, Any]:
        """``scale``, ``growth_factor``, ``backoff_factor``, ``growth_interval`` and
        ``_growth_tracker`` (empty when disabled), as torch.

        Example:
            >>> jtorch.amp.GradScaler("cpu").state_dict()["scale"]
            65536.0
        """
        if not self._enabled:
            return {}
        return {
            "scale": self.get_scale(),
            "growth_factor": self._growth_factor,
            "backoff_factor": self._backoff_factor,
            "growth_interval": self._growth_interval,
            "_growth_tracker": self._get_growth_tracker(),
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned.

        Example:
            >>> s = GradScaler("cpu"); s.load_state_dict(GradScaler("cpu", init_scale=8.0).state_dict())
            >>> s.get_scale()
            8.0
        """
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError(
                "The source state dict is empty, possibly because it was saved from a disabled "
                "instance of GradScaler."
            )
        self._init_scale = float(state_dict["scale"])
        if self._scale is not None:
            self._scale.fill_(state_dict["scale"])
        self._growth_factor = float(state_dict["growth_factor"])
        self._backoff_factor = float(state_dict["backoff_factor"])
        self._growth_interval = int(state_dict["growth_interval"])
        self._init_growth_tracker = int(state_dict["_growth_tracker"])
        if self._growth_tracker is not None:
            self._growth_tracker.fill_(state_dict["_growth_tracker"])
