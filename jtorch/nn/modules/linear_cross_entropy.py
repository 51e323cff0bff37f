"""LinearCrossEntropyLoss, LinearCrossEntropyOptions and the batch-chunked kernels behind
``F.linear_cross_entropy(..., options=...)``.

With ``options`` the logits are never materialised for the whole batch: the loss is computed
over chunks of rows, and (for ``mean``/``sum``) the gradients of the input, the linear weight
and the bias are computed in the same pass and kept instead of the logits, as torch does.

Example:
    >>> import jtorch
    >>> loss = jtorch.nn.LinearCrossEntropyLoss(4, 3)
    >>> loss(jtorch.randn(5, 4), jtorch.tensor([0, 2, 1, 1, 0])).shape
    torch.Size([])
"""

from __future__ import annotations

import dataclasses
import math
from typing import Literal, NamedTuple

import numpy as np

from jtorch import dtypes
from jtorch._tensor import Tensor
from jtorch.autograd.function import Function
from jtorch.backend import get_array_module
from jtorch.nn import functional as F
from jtorch.nn.modules.linear import Linear
from jtorch.nn.modules.loss import _WeightedLoss

__all__ = ["LinearCrossEntropyLoss", "LinearCrossEntropyOptions"]


class _AutoDefault(NamedTuple):
    acc_policy: str
    chunking_method: str


_AUTO_DEFAULTS = {
    ("cuda", dtypes.bfloat16): _AutoDefault("compact", "aspect_ratio:2"),
    ("cuda", dtypes.float16): _AutoDefault("compact", "aspect_ratio:2"),
    ("cpu", dtypes.bfloat16): _AutoDefault("accurate", "aspect_ratio"),
    ("cpu", dtypes.float16): _AutoDefault("accurate", "aspect_ratio"),
}
_AUTO_FALLBACK = _AutoDefault("compact", "aspect_ratio:2")
_ACC_DTYPES = (dtypes.float16, dtypes.bfloat16, dtypes.float32, dtypes.float64)


