"""``torch.nn.functional``: the stateless forms of the layers, activations and losses.

Fused primitives (softmax, nll_loss, layer_norm, ...) come from ``jtorch.ops.nn``; the rest are
compositions of tensor ops, as in torch.

Example:
    >>> import jtorch
    >>> import jtorch.nn.functional as F
    >>> jtorch.nn.functional.cross_entropy(jtorch.tensor([[2.0, 0.0]]), jtorch.tensor([0]))
    tensor(0.1269)
"""

from __future__ import annotations

import math

import numpy as np

from jtorch._runtime import warn_outside
from jtorch._tensor import Tensor, _wrap_dim
from jtorch.amp.autocast_mode import ACTIVE as _AUTOCAST
from jtorch.amp.autocast_mode import FP32_OPS, autocast_args, autocast_op
from jtorch.autograd.grad_mode import is_grad_enabled
from jtorch.ops import nn as _nn
from jtorch.ops.nn import (
    batch_norm,
    binary_cross_entropy_with_logits,
    celu,
    celu_,
    check_p,
    check_reduction,
    cosine_similarity,
    embedding,
    group_norm,
    hardshrink,
    instance_norm,
    layer_norm,
    pairwise_distance,
    prelu,
    reduce,
    relu_,
    rms_norm,
    rrelu,
    rrelu_,
    selu,
    selu_,
    threshold,
    threshold_,
)

__all__ = [
    "linear", "bilinear", "relu", "relu_", "relu6", "elu", "elu_", "selu", "selu_", "celu",
    "celu_", "leaky_relu", "leaky_relu_", "prelu", "rrelu", "rrelu_", "glu", "gelu", "silu",
    "mish", "logsigmoid", "hardshrink", "tanhshrink", "softsign", "softplus", "softmin",
    "softmax", "softshrink", "log_softmax", "tanh", "sigmoid", "hardsigmoid", "hardswish",
    "hardtanh", "hardtanh_", "threshold", "threshold_", "normalize", "one_hot", "pad",
    "dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout",
    "batch_norm", "instance_norm", "layer_norm", "group_norm", "rms_norm", "local_response_norm",
    "embedding", "embedding_bag", "cosine_similarity", "pairwise_distance", "l1_loss",
    "mse_loss", "cross_entropy", "nll_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "huber_loss", "smooth_l1_loss", "kl_div",
    "cosine_embedding_loss", "margin_ranking_loss", "hinge_embedding_loss", "soft_margin_loss",
    "multilabel_soft_margin_loss", "triplet_margin_loss", "poisson_nll_loss",
    "gaussian_nll_loss", "triplet_margin_with_distance_loss", "multi_margin_loss",
    "multilabel_margin_loss", "gumbel_softmax", "ctc_loss", "grid_sample", "affine_grid",
]  # fmt: skip


def _legacy_reduction(size_average, reduce_, reduction: str) -> str:
    if size_average is None and reduce_ is None:
        return reduction
    warn_outside(
        "size_average and reduce args will be deprecated, please use reduction='"
        + legacy_get_string(size_average, reduce_, emit_warning=False)
        + "' instead."
    )
    return legacy_get_string(size_average, reduce_, emit_warning=False)


def legacy_get_string(size_average, reduce_, emit_warning: bool = True) -> str:
    """torch's mapping of the deprecated ``size_average``/``reduce`` flags to a reduction."""
    size_average = True if size_average is None else size_average
    reduce_ = True if reduce_ is None else reduce_
    if size_average and reduce_:
        return "mean"
    return "sum" if reduce_ else "none"


# -- linear ------------------------------------------------------------------------------------
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias`` (one ``addmm`` for 2-D input).

    Example:
        >>> jtorch.nn.functional.linear(jtorch.ones(1, 2), jtorch.ones(3, 2), jtorch.zeros(3))
        tensor([[2., 2., 2.]])
    """
    import jtorch  # noqa: PLC0415

    if _AUTOCAST[0]:
        input, weight, bias = autocast_args("lower", input, weight, bias)
    if input.dim() == 2 and bias is not None:
        return jtorch.addmm(bias, input, weight.t())
    if input.dim() > 2 and bias is not None:
        lead = tuple(input.shape[:-1])
        out = jtorch.addmm(bias, input.reshape(-1, input.shape[-1]), weight.t())
        return out.view(*lead, out.shape[-1])
    out = jtorch.matmul(input, weight.t())
    return out + bias if bias is not None else out


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None):
    """``y_k = x1 @ W_k @ x2 + b_k``.

    Example:
        >>> jtorch.nn.functional.bilinear(jtorch.ones(1, 2), jtorch.ones(1, 3), jtorch.ones(1, 2, 3)).shape
        torch.Size([1, 1])
    """
    import jtorch  # noqa: PLC0415

    _check_bilinear(input1, input2, weight, bias)
    out = jtorch.einsum("...i,oij,...j->...o", input1, weight, input2)
    return out + bias if bias is not None else out


def _check_bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias) -> None:
    """torch's bilinear checks, in its order and words."""
    for d, (a, b) in enumerate(zip(input1.shape[:-1], input2.shape[:-1])):
        if a != b:
            raise RuntimeError(
                f"bilinear(): input batch dimensions do not match at dim {d}: got {a} and {b}"
            )
    for k, x in ((1, input1), (2, input2)):
        if x.shape[-1] != weight.size(k):  # NOTE: a 2-D weight raises torch's IndexError here
            raise RuntimeError(
                f"bilinear(): input{k} size does not match weight size: got {x.shape[-1]} but "
                f"expected {weight.size(k)}"
            )
    if bias is not None and bias.shape[-1] != weight.shape[0]:
        raise RuntimeError(
            f"bilinear(): bias size does not match weight size: got {bias.shape[-1]} but expected "
            f"{weight.shape[0]}"
        )


