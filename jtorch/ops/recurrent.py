"""Fused recurrent layers: one Function runs one direction of one RNN, LSTM or GRU layer.

A layer's input is 2-D packed data ``(N, input_size)``: a padded ``(T, B, input_size)`` sequence
flattened to ``T * B`` rows (``batch_sizes=None``: every step has ``B`` rows), or the ``data`` of
a PackedSequence with its ``batch_sizes`` (step t reads the next ``batch_sizes[t]`` rows and
updates the first ``batch_sizes[t]`` rows of the state). Forward projects every step with one
GEMM on ``W_ih``, then runs one GEMM on ``W_hh`` per step and applies the gate nonlinearities in
place. It returns the output rows, the final state(s) and a workspace (activations and previous
states, as cuDNN's reserve buffer) that backward reads. Backward runs the recurrence in reverse
on arrays, collecting the gate gradients of all steps, then forms the input and weight gradients
with one GEMM each.

NOTE: with ``create_graph=True`` backward instead rebuilds the layer from differentiable Tensor
ops (the same equations, ``_*_reference``) and differentiates that graph, so higher-order
gradients are exact while first-order backward stays on raw arrays.

Example:
    >>> import jtorch
    >>> from jtorch.ops.recurrent import lstm_cell
    >>> x, h, c = jtorch.ones(1, 2), jtorch.zeros(1, 3), jtorch.zeros(1, 3)
    >>> w_ih, w_hh = jtorch.full((12, 2), 0.1), jtorch.full((12, 3), 0.1)
    >>> lstm_cell(x, (h, c), w_ih, w_hh)[0]
    tensor([[0.0594, 0.0594, 0.0594]])
"""

from __future__ import annotations

from itertools import accumulate

from jtorch import _parallel as parallel
from jtorch._tensor import Tensor
from jtorch.autograd.function import Function
from jtorch.autograd.grad_mode import STATE
from jtorch.backend import get_array_module as xp_of

__all__ = ["lstm_cell", "gru_cell", "rnn_tanh_cell", "rnn_relu_cell"]


def _steps(n: int, batch: int, batch_sizes, reverse: bool) -> list[tuple[int, int]]:
    """``(first row, rows)`` of each step in processing order."""
    if batch_sizes is None:
        steps = [(start, batch) for start in range(0, n, batch)]
    else:
        steps = list(zip(accumulate(batch_sizes, initial=0), batch_sizes))
    return steps[::-1] if reverse else steps


def _project(x, w_ih, b_ih, b_hh):
    """``x @ w_ih.T + biases`` for all steps at once: one GEMM, ``(N, gates)``."""
    gates = parallel.matmul(x, w_ih.T)
    for b in (b_ih, b_hh):
        if b is not None:
            gates += b
    return gates


def _activate_(xp, a, scale, shift) -> None:
    """In place ``scale * tanh(scale * a) + shift``: sigmoid where (scale, shift) = (0.5, 0.5),
    tanh where (1, 0), so one tanh call covers gates of both kinds."""
    # NOTE: sigmoid(x) = 0.5 * tanh(0.5 * x) + 0.5: no temporaries and no exp overflow.
    a *= scale
    xp.tanh(a, out=a)
    a *= scale
    a += shift


def _param_grads(need, k: int, dgx, dgh, x, hp, w_ih, w_hh) -> tuple:
    """Grads of (x, w_ih, w_hh, b_ih, b_hh) from the gate grads of all steps; ``k`` is the input
    index of ``w_ih``."""
    db_ih = dgx.sum(0) if need[k + 2] else None
    if not need[k + 3]:
        db_hh = None
    elif dgh is dgx and db_ih is not None:  # one set of gate grads (RNN, LSTM): sum it once
        db_hh = db_ih.copy()
    else:
        db_hh = dgh.sum(0)
    return (
        parallel.matmul(dgx, w_ih) if need[0] else None,
        parallel.matmul(dgx.T, x) if need[k] else None,
        parallel.matmul(dgh.T, hp) if need[k + 1] else None,
        db_ih,
        db_hh,
    )


def _wrap(*arrays) -> tuple:
    return tuple(None if a is None else Tensor._make(a) for a in arrays)