@dataclasses.dataclass(slots=True, frozen=True)
class LinearCrossEntropyOptions:
    """How ``linear_cross_entropy`` chunks the batch (``batch_chunk_size`` or
    ``chunking_method="aspect_ratio[:k]"``), accumulates (``acc_policy``, ``acc_dtype``) and
    whether its backward may run twice (``allow_retain_graph``).

    Example:
        >>> jtorch.nn.LinearCrossEntropyOptions(batch_chunk_size=2, chunking_method=None)
        LinearCrossEntropyOptions(allow_retain_graph=False, batch_chunk_size=2, chunking_method=None, acc_policy='auto', acc_dtype=None)
    """  # noqa: E501

    allow_retain_graph: bool = False
    batch_chunk_size: int | None = None
    chunking_method: str | None = "auto"
    acc_policy: Literal["accurate", "balanced", "compact", "auto"] = "auto"
    acc_dtype: dtypes.dtype | None = None

    def __post_init__(self) -> None:
        if self.acc_policy not in {"auto", "accurate", "balanced", "compact"}:
            raise ValueError(f"invalid acc_policy: {self.acc_policy!r}")
        if self.chunking_method is not None and self.chunking_method != "auto":
            name, sep, factor = self.chunking_method.partition(":")
            if not sep:
                factor = "1"
            if not (name == "aspect_ratio" and factor.isdigit() and int(factor) > 0):
                raise ValueError(f"invalid chunking_method: {self.chunking_method!r}")
        if not (
            self.batch_chunk_size is None
            or (isinstance(self.batch_chunk_size, int) and self.batch_chunk_size > 0)
        ):
            raise ValueError(
                f"batch_chunk_size must be positive int or None, got {self.batch_chunk_size!r}"
            )
        if self.acc_dtype is not None and self.acc_dtype not in _ACC_DTYPES:
            raise ValueError(
                "acc_dtype must be one of {None, torch.float16, torch.bfloat16, torch.float32, "
                f"torch.float64}}, got {self.acc_dtype!r}. Pass acc_dtype=None to let the op "
                "pick automatically."
            )

    @staticmethod
    def _compute_batch_chunk_size(num_batches: int, in_features: int, num_classes: int,
                                  method: str) -> int:  # fmt: skip
        factor = int(method.split(":", 1)[1]) if ":" in method else 1
        inc_factor = -(-num_classes // in_features)
        target = -(-num_batches // inc_factor)
        chunk_size = 1 << (target - 1).bit_length()  # next power of 2 >= target
        return min(chunk_size // factor, num_batches)

    def _adjust(self, num_batches: int, in_features: int, num_classes: int, dtype,
                device=None) -> LinearCrossEntropyOptions:  # fmt: skip
        """These options with every ``"auto"`` and ``None`` resolved for one call (torch's)."""
        acc_policy, chunking_method = self.acc_policy, self.chunking_method
        if chunking_method == "auto" and self.batch_chunk_size is not None:
            chunking_method = None
        if acc_policy == "auto" or chunking_method == "auto":
            key = (device.type, dtype) if device is not None else None
            ap, cm = _AUTO_DEFAULTS.get(key, _AUTO_FALLBACK)
            acc_policy = ap if acc_policy == "auto" else acc_policy
            chunking_method = cm if chunking_method == "auto" else chunking_method
        if self.batch_chunk_size is None:
            batch_chunk_size = num_batches
        else:
            batch_chunk_size = min(self.batch_chunk_size, num_batches)
        if chunking_method is not None:
            batch_chunk_size = self._compute_batch_chunk_size(
                num_batches, in_features, num_classes, chunking_method
            )
            if self.batch_chunk_size is not None and self.batch_chunk_size != batch_chunk_size:
                raise ValueError(
                    f"batch_chunk_size (={self.batch_chunk_size}) and chunking_method "
                    f"('{chunking_method}') give different chunk sizes ({self.batch_chunk_size} "
                    f"vs {batch_chunk_size}); pass only one."
                )
        acc_dtype = self.acc_dtype
        if acc_dtype is None:
            half = dtype in (dtypes.float16, dtypes.bfloat16)
            auto = self.acc_policy == "auto" and half and device is not None
            acc_dtype = dtypes.float32 if auto else dtype
        return dataclasses.replace(self, acc_policy=acc_policy, chunking_method=chunking_method,
                                   batch_chunk_size=max(1, batch_chunk_size),
                                   acc_dtype=acc_dtype)  # fmt: skip


def _chunked(x, w, b, target, class_weight, ignore_index: int, chunk: int, row_scale,
             grads: tuple) -> tuple:  # fmt: skip
    """Per-row losses of ``cross_entropy(x @ w.T + b, target)`` over row chunks, and, where
    ``grads`` asks, the gradients of ``sum(row_scale * losses)`` for ``(x, w, b)``.

    ``row_scale`` is ``None`` (losses only), a scalar or a per-row array.
    """
    xp = get_array_module(x)
    n = x.shape[0]
    mask = target == ignore_index
    safe = xp.where(mask, 0, target)
    row_w = (~mask).astype(x.dtype)
    if class_weight is not None:
        row_w *= class_weight[safe]
    losses = xp.empty(n, dtype=x.dtype)
    gi = xp.empty_like(x) if grads[0] else None
    gw = xp.zeros_like(w) if grads[1] else None
    gb = xp.zeros(w.shape[0], dtype=x.dtype) if grads[2] else None
    for start in range(0, n, chunk):
        rows = slice(start, min(start + chunk, n))
        logits = x[rows] @ w.T
        if b is not None:
            logits += b
        top = logits.max(1, keepdims=True)
        logits -= top
        sumexp = xp.exp(logits).sum(1)
        idx = xp.arange(logits.shape[0])
        losses[rows] = (xp.log(sumexp) - logits[idx, safe[rows]]) * row_w[rows]
        if row_scale is None or not any(grads):
            continue
        scale = row_w[rows] * (row_scale[rows] if np.ndim(row_scale) else row_scale)
        dlogits = xp.exp(logits, out=logits)
        dlogits /= sumexp[:, None]
        dlogits[idx, safe[rows]] -= 1
        dlogits *= scale[:, None]
        if gi is not None:
            gi[rows] = dlogits @ w
        if gw is not None:
            gw += dlogits.T @ x[rows]
        if gb is not None:
            gb += dlogits.sum(0)
    return losses, gi, gw, gb


class LinearCrossEntropyBatchChunked(Function):
    """``mean``/``sum`` linear cross entropy whose gradients are computed in the forward pass.

    NOTE: as torch's chunked op, backward only scales the stored gradients (no double backward),
    and without ``allow_retain_graph`` they are released by the first backward.
    """

    node_name = "GeneratedBackwardFor_torch_nn__linear_cross_entropy_batch_chunked_defaultBackward"

    @staticmethod
    def forward(ctx, x, w, target, b, class_weight, reduction, ignore_index, chunk,
                allow_retain_graph):  # fmt: skip
        xp = get_array_module(x)
        need = (ctx.needs_input_grad[0], ctx.needs_input_grad[1],
                b is not None and ctx.needs_input_grad[3])  # fmt: skip
        row_w = (target != ignore_index).astype(x.dtype)
        if class_weight is not None:
            row_w *= class_weight[xp.where(target == ignore_index, 0, target)]
        scale = 1.0
        if reduction == "mean":
            denom = row_w.sum()
            scale = xp.nan if denom == 0 else 1 / denom
        losses, *ctx.grads = _chunked(x, w, b, target, class_weight, ignore_index, chunk,
                                      x.dtype.type(scale), need)  # fmt: skip
        ctx.allow_retain_graph = allow_retain_graph
        return xp.asarray(losses.sum() * x.dtype.type(scale), dtype=x.dtype)

    @staticmethod
    def backward(ctx, grad):
        if ctx.grads is None:
            raise RuntimeError(
                "linear_cross_entropy chunked backward called twice; retain_graph=True / "
                "double backward are not supported."
            )
        grads = [None if g is None else grad * Tensor._make(g) for g in ctx.grads]
        if not ctx.allow_retain_graph:
            ctx.grads = None
        return grads[0], grads[1], None, grads[2], None


class LinearCrossEntropyBatchChunkedNoReduction(Function):
    """Per-row linear cross entropy; backward recomputes the logits chunk by chunk (as torch).

    NOTE: the backward runs the chunked kernel on arrays: like torch's op, no double backward.
    """

    node_name = (
        "GeneratedBackwardFor_torch_nn__linear_cross_entropy_batch_chunked_no_reduction"
        "_defaultBackward"
    )

    @staticmethod
    def forward(ctx, x, w, target, b, class_weight, ignore_index, chunk):
        ctx.arrays = (x, w, target, b, class_weight)
        ctx.ignore_index, ctx.chunk = ignore_index, chunk
        return _chunked(x, w, b, target, class_weight, ignore_index, chunk, None, (0, 0, 0))[0]

    @staticmethod
    def backward(ctx, grad):
        x, w, target, b, class_weight = ctx.arrays
        need = (ctx.needs_input_grad[0], ctx.needs_input_grad[1],
                b is not None and ctx.needs_input_grad[3])  # fmt: skip
        if not any(need):
            return None, None, None, None, None
        _, gi, gw, gb = _chunked(x, w, b, target, class_weight, ctx.ignore_index, ctx.chunk,
                                 grad._array, need)  # fmt: skip
        wrap = [None if g is None else Tensor._make(g) for g in (gi, gw, gb)]
        return wrap[0], wrap[1], None, wrap[2], None


def _linear_cross_entropy_chunked(input, linear_weight, target, linear_bias, weight, reduction,
                                  ignore_index: int, options) -> Tensor:  # fmt: skip
    """The ``options`` path of ``F.linear_cross_entropy`` (1-d or 2-d input, int64 target)."""
    batched = input.dim() == 2
    if not batched:
        input, target = input.unsqueeze(0), target.unsqueeze(0)
    opts = options._adjust(input.shape[0], input.shape[1], linear_weight.shape[0], input.dtype,
                           input.device)  # fmt: skip
    if reduction == "none":
        result = LinearCrossEntropyBatchChunkedNoReduction.apply(
            input, linear_weight, target, linear_bias, weight, ignore_index=ignore_index,
            chunk=opts.batch_chunk_size,
        )  # fmt: skip
    else:
        result = LinearCrossEntropyBatchChunked.apply(
            input, linear_weight, target, linear_bias, weight, reduction=reduction,
            ignore_index=ignore_index, chunk=opts.batch_chunk_size,
            allow_retain_graph=opts.allow_retain_graph,
        )  # fmt: skip
    return result if batched or reduction != "none" else result.squeeze(0)


class LinearCrossEntropyLoss(_WeightedLoss):
    """``cross_entropy(Linear(input), target)`` with the projection owned by the loss
    (``out_features`` adds K-dimensional loss dims); ``options`` enables batch chunking.

    Example:
        >>> import jtorch
        >>> jtorch.nn.LinearCrossEntropyLoss(4, 3)
        LinearCrossEntropyLoss(
          in_features=4, num_classes=3, out_features=(), bias=False, reduction=mean, ignore_index=None, label_smoothing=0.0, options=None
          (linear): Linear(in_features=4, out_features=3, bias=False)
        )
    """  # noqa: E501

    def __init__(self, in_features: int, num_classes: int, *, out_features: tuple[int, ...] = (),
                 bias: bool = False, device=None, dtype=None, reduction: str = "mean",
                 weight: Tensor | None = None, ignore_index: int | None = None,
                 label_smoothing: float = 0.0,
                 options: LinearCrossEntropyOptions | None = None) -> None:  # fmt: skip
        if weight is not None and weight.shape != (num_classes,):
            raise RuntimeError(
                f"expected weight shape to be {(num_classes,)}, got {tuple(weight.shape)}"
            )
        if label_smoothing < 0 or label_smoothing > 1.0:
            raise RuntimeError(
                f"expected label_smoothing to be in range [0, 1], got {label_smoothing}"
            )
        super().__init__(weight=weight, size_average=None, reduce=None, reduction=reduction)
        self.num_classes = num_classes
        self.out_features = out_features
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing
        self.linear = Linear(in_features, math.prod(out_features, start=num_classes), bias=bias,
                             device=device, dtype=dtype)  # fmt: skip
        self.options = options

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        linear_weight = self.linear.weight.reshape(
            (self.num_classes, *self.out_features, self.linear.in_features)
        )
        linear_bias = (
            self.linear.bias.reshape((self.num_classes, *self.out_features))
            if self.linear.bias is not None
            else None
        )
        return F.linear_cross_entropy(input, linear_weight, target, linear_bias=linear_bias,
                                      weight=self.weight, reduction=self.reduction,
                                      ignore_index=self.ignore_index,
                                      label_smoothing=self.label_smoothing,
                                      options=self.options)  # fmt: skip

    def extra_repr(self) -> str:
        return (
            f"in_features={self.linear.in_features}, num_classes={self.num_classes}, "
            f"out_features={self.out_features}, bias={self.linear.bias is not None}, "
            f"reduction={self.reduction}, ignore_index={self.ignore_index}, "
            f"label_smoothing={self.label_smoothing}, options={self.options}"
        )