# -- activations -------------------------------------------------------------------------------
def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace=False) -> Tensor:
    """Dropout that keeps the self-normalising mean and variance (for SELU networks).

    Example:
        >>> jtorch.nn.functional.alpha_dropout(jtorch.ones(2), 0.5)
        tensor([1., 1.])
    """
    return _nn.alpha_dropout(input, p, training, inplace)


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace=False):
    """:func:`alpha_dropout` of whole channels.

    Example:
        >>> jtorch.nn.functional.feature_alpha_dropout(jtorch.ones(1, 2), 0.5)
        tensor([[1., 1.]])
    """
    return _nn.feature_alpha_dropout(input, p, training, inplace)


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """``max(input, 0)``.

    Example:
        >>> jtorch.nn.functional.relu(jtorch.tensor([-1.0, 1.0]))
        tensor([0., 1.])
    """
    return relu_(input) if inplace else _nn.relu(input)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace=False):
    """``clamp(input, min_val, max_val)`` with zero gradient outside.

    Example:
        >>> jtorch.nn.functional.hardtanh(jtorch.tensor([-2.0, 0.5]))
        tensor([-1.0000,  0.5000])
    """
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _nn._activation(_nn.Hardtanh, input, inplace, min_val=min_val, max_val=max_val)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """In-place :func:`hardtanh`."""
    return hardtanh(input, min_val, max_val, True)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """``min(max(0, x), 6)``.

    Example:
        >>> jtorch.nn.functional.relu6(jtorch.tensor([7.0]))
        tensor([6.])
    """
    return hardtanh(input, 0.0, 6.0, inplace)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``x if x > 0 else alpha * (exp(x) - 1)``.

    Example:
        >>> jtorch.nn.functional.elu(jtorch.tensor([-1.0]))
        tensor([-0.6321])
    """
    return _nn._activation(_nn.Elu, input, inplace, alpha=alpha, scale=1.0, input_scale=1.0)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In-place :func:`elu`."""
    return elu(input, alpha, True)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """``x if x > 0 else negative_slope * x``.

    Example:
        >>> jtorch.nn.functional.leaky_relu(jtorch.tensor([-1.0]), 0.1)
        tensor([-0.1000])
    """
    return _nn._activation(_nn.LeakyRelu, input, inplace, negative_slope=negative_slope)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """In-place :func:`leaky_relu`."""
    return leaky_relu(input, negative_slope, True)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """``x * Phi(x)`` (``approximate='tanh'``: the tanh approximation).

    Example:
        >>> jtorch.nn.functional.gelu(jtorch.tensor([1.0]))
        tensor([0.8413])
    """
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return _nn.Gelu.apply(input, approximate=approximate)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * sigmoid(x)``.

    Example:
        >>> jtorch.nn.functional.silu(jtorch.tensor([1.0]))
        tensor([0.7311])
    """
    return _nn._activation(_nn.Silu, input, inplace)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * tanh(softplus(x))``.

    Example:
        >>> jtorch.nn.functional.mish(jtorch.tensor([1.0]))
        tensor([0.8651])
    """
    return _nn._activation(_nn.Mish, input, inplace)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """``clamp(x / 6 + 1/2, 0, 1)``.

    Example:
        >>> jtorch.nn.functional.hardsigmoid(jtorch.tensor([0.0]))
        tensor([0.5000])
    """
    return _nn._activation(_nn.Hardsigmoid, input, inplace)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * hardsigmoid(x)``.

    Example:
        >>> jtorch.nn.functional.hardswish(jtorch.tensor([1.0]))
        tensor([0.6667])
    """
    return _nn._activation(_nn.Hardswish, input, inplace)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + exp(beta * x)) / beta`` (linear above ``threshold``).

    Example:
        >>> jtorch.nn.functional.softplus(jtorch.tensor([0.0]))
        tensor([0.6931])
    """
    return _nn.Softplus.apply(input, beta=beta, threshold=threshold)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``, else 0.

    Example:
        >>> jtorch.nn.functional.softshrink(jtorch.tensor([1.0, 0.2]))
        tensor([0.5000, 0.0000])
    """
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    return _nn.Softshrink.apply(input, lambd=lambd)


def logsigmoid(input: Tensor) -> Tensor:
    """``log(sigmoid(x))`` computed stably.

    Example:
        >>> jtorch.nn.functional.logsigmoid(jtorch.tensor([0.0]))
        tensor([-0.6931])
    """
    return _nn.LogSigmoid.apply(input)


def tanhshrink(input: Tensor) -> Tensor:
    """``x - tanh(x)``.

    Example:
        >>> jtorch.nn.functional.tanhshrink(jtorch.tensor([0.0]))
        tensor([0.])
    """
    return input - input.tanh()


def softsign(input: Tensor) -> Tensor:
    """``x / (1 + |x|)``.

    Example:
        >>> jtorch.nn.functional.softsign(jtorch.tensor([1.0]))
        tensor([0.5000])
    """
    return input / (input.abs() + 1)


def tanh(input: Tensor) -> Tensor:
    """Hyperbolic tangent."""
    return input.tanh()


def sigmoid(input: Tensor) -> Tensor:
    """Logistic sigmoid."""
    return input.sigmoid()


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``dim``.

    Example:
        >>> jtorch.nn.functional.softmax(jtorch.tensor([0.0, 0.0]), dim=0)
        tensor([0.5000, 0.5000])
    """
    if dim is None:
        dim = _softmax_dim("softmax", input.dim())
    return _nn.softmax(input, dim, dtype)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None):
    """``log(softmax(x))`` along ``dim``, computed stably.

    Example:
        >>> jtorch.nn.functional.log_softmax(jtorch.tensor([0.0, 0.0]), dim=0)
        tensor([-0.6931, -0.6931])
    """
    if dim is None:
        dim = _softmax_dim("log_softmax", input.dim())
    return _nn.log_softmax(input, dim, dtype)


