"""Recurrent layers: RNN, LSTM, GRU (stacked, bidirectional, packed input) and their cells.

Each layer and direction runs as one fused Function of ``jtorch.ops.recurrent``; parameters,
their names, order and initialisation are torch's.

Example:
    >>> import jtorch
    >>> from jtorch import nn
    >>> lstm = jtorch.nn.LSTM(4, 3, num_layers=2)
    >>> out, (h, c) = lstm(jtorch.randn(5, 2, 4))
    >>> out.shape, h.shape, c.shape
    (torch.Size([5, 2, 3]), torch.Size([2, 2, 3]), torch.Size([2, 2, 3]))
    >>> lstm
    LSTM(4, 3, num_layers=2)
"""

from __future__ import annotations

import math
import numbers
import warnings

from jtorch._creation import empty, zeros
from jtorch._tensor import Tensor
from jtorch.nn import functional as F
from jtorch.nn import init
from jtorch.nn.modules.module import Module
from jtorch.nn.parameter import Parameter
from jtorch.nn.utils.rnn import PackedSequence
from jtorch.ops import recurrent

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


def _apply_permutation(tensor: Tensor, permutation: Tensor, dim: int = 1) -> Tensor:
    return tensor.index_select(dim, permutation)


class RNNBase(Module):
    """What RNN, LSTM and GRU share: the parameters per layer and direction, argument checks,
    packed/unbatched/batch_first handling and the stacking of layers."""

    __constants__ = ["mode", "input_size", "hidden_size", "num_layers", "bias", "batch_first",
                     "dropout", "bidirectional", "proj_size"]  # fmt: skip

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        _check_args(input_size, hidden_size, num_layers, bias, batch_first, dropout, proj_size)
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        gate_size = _GATES[mode] * hidden_size
        real_hidden_size = proj_size if proj_size > 0 else hidden_size
        num_directions = 2 if bidirectional else 1
        self._flat_weights_names: list[str] = []
        self._all_weights: list[list[str]] = []
        for layer in range(num_layers):
            for direction in range(num_directions):
                layer_input_size = input_size if layer == 0 else real_hidden_size * num_directions
                shapes = [(gate_size, layer_input_size), (gate_size, real_hidden_size)]
                names = ["weight_ih_l{}{}", "weight_hh_l{}{}"]
                if bias:
                    shapes += [(gate_size,), (gate_size,)]
                    names += ["bias_ih_l{}{}", "bias_hh_l{}{}"]
                if proj_size > 0:
                    shapes.append((proj_size, hidden_size))
                    names.append("weight_hr_l{}{}")
                suffix = "_reverse" if direction == 1 else ""
                names = [n.format(layer, suffix) for n in names]
                for name, shape in zip(names, shapes):
                    setattr(self, name, Parameter(empty(shape, device=device, dtype=dtype)))
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _flat_weights(self) -> list:
        return [getattr(self, name, None) for name in self._flat_weights_names]

    @property
    def all_weights(self) -> list[list[Parameter]]:
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def flatten_parameters(self) -> None:
        """A no-op, as torch's on CPU (there is no cuDNN weight buffer to compact)."""

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self) -> str:
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)

    # -- argument checks (torch's messages) -----------------------------------------------------
    def check_input(self, input: Tensor, batch_sizes: Tensor | None) -> None:
        weight = self.weight_ih_l0
        if input.dtype != weight.dtype:
            raise ValueError(
                f"RNN input dtype ({input.dtype}) does not match weight dtype ({weight.dtype}). "
                f"Convert input: input.to({weight.dtype}), or convert model: model.to({input.dtype})"
            )
        expected_input_dim = 2 if batch_sizes is not None else 3
        if input.dim() != expected_input_dim:
            raise RuntimeError(
                f"input must have {expected_input_dim} dimensions, got {input.dim()}"
            )
        if self.input_size != input.size(-1):
            raise RuntimeError(
                f"input.size(-1) must be equal to input_size. Expected {self.input_size}, got {input.size(-1)}"
            )

    def get_expected_hidden_size(self, input: Tensor, batch_sizes) -> tuple[int, int, int]:
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        num_directions = 2 if self.bidirectional else 1
        size = self.proj_size if self.proj_size > 0 else self.hidden_size
        return (self.num_layers * num_directions, mini_batch, size)

    def check_hidden_size(
        self, hx: Tensor, expected_hidden_size: tuple, msg: str = "Expected hidden size {}, got {}"
    ) -> None:
        if hx.size() != expected_hidden_size:
            raise RuntimeError(msg.format(expected_hidden_size, list(hx.size())))

    def check_forward_args(self, input: Tensor, hidden: Tensor, batch_sizes) -> None:
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden, self.get_expected_hidden_size(input, batch_sizes))

    def permute_hidden(self, hx: Tensor, permutation: Tensor | None):
        if permutation is None:
            return hx
        return _apply_permutation(hx, permutation)

    # -- the shared forward ------------------------------------------------------------------------
    def _unpack_hx(self, hx) -> list:
        return [hx]

    def _pack_hx(self, states: list):
        return states[0]

    def forward(self, input, hx=None):
        orig_input = input
        num_directions = 2 if self.bidirectional else 1
        is_batched = True
        if isinstance(orig_input, PackedSequence):
            input, batch_sizes, sorted_indices, unsorted_indices = input
            max_batch_size = int(batch_sizes[0])
            if hx is not None:
                hx = self.permute_hidden(hx, sorted_indices)
        else:
            batch_sizes = sorted_indices = unsorted_indices = None
            if input.dim() not in (2, 3):
                label = self.mode.split("_")[0]  # RNN, LSTM or GRU
                noun = "D tensor" if label == "RNN" else "D"
                raise ValueError(
                    f"{label}: Expected input to be 2D or 3D, got {input.dim()}{noun} instead"
                )
            is_batched = input.dim() == 3
            if not is_batched:
                input = input.unsqueeze(0 if self.batch_first else 1)
            if hx is not None:
                hx = self._check_hx_dims(hx, is_batched)
            max_batch_size = input.size(0) if self.batch_first else input.size(1)
        if hx is None:
            hx = self._pack_hx(
                [
                    zeros(
                        self.num_layers * num_directions,
                        max_batch_size,
                        size,
                        dtype=input.dtype,
                        device=input.device,
                    )  # fmt: skip
                    for size in self._zero_state_sizes()
                ]
            )
        self.check_forward_args(input, hx, batch_sizes)
        if batch_sizes is None:
            seq = input.transpose(0, 1) if self.batch_first else input
            steps = seq.shape[0]
            if steps == 0:
                raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
            data, sizes = seq.reshape(steps * max_batch_size, input.shape[-1]), None
        else:
            data, sizes = input, tuple(int(b) for b in batch_sizes._array)
        output, states = self._layers(data, sizes, self._unpack_hx(hx))
        hidden = self._pack_hx(states)
        if isinstance(orig_input, PackedSequence):
            packed = PackedSequence(output, batch_sizes, sorted_indices, unsorted_indices)
            return packed, self.permute_hidden(hidden, unsorted_indices)
        output = output.reshape(steps, max_batch_size, output.shape[-1])
        if self.batch_first:
            output = output.transpose(0, 1)
        if not is_batched:
            output = output.squeeze(0 if self.batch_first else 1)
            hidden = self._squeeze_hidden(hidden)
        return output, hidden

    def _zero_state_sizes(self) -> list[int]:
        return [self.hidden_size]

    def _check_hx_dims(self, hx, is_batched: bool):
        if is_batched:
            if hx.dim() != 3:
                raise RuntimeError(
                    f"For batched 3-D input, hx should also be 3-D but got {hx.dim()}-D tensor"
                )
            return hx
        if hx.dim() != 2:
            raise RuntimeError(
                f"For unbatched 2-D input, hx should also be 2-D but got {hx.dim()}-D tensor"
            )
        return hx.unsqueeze(1)

    def _squeeze_hidden(self, hidden):
        return hidden.squeeze(1)

    def _layers(self, x: Tensor, batch_sizes, states: list) -> tuple[Tensor, list]:
        """Run every layer and direction on 2-D packed data; the final states, stacked."""
        from jtorch import cat, stack  # noqa: PLC0415

        num_directions = 2 if self.bidirectional else 1
        finals: list[list[Tensor]] = [[] for _ in states]
        for layer in range(self.num_layers):
            if layer and self.dropout and self.training:
                x = F.dropout(x, self.dropout, True)
            outs = []
            for direction in range(num_directions):
                k = layer * num_directions + direction
                weights = [getattr(self, n) for n in self._all_weights[k]]
                result = self._layer(x, [s[k] for s in states], weights, batch_sizes, direction)
                outs.append(result[0])
                for final, state in zip(finals, result[1:]):
                    final.append(state)
            x = outs[0] if num_directions == 1 else cat(outs, 1)
        return x, [stack(f) for f in finals]

    def _layer(self, x, states, weights, batch_sizes, direction) -> tuple:
        w_ih, w_hh, b_ih, b_hh = weights if self.bias else (*weights, None, None)
        attrs = {"batch_sizes": batch_sizes, "reverse": direction == 1}
        if self.mode == "GRU":
            return recurrent.GRULayer.apply(x, states[0], w_ih, w_hh, b_ih, b_hh, **attrs)[:2]
        attrs["nonlinearity"] = "tanh" if self.mode == "RNN_TANH" else "relu"
        return recurrent.RNNLayer.apply(x, states[0], w_ih, w_hh, b_ih, b_hh, **attrs)[:2]


