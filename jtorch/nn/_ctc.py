"""Connectionist temporal classification loss (``F.ctc_loss``, ``nn.CTCLoss``).

The forward (alpha) and backward (beta) recursions run in log space over the extended label
sequence ``blank, l1, blank, l2, ..., blank``, vectorised over the batch and the sequence
positions, one time step per loop iteration.
"""

from __future__ import annotations

import numpy as np

from jtorch._tensor import Tensor
from jtorch.autograd.function import Function
from jtorch.backend import get_array_module

NEG_INF = -np.inf


def _logaddexp(*terms: np.ndarray) -> np.ndarray:
    """Elementwise log(sum(exp(terms))), -inf where every term is -inf."""
    top = np.maximum.reduce(terms)
    safe = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        return np.log(sum(np.exp(t - safe) for t in terms)) + safe


def _shift(a: np.ndarray, k: int) -> np.ndarray:
    """``a`` moved k positions along the last axis (right for k > 0), filled with -inf."""
    out = np.full_like(a, NEG_INF)
    if k > 0:
        out[:, k:] = a[:, :-k]
    else:
        out[:, :k] = a[:, -k:]
    return out


class _Labels:
    """The extended labels of a batch: ``ext[b, s]`` (blank at even s), which positions may skip
    from s - 2 (a label different from the previous label), and each sequence's length."""

    def __init__(self, targets: list[np.ndarray], blank: int) -> None:
        lengths = np.array([len(t) for t in targets])
        width = 2 * int(lengths.max(initial=0)) + 1
        self.ext = np.full((len(targets), width), blank, dtype=np.int64)
        for b, t in enumerate(targets):
            self.ext[b, 1 : 2 * len(t) : 2] = t
        self.skip = np.zeros(self.ext.shape, dtype=bool)
        self.skip[:, 2:] = (self.ext[:, 2:] != blank) & (self.ext[:, 2:] != self.ext[:, :-2])
        self.size = 2 * lengths + 1
        self.valid = np.arange(width) < self.size[:, None]


def _emissions(lp: np.ndarray, labels: _Labels, t: int) -> np.ndarray:
    """``log p_t(ext[b, s])`` for every b and s, -inf past each sequence's end."""
    e = np.take_along_axis(lp[t], labels.ext, axis=1)
    return np.where(labels.valid, e, NEG_INF)


def _alphas(lp: np.ndarray, labels: _Labels, in_lens: np.ndarray) -> np.ndarray:
    steps, batch = lp.shape[0], lp.shape[1]
    alpha = np.full((steps, batch, labels.ext.shape[1]), NEG_INF)
    first = _emissions(lp, labels, 0)
    alpha[0, :, :2] = first[:, :2]
    for t in range(1, steps):
        prev = alpha[t - 1]
        skip = np.where(labels.skip, _shift(prev, 2), NEG_INF)
        alpha[t] = _logaddexp(prev, _shift(prev, 1), skip) + _emissions(lp, labels, t)
    alpha[np.arange(steps)[:, None] >= in_lens[None, :]] = NEG_INF
    return alpha


def _betas(lp: np.ndarray, labels: _Labels, in_lens: np.ndarray) -> np.ndarray:
    steps, batch, width = lp.shape[0], lp.shape[1], labels.ext.shape[1]
    beta = np.full((steps, batch, width), NEG_INF)
    rows = np.arange(batch)
    skip_from = np.zeros_like(labels.skip)  # may s jump to s + 2
    skip_from[:, :-2] = labels.skip[:, 2:]
    for t in range(steps - 1, -1, -1):
        e = _emissions(lp, labels, t)
        if t < steps - 1:
            nxt = beta[t + 1]
            skip = np.where(skip_from, _shift(nxt, -2), NEG_INF)
            beta[t] = _logaddexp(nxt, _shift(nxt, -1), skip) + e
        last = rows[in_lens == t + 1]
        if last.size:  # the final step of these sequences: end on the last label or blank
            beta[t, last] = NEG_INF
            end = labels.size[last] - 1
            beta[t, last, end] = e[last, end]
            has_label = end > 0
            beta[t, last[has_label], end[has_label] - 1] = e[last[has_label], end[has_label] - 1]
    return beta


