"""Fused recurrent layers: one Function runs one direction of one RNN, LSTM or GRU layer.

A layer's input is 2-D packed data ``(N, input_size)``: a padded ``(T, B, input_size)`` sequence
flattened to ``T * B`` rows (``batch_sizes=None``: every step has ``B`` rows), or the ``data`` of
a PackedSequence with its ``batch_sizes`` (step t reads the next ``batch_sizes[t]`` rows and
updates the first ``batch_sizes[t]`` rows of the state). Forward runs one GEMM on ``W_hh`` per
step and applies the gate nonlinearities in place, while a worker projects the input on ``W_ih``
a few steps ahead. It returns the output rows, the final state(s) and a workspace (activations
and previous states, as cuDNN's reserve buffer) that backward reads. Backward runs the
recurrence in reverse on arrays while the worker prepares the activation derivatives ahead of it
and sums the weight gradients behind it; the input gradient is one GEMM at the end.

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

import numpy as np

from jtorch import _parallel as parallel
from jtorch._tensor import Tensor
from jtorch.autograd.function import Function
from jtorch.autograd.grad_mode import STATE
from jtorch.backend import get_array_module as xp_of
from jtorch.ops.elementwise import _sigmoid_of_negated_

__all__ = ["lstm_cell", "gru_cell", "rnn_tanh_cell", "rnn_relu_cell"]


def _steps(n: int, batch: int, batch_sizes, reverse: bool) -> list[tuple[int, int]]:
    """``(first row, rows)`` of each step in processing order."""
    if batch_sizes is None:
        steps = [(start, batch) for start in range(0, n, batch)] if batch else []
    else:
        steps = list(zip(accumulate(batch_sizes, initial=0), batch_sizes))
    return steps[::-1] if reverse else steps


_CHUNK = 5  # steps per pipelined job


class _Pipelined:
    """A layer's loop over ``steps`` (processing order) with a worker beside it: ``ahead(lo, hi)``
    jobs prepare each chunk of rows before the loop reaches it, ``behind(lo, hi)`` jobs consume
    a chunk once the loop is done with it. In the loop, ``before(i)`` waits for step ``i``'s rows
    and ``after(i)`` hands finished rows on. ``work`` is the layer's ``(x, w_ih)``: smaller
    than a split GEMM's worth of projection, or on one chunk, the jobs run inline.

    NOTE: the recurrence itself is serial; what is not (the input projection in forward, the
    activation derivatives and the weight grads in backward) runs on the second core meanwhile.
    """

    def __init__(self, steps: list, work: tuple, ahead, behind=None) -> None:
        groups = [steps[:1]] + [steps[i : i + _CHUNK] for i in range(1, len(steps), _CHUNK)]
        groups = [g for g in groups if g]
        self.ranges = [(min(s for s, _ in g), max(s + b for s, b in g)) for g in groups]
        self.upto = [k + 1 for k, g in enumerate(groups) for _ in g]  # chunks step i waits for
        self.ends = {i: k for i, k in enumerate(self.upto[:-1]) if self.upto[i + 1] != k}
        self.ends[len(steps) - 1] = len(groups)  # step i -> chunks done after it (1-based)
        self.ahead, self.behind = ahead, behind
        x, w_ih = work
        big = type(x) is np.ndarray and x.size * w_ih.shape[0] >= parallel.SPLIT_MACS
        self.jobs = parallel.Pipeline(threaded=big and len(groups) > 1)

    def __enter__(self) -> _Pipelined:
        for lo, hi in self.ranges:
            self.jobs.submit(self.ahead, lo, hi)
        return self

    def before(self, i: int) -> None:
        self.jobs.wait(self.upto[i])

    def after(self, i: int) -> None:
        if self.behind is not None and i in self.ends:
            self.jobs.submit(self.behind, *self.ranges[self.ends[i] - 1])

    def __exit__(self, *exc) -> None:
        self.jobs.__exit__(*exc)


def _projector(xp, x, w_ih, b_ih, b_hh, out):
    """The job that writes rows ``lo:hi`` of ``x @ w_ih.T + biases`` into ``out``."""
    w_t = w_ih.T

    def project(lo: int, hi: int) -> None:
        rows = xp.matmul(x[lo:hi], w_t, out=out[lo:hi])
        for b in (b_ih, b_hh):
            if b is not None:
                rows += b

    return project


class _WeightGrads:
    """The job that adds rows ``lo:hi``'s share of ``dgx.T @ x``, ``dgh.T @ hp`` and the bias
    grads (the column sums) into ``grads``; ``k`` is the input index of ``w_ih``."""

    def __init__(self, need, k: int, dgx, dgh, x, hp) -> None:
        self.terms = [(j, g, a) for j, g, a in ((0, dgx, x), (1, dgh, hp)) if need[k + j]]
        self.sums = [(j, g) for j, g in ((0, dgx), (1, dgh)) if need[k + 2 + j]]
        if len(self.sums) == 2 and dgh is dgx:  # one set of gate grads (RNN, LSTM): sum it once
            self.sums = self.sums[:1]
        self.grads: list = [None] * 4

    def __call__(self, lo: int, hi: int) -> None:
        acc = self.grads
        for j, g, a in self.terms:
            part = g[lo:hi].T @ a[lo:hi]
            acc[j] = part if acc[j] is None else acc[j].__iadd__(part)
        for j, g in self.sums:
            part = g[lo:hi].sum(0)
            acc[2 + j] = part if acc[2 + j] is None else acc[2 + j].__iadd__(part)

    def result(self, need, k: int) -> tuple:
        """(w_ih, w_hh, b_ih, b_hh) grads once every job has run."""
        if all(g is None for g in self.grads):  # no rows at all: zeros of the right shapes
            self(0, 0)
        dw_ih, dw_hh, db_ih, db_hh = self.grads
        if need[k + 3] and db_hh is None:
            db_hh = db_ih.copy()
        return dw_ih, dw_hh, db_ih if need[k + 2] else None, db_hh


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
    gx = x @ w_ih.T
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
        acts = xp.empty((x.shape[0], 4 * hid), dtype=x.dtype)
        ws = xp.empty((x.shape[0], 2 * hid + r), dtype=x.dtype)
        cp, tc, hp = ws[:, :hid], ws[:, hid : 2 * hid], ws[:, 2 * hid :]
        out = xp.empty((x.shape[0], r), dtype=x.dtype)
        h, c = h0.copy(), c0.copy()
        tmp, rec = xp.empty_like(c), xp.empty((h.shape[0], 4 * hid), dtype=x.dtype)
        # NOTE: tanh(x) = 2 * sigmoid(2x) - 1, so one exp covers all four gates; the weights
        # and biases come scaled by -1 (-2 for the g gate), exactly, so the GEMMs give -x.
        num = xp.ones(4 * hid, dtype=x.dtype)
        num[2 * hid : 3 * hid] = 2
        scale = -num[:, None]
        b_ih, b_hh = (None if b is None else b * scale[:, 0] for b in (b_ih, b_hh))
        w_hh_t = xp.ascontiguousarray((w_hh * scale).T)  # NOTE: 10% faster GEMM than a view
        steps = _steps(x.shape[0], h.shape[0], batch_sizes, reverse)
        project = _projector(xp, x, w_ih * scale, b_ih, b_hh, acts)
        with _Pipelined(steps, (x, w_ih), project) as loop, np.errstate(over="ignore"):
            for n, (start, bs) in enumerate(steps):
                rows = slice(start, start + bs)
                hb, cb, t, g = h[:bs], c[:bs], tmp[:bs], acts[rows]
                hp[rows] = hb
                cp[rows] = cb
                xp.matmul(hb, w_hh_t, out=rec[:bs])
                loop.before(n)
                g += rec[:bs]
                _sigmoid_of_negated_(xp, g, num)
                gg = g[:, 2 * hid : 3 * hid]
                gg -= 1
                cb *= g[:, hid : 2 * hid]
                cb += xp.multiply(g[:, :hid], gg, out=t)
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
        # derivative times the other factor of each gate's product) prepared ahead by chunks.
        m, dc_from_h = xp.empty_like(acts), xp.empty_like(tc)

        def prepare(lo: int, hi: int) -> None:
            mr = xp.multiply(acts[lo:hi], acts[lo:hi], out=m[lo:hi])
            for k, (act, other) in enumerate(((i, g), (f, cp), (g, i), (o, tc))):
                mk = mr[:, k * hid : (k + 1) * hid]
                xp.subtract(1 if k == 2 else act[lo:hi], mk, out=mk)  # tanh' = 1 - a^2, ...
                mk *= other[lo:hi]  # ... sigmoid' = a - a^2
            d = xp.multiply(tc[lo:hi], tc[lo:hi], out=dc_from_h[lo:hi])  # how dh reaches dc:
            xp.subtract(1, d, out=d)  # o * (1 - tanh(c)^2)
            d *= o[lo:hi]

        need = ctx.needs_input_grad
        grads = _WeightGrads(need, 3, m, m, x, hp)
        dout = dout._array
        dh, dc = dh_n._array.copy(), dc_n._array.copy()
        tmp = xp.empty_like(dc)
        dhp = None if w_hr is None else xp.empty_like(dout)
        steps = _steps(ws.shape[0], dh.shape[0], ctx.attrs["batch_sizes"], ctx.attrs["reverse"])
        with _Pipelined(steps[::-1], (x, w_ih), prepare, grads) as loop:
            for n, (start, bs) in enumerate(reversed(steps)):
                rows = slice(start, start + bs)
                dhb, dcb, mb = dh[:bs], dc[:bs], m[rows]
                dhb += dout[rows]
                if w_hr is None:
                    dhr = dhb
                else:
                    dhp[rows] = dhb
                    dhr = xp.matmul(dhb, w_hr, out=tmp[:bs])
                loop.before(n)
                mb[:, 3 * hid :] *= dhr
                dcb += xp.multiply(dhr, dc_from_h[rows], out=tmp[:bs])
                gates3 = mb[:, : 3 * hid].reshape(bs, 3, hid)
                gates3 *= dcb[:, None]
                dcb *= f[rows]
                xp.matmul(mb, w_hh, out=dhb)
                loop.after(n)
            dx = parallel.matmul(m, w_ih) if need[0] else None
        dw_hr = parallel.matmul(dhp.T, o * tc) if need[7] else None
        dh0 = dh if need[1] else None
        dc0 = dc if need[2] else None
        return _wrap(dx, dh0, dc0, *grads.result(need, 3), dw_hr)


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
        acts = xp.empty((x.shape[0], 3 * hid), dtype=x.dtype)
        ws = xp.empty((x.shape[0], 2 * hid), dtype=x.dtype)
        ghn, hp = ws[:, :hid], ws[:, hid:]
        out = xp.empty((x.shape[0], hid), dtype=x.dtype)
        h = h0.copy()
        gh = xp.empty((h.shape[0], 3 * hid), dtype=x.dtype)
        w_hh_t = xp.ascontiguousarray(w_hh.T)
        steps = _steps(x.shape[0], h.shape[0], batch_sizes, reverse)
        project = _projector(xp, x, w_ih, b_ih, None, acts)
        with _Pipelined(steps, (x, w_ih), project) as loop, np.errstate(over="ignore"):
            for n_, (start, bs) in enumerate(steps):
                rows = slice(start, start + bs)
                hb, ghb, g = h[:bs], gh[:bs], acts[rows]
                hp[rows] = hb
                xp.matmul(hb, w_hh_t, out=ghb)
                if b_hh is not None:
                    ghb += b_hh
                loop.before(n_)
                rz, n = g[:, : 2 * hid], g[:, 2 * hid :]
                rz += ghb[:, : 2 * hid]
                xp.negative(rz, out=rz)
                _sigmoid_of_negated_(xp, rz)
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
        a_n, a_z, a_r = (xp.empty_like(n) for _ in range(3))

        def prepare(lo: int, hi: int) -> None:
            rows = slice(lo, hi)
            zr, nr, rr = z[rows], n[rows], r[rows]
            a_n[rows] = (1 - zr) * (1 - nr * nr)  # dn_pre = dh * a_n
            a_z[rows] = (hp[rows] - nr) * zr * (1 - zr)  # dz_pre = dh * a_z
            a_r[rows] = ghn[rows] * rr * (1 - rr)  # dr_pre = dn_pre * a_r

        need = ctx.needs_input_grad
        dgx = xp.empty_like(acts)
        dgh = xp.empty_like(acts)
        grads = _WeightGrads(need, 2, dgx, dgh, x, hp)
        dout = dout._array
        dh = dh_n._array.copy()
        tmp = xp.empty_like(dh)
        steps = _steps(ws.shape[0], dh.shape[0], ctx.attrs["batch_sizes"], ctx.attrs["reverse"])
        with _Pipelined(steps[::-1], (x, w_ih), prepare, grads) as loop:
            for i, (start, bs) in enumerate(reversed(steps)):
                rows = slice(start, start + bs)
                dhb, gx, gh = dh[:bs], dgx[rows], dgh[rows]
                dhb += dout[rows]
                loop.before(i)
                dn = xp.multiply(dhb, a_n[rows], out=gx[:, 2 * hid :])
                xp.multiply(dhb, a_z[rows], out=gx[:, hid : 2 * hid])
                xp.multiply(dn, a_r[rows], out=gx[:, :hid])
                gh[:, : 2 * hid] = gx[:, : 2 * hid]
                xp.multiply(dn, r[rows], out=gh[:, 2 * hid :])
                dhb *= z[rows]
                dhb += xp.matmul(gh, w_hh, out=tmp[:bs])
                loop.after(i)
            dx = parallel.matmul(dgx, w_ih) if need[0] else None
        return _wrap(dx, dh if need[1] else None, *grads.result(need, 2))


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
        out = xp.empty((x.shape[0], w_ih.shape[0]), dtype=x.dtype)
        hp = xp.empty_like(out)
        h = h0.copy()
        w_hh_t = xp.ascontiguousarray(w_hh.T)
        steps = _steps(x.shape[0], h.shape[0], batch_sizes, reverse)
        with _Pipelined(steps, (x, w_ih), _projector(xp, x, w_ih, b_ih, b_hh, out)) as loop:
            for n, (start, bs) in enumerate(steps):
                rows = slice(start, start + bs)
                hb, g = h[:bs], out[rows]
                hp[rows] = hb
                rec = hb @ w_hh_t
                loop.before(n)
                g += rec
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
        dact = xp.empty_like(act)
        tanh = ctx.attrs["nonlinearity"] == "tanh"

        def prepare(lo: int, hi: int) -> None:
            a = act[lo:hi]
            if tanh:
                d = xp.multiply(a, a, out=dact[lo:hi])
                xp.subtract(1, d, out=d)
            else:
                dact[lo:hi] = a > 0

        need = ctx.needs_input_grad
        grads = _WeightGrads(need, 2, dact, dact, x, hp)
        dout = dout._array
        dh = dh_n._array.copy()
        steps = _steps(act.shape[0], dh.shape[0], ctx.attrs["batch_sizes"], ctx.attrs["reverse"])
        with _Pipelined(steps[::-1], (x, w_ih), prepare, grads) as loop:
            for n, (start, bs) in enumerate(reversed(steps)):
                rows = slice(start, start + bs)
                dhb = dh[:bs]
                dhb += dout[rows]
                loop.before(n)
                dg = dact[rows]
                dg *= dhb
                xp.matmul(dg, w_hh, out=dhb)
                loop.after(n)
            dx = parallel.matmul(dact, w_ih) if need[0] else None
        return _wrap(dx, dh if need[1] else None, *grads.result(need, 2))


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