def _check_args(input_size, hidden_size, num_layers, bias, batch_first, dropout, proj_size):
    if (
        not isinstance(dropout, numbers.Number)
        or not 0 <= dropout <= 1
        or isinstance(dropout, bool)
    ):
        raise ValueError(
            "dropout should be a number in range [0, 1] representing the probability of an "
            "element being zeroed"
        )
    if dropout > 0 and num_layers == 1:
        warnings.warn(
            "dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
            f"expects num_layers greater than 1, but got dropout={dropout} and "
            f"num_layers={num_layers}",
            stacklevel=3,
        )
    for name, value, kind in (
        ("bias", bias, bool),
        ("batch_first", batch_first, bool),
        ("input_size", input_size, int),
        ("hidden_size", hidden_size, int),
    ):
        if not isinstance(value, kind):
            raise TypeError(
                f"{name} should be of type {kind.__name__}, got: {type(value).__name__}"
            )
        if kind is int and value <= 0:
            raise ValueError(f"{name} must be greater than zero")
    if num_layers <= 0:
        raise ValueError("num_layers must be greater than zero")
    if proj_size < 0:
        raise ValueError("proj_size should be a positive integer or zero to disable projections")
    if proj_size >= hidden_size:
        raise ValueError("proj_size has to be smaller than hidden_size")