def _differentiate(ctx, reference, grads: tuple) -> tuple:
    """Input grads of the composite ``reference`` layer, recorded (for create_graph)."""
    from jtorch.autograd import grad  # noqa: PLC0415

    need = ctx.needs_input_grad
    # NOTE: views of the inputs are the targets, so the sweep stops there and never walks into
    # (or wrongly accumulates along) the graph that produced the inputs.
    inputs = [t.view_as(t) if n else t for t, n in zip(ctx.saved_inputs, need)]
    outs = reference(*inputs, **ctx.attrs)
    got = iter(
        grad(
            outs,
            [t for t, n in zip(inputs, need) if n],
            grads[: len(outs)],
            create_graph=True,
            allow_unused=True,
        )
    )
    return tuple(next(got) if n else None for n in need)


def _update_rows(state: Tensor, new: Tensor, bs: int) -> Tensor:
    from jtorch import cat  # noqa: PLC0415

    return new if bs == state.shape[0] else cat([new, state[bs:]])


def _rows_in_order(outs: dict) -> Tensor:
    from jtorch import cat  # noqa: PLC0415

    return cat([outs[k] for k in sorted(outs)])


def _reference_steps(x, h0, w_ih, b_ih, b_hh, batch_sizes, reverse):
    gx = parallel.matmul(x, w_ih.T)
    for b in (b_ih, b_hh):
        if b is not None:
            gx = gx + b
    return gx, _steps(x.shape[0], h0.shape[0], batch_sizes, reverse)


class LSTMLayer(Function):
    """One LSTM layer direction: inputs ``(x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr)`` (biases and
    ``w_hr`` may be None), outputs ``(output, h_n, c_n)`` and two workspaces: the gate
    activations ``(N, 4H)`` and ``[c_prev, tanh(c), h_prev]`` per row."""

    node_name = "MkldnnRnnLayerBackward0"
    differentiable_outputs = (0, 1, 2)

    @staticmethod
    def forward(ctx, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, batch_sizes=None, reverse=False):
        xp = xp_of(x)
        hid, r = w_ih.shape[0] // 4, w_hh.shape[1]
        acts = _project(x, w_ih, b_ih, b_hh)
        ws = xp.empty((x.shape[0], 2 * hid + r), dtype=x.dtype)
        cp, tc, hp = ws[:, :hid], ws[:, hid : 2 * hid], ws[:, 2 * hid :]
        out = xp.empty((x.shape[0], r), dtype=x.dtype)
        h, c = h0.copy(), c0.copy()
        tmp, rec = xp.empty_like(c), xp.empty((h.shape[0], 4 * hid), dtype=x.dtype)
        scale = xp.full(4 * hid, 0.5, dtype=x.dtype)
        scale[2 * hid : 3 * hid] = 1
        shift = 1 - scale
        w_hh_t = w_hh.T
        for start, bs in _steps(x.shape[0], h.shape[0], batch_sizes, reverse):
            rows = slice(start, start + bs)
            hb, cb, t, g = h[:bs], c[:bs], tmp[:bs], acts[rows]
            hp[rows] = hb
            cp[rows] = cb
            g += xp.matmul(hb, w_hh_t, out=rec[:bs])
            _activate_(xp, g, scale, shift)
            cb *= g[:, hid : 2 * hid]
            cb += xp.multiply(g[:, :hid], g[:, 2 * hid : 3 * hid], out=t)
            tcb = tc[rows]
            xp.tanh(cb, out=tcb)
            if w_hr is None:
                xp.multiply(g[:, 3 * hid :], tcb, out=hb)
            else:
                xp.matmul(xp.multiply(g[:, 3 * hid :], tcb, out=t), w_hr.T, out=hb)
            out[rows] = hb
        ctx.retain_inputs(0, 1, 2, 3, 4, 5, 6, 7)
        ctx.retain_outputs(3, 4)
        ctx.attrs = {"batch_sizes": batch_sizes, "reverse": reverse}
        return out, h, c, acts, ws

    @staticmethod
    def backward(ctx, dout, dh_n, dc_n, *_):
        if STATE.enabled:
            return _differentiate(ctx, _lstm_reference, (dout, dh_n, dc_n))
        x, _, _, w_ih, w_hh, _, _, w_hr = (
            t._array if isinstance(t, Tensor) else t for t in ctx.saved_inputs
        )
        acts, ws = (t._array for t in ctx.saved_outputs)
        xp = xp_of(ws)
        hid = acts.shape[1] // 4
        i, f, g, o = (acts[:, k * hid : (k + 1) * hid] for k in range(4))
        cp, tc, hp = ws[:, :hid], ws[:, hid : 2 * hid], ws[:, 2 * hid :]
        # NOTE: the gate grads of a step are [dc, dc, dc, dh] * m, with m (the activation
        # derivative times the other factor of each gate's product) computed for all steps here.
        m = acts * acts
        for k, (act, other) in enumerate(((i, g), (f, cp), (g, i), (o, tc))):
            mk = m[:, k * hid : (k + 1) * hid]
            xp.subtract(1 if k == 2 else act, mk, out=mk)  # tanh' = 1 - a^2, sigmoid' = a - a^2
            mk *= other
        dc_from_h = tc * tc  # o * (1 - tanh(c)^2): how dh reaches dc
        xp.subtract(1, dc_from_h, out=dc_from_h)
        dc_from_h *= o
        dout = dout._array
        dh, dc = dh_n._array.copy(), dc_n._array.copy()
        tmp = xp.empty_like(dc)
        dhp = None if w_hr is None else xp.empty_like(dout)
        steps = _steps(ws.shape[0], dh.shape[0], ctx.attrs["batch_sizes"], ctx.attrs["reverse"])
        for start, bs in reversed(steps):
            rows = slice(start, start + bs)
            dhb, dcb, mb = dh[:bs], dc[:bs], m[rows]
            dhb += dout[rows]
            if w_hr is None:
                dhr = dhb
            else:
                dhp[rows] = dhb
                dhr = xp.matmul(dhb, w_hr, out=tmp[:bs])
            mb[:, 3 * hid :] *= dhr
            dcb += xp.multiply(dhr, dc_from_h[rows], out=tmp[:bs])
            gates3 = mb[:, : 3 * hid].reshape(bs, 3, hid)
            gates3 *= dcb[:, None]
            dcb *= f[rows]
            xp.matmul(mb, w_hh, out=dhb)
        need = ctx.needs_input_grad
        dx, dw_ih, dw_hh, db_ih, db_hh = _param_grads(need, 3, m, m, x, hp, w_ih, w_hh)
        dw_hr = parallel.matmul(dhp.T, o * tc) if need[7] else None
        dh0 = dh if need[1] else None
        dc0 = dc if need[2] else None
        return _wrap(dx, dh0, dc0, dw_ih, dw_hh, db_ih, db_hh, dw_hr)