class CtcLoss(Function):
    """Per-sequence negative log likelihood of the targets under the alignments of log_probs.

    NOTE: the gradient is torch's: ``exp(lp) - exp(log(sum alpha*beta) + nll - lp)``, which is
    the gradient with respect to the logits when ``log_probs`` is a log_softmax (the ``exp(lp)``
    term), as torch computes it.
    """

    node_name = "CtcLossBackward0"

    @staticmethod
    def forward(ctx, log_probs, targets, in_lens, blank, zero_infinity):
        ctx.dtype = log_probs.dtype
        lp = np.asarray(log_probs, dtype=np.float64)
        labels = _Labels(targets, blank)
        alpha = _alphas(lp, labels, in_lens)
        rows = np.arange(lp.shape[1])
        final = alpha[np.maximum(in_lens - 1, 0), rows]
        end = labels.size - 1
        last_two = (
            final[rows, end],
            np.where(end > 0, final[rows, np.maximum(end - 1, 0)], NEG_INF),
        )
        nll = -_logaddexp(*last_two)
        ctx.saved = lp, labels, alpha, nll, in_lens, zero_infinity
        if zero_infinity:
            nll = np.where(np.isinf(nll), 0.0, nll)
        return get_array_module(log_probs).asarray(nll, dtype=log_probs.dtype)

    @staticmethod
    def backward(ctx, grad):
        lp, labels, alpha, nll, in_lens, zero_infinity = ctx.saved
        beta = _betas(lp, labels, in_lens)
        ab = alpha + beta
        lcab = np.full(lp.shape, NEG_INF)
        batch = np.arange(lp.shape[1])[:, None]
        for s in range(labels.ext.shape[1]):  # logsumexp of alpha*beta over positions per class
            c = labels.ext[:, s : s + 1]
            lcab[:, batch, c] = _logaddexp(lcab[:, batch, c], ab[:, :, s : s + 1])
        with np.errstate(over="ignore", invalid="ignore"):
            g = np.exp(lp) - np.exp(lcab + nll[None, :, None] - lp)
        g[np.arange(lp.shape[0])[:, None] >= in_lens[None, :]] = 0.0
        if zero_infinity:
            g[:, np.isinf(nll)] = 0.0
        g = g * grad.numpy()[None, :, None].astype(np.float64)
        return Tensor._make(g.astype(ctx.dtype))


def _lengths(name: str, lengths, batch: int) -> np.ndarray:
    values = np.asarray(lengths.tolist() if isinstance(lengths, Tensor) else lengths, np.int64)
    values = values.reshape(-1)
    if values.shape[0] != batch:
        raise RuntimeError(f"{name} must be of size batch_size")
    return values


def ctc_loss(
    log_probs: Tensor,
    targets: Tensor,
    input_lengths,
    target_lengths,
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
) -> Tensor:
    """CTC loss of ``log_probs`` (T, N, C), or (T, C) unbatched, against padded (N, S) or
    concatenated 1-D ``targets``; ``mean`` divides each loss by its target length first.

    Example:
        >>> lp = jtorch.zeros(3, 1, 2).log_softmax(2)
        >>> jtorch.nn.functional.ctc_loss(lp, jtorch.tensor([[1]]), [3], [1])
        tensor(0.2877)
    """
    from jtorch.nn.functional import check_reduction  # noqa: PLC0415

    check_reduction(reduction)
    unbatched = log_probs.dim() == 2
    if unbatched:
        log_probs, targets = log_probs.unsqueeze(1), targets.unsqueeze(0)
    steps, batch = log_probs.shape[0], log_probs.shape[1]
    in_lens = _lengths("input_lengths", input_lengths, batch)
    tgt_lens = _lengths("target_lengths", target_lengths, batch)
    if in_lens.size and in_lens.max() > steps:
        raise RuntimeError(
            f"Expected input_lengths to have value at most {steps}, but got value "
            f"{in_lens.max()} (while checking arguments for ctc_loss_allocate_outputs)"
        )
    flat = targets.numpy().astype(np.int64)
    if flat.ndim == 1:
        offsets = np.concatenate([[0], np.cumsum(tgt_lens)])
        seqs = [flat[offsets[b] : offsets[b + 1]] for b in range(batch)]
    else:
        if tgt_lens.size and tgt_lens.max() > flat.shape[1]:
            raise RuntimeError(
                f"Expected tensor to have size at least {tgt_lens.max()} at dimension 1, but got "
                f"size {flat.shape[1]} for argument #2 'targets' (while checking arguments for "
                "ctc_loss_allocate_outputs)"
            )
        seqs = [flat[b, : tgt_lens[b]] for b in range(batch)]
    nll = CtcLoss.apply(
        log_probs, targets=seqs, in_lens=in_lens, blank=blank, zero_infinity=zero_infinity
    )
    if reduction == "mean":
        import jtorch  # noqa: PLC0415

        lengths = jtorch.tensor(np.maximum(tgt_lens, 1), dtype=nll.dtype)
        return (nll / lengths).mean()
    if reduction == "sum":
        return nll.sum()
    return nll.squeeze(0) if unbatched else nll