class RNN(RNNBase):
    """Elman RNN: ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)`` (or relu).

    ``RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True,
    batch_first=False, dropout=0.0, bidirectional=False)``; returns ``(output, h_n)``.

    Example:
        >>> rnn = jtorch.nn.RNN(4, 3, nonlinearity="relu", bidirectional=True)
        >>> out, h = rnn(jtorch.randn(5, 2, 4))
        >>> out.shape, h.shape
        (torch.Size([5, 2, 6]), torch.Size([2, 2, 3]))
    """

    def __init__(self, *args, **kwargs) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(
                f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' or 'relu'."
            )
        super().__init__(mode, *args, **kwargs)


class LSTM(RNNBase):
    """Long short-term memory, optionally with projections (``proj_size``); returns
    ``(output, (h_n, c_n))``.

    Example:
        >>> lstm = jtorch.nn.LSTM(4, 3, proj_size=2, batch_first=True)
        >>> out, (h, c) = lstm(jtorch.randn(2, 5, 4))
        >>> out.shape, h.shape, c.shape
        (torch.Size([2, 5, 2]), torch.Size([1, 2, 2]), torch.Size([1, 2, 3]))
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__("LSTM", *args, **kwargs)

    def get_expected_cell_size(self, input: Tensor, batch_sizes) -> tuple[int, int, int]:
        layers, mini_batch, _ = self.get_expected_hidden_size(input, batch_sizes)
        return (layers, mini_batch, self.hidden_size)

    def check_forward_args(self, input: Tensor, hidden: tuple, batch_sizes) -> None:
        self.check_input(input, batch_sizes)
        self.check_hidden_size(
            hidden[0],
            self.get_expected_hidden_size(input, batch_sizes),
            "Expected hidden[0] size {}, got {}",
        )
        self.check_hidden_size(
            hidden[1],
            self.get_expected_cell_size(input, batch_sizes),
            "Expected hidden[1] size {}, got {}",
        )

    def permute_hidden(self, hx: tuple, permutation: Tensor | None) -> tuple:
        if permutation is None:
            return hx
        return _apply_permutation(hx[0], permutation), _apply_permutation(hx[1], permutation)

    def _zero_state_sizes(self) -> list[int]:
        return [self.proj_size if self.proj_size > 0 else self.hidden_size, self.hidden_size]

    def _unpack_hx(self, hx) -> list:
        return list(hx)

    def _pack_hx(self, states: list):
        return tuple(states)

    def _check_hx_dims(self, hx, is_batched: bool):
        dims = (hx[0].dim(), hx[1].dim())
        if is_batched:
            if dims != (3, 3):
                raise RuntimeError(
                    "For batched 3-D input, hx and cx should also be 3-D but got "
                    f"({dims[0]}-D, {dims[1]}-D) tensors"
                )
            return hx
        if dims != (2, 2):
            raise RuntimeError(
                "For unbatched 2-D input, hx and cx should also be 2-D but got "
                f"({dims[0]}-D, {dims[1]}-D) tensors"
            )
        return (hx[0].unsqueeze(1), hx[1].unsqueeze(1))

    def _squeeze_hidden(self, hidden):
        return (hidden[0].squeeze(1), hidden[1].squeeze(1))

    def _layer(self, x, states, weights, batch_sizes, direction) -> tuple:
        w_ih, w_hh, *rest = weights
        b_ih, b_hh = rest[:2] if self.bias else (None, None)
        w_hr = rest[-1] if self.proj_size > 0 else None
        return recurrent.LSTMLayer.apply(
            x, states[0], states[1], w_ih, w_hh, b_ih, b_hh, w_hr,
            batch_sizes=batch_sizes, reverse=direction == 1,
        )[:3]  # fmt: skip


class GRU(RNNBase):
    """Gated recurrent unit; returns ``(output, h_n)``.

    Example:
        >>> gru = jtorch.nn.GRU(4, 3, num_layers=2)
        >>> out, h = gru(jtorch.randn(5, 4))  # unbatched
        >>> out.shape, h.shape
        (torch.Size([5, 3]), torch.Size([2, 3]))
    """

    def __init__(self, *args, **kwargs) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)


class RNNCellBase(Module):
    """What the cells share: ``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh``."""

    __constants__ = ["input_size", "hidden_size", "bias"]

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool, num_chunks: int, device=None,
        dtype=None,
    ) -> None:  # fmt: skip
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        kw = {"device": device, "dtype": dtype}
        self.weight_ih = Parameter(empty((num_chunks * hidden_size, input_size), **kw))
        self.weight_hh = Parameter(empty((num_chunks * hidden_size, hidden_size), **kw))
        if bias:
            self.bias_ih = Parameter(empty(num_chunks * hidden_size, **kw))
            self.bias_hh = Parameter(empty(num_chunks * hidden_size, **kw))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self) -> str:
        s = "{input_size}, {hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += ", bias={bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _batched(self, input: Tensor, hx, hx_names: tuple) -> tuple:
        """``(input, hx, is_batched)`` with a batch dimension and zero states by default."""
        name = type(self).__name__
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        for label, value in zip(hx_names, hx if isinstance(hx, tuple) else (hx,)):
            if value is not None and value.dim() not in (1, 2):
                raise ValueError(
                    f"{name}: Expected {label} to be 1D or 2D, got {value.dim()}D instead"
                )
        is_batched = input.dim() == 2
        if not is_batched:
            input = input.unsqueeze(0)
        if hx is None:
            hx = zeros(input.size(0), self.hidden_size, dtype=input.dtype, device=input.device)
            hx = (hx, hx) if len(hx_names) == 2 else hx
        elif not is_batched:
            hx = tuple(h.unsqueeze(0) for h in hx) if isinstance(hx, tuple) else hx.unsqueeze(0)
        return input, hx, is_batched


class RNNCell(RNNCellBase):
    """One Elman RNN step, ``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)`` (or relu).

    Example:
        >>> cell = jtorch.nn.RNNCell(4, 3, nonlinearity="relu")
        >>> cell(jtorch.randn(2, 4)).shape, cell
        (torch.Size([2, 3]), RNNCell(4, 3, nonlinearity=relu))
    """

    __constants__ = ["input_size", "hidden_size", "bias", "nonlinearity"]

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
        device=None, dtype=None,
    ) -> None:  # fmt: skip
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        input, hx, is_batched = self._batched(input, hx, ("hidden",))
        if self.nonlinearity == "tanh":
            cell = recurrent.rnn_tanh_cell
        elif self.nonlinearity == "relu":
            cell = recurrent.rnn_relu_cell
        else:
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        ret = cell(input, hx, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return ret if is_batched else ret.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step: ``(h', c')`` from ``input`` and ``(h, c)``.

    Example:
        >>> h, c = jtorch.nn.LSTMCell(4, 3)(jtorch.randn(4))
        >>> h.shape, c.shape
        (torch.Size([3]), torch.Size([3]))
    """

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input: Tensor, hx: tuple | None = None) -> tuple[Tensor, Tensor]:
        input, hx, is_batched = self._batched(input, hx, ("hx[0]", "hx[1]"))
        h, c = recurrent.lstm_cell(
            input, hx, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh
        )
        return (h, c) if is_batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step: ``h'`` from ``input`` and ``h``.

    Example:
        >>> jtorch.nn.GRUCell(4, 3, bias=False)
        GRUCell(4, 3, bias=False)
    """

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        input, hx, is_batched = self._batched(input, hx, ("hidden",))
        ret = recurrent.gru_cell(
            input, hx, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh
        )
        return ret if is_batched else ret.squeeze(0)