def _lstm_reference(x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, batch_sizes=None, reverse=False):
    gx, steps = _reference_steps(x, h0, w_ih, b_ih, b_hh, batch_sizes, reverse)
    h, c, outs = h0, c0, {}
    for start, bs in steps:
        i, f, g, o = (gx[start : start + bs] + h[:bs] @ w_hh.T).chunk(4, 1)
        c_new = f.sigmoid() * c[:bs] + i.sigmoid() * g.tanh()
        h_new = o.sigmoid() * c_new.tanh()
        if w_hr is not None:
            h_new = h_new @ w_hr.T
        outs[start] = h_new
        h, c = _update_rows(h, h_new, bs), _update_rows(c, c_new, bs)
    return _rows_in_order(outs), h, c


class GRULayer(Function):
    """One GRU layer direction: inputs ``(x, h0, w_ih, w_hh, b_ih, b_hh)``, outputs
    ``(output, h_n)`` and two workspaces: the activations ``[r, z, n]`` and
    ``[W_hn h + b_hn, h_prev]`` per row."""

    differentiable_outputs = (0, 1)

    @staticmethod
    def forward(ctx, x, h0, w_ih, w_hh, b_ih, b_hh, batch_sizes=None, reverse=False):
        xp = xp_of(x)
        hid = w_hh.shape[1]
        acts = _project(x, w_ih, b_ih, None)
        ws = xp.empty((x.shape[0], 2 * hid), dtype=x.dtype)
        ghn, hp = ws[:, :hid], ws[:, hid:]
        out = xp.empty((x.shape[0], hid), dtype=x.dtype)
        h = h0.copy()
        gh = xp.empty((h.shape[0], 3 * hid), dtype=x.dtype)
        w_hh_t = w_hh.T
        for start, bs in _steps(x.shape[0], h.shape[0], batch_sizes, reverse):
            rows = slice(start, start + bs)
            hb, ghb, g = h[:bs], gh[:bs], acts[rows]
            hp[rows] = hb
            xp.matmul(hb, w_hh_t, out=ghb)
            if b_hh is not None:
                ghb += b_hh
            rz, n = g[:, : 2 * hid], g[:, 2 * hid :]
            rz += ghb[:, : 2 * hid]
            _activate_(xp, rz, 0.5, 0.5)
            ghn[rows] = ghb[:, 2 * hid :]
            n += xp.multiply(g[:, :hid], ghb[:, 2 * hid :], out=ghb[:, :hid])
            xp.tanh(n, out=n)
            hb -= n  # h' = n + z * (h - n)
            hb *= g[:, hid : 2 * hid]
            hb += n
            out[rows] = hb
        ctx.retain_inputs(0, 1, 2, 3, 4, 5)
        ctx.retain_outputs(2, 3)
        ctx.attrs = {"batch_sizes": batch_sizes, "reverse": reverse}
        return out, h, acts, ws

    @staticmethod
    def backward(ctx, dout, dh_n, *_):
        if STATE.enabled:
            return _differentiate(ctx, _gru_reference, (dout, dh_n))
        x, _, w_ih, w_hh, _, _ = (
            t._array if isinstance(t, Tensor) else t for t in ctx.saved_inputs
        )
        acts, ws = (t._array for t in ctx.saved_outputs)
        xp = xp_of(ws)
        hid = w_hh.shape[1]
        r, z, n = (acts[:, k * hid : (k + 1) * hid] for k in range(3))
        ghn, hp = ws[:, :hid], ws[:, hid:]
        a_n = (1 - z) * (1 - n * n)  # dn_pre = dh * a_n
        a_z = (hp - n) * z * (1 - z)  # dz_pre = dh * a_z
        a_r = ghn * r * (1 - r)  # dr_pre = dn_pre * a_r
        dgx = xp.empty_like(acts)
        dgh = xp.empty_like(acts)
        dout = dout._array
        dh = dh_n._array.copy()
        tmp = xp.empty_like(dh)
        steps = _steps(ws.shape[0], dh.shape[0], ctx.attrs["batch_sizes"], ctx.attrs["reverse"])
        for start, bs in reversed(steps):
            rows = slice(start, start + bs)
            dhb, gx, gh = dh[:bs], dgx[rows], dgh[rows]
            dhb += dout[rows]
            dn = xp.multiply(dhb, a_n[rows], out=gx[:, 2 * hid :])
            xp.multiply(dhb, a_z[rows], out=gx[:, hid : 2 * hid])
            xp.multiply(dn, a_r[rows], out=gx[:, :hid])
            gh[:, : 2 * hid] = gx[:, : 2 * hid]
            xp.multiply(dn, r[rows], out=gh[:, 2 * hid :])
            dhb *= z[rows]
            dhb += xp.matmul(gh, w_hh, out=tmp[:bs])
        need = ctx.needs_input_grad
        dx, dw_ih, dw_hh, db_ih, db_hh = _param_grads(need, 2, dgx, dgh, x, hp, w_ih, w_hh)
        return _wrap(dx, dh if need[1] else None, dw_ih, dw_hh, db_ih, db_hh)