def _softmax_dim(name: str, ndim: int) -> int:
    warn_outside(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
        "dim=X as an argument."
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """``softmax(-input, dim)``.

    Example:
        >>> jtorch.nn.functional.softmin(jtorch.tensor([0.0, 0.0]), 0)
        tensor([0.5000, 0.5000])
    """
    if dim is None:
        dim = _softmax_dim("softmin", input.dim())
    return _nn.softmax(-input if dtype is None else -input.to(dtype), dim)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """``a * sigmoid(b)`` for the two halves ``a, b`` of ``input`` along ``dim``.

    Example:
        >>> jtorch.nn.functional.glu(jtorch.tensor([1.0, 0.0]))
        tensor([0.5000])
    """
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = _wrap_dim(dim, input.dim())
    if input.shape[d] % 2:
        raise RuntimeError(
            f"Halving dimension must be even, but dimension {d} is size {input.shape[d]}"
        )
    return _nn.Glu.apply(input, dim=d)


# -- normalisation and distances ---------------------------------------------------------------
def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out=None):
    """``input / max(||input||_p, eps)`` along ``dim``.

    Example:
        >>> jtorch.nn.functional.normalize(jtorch.tensor([[3.0, 4.0]]))
        tensor([[0.6000, 0.8000]])
    """
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    if out is None:
        return input / denom
    import jtorch  # noqa: PLC0415

    return jtorch.div(input, denom, out=out)


