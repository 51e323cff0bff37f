"""``watch``: log a model's weights, gradients and activations to TensorBoard while it trains.

Like ``wandb.watch``: hooks on the model log, every ``log_freq`` forward passes of the model,
histograms of every parameter (``parameters/<name>``) and of its gradient
(``gradients/<name>``), and the mean and standard deviation of every module's output
(``activations/<module>/mean``, ``.../std``). The step is the number of forward passes so far.

Example:
    >>> import tempfile
    >>> import jtorch
    >>> from jtorch.utils.tensorboard import SummaryWriter
    >>> model = jtorch.nn.Linear(2, 1)
    >>> with tempfile.TemporaryDirectory() as d, SummaryWriter(d) as writer:
    ...     with watch(model, writer, log_freq=10, log="all") as handle:
    ...         model(jtorch.ones(4, 2)).sum().backward()
    ...     handle.step
    0
"""

from __future__ import annotations

import numpy as np

from jtorch._tensor import Tensor
from jtorch.utils.tensorboard._convert import make_np

__all__ = ["watch", "WatchHandle"]

_LOG = {
    "gradients": {"gradients"},
    "parameters": {"parameters"},
    "activations": {"activations"},
    "all": {"gradients", "parameters", "activations"},
}


def _finite(x) -> np.ndarray:
    array = make_np(x).astype(np.float64, copy=False).ravel()
    return array[np.isfinite(array)]


class WatchHandle:
    """The hooks that ``watch`` installed; ``remove()`` (or leaving a ``with``) takes them out.

    ``step`` is the index of the model's latest forward pass (-1 before the first).
    """

    def __init__(self, model, writer, log_freq: int, what: set) -> None:
        self.step = -1
        self._writer = writer
        self._log_freq = log_freq
        self._logging = False
        self._handles = [model.register_forward_pre_hook(self._on_step)]
        if "parameters" in what:
            self._params = list(model.named_parameters())
        else:
            self._params = []
        if "gradients" in what:
            for name, p in model.named_parameters():
                if p.requires_grad:
                    self._handles.append(p.register_hook(self._gradient_hook(name)))
        if "activations" in what:
            for name, m in model.named_modules():
                hook = self._activation_hook(name or type(model).__name__)
                self._handles.append(m.register_forward_hook(hook))

    def _on_step(self, module, args) -> None:
        self.step += 1
        self._logging = self.step % self._log_freq == 0
        if self._logging:
            for name, p in self._params:
                self._histogram(f"parameters/{name}", p)

    def _histogram(self, tag: str, x) -> None:
        values = _finite(x)
        if values.size:
            self._writer.add_histogram(tag, values, self.step)

    def _gradient_hook(self, name: str):
        def hook(grad: Tensor) -> None:
            if self._logging:
                self._histogram(f"gradients/{name}", grad)

        return hook

    def _activation_hook(self, name: str):
        def hook(module, args, output) -> None:
            if not self._logging:
                return
            out = output[0] if isinstance(output, (tuple, list)) and output else output
            if isinstance(out, Tensor) and out.is_floating_point():
                values = _finite(out)
                if values.size:
                    self._writer.add_scalar(f"activations/{name}/mean", values.mean(), self.step)
                    self._writer.add_scalar(f"activations/{name}/std", values.std(), self.step)

        return hook

    def remove(self) -> None:
        """Remove every hook (idempotent)."""
        for handle in self._handles:
            handle.remove()
        self._handles.clear()

    def __enter__(self) -> WatchHandle:
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


def watch(model, writer, log_freq: int = 100, log: str = "gradients") -> WatchHandle:
    """Log ``model``'s training to ``writer`` every ``log_freq`` forward passes.

    Args:
        model: the ``nn.Module`` to watch.
        writer: a ``jtorch.utils.tensorboard.SummaryWriter``.
        log_freq: log on forward passes 0, log_freq, 2*log_freq, ...
        log: "gradients" (default), "parameters", "activations" or "all".

    Returns:
        A WatchHandle: call ``remove()`` or use it as a context manager to stop watching.
    """
    if log not in _LOG:
        raise ValueError(f"log must be one of {sorted(_LOG)}, got {log!r}")
    if not isinstance(log_freq, int) or log_freq < 1:
        raise ValueError(f"log_freq must be a positive int, got {log_freq!r}")
    return WatchHandle(model, writer, log_freq, _LOG[log])