def _gru_reference(x, h0, w_ih, w_hh, b_ih, b_hh, batch_sizes=None, reverse=False):
    gx, steps = _reference_steps(x, h0, w_ih, b_ih, None, batch_sizes, reverse)
    h, outs = h0, {}
    for start, bs in steps:
        gh = h[:bs] @ w_hh.T
        if b_hh is not None:
            gh = gh + b_hh
        xr, xz, xn = gx[start : start + bs].chunk(3, 1)
        hr, hz, hn = gh.chunk(3, 1)
        r, z = (xr + hr).sigmoid(), (xz + hz).sigmoid()
        n = (xn + r * hn).tanh()
        h_new = n + z * (h[:bs] - n)
        outs[start] = h_new
        h = _update_rows(h, h_new, bs)
    return _rows_in_order(outs), h


class RNNLayer(Function):
    """One Elman RNN layer direction (``nonlinearity`` tanh or relu): inputs
    ``(x, h0, w_ih, w_hh, b_ih, b_hh)``, outputs ``(output, h_n)`` and the workspace ``h_prev``
    per row."""

    differentiable_outputs = (0, 1)

    @staticmethod
    def forward(
        ctx, x, h0, w_ih, w_hh, b_ih, b_hh, batch_sizes=None, reverse=False, nonlinearity="tanh"
    ):
        xp = xp_of(x)
        out = _project(x, w_ih, b_ih, b_hh)
        hp = xp.empty_like(out)
        h = h0.copy()
        w_hh_t = w_hh.T
        for start, bs in _steps(x.shape[0], h.shape[0], batch_sizes, reverse):
            rows = slice(start, start + bs)
            hb, g = h[:bs], out[rows]
            hp[rows] = hb
            g += hb @ w_hh_t
            if nonlinearity == "tanh":
                xp.tanh(g, out=g)
            else:
                xp.maximum(g, 0, out=g)
            hb[...] = g
        ctx.retain_inputs(0, 1, 2, 3, 4, 5)
        ctx.retain_outputs(0, 2)
        ctx.attrs = {"batch_sizes": batch_sizes, "reverse": reverse, "nonlinearity": nonlinearity}
        return out, h, hp

    @staticmethod
    def backward(ctx, dout, dh_n, _):
        if STATE.enabled:
            return _differentiate(ctx, _rnn_reference, (dout, dh_n))
        x, _, w_ih, w_hh, _, _ = (
            t._array if isinstance(t, Tensor) else t for t in ctx.saved_inputs
        )
        act, hp = (t._array for t in ctx.saved_outputs)
        xp = xp_of(act)
        if ctx.attrs["nonlinearity"] == "tanh":
            dact = 1 - act * act
        else:
            dact = (act > 0).astype(act.dtype)
        dout = dout._array
        dh = dh_n._array.copy()
        steps = _steps(act.shape[0], dh.shape[0], ctx.attrs["batch_sizes"], ctx.attrs["reverse"])
        for start, bs in reversed(steps):
            rows = slice(start, start + bs)
            dhb = dh[:bs]
            dhb += dout[rows]
            dg = dact[rows]
            dg *= dhb
            xp.matmul(dg, w_hh, out=dhb)
        need = ctx.needs_input_grad
        dx, dw_ih, dw_hh, db_ih, db_hh = _param_grads(need, 2, dact, dact, x, hp, w_ih, w_hh)
        return _wrap(dx, dh if need[1] else None, dw_ih, dw_hh, db_ih, db_hh)


