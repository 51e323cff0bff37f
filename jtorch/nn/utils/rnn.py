"""Variable-length sequences for the recurrent layers: PackedSequence and (un)packing, padding.

A PackedSequence keeps only the real steps of a batch of sequences sorted by decreasing length:
``data`` holds step 0 of every sequence, then step 1 of those at least 2 long, and so on;
``batch_sizes[t]`` says how many sequences have a step t.

Example:
    >>> import jtorch
    >>> from jtorch.nn.utils.rnn import pack_sequence, pad_packed_sequence
    >>> p = pack_sequence([jtorch.tensor([1, 2, 3]), jtorch.tensor([4, 5]), jtorch.tensor([6])])
    >>> p
    PackedSequence(data=tensor([1, 4, 6, 2, 5, 3]), batch_sizes=tensor([3, 2, 1]), sorted_indices=None, unsorted_indices=None)
    >>> pad_packed_sequence(p, batch_first=True)
    (tensor([[1, 2, 3],
            [4, 5, 0],
            [6, 0, 0]]), tensor([3, 2, 1]))
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import numpy as np

from jtorch import dtypes
from jtorch._creation import full, tensor
from jtorch._tensor import Tensor
from jtorch.autograd.function import Function
from jtorch.backend import get_array_module as xp_of

__all__ = [
    "PackedSequence",
    "invert_permutation",
    "pack_padded_sequence",
    "pad_packed_sequence",
    "pad_sequence",
    "unpad_sequence",
    "pack_sequence",
    "unpack_sequence",
]


class PackedSequence_(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


class PackedSequence(PackedSequence_):
    """The packed data of a batch of sequences; made by ``pack_padded_sequence`` and
    ``pack_sequence``, consumed by the recurrent layers and ``pad_packed_sequence``."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:
            if not (isinstance(data, (list, tuple)) and len(data) == 2):
                raise AssertionError("Expected data to be a list or tuple of length 2")
            data, batch_sizes = data
        elif batch_sizes.device.type != "cpu":
            raise ValueError(
                "batch_sizes should always be on CPU. Instances of PackedSequence should never be "
                "created manually. They should be instantiated by functions like pack_sequence "
                "and pack_padded_sequences in nn.utils.rnn. "
                "https://pytorch.org/docs/stable/nn.html#torch.nn.utils.rnn.pack_sequence"
            )
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def _with_data(self, data: Tensor) -> PackedSequence:
        if data is self.data:
            return self
        indices = [None if t is None else t.to(data.device) for t in self[2:]]
        return type(self)(data, self.batch_sizes, *indices)

    def to(self, *args, **kwargs) -> PackedSequence:
        """``data.to(...)``; the index tensors follow data's device, batch_sizes stays on CPU."""
        return self._with_data(self.data.to(*args, **kwargs))

    def cuda(self, *args, **kwargs) -> PackedSequence:
        return self._with_data(self.data.cuda(*args, **kwargs))

    def cpu(self, *args, **kwargs) -> PackedSequence:
        return self._with_data(self.data.cpu(*args, **kwargs))

    def pin_memory(self) -> PackedSequence:
        return self

    def double(self) -> PackedSequence:
        return self.to(dtype=dtypes.float64)

    def float(self) -> PackedSequence:
        return self.to(dtype=dtypes.float32)

    def half(self) -> PackedSequence:
        return self.to(dtype=dtypes.float16)

    def long(self) -> PackedSequence:
        return self.to(dtype=dtypes.int64)

    def int(self) -> PackedSequence:
        return self.to(dtype=dtypes.int32)

    def short(self) -> PackedSequence:
        return self.to(dtype=dtypes.int16)

    def char(self) -> PackedSequence:
        return self.to(dtype=dtypes.int8)

    def byte(self) -> PackedSequence:
        return self.to(dtype=dtypes.uint8)

    @property
    def is_cuda(self) -> bool:
        return self.data.is_cuda

    def is_pinned(self) -> bool:
        return False


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The inverse of a 1-D permutation tensor (None stays None).

    Example:
        >>> invert_permutation(jtorch.tensor([2, 0, 1]))
        tensor([1, 2, 0])
    """
    if permutation is None:
        return None
    perm = permutation._array
    inverse = permutation._xp().empty_like(perm)
    inverse[perm] = permutation._xp().arange(perm.size, dtype=perm.dtype)
    return Tensor._make(inverse)


def _packed_rows(batch_sizes: np.ndarray, batch: int) -> np.ndarray:
    """Row numbers, in a ``(T * batch)`` time-major padded layout, of the packed steps."""
    return np.flatnonzero(np.arange(batch)[None, :] < batch_sizes[:, None])


def _pad_rows(data: Tensor, batch_sizes: np.ndarray, total: int, padding_value) -> Tensor:
    """Packed ``data`` laid out as a time-major ``(total, B, *)`` tensor, differentiably."""
    from jtorch import cat  # noqa: PLC0415

    batch = int(batch_sizes[0])
    rows = _packed_rows(batch_sizes, batch)
    source = np.full(total * batch, len(data), dtype=np.int64)  # default: the padding row
    source[rows] = np.arange(len(rows))
    pad = full((1, *data.shape[1:]), padding_value, dtype=data.dtype, device=data.device)
    padded = cat([data, pad])[Tensor._make(data._xp().asarray(source))]
    return padded.reshape(total, batch, *data.shape[1:])


class PackPaddedSequence(Function):
    @staticmethod
    def forward(ctx, input, batch_sizes, rows):
        ctx.batch_sizes, ctx.steps = batch_sizes, input.shape[0]
        flat = input.reshape(-1, *input.shape[2:])
        return flat[xp_of(flat).asarray(rows)]

    @staticmethod
    def backward(ctx, grad):
        return _pad_rows(grad, ctx.batch_sizes, ctx.steps, 0)


def pack_padded_sequence(
    input: Tensor, lengths, batch_first: bool = False, enforce_sorted: bool = True
) -> PackedSequence:
    """Pack a padded batch ``(T, B, *)`` (``(B, T, *)`` if ``batch_first``) of sequences with
    the given lengths; with ``enforce_sorted=False`` any order is accepted (and restored later).

    Example:
        >>> x = jtorch.tensor([[1, 2], [3, 0]])
        >>> pack_padded_sequence(x, [2, 1], batch_first=True).data
        tensor([1, 3, 2])
    """
    if isinstance(lengths, Tensor):
        lengths = lengths.to(dtypes.int64)
    else:
        lengths = tensor(lengths, dtype=dtypes.int64)
    sorted_indices = None
    if not enforce_sorted:
        lengths, sorted_indices = lengths.sort(descending=True)
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    lens = lengths._array
    if lens.size and lens.min() <= 0:
        raise RuntimeError(
            "Length of all samples has to be greater than 0, but found an element in 'lengths' "
            "that is <= 0"
        )
    if np.any(np.diff(lens) > 0):
        raise RuntimeError(
            "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. "
            "You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to "
            "sidestep this requirement if you do not need ONNX exportability."
        )
    if batch_first:
        input = input.transpose(0, 1)
    steps = int(lens[0]) if lens.size else 0
    input = input[:steps]
    batch_sizes = (lens[None, :] > np.arange(steps)[:, None]).sum(1)
    data = PackPaddedSequence.apply(input, batch_sizes, _packed_rows(batch_sizes, len(lens)))
    return PackedSequence(data, Tensor._make(batch_sizes.astype(np.int64)), sorted_indices, None)


def pad_packed_sequence(
    sequence: PackedSequence,
    batch_first: bool = False,
    padding_value: float = 0.0,
    total_length: int | None = None,
) -> tuple[Tensor, Tensor]:
    """Undo ``pack_padded_sequence``: ``(padded, lengths)`` in the original batch order.

    Example:
        >>> p = pack_padded_sequence(jtorch.tensor([[1, 2], [3, 0]]), [2, 1], batch_first=True)
        >>> pad_packed_sequence(p, padding_value=-1)
        (tensor([[ 1,  3],
                [ 2, -1]]), tensor([2, 1]))
    """
    batch_sizes = sequence.batch_sizes._array
    max_seq_length = len(batch_sizes)
    if total_length is not None:
        if total_length < max_seq_length:
            raise ValueError(
                "Expected total_length to be at least the length of the longest sequence in "
                f"input, but got total_length={total_length} and max sequence length being "
                f"{max_seq_length}"
            )
        max_seq_length = total_length
    padded = _pad_rows(sequence.data, batch_sizes, max_seq_length, padding_value)
    batch = int(batch_sizes[0])
    lengths = (batch_sizes[None, :] > np.arange(batch)[:, None]).sum(1)
    lengths = Tensor._make(lengths.astype(np.int64))
    if batch_first:
        padded = padded.transpose(0, 1)
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(0 if batch_first else 1, sequence.unsorted_indices)
        lengths = lengths[sequence.unsorted_indices.cpu()]
    return padded, lengths


def pad_sequence(
    sequences,
    batch_first: bool = False,
    padding_value: float = 0.0,
    padding_side: str = "right",
) -> Tensor:
    """Stack sequences of shapes ``(L_i, *)`` into ``(max L, B, *)`` (``(B, max L, *)`` if
    ``batch_first``), filling with ``padding_value`` on ``padding_side``.

    Example:
        >>> pad_sequence([jtorch.tensor([1, 2]), jtorch.tensor([3])], batch_first=True)
        tensor([[1, 2],
                [3, 0]])
    """
    from jtorch import cat, stack  # noqa: PLC0415

    if not isinstance(sequences, Iterable):
        raise RuntimeError(
            "pad_sequence: Expected iterable for input sequences, but got arg of type: "
            f"{type(sequences)}"
        )
    sequences = tuple(sequences)
    if padding_side not in ("left", "right"):
        raise ValueError(
            f"Expected padding_side to be one of left or right, but got {padding_side}."
        )
    longest = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        if s.shape[0] < longest:
            pad = full((longest - s.shape[0], *s.shape[1:]), padding_value, dtype=s.dtype,
                       device=s.device)  # fmt: skip
            s = cat([s, pad] if padding_side == "right" else [pad, s])
        padded.append(s)
    return stack(padded, 0 if batch_first else 1)


def unpad_sequence(padded_sequences: Tensor, lengths: Tensor, batch_first: bool = False) -> list:
    """Split a padded batch back into its sequences.

    Example:
        >>> unpad_sequence(jtorch.tensor([[1, 3], [2, 0]]), jtorch.tensor([2, 1]))
        [tensor([1, 2]), tensor([3])]
    """
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [seq[: int(length)] for seq, length in zip(padded_sequences, lengths)]


def pack_sequence(sequences, enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences of shapes ``(L_i, *)``.

    Example:
        >>> pack_sequence([jtorch.tensor([1, 2]), jtorch.tensor([3])]).batch_sizes
        tensor([2, 1])
    """
    lengths = tensor([v.size(0) for v in sequences])
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list:
    """Unpack a PackedSequence into the list of its sequences.

    Example:
        >>> unpack_sequence(pack_sequence([jtorch.tensor([1, 2]), jtorch.tensor([3])]))
        [tensor([1, 2]), tensor([3])]
    """
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