def local_response_norm(input: Tensor, size: int, alpha=1e-4, beta=0.75, k=1.0) -> Tensor:
    """Normalise each position by the squares of ``size`` neighbouring channels.

    Example:
        >>> jtorch.nn.functional.local_response_norm(jtorch.ones(1, 2, 1), 2).shape
        torch.Size([1, 2, 1])
    """
    if input.dim() < 3:
        raise ValueError(
            f"Expected 3D or higher dimensionality input (got {input.dim()} dimensions)"
        )
    if input.numel() == 0:
        return input
    sq = input * input
    padded = _nn.constant_pad_nd(sq.movedim(1, -1), (size // 2, (size - 1) // 2))
    c = input.shape[1]
    div = padded.narrow(-1, 0, c)
    for i in range(1, size):
        div = div + padded.narrow(-1, i, c)
    div = (div.movedim(-1, 1) * (alpha / size) + k) ** beta
    return input / div


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """``int64`` one-hot encoding with a new last dim of size ``num_classes``.

    Example:
        >>> jtorch.nn.functional.one_hot(jtorch.tensor([0, 2]))
        tensor([[1, 0, 0],
                [0, 0, 1]])
    """
    a = tensor._array
    xp = tensor._xp()
    if a.dtype.kind not in "iu":
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if a.size and a.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        num_classes = int(a.max()) + 1 if a.size else 0
        if not a.size:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
    elif a.size and a.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    return Tensor._make(xp.eye(num_classes, dtype=xp.int64)[a])


def gumbel_softmax(logits: Tensor, tau: float = 1, hard: bool = False, eps: float = 1e-10,
                   dim: int = -1) -> Tensor:  # fmt: skip
    """Samples from the Gumbel-softmax distribution; ``hard`` gives one-hot samples whose
    gradient is the soft sample's (straight through).

    Example:
        >>> _ = jtorch.manual_seed(0)
        >>> jtorch.nn.functional.gumbel_softmax(jtorch.zeros(1, 3), hard=True)
        tensor([[0., 0., 1.]])
    """
    import jtorch  # noqa: PLC0415

    if eps != 1e-10:
        warn_outside("`eps` parameter is deprecated and has no effect.")
    gumbels = -jtorch.empty_like(logits).exponential_().log()
    y_soft = ((logits + gumbels) / tau).softmax(dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = jtorch.zeros_like(logits).scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft


def pad(input: Tensor, pad, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last ``len(pad) // 2`` dims; ``mode`` is constant, reflect, replicate or circular.

    Example:
        >>> jtorch.nn.functional.pad(jtorch.tensor([[1.0, 2.0]]), (1, 1), mode="reflect")
        tensor([[2., 1., 2., 1.]])
    """
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.dim():
        raise RuntimeError(
            "Padding length should be less than or equal to two times the input dimension but "
            f"got padding length {len(pad)} and input of dimension {input.dim()}"
        )
    if mode == "constant":
        return _nn.constant_pad_nd(input, pad, 0 if value is None else value)
    if value is not None and value != 0:
        raise AssertionError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    nd = len(pad) // 2
    if input.dim() not in (nd + 1, nd + 2) or nd > 3:
        raise NotImplementedError(
            "Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now"
        )
    return _nn.index_pad(input, pad, mode)


# -- dropout -----------------------------------------------------------------------------------
def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zero elements with probability ``p`` in training and scale the rest by ``1/(1-p)``.

    Example:
        >>> jtorch.nn.functional.dropout(jtorch.ones(2), 0.5, training=False)
        tensor([1., 1.])
    """
    return _nn.dropout(input, p, training, inplace)


def _warn_channel_dims(name: str, input: Tensor, dims: tuple) -> None:
    """torch's deprecation warning for a dropout{2,3}d input without ``dims`` dimensions."""
    if input.dim() not in dims:
        warn_outside(
            f"{name}: Received a {input.dim()}-D input to {name}, which is deprecated and will "
            "result in an error in a future release. To retain the behavior and silence this "
            f"warning, please use dropout instead. Note that {name} exists to provide "
            f"channel-wise dropout on inputs with {dims[0] - 1} spatial dimensions, a channel "
            f"dimension, and an optional batch dimension (i.e. {dims[0]}D or {dims[1]}D inputs)."
        )


def _feature_dropout(name: str, input, p, training, inplace, dims: tuple) -> Tensor:
    check_p(p)
    _warn_channel_dims(name, input, dims)
    batched = input.dim() == dims[-1]
    x = input if batched else input.unsqueeze(0)
    out = _nn.feature_dropout(x, p, training, inplace)
    if not batched:
        out = out.squeeze(0)
        if inplace:
            return input
    return out


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zero whole channels of a ``(N, C, L)`` or ``(C, L)`` input.

    Example:
        >>> jtorch.nn.functional.dropout1d(jtorch.ones(1, 2, 2), training=False).shape
        torch.Size([1, 2, 2])
    """
    if input.dim() not in (2, 3):
        raise RuntimeError(
            "dropout1d: Expected 2D or 3D input, but received a "
            f"{input.dim()}D input. Note that dropout1d exists to provide channel-wise dropout "
            "on inputs with 1 spatial dimension, a channel dimension, and an optional batch "
            "dimension (i.e. 2D or 3D inputs)."
        )
    return _feature_dropout("dropout1d", input, p, training, inplace, (2, 3))


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zero whole channels of a ``(N, C, H, W)`` input.

    Example:
        >>> jtorch.nn.functional.dropout2d(jtorch.ones(1, 2, 2, 2), training=False).shape
        torch.Size([1, 2, 2, 2])
    """
    check_p(p)
    _warn_channel_dims("dropout2d", input, (3, 4))
    if input.dim() == 3:  # NOTE: torch treats it as (N, C, L), not as an unbatched (C, H, W)
        warn_outside(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is the "
            "channel dim. This behavior will change in a future release to interpret the input as "
            "one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise "
            "dropout behavior, please switch to using dropout1d instead."
        )
    if not training or p == 0:
        return input
    return _nn.feature_dropout(input, p, training, inplace)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zero whole channels of a ``(N, C, D, H, W)`` or ``(C, D, H, W)`` input.

    Example:
        >>> jtorch.nn.functional.dropout3d(jtorch.ones(1, 2, 1, 1, 1), training=False).shape
        torch.Size([1, 2, 1, 1, 1])
    """
    return _feature_dropout("dropout3d", input, p, training, inplace, (4, 5))


# -- embedding bag -----------------------------------------------------------------------------
def embedding_bag(
    input: Tensor,
    weight: Tensor,
    offsets: Tensor | None = None,
    max_norm=None,
    norm_type: float = 2,
    scale_grad_by_freq: bool = False,
    mode: str = "mean",
    sparse: bool = False,
    per_sample_weights: Tensor | None = None,
    include_last_offset: bool = False,
    padding_idx: int | None = None,
) -> Tensor:
    """Sum, mean or max of the embeddings of each bag (rows of a 2-D ``input``, or segments
    of a 1-D ``input`` starting at ``offsets``).

    Example:
        >>> jtorch.nn.functional.embedding_bag(jtorch.tensor([[0, 1]]), jtorch.tensor([[1.0], [3.0]]))
        tensor([[2.]])
    """
    import jtorch  # noqa: PLC0415

    if input.dim() == 2:
        if offsets is not None:
            raise ValueError(
                "if input is 2D, then offsets has to be None, as input is treated is a "
                "mini-batch of fixed length sequences. However, found offsets of type "
                f"{type(offsets)}"
            )
        n, length = input.shape
        starts = list(range(0, n * length, length)) if length else [0] * n
        flat = input.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    else:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        flat = input
        starts = offsets.tolist()
        if include_last_offset:
            starts = starts[:-1]
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only "
            f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
            "GitHub."
        )
    rows = embedding(flat, weight, padding_idx, max_norm, norm_type, scale_grad_by_freq)
    if per_sample_weights is not None:
        rows = rows * per_sample_weights.unsqueeze(-1)
    keep = None
    if padding_idx is not None:
        keep = (flat != (padding_idx % weight.shape[0])).to(rows.dtype)
    ends = starts[1:] + [flat.shape[0]]
    bags = []
    for s, e in zip(starts, ends):
        seg = rows[s:e]
        count = float(keep[s:e].sum()) if keep is not None else e - s
        if count == 0:
            bags.append(weight.new_zeros(weight.shape[1]))
        elif mode == "sum":
            bags.append(seg.sum(0))
        elif mode == "mean":
            bags.append(seg.sum(0) / count)
        else:
            bags.append(seg.amax(0))
    return jtorch.stack(bags) if bags else weight.new_zeros(0, weight.shape[1])


# -- losses ------------------------------------------------------------------------------------
def l1_loss(
    input, target, size_average=None, reduce=None, reduction: str = "mean", weight=None
) -> Tensor:
    """Mean absolute error (each element scaled by ``weight`` if given).

    Example:
        >>> jtorch.nn.functional.l1_loss(jtorch.tensor([1.0, 3.0]), jtorch.tensor([0.0, 0.0]))
        tensor(2.)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if weight is not None:
        _nn.warn_size(input, target)
        return _weighted((input - target).abs(), weight, input, reduction)
    check_reduction(reduction)
    _nn.warn_size(input, target)
    return _reduce((input - target).abs(), reduction)


def _weighted(loss: Tensor, weight: Tensor, input: Tensor, reduction: str, by_weight=True):
    """torch's weighted losses: ``loss * weight`` reduced, 'mean' dividing by the weights' sum
    (``by_weight``) or by the number of elements."""
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.sum() / weight.sum() if by_weight else loss.mean()
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")


_reduce = reduce


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean squared error.

    Example:
        >>> jtorch.nn.functional.mse_loss(jtorch.tensor([1.0, 3.0]), jtorch.tensor([0.0, 0.0]))
        tensor(5.)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if weight is not None:
        _nn.warn_size(input, target)
        return _weighted((input - target) ** 2, weight, input, reduction)
    return _nn.pair_loss(_nn.MseLoss, input, target, reduction)


def huber_loss(input, target, reduction: str = "mean", delta: float = 1.0, weight=None):
    """Squared error below ``delta``, linear above it.

    Example:
        >>> jtorch.nn.functional.huber_loss(jtorch.tensor([0.5, 3.0]), jtorch.tensor([0.0, 0.0]))
        tensor(1.3125)
    """
    if input.dtype.is_floating_point and target.dtype != input.dtype:
        target = target.to(input.dtype)  # NOTE: torch's huber loss has the input's dtype
    if weight is None:
        return _nn.pair_loss(_nn.HuberLoss, input, target, reduction, delta=delta)
    loss = _nn.pair_loss(_nn.HuberLoss, input, target, "none", delta=delta)
    return _weighted(loss, weight, input, reduction, by_weight=False)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """``0.5 d^2 / beta`` below ``beta``, ``|d| - beta/2`` above it.

    Example:
        >>> jtorch.nn.functional.smooth_l1_loss(jtorch.tensor([0.5, 3.0]), jtorch.tensor([0.0, 0.0]))
        tensor(1.3125)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    return _nn.pair_loss(_nn.SmoothL1Loss, input, target, reduction, beta=beta)


def nll_loss(input, target, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
             reduction: str = "mean") -> Tensor:  # fmt: skip
    """The negative log likelihood loss of log-probabilities ``input`` for class ``target``.

    Example:
        >>> jtorch.nn.functional.nll_loss(jtorch.tensor([[-1.0, -2.0]]), jtorch.tensor([1]))
        tensor(2.)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    return _nn.nll_loss(input, target, weight, ignore_index, reduction)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction: str = "mean") -> Tensor:  # fmt: skip
    """``-w * (t * log(x) + (1 - t) * log(1 - x))`` with the logs clamped at -100.

    Example:
        >>> jtorch.nn.functional.binary_cross_entropy(jtorch.tensor([0.5]), jtorch.tensor([1.0]))
        tensor(0.6931)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    return _nn.binary_cross_entropy(input, target, weight, reduction)


def cross_entropy(
    input,
    target,
    weight=None,
    size_average=None,
    ignore_index: int = -100,
    reduce=None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """``nll_loss(log_softmax(input, 1), target)``; ``target`` is class indices or
    class probabilities; ``label_smoothing`` mixes in the uniform distribution.

    Example:
        >>> jtorch.nn.functional.cross_entropy(jtorch.tensor([[0.0, 0.0]]), jtorch.tensor([1]))
        tensor(0.6931)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    ndim = input._array.ndim
    axis = 0 if ndim == 1 else 1
    logp = log_softmax(input, axis)
    n_classes = input._array.shape[axis]
    wshape = [1] * ndim
    if weight is not None:
        wshape[axis] = n_classes
    if target._array.shape == input._array.shape:  # NOTE: torch's rule: same shape, probabilities
        if target._array.dtype.kind != "f":
            raise RuntimeError(
                "Expected floating point type for target with class probabilities, got "
                f"{target.dtype.scalar_name}"
            )
        if label_smoothing > 0:
            target = target * (1 - label_smoothing) + label_smoothing / n_classes
        prod = logp * target
        if weight is not None:
            prod = prod * weight.view(*wshape)
        if reduction == "none":
            return -prod.sum(axis)
        total = -prod.sum()
        return total / (input.numel() // n_classes) if reduction == "mean" else total
    loss = _nn.nll_loss(logp, target, weight, ignore_index, reduction)
    if label_smoothing <= 0:
        return loss
    ignore = target._array == ignore_index
    smooth = -(logp * weight.view(*wshape)).sum(axis) if weight is not None else -logp.sum(axis)
    smooth = smooth * Tensor._make((~ignore).astype(logp._array.dtype))
    if reduction == "mean":
        if weight is not None:
            denom = float(weight._array[target._array[~ignore]].sum())
        else:
            denom = float((~ignore).sum())
        ret = smooth.sum() / denom
    elif reduction == "sum":
        ret = smooth.sum()
    else:
        ret = smooth
    return (1 - label_smoothing) * loss + ret * (label_smoothing / n_classes)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """Kullback-Leibler divergence of ``target`` from log-probabilities ``input``.

    Example:
        >>> jtorch.nn.functional.kl_div(jtorch.tensor([0.0]), jtorch.tensor([1.0]), reduction="sum")
        tensor(0.)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if reduction == "mean":
        warn_outside(
            "reduction: 'mean' divides the total loss by both the batch size and the support "
            "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
            "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
            "major release."
        )
    if log_target:
        loss = target.exp() * (target - input)
    else:
        import jtorch  # noqa: PLC0415

        with np.errstate(divide="ignore", invalid="ignore"):  # xlogy(t, t): 0 where t == 0
            tlogt = jtorch.where(target == 0, jtorch.zeros_like(target), target * target.log())
        loss = tlogt - target * input
    if reduction == "batchmean":
        return loss.sum() / input.shape[0] if input.dim() else loss.sum()
    check_reduction(reduction)
    return _reduce(loss, reduction)


def cosine_embedding_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None,
                          reduction="mean") -> Tensor:  # fmt: skip
    """``1 - cos(x1, x2)`` for ``y = 1``, ``max(0, cos(x1, x2) - margin)`` for ``y = -1``.

    Example:
        >>> jtorch.nn.functional.cosine_embedding_loss(jtorch.tensor([[1.0, 0.0]]), jtorch.tensor([[1.0, 0.0]]), jtorch.tensor([1.0]))
        tensor(0.)
    """
    import jtorch  # noqa: PLC0415

    reduction = _legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    eps = 1e-12
    dim = input1.dim() - 1
    prod = (input1 * input2).sum(dim)
    mag1 = (input1 * input1).sum(dim) + eps
    mag2 = (input2 * input2).sum(dim) + eps
    cos = prod / (mag1 * mag2).sqrt()
    zeros = jtorch.zeros_like(cos)
    pos = 1 - cos
    neg = (cos - margin).clamp_min(0)
    out = jtorch.where(target == 1, pos, zeros) + jtorch.where(target == -1, neg, zeros)
    return _reduce(out, reduction)


def margin_ranking_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None,
                        reduction="mean") -> Tensor:  # fmt: skip
    """``max(0, -y * (x1 - x2) + margin)``.

    Example:
        >>> jtorch.nn.functional.margin_ranking_loss(jtorch.tensor([1.0]), jtorch.tensor([2.0]), jtorch.tensor([1.0]))
        tensor(1.)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    if not (input1.dim() == input2.dim() == target.dim()):
        raise RuntimeError(
            f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} "
        )
    return _reduce((-target * (input1 - input2) + margin).clamp_min(0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction="mean") -> Tensor:  # fmt: skip
    """``x`` for ``y = 1``, ``max(0, margin - x)`` for ``y = -1``.

    Example:
        >>> jtorch.nn.functional.hinge_embedding_loss(jtorch.tensor([0.3, 0.3]), jtorch.tensor([1.0, -1.0]))
        tensor(0.5000)
    """
    import jtorch  # noqa: PLC0415

    reduction = _legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    zeros = jtorch.zeros_like(input)
    margin_clamp = (margin - input).clamp_min(0)
    out = jtorch.where(target != 1, margin_clamp, zeros) + jtorch.where(target != -1, input, zeros)
    return _reduce(out, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean") -> Tensor:
    """``log(1 + exp(-y * x))``.

    Example:
        >>> jtorch.nn.functional.soft_margin_loss(jtorch.tensor([0.0]), jtorch.tensor([1.0]))
        tensor(0.6931)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    if target.requires_grad and is_grad_enabled():
        raise RuntimeError(
            "The function 'soft_margin_loss' is not differentiable with respect to argument "
            "'target'. This input cannot have requires_grad True."
        )
    return _nn.SoftMarginLoss.apply(input, target, reduction=reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean") -> Tensor:  # fmt: skip
    """Per-class binary logistic loss averaged over classes.

    Example:
        >>> jtorch.nn.functional.multilabel_soft_margin_loss(jtorch.tensor([[0.0]]), jtorch.tensor([[1.0]]))
        tensor(0.6931)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    loss = loss.sum(dim=input.dim() - 1) / input.shape[-1]
    return _reduce(loss, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean") -> Tensor:  # fmt: skip
    """``max(d(a, p) - d(a, n) + margin, 0)`` with pairwise p-norm distances.

    Example:
        >>> a = jtorch.tensor([[0.0, 0.0]])
        >>> jtorch.nn.functional.triplet_margin_loss(a, a, a + 3)
        tensor(0.)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        import jtorch  # noqa: PLC0415

        d_neg = jtorch.minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return _reduce((margin + d_pos - d_neg).clamp_min(0), reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin=1.0, swap=False, reduction="mean") -> Tensor:  # fmt: skip
    """``max(d(a, p) - d(a, n) + margin, 0)`` for any distance function (default: pairwise L2).

    Example:
        >>> a = jtorch.tensor([[0.0, 0.0]])
        >>> jtorch.nn.functional.triplet_margin_with_distance_loss(a, a, a + 3)
        tensor(0.)
    """
    check_reduction(reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    dims = anchor.dim(), positive.dim(), negative.dim()
    if len(set(dims)) != 1:
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number of "
            f"dimensions, but got: anchor {dims[0]}D, positive {dims[1]}D, and negative "
            f"{dims[2]}D inputs"
        )
    distance = distance_function if distance_function is not None else pairwise_distance
    d_pos, d_neg = distance(anchor, positive), distance(anchor, negative)
    if swap:
        import jtorch  # noqa: PLC0415

        d_neg = jtorch.minimum(d_neg, distance(positive, negative))
    return _reduce((margin + d_pos - d_neg).clamp_min(0), reduction)


def _class_scores(input: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:
    """(N, C) scores and (N,) or (N, C) targets of a margin loss over classes."""
    batched = input.dim() == 2
    return (input, target) if batched else (input.unsqueeze(0), target.unsqueeze(0))


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None,
                      reduce=None, reduction="mean") -> Tensor:  # fmt: skip
    """Multi-class hinge loss: ``sum_{i != y} max(0, margin - x[y] + x[i])**p / C``.

    Example:
        >>> jtorch.nn.functional.multi_margin_loss(jtorch.tensor([[0.1, 0.2, 0.4]]), jtorch.tensor([2]))
        tensor(0.5000)
    """
    import jtorch  # noqa: PLC0415

    reduction = _legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    x, y = _class_scores(input, target)
    n, c = x.shape
    if y.dim() != 1 or y.shape[0] != n:
        raise RuntimeError(
            "multi_margin_loss: target tensor should be 1-D with size equal to the number of "
            f"input samples (batch size). Expected target size [{n}], but got "
            f"{list(target.shape)}. Input has shape {list(input.shape)}."
        )
    if weight is not None and weight.numel() != c:
        raise RuntimeError(f"inconsistent weight size, expected {c} but got {list(weight.shape)}")
    _nn.check_weight_dtype(weight, input)
    if n and (int(y.min()) < 0 or int(y.max()) >= c):
        raise RuntimeError("target out of range")
    scores = (margin - x.gather(1, y.unsqueeze(1)) + x).clamp_min(0)
    if p == 2:
        scores = scores * scores
    if weight is not None:
        scores = scores * weight[y].unsqueeze(1)
    others = jtorch.ones(n, c, dtype=x.dtype).scatter_(1, y.unsqueeze(1), 0.0)
    loss = (scores * others).sum(1) / c
    return _reduce(loss if input.dim() == 2 else loss.squeeze(0), reduction)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Multi-label hinge loss: the labels in ``target`` (class indices, ended by the first -1)
    should score at least 1 above every other class.

    Example:
        >>> x = jtorch.tensor([[0.1, 0.2, 0.4, 0.8]])
        >>> jtorch.nn.functional.multilabel_margin_loss(x, jtorch.tensor([[3, 0, -1, 1]]))
        tensor(0.8500)
    """
    import jtorch  # noqa: PLC0415

    reduction = _legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    if target.shape != input.shape:
        raise RuntimeError(
            f"inconsistent target size: {list(target.shape)} for input of size: {list(input.shape)}"
        )
    x, y = _class_scores(input, target)
    labels = y.numpy()
    valid = np.cumprod(labels >= 0, axis=1).astype(bool)  # the labels before the first -1
    if (labels[valid] >= x.shape[1]).any():
        raise RuntimeError("target out of range")
    is_label = np.zeros(x.shape, dtype=bool)
    rows = np.nonzero(valid)[0]
    is_label[rows, labels[valid]] = True
    label_scores = x.gather(1, jtorch.from_numpy(np.where(valid, labels, 0)))
    pairs = (1 - label_scores.unsqueeze(2) + x.unsqueeze(1)).clamp_min(0)
    mask = jtorch.from_numpy(valid[:, :, None] & ~is_label[:, None, :])
    loss = (pairs * mask).sum((1, 2)) / x.shape[1]
    return _reduce(loss if input.dim() == 2 else loss.squeeze(0), reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean") -> Tensor:  # fmt: skip
    """Poisson negative log likelihood (``input`` is the log-rate when ``log_input``).

    Example:
        >>> jtorch.nn.functional.poisson_nll_loss(jtorch.tensor([0.0]), jtorch.tensor([1.0]))
        tensor(1.)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        import jtorch  # noqa: PLC0415

        stirling = target * target.log() - target + 0.5 * (2 * math.pi * target).log()
        loss = loss + jtorch.where(target > 1, stirling, jtorch.zeros_like(stirling))
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean") -> Tensor:
    """Gaussian negative log likelihood with predicted variance ``var``.

    Example:
        >>> jtorch.nn.functional.gaussian_nll_loss(jtorch.tensor([0.0]), jtorch.tensor([0.0]), jtorch.tensor([1.0]))
        tensor(0.)
    """
    if isinstance(var, (int, float)):
        import jtorch  # noqa: PLC0415

        var = jtorch.full_like(input, var)
    if var.shape != input.shape:
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif tuple(input.shape[:-1]) == tuple(var.shape[:-1]) and var.shape[-1] == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    check_reduction(reduction)
    if bool((var._array < 0).any()):
        raise ValueError("var has negative entry/entries")
    var = var.clamp_min(eps) if var.requires_grad else var.detach().clamp_min(eps)
    # NOTE: torch clamps a copy of var without grad when var needs none; with grad, through clamp.
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


# NOTE: attention lives with nn.MultiheadAttention; imported last, as it builds on this module.
from jtorch.nn.modules.activation_attention import (  # noqa: E402
    multi_head_attention_forward,
    scaled_dot_product_attention,
)

__all__ += ["multi_head_attention_forward", "scaled_dot_product_attention"]

from jtorch.nn._ctc import ctc_loss  # noqa: E402
from jtorch.nn._grid_sample import affine_grid, grid_sample  # noqa: E402

# -- convolution, pooling, resampling (jtorch.ops.conv) ------------------------------------------
from jtorch.ops.conv import *  # noqa: E402, F403
from jtorch.ops.conv import (  # noqa: E402
    adaptive_avg_pool2d,
    adaptive_avg_pool3d,
    adaptive_max_pool2d,
    adaptive_max_pool3d,
    avg_pool2d,
    avg_pool3d,
    fold,
    interpolate,
    lp_pool1d,
    lp_pool2d,
    lp_pool3d,
    max_pool2d_with_indices,
    max_pool3d_with_indices,
    max_unpool1d,
    max_unpool2d,
    max_unpool3d,
    unfold,
    upsample,
    upsample_bilinear,
    upsample_nearest,
)

__all__ += [
    "adaptive_avg_pool2d",
    "adaptive_avg_pool3d",
    "adaptive_max_pool2d",
    "adaptive_max_pool3d",
    "avg_pool2d",
    "avg_pool3d",
    "fold",
    "interpolate",
    "lp_pool1d",
    "lp_pool2d",
    "lp_pool3d",
    "max_pool2d_with_indices",
    "max_pool3d_with_indices",
    "max_unpool1d",
    "max_unpool2d",
    "max_unpool3d",
    "unfold",
    "upsample",
    "upsample_bilinear",
    "upsample_nearest",
]

# -- fractional max pooling, *_with_indices spellings, torch-function helpers ---------------------
from jtorch.ops.conv import (  # noqa: E402
    adaptive_max_pool1d_with_indices,
    adaptive_max_pool2d_with_indices,
    adaptive_max_pool3d_with_indices,
    fractional_max_pool2d,
    fractional_max_pool2d_with_indices,
    fractional_max_pool3d,
    fractional_max_pool3d_with_indices,
)

__all__ += [
    "adaptive_max_pool1d_with_indices",
    "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d_with_indices",
    "fractional_max_pool2d",
    "fractional_max_pool2d_with_indices",
    "fractional_max_pool3d",
    "fractional_max_pool3d_with_indices",
    "assert_int_or_pair",
    "has_torch_function",
    "has_torch_function_unary",
    "has_torch_function_variadic",
]


def assert_int_or_pair(arg, arg_name: str, message: str) -> None:
    """Raise ``AssertionError(message.format(arg_name))`` unless ``arg`` is an int or a pair.

    Example:
        >>> assert_int_or_pair((1, 2), "kernel_size", "{} must be int or 2-tuple")
    """
    if not (isinstance(arg, int) or len(arg) == 2):
        raise AssertionError(message.format(arg_name))


def _overrides(arg) -> bool:
    # NOTE: jtorch's Tensor has no __torch_function__; only a user type that defines one counts.
    return getattr(type(arg), "__torch_function__", None) is not None


def has_torch_function(relevant_args) -> bool:
    """Whether any of ``relevant_args`` defines ``__torch_function__``.

    Example:
        >>> has_torch_function((jtorch.ones(1), 2))
        False
    """
    return any(_overrides(a) for a in relevant_args)


def has_torch_function_unary(arg) -> bool:
    """``has_torch_function((arg,))``.

    Example:
        >>> has_torch_function_unary(jtorch.ones(1))
        False
    """
    return _overrides(arg)


def has_torch_function_variadic(*args) -> bool:
    """``has_torch_function(args)``.

    Example:
        >>> has_torch_function_variadic(jtorch.ones(1), None)
        False
    """
    return any(_overrides(a) for a in args)


__all__ += ["linear_cross_entropy"]


def linear_cross_entropy(input: Tensor, linear_weight: Tensor, target: Tensor, *,
                         linear_bias: Tensor | None = None, weight: Tensor | None = None,
                         reduction: str = "mean", ignore_index: int | None = None,
                         label_smoothing: float = 0.0, options=None) -> Tensor:  # fmt: skip
    """``cross_entropy(linear(input, linear_weight, linear_bias), target, ...)``; with
    ``options`` (a ``LinearCrossEntropyOptions``) computed over batch chunks, as torch.

    ``linear_weight (C, *out_features, in_features)`` gives K-dimensional losses.

    Example:
        >>> x, w = jtorch.ones(2, 3), jtorch.zeros(4, 3)
        >>> linear_cross_entropy(x, w, jtorch.tensor([0, 3]))
        tensor(1.3863)
    """
    from jtorch.nn.modules.linear_cross_entropy import (  # noqa: PLC0415
        _linear_cross_entropy_chunked,
    )

    if input.dim() < 1 or input.dim() > 2:
        raise RuntimeError(f"expected input with dimensionality 1 or 2, got {input.dim()}")
    if linear_weight.dim() < 2:
        raise RuntimeError(
            f"expected linear_weight with dimensionality at least 2, got {linear_weight.dim()}"
        )
    num_batches, in_features = tuple(input.shape[:-1]), input.shape[-1]
    if in_features != linear_weight.shape[-1]:
        raise RuntimeError(
            "expected equal input and linear_weight last dimensions (in_features), got "
            f"{input.shape[-1]} and {linear_weight.shape[-1]}, respectively"
        )
    num_classes, out_features = linear_weight.shape[0], tuple(linear_weight.shape[1:-1])
    if linear_bias is not None and tuple(linear_bias.shape) != (num_classes, *out_features):
        raise RuntimeError(
            f"expected linear_bias shape {(num_classes, *out_features)}, got "
            f"{tuple(linear_bias.shape)}"
        )
    if out_features and not num_batches:
        raise RuntimeError(
            f"K-dimensional loss defined by linear_weight shape {tuple(linear_weight.shape)} "
            f"requires batched input, (N, {in_features}), got unbatched input with shape "
            f"{tuple(input.shape)}"
        )
    logits_shape = (*num_batches, num_classes, *out_features)
    if tuple(target.shape) == logits_shape and ignore_index is not None:
        raise RuntimeError("ignore_index cannot be specified when target contains probabilities")
    ignore_index = ignore_index if ignore_index is not None else -100
    if options is not None:
        chunkable = (
            not out_features
            and reduction in {"mean", "sum", "none"}
            and label_smoothing == 0.0
            and str(target.dtype) == "torch.int64"
        )
        if chunkable:
            return _linear_cross_entropy_chunked(input, linear_weight, target, linear_bias,
                                                 weight, reduction, ignore_index, options)  # fmt: skip
        bias_shape = tuple(linear_bias.shape) if linear_bias is not None else None
        warn_outside(
            "linear_cross_entropy: ``options`` ignored; chunked path needs reduction in "
            "{'mean','sum','none'}, label_smoothing == 0, target.dtype == int64, out_features "
            f"== (). Got reduction={reduction!r}, label_smoothing={label_smoothing}, "
            f"target.dtype={target.dtype}, out_features={out_features}, tracing=False, "
            f"linear_bias.shape={bias_shape}."
        )
    if out_features:
        flat = math.prod(out_features, start=num_classes)
        linear_weight = linear_weight.reshape((flat, in_features))
        if linear_bias is not None:
            linear_bias = linear_bias.reshape(flat)
    logits = linear(input, linear_weight, linear_bias).reshape(logits_shape)
    return cross_entropy(logits, target, weight=weight, reduction=reduction,
                         ignore_index=ignore_index, label_smoothing=label_smoothing)  # fmt: skip


# NOTE: torch.nn.functional re-exports these two torch functions under the same names.
from jtorch.ops.extra import conv_tbc, pdist  # noqa: E402

__all__ += ["conv_tbc", "pdist"]

# NOTE: autocast runs these losses and pools in float32 (torch's CPU fp32 list); the hot ops
# (linear, conv, mm) consult autocast inline instead of through a wrapper.
for _name in sorted(FP32_OPS.intersection(__all__)):
    globals()[_name] = autocast_op("fp32")(globals()[_name])