def _rnn_reference(
    x, h0, w_ih, w_hh, b_ih, b_hh, batch_sizes=None, reverse=False, nonlinearity="tanh"
):
    gx, steps = _reference_steps(x, h0, w_ih, b_ih, b_hh, batch_sizes, reverse)
    h, outs = h0, {}
    for start, bs in steps:
        pre = gx[start : start + bs] + h[:bs] @ w_hh.T
        h_new = pre.tanh() if nonlinearity == "tanh" else pre.relu()
        outs[start] = h_new
        h = _update_rows(h, h_new, bs)
    return _rows_in_order(outs), h


# -- one step (torch.lstm_cell & co.): the layer Functions on a single step of B rows ----------


def lstm_cell(
    input: Tensor, hx: tuple, w_ih: Tensor, w_hh: Tensor, b_ih=None, b_hh=None
) -> tuple[Tensor, Tensor]:
    """One LSTM step: ``(h', c')`` from input ``(B, I)`` and ``hx = (h, c)``.

    Example:
        >>> x, h = jtorch.ones(1, 1), jtorch.zeros(1, 1)
        >>> lstm_cell(x, (h, h), jtorch.ones(4, 1), jtorch.ones(4, 1))[1]
        tensor([[0.5568]])
    """
    return LSTMLayer.apply(input, hx[0], hx[1], w_ih, w_hh, b_ih, b_hh, None)[1:3]


def gru_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih=None, b_hh=None) -> Tensor:
    """One GRU step: ``h'`` from input ``(B, I)`` and ``hx`` ``(B, H)``.

    Example:
        >>> x, h = jtorch.ones(1, 1), jtorch.zeros(1, 1)
        >>> gru_cell(x, h, jtorch.ones(3, 1), jtorch.ones(3, 1))
        tensor([[0.2048]])
    """
    return GRULayer.apply(input, hx, w_ih, w_hh, b_ih, b_hh)[1]


def rnn_tanh_cell(
    input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih=None, b_hh=None
) -> Tensor:
    """One Elman RNN step with tanh: ``tanh(input @ w_ih.T + b_ih + hx @ w_hh.T + b_hh)``.

    Example:
        >>> rnn_tanh_cell(jtorch.ones(1, 1), jtorch.zeros(1, 1), jtorch.ones(1, 1), jtorch.ones(1, 1))
        tensor([[0.7616]])
    """
    return RNNLayer.apply(input, hx, w_ih, w_hh, b_ih, b_hh)[1]


def rnn_relu_cell(
    input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih=None, b_hh=None
) -> Tensor:
    """One Elman RNN step with relu: ``relu(input @ w_ih.T + b_ih + hx @ w_hh.T + b_hh)``.

    Example:
        >>> rnn_relu_cell(jtorch.ones(1, 1), jtorch.zeros(1, 1), -jtorch.ones(1, 1), jtorch.ones(1, 1))
        tensor([[0.]])
    """
    return RNNLayer.apply(input, hx, w_ih, w_hh, b_ih, b_hh, nonlinearity="relu")[1]
