"""ipywidgets for notebooks: browse a tensor, watch a model's activations and gradients as it trains.

``TensorViewer(t)`` shows 2-D slices of a tensor as a heat map, with one slider per leading dim,
the slice's stats and its histogram. ``HookInspector(model)`` hooks every submodule and shows a
live table of activation stats, gradient norms and dead-ReLU fractions plus a gradient-flow chart;
``inspect_grad(t)`` (or ``HookInspector.inspect_grad``) shows the gradients that reach chosen
tensors.

The widgets also work without a frontend (plain Python, tests): their whole state (slider values,
the heat map's PNG bytes, the HTML of the tables, and ``rows`` as plain dicts) lives on the
objects.

Example:
    >>> import jtorch
    >>> viewer = TensorViewer(jtorch.arange(24.0).reshape(2, 3, 4), name="x")
    >>> [s.description for s in viewer.sliders], viewer.index
    (['dim 0'], (0,))
    >>> before = viewer.image.value
    >>> viewer.sliders[0].value = 1
    >>> viewer.image.value != before, viewer.current().tolist()[0]
    (True, [12.0, 13.0, 14.0, 15.0])
"""

from __future__ import annotations

import html
import math
import struct
import time
import warnings
import zlib
from collections.abc import Sequence

import ipywidgets as widgets
import numpy as np

from jtorch import nn
from jtorch._tensor import Tensor
from jtorch.backend import get_array_module, to_numpy
from jtorch_ext.summary import stats_line, tensor_stats

__all__ = [
    "png_bytes",
    "heatmap_png",
    "TensorViewer",
    "GradInspector",
    "inspect_grad",
    "HookInspector",
]

# -- pictures -----------------------------------------------------------------------------------
# NOTE: viridis sampled at 9 evenly spaced points; the 256-entry table interpolates between them.
_VIRIDIS = np.array(
    [
        [68, 1, 84],
        [71, 44, 122],
        [59, 81, 139],
        [44, 113, 142],
        [33, 144, 141],
        [39, 173, 129],
        [92, 200, 99],
        [170, 220, 50],
        [253, 231, 37],
    ],
    np.float64,
)
_LUT = (
    np.stack(
        [np.interp(np.linspace(0, 1, 256), np.linspace(0, 1, 9), _VIRIDIS[:, c]) for c in range(3)],
        1,
    )
    .round()
    .astype(np.uint8)
)
_NAN_RGB, _POSINF_RGB, _NEGINF_RGB = (255, 0, 255), (255, 255, 255), (0, 0, 0)
_CSS = (
    "<style>.jt-table{border-collapse:collapse;font:12px monospace}"
    ".jt-table td,.jt-table th{padding:1px 6px;text-align:right;border-bottom:1px solid #ddd}"
    ".jt-table td:first-child,.jt-table th:first-child{text-align:left}</style>"
)


def png_bytes(rgb: np.ndarray) -> bytes:
    """Encode an ``(H, W, 3)`` uint8 RGB array as a PNG file (8-bit truecolour, no filtering).

    Example:
        >>> png = png_bytes(np.zeros((2, 3, 3), np.uint8))
        >>> png[:8], struct.unpack(">II", png[16:24])
        (b'\\x89PNG\\r\\n\\x1a\\n', (3, 2))
    """
    h, w, _ = rgb.shape
    raw = np.zeros((h, 1 + 3 * w), np.uint8)  # each scanline: filter type 0, then the pixels
    raw[:, 1:] = rgb.reshape(h, 3 * w)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw.tobytes(), 6))
        + chunk(b"IEND", b"")
    )


def heatmap_png(
    a: np.ndarray, lo: float | None = None, hi: float | None = None, size: int = 256
) -> bytes:
    """A 2-D array as a viridis heat map PNG over ``[lo, hi]`` (default: its finite range).

    Small arrays are scaled up (each value a block of pixels, the picture about ``size`` pixels),
    ones larger than ``2 * size`` are sampled with a stride. nan is magenta, +inf white, -inf
    black.

    Example:
        >>> png = heatmap_png(np.arange(6.0).reshape(2, 3))
        >>> struct.unpack(">II", png[16:24])  # width, height
        (255, 256)
    """
    a = np.asarray(a)
    if a.ndim != 2 or a.size == 0:
        raise ValueError(f"heatmap_png needs a non-empty 2-D array, got shape {a.shape}")
    step = max(1, math.ceil(max(a.shape) / (2 * size)))
    a = a[::step, ::step].astype(np.float64)
    finite = np.isfinite(a)
    if lo is None or hi is None:
        lo, hi = (a[finite].min(), a[finite].max()) if finite.any() else (0.0, 0.0)
    with np.errstate(invalid="ignore"):
        idx = (a - lo) * (255 / (hi - lo)) if hi > lo else np.full(a.shape, 127.0)
    rgb = _LUT[np.clip(np.where(finite, idx, 0), 0, 255).astype(np.uint8)]
    rgb[np.isnan(a)] = _NAN_RGB
    rgb[a == np.inf] = _POSINF_RGB
    rgb[a == -np.inf] = _NEGINF_RGB
    h, w = a.shape
    # NOTE: per-axis block sizes with their ratio capped at 8, so a row vector becomes a strip and
    # a square slice stays square.
    fy, fx = max(1, size // h), max(1, size // w)
    fy, fx = min(fy, 8 * fx), min(fx, 8 * fy)
    return png_bytes(np.repeat(np.repeat(rgb, fy, 0), fx, 1))


def _svg_histogram(values: np.ndarray, bins: int = 32, width: int = 260, height: int = 90) -> str:
    """An SVG bar chart of the histogram of the finite ``values``, with the range underneath."""
    values = values[np.isfinite(values)]
    if values.size == 0:
        return "<i>no finite values</i>"
    lo, hi = float(values.min()), float(values.max())
    counts, _ = np.histogram(values, bins=bins, range=(lo, hi) if hi > lo else (lo - 0.5, lo + 0.5))
    bar_w, top = width / bins, counts.max()
    bars = "".join(
        f'<rect x="{i * bar_w:.1f}" y="{height - c / top * height:.1f}" width="{bar_w - 1:.1f}" '
        f'height="{c / top * height:.1f}" fill="#3b518b"><title>{c}</title></rect>'
        for i, c in enumerate(counts)
    )
    return (
        f'<svg class="jt-hist" width="{width}" height="{height + 14}" '
        f'xmlns="http://www.w3.org/2000/svg">{bars}'
        f'<text x="0" y="{height + 12}" font-size="10">{lo:.4g}</text>'
        f'<text x="{width}" y="{height + 12}" font-size="10" text-anchor="end">{hi:.4g}</text>'
        "</svg>"
    )


def _fmt(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.4g}"
    return html.escape(str(v))


def _html_table(columns: Sequence[str], rows: Sequence[Sequence]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{_fmt(v)}</td>" for v in r) + "</tr>" for r in rows)
    return f'{_CSS}<table class="jt-table"><tr>{head}</tr>{body}</table>'


# -- TensorViewer -------------------------------------------------------------------------------
class TensorViewer(widgets.VBox):
    """Browse a tensor as 2-D heat maps: one slider per leading dim picks the slice of the last two.

    Args:
        tensor: a jtorch Tensor, NumPy/CuPy array or anything ``np.asarray`` takes. Complex values
            are shown by magnitude; 0-D and 1-D tensors are shown as one row.
        name: shown in the title.
        scale: "global" (colours span the whole tensor's range, so slices compare) or "slice".
        size: about how many pixels the heat map's longer side takes.

    ``sliders`` (IntSliders), ``scale`` (ToggleButtons), ``image`` (PNG), ``stats`` and ``hist``
    (HTML) are the parts; ``index`` is the current slider position and ``current()`` the slice.
    """

    def __init__(self, tensor, name: str = "", scale: str = "global", size: int = 256) -> None:
        if isinstance(tensor, Tensor):
            arr = to_numpy(tensor.detach()._array)
        elif type(tensor).__module__.startswith("cupy"):
            arr = to_numpy(tensor)
        else:
            arr = np.asarray(tensor)
        # NOTE: one cached scan gives the title and the global colour range (finite values; the
        # magnitude for complex tensors, as shown).
        stats = tensor_stats(tensor if isinstance(tensor, Tensor) else arr)
        self.summary = stats_line(stats, name)
        self._range = (stats.min, stats.max) if stats.min is not None else (0.0, 0.0)
        if arr.dtype.kind == "c":
            arr = np.abs(arr)
        self._array = arr.reshape((1,) * (2 - arr.ndim) + arr.shape) if arr.ndim < 2 else arr
        self._size = size
        lead = self._array.shape[:-2] if self._array.size else ()
        self.sliders = [
            widgets.IntSlider(value=0, min=0, max=n - 1, description=f"dim {i}")
            for i, n in enumerate(lead)
        ]
        self.scale = widgets.ToggleButtons(options=["global", "slice"], value=scale)
        self.image = widgets.Image(format="png")
        self.stats = widgets.HTML()
        self.hist = widgets.HTML()
        title = widgets.HTML(f"<pre>{html.escape(self.summary)}</pre>")
        for w in (*self.sliders, self.scale):
            w.observe(self._update, names="value")
        super().__init__(
            [
                title,
                *self.sliders,
                self.scale,
                widgets.HBox([self.image, widgets.VBox([self.stats, self.hist])]),
            ]
        )
        self._update()

    @property
    def index(self) -> tuple[int, ...]:
        """The leading-dim indices of the slice on show."""
        return tuple(s.value for s in self.sliders)

    def current(self) -> np.ndarray:
        """The 2-D slice on show (a NumPy view)."""
        return self._array[self.index]

    def _update(self, change=None) -> None:
        if self._array.size == 0:
            self.stats.value = f"<i>empty tensor of shape {tuple(self._array.shape)}</i>"
            return
        a = self.current()
        values = a.astype(np.float64).ravel()
        finite = values[np.isfinite(values)]
        lo, hi = self._range if self.scale.value == "global" else (None, None)
        self.image.value = heatmap_png(a, lo, hi, self._size)
        rows = [
            ("slice", f"[{', '.join(map(str, self.index))}{', ' if self.index else ''}:, :]"),
            ("shape", f"{a.shape[0]} × {a.shape[1]}"),
            ("min", float(finite.min()) if finite.size else None),
            ("max", float(finite.max()) if finite.size else None),
            ("mean", float(finite.mean()) if finite.size else None),
            ("std", float(finite.std(ddof=1)) if finite.size > 1 else None),
            ("nan", int(np.isnan(values).sum())),
            ("inf", int(np.isinf(values).sum())),
        ]
        self.stats.value = _html_table(("stat", "value"), rows)
        self.hist.value = _svg_histogram(values)


# -- gradients of chosen tensors ----------------------------------------------------------------
def _array_stats(arr) -> dict:
    """mean/std/min/max of a float array (CuPy stays on the device until the four scalars)."""
    xp = get_array_module(arr)
    if arr.size == 0 or arr.dtype.kind not in "fc":
        return {"mean": None, "std": None, "min": None, "max": None}
    flat = (xp.abs(arr) if arr.dtype.kind == "c" else arr).reshape(-1)
    # NOTE: one sum and one dot product instead of np.std's three passes; the cancellation in
    # E[x²] - E[x]² is harmless at display precision.
    mean = float(flat.sum()) / flat.size
    var = max(float(xp.vdot(flat, flat)) / flat.size - mean * mean, 0.0)
    return {"mean": mean, "std": math.sqrt(var), "min": float(flat.min()), "max": float(flat.max())}


def _norm(arr) -> float:
    xp = get_array_module(arr)
    flat = arr.reshape(-1)
    return float(xp.sqrt(xp.vdot(flat, flat).real))


class _Throttle:
    """Calls ``render`` at most once per ``interval`` seconds; ``flush`` renders what is pending."""

    def __init__(self, render, interval: float) -> None:
        self.render, self.interval = render, interval
        self.last = -math.inf
        self.pending = False

    def poke(self) -> None:
        self.pending = True
        if time.monotonic() - self.last >= self.interval:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.pending = False
            self.last = time.monotonic()
            self.render()


class GradInspector(widgets.VBox):
    """A table of the gradients reaching the tensors it watches (``watch(tensor, name)``).

    Each row has the gradient's shape, norm, mean, std, min, max and how many gradients arrived.
    Watching a name again (say, each training step's new activation) replaces the old hook.

    Example:
        >>> import jtorch
        >>> x = jtorch.ones(3, requires_grad=True)
        >>> gi = inspect_grad(x, "x")
        >>> (x * 2).sum().backward()
        >>> round(gi.rows[0]["norm"], 4), gi.rows[0]["calls"], "<td>x</td>" in gi.table.value
        (3.4641, 1, True)
    """

    COLUMNS = ("tensor", "shape", "norm", "mean", "std", "min", "max", "calls")

    def __init__(self, interval: float = 0.5) -> None:
        self.table = widgets.HTML()
        self._rows: dict[str, dict] = {}
        self._handles: dict[str, object] = {}
        self._throttle = _Throttle(self._render, interval)
        super().__init__([self.table])

    @property
    def rows(self) -> list[dict]:
        """One dict per watched tensor (a copy), in the order they were first watched."""
        return [dict(r) for r in self._rows.values()]

    def watch(self, tensor: Tensor, name: str | None = None) -> Tensor:
        """Show the gradients that reach ``tensor`` (via ``tensor.register_hook``); returns it."""
        name = name or f"t{len(self._rows)}"
        if name in self._handles:
            self._handles.pop(name).remove()
        row = self._rows.setdefault(name, {"tensor": name, "calls": 0})

        def hook(grad: Tensor) -> None:
            row.update(
                shape=tuple(grad.shape), norm=_norm(grad._array), **_array_stats(grad._array)
            )
            row["calls"] += 1
            self._throttle.poke()

        self._handles[name] = tensor.register_hook(hook)
        return tensor

    def refresh(self) -> None:
        """Render the table now if gradients arrived since the last render."""
        self._throttle.flush()

    def remove(self) -> None:
        """Remove every tensor hook (the table keeps its last state)."""
        for handle in self._handles.values():
            handle.remove()
        self._handles.clear()
        self.refresh()

    def _render(self) -> None:
        self.table.value = _html_table(
            self.COLUMNS, [[r.get(c) for c in self.COLUMNS] for r in self._rows.values()]
        )


def inspect_grad(tensor: Tensor, name: str | None = None, interval: float = 0.5) -> GradInspector:
    """A ``GradInspector`` watching ``tensor``: display it and run backward to see the gradient.

    Example:
        >>> import jtorch
        >>> w = jtorch.tensor([1.0, -2.0], requires_grad=True)
        >>> gi = inspect_grad(w, "w")
        >>> (w * w).sum().backward()
        >>> gi.rows[0]["min"], gi.rows[0]["max"]
        (-4.0, 2.0)
    """
    inspector = GradInspector(interval)
    inspector.watch(tensor, name)
    return inspector


# -- HookInspector ------------------------------------------------------------------------------
_RELUS = (nn.ReLU, nn.ReLU6)
# NOTE: torch warns (once per place) when a full backward hook fires on a module whose inputs need
# no grad, which is every model's first layer: noise for an inspector, so it is silenced while one
# is attached.
_NO_INPUT_GRAD = "Full backward hook is firing when gradients are computed with respect to module"


class HookInspector(widgets.VBox):
    """Watch a model train: activation stats, gradient norms and dead ReLUs per layer, live.

    Every ``every``-th forward pass of ``model`` is sampled: for that step a forward hook and a
    full backward hook go on every submodule (and tensor hooks on their parameters) and record
    the output's mean/std/min/max, the fraction of dead units for ReLUs (units that are zero for
    every sample of the batch), ‖∂L/∂output‖ and ‖∂L/∂weights‖. Other steps pay for one forward
    pre-hook on the model only. The table and the gradient-flow chart are redrawn at most every
    ``interval`` seconds, from the latest complete sample. A module called several times in one
    step shows its last call.

    ``detach()`` removes every hook (and draws the final state); ``with HookInspector(model) as
    hi:`` detaches on exit. ``inspect_grad(tensor, name)`` adds a tensor to the gradient table.
    ``rows`` holds the table as dicts; ``table``, ``chart`` and ``status`` are HTML widgets.

    Args:
        model: the ``nn.Module`` to watch (hooks go on ``model.named_modules()``, itself included).
        every: sample forward passes 0, every, 2*every, ...
        interval: the least number of seconds between two redraws.

    Example:
        >>> import jtorch
        >>> model = jtorch.nn.Sequential(jtorch.nn.Linear(4, 8), jtorch.nn.ReLU(), jtorch.nn.Linear(8, 1))
        >>> with HookInspector(model, every=1) as hi:
        ...     model(jtorch.randn(16, 4)).sum().backward()
        >>> [r["layer"] for r in hi.rows]
        ['Sequential', '0', '1', '2']
        >>> hi.rows[1]["shape"], hi.rows[2]["dead"] is not None, hi.rows[3]["grad_norm"]
        ((16, 8), True, 4.0)
        >>> sum(len(m._forward_hooks) + len(m._backward_hooks) for m in model.modules())
        0
    """

    COLUMNS = ("layer", "type", "shape", "mean", "std", "min", "max", "dead", "grad_norm")
    HEADERS = ("layer", "type", "output", "mean", "std", "min", "max", "dead ReLU", "‖∂L/∂out‖")
    _silencing = 0  # how many attached inspectors silence the warning above

    def __init__(self, model: nn.Module, every: int = 10, interval: float = 0.5) -> None:
        if not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be a positive int, got {every!r}")
        self.model = model
        self.every = every
        self.step = -1
        self.sampled_step: int | None = None
        self.table = widgets.HTML()
        self.chart = widgets.HTML()
        self.status = widgets.HTML()
        self.grads = GradInspector(interval)
        self._throttle = _Throttle(self._render, interval)
        self._layers = [
            (m, {"layer": name or type(m).__name__, "type": type(m).__name__})
            for name, m in model.named_modules()
        ]
        self._handles: list = []
        self._sample_handles: list = []
        super().__init__([self.status, self.table, self.chart, self.grads])
        self.attach()
        self._render()

    @property
    def attached(self) -> bool:
        """Whether the inspector's hooks are on the model."""
        return bool(self._handles)

    @property
    def rows(self) -> list[dict]:
        """The latest sample, one dict per module (a copy), ``weight_grad_norm`` included."""
        return [{k: v for k, v in row.items() if k[0] != "_"} for _, row in self._layers]

    def attach(self) -> HookInspector:
        """Put the hooks (back) on the model; idempotent."""
        if not self._handles:
            if HookInspector._silencing == 0:
                warnings.filterwarnings("ignore", message=_NO_INPUT_GRAD)
            HookInspector._silencing += 1
            self._handles.append(self.model.register_forward_pre_hook(self._on_step))
        return self

    def detach(self) -> None:
        """Remove every hook from the model and its tensors, then draw the final state."""
        for handle in self._handles + self._sample_handles:
            handle.remove()
        if self._handles:
            HookInspector._silencing -= 1
            if HookInspector._silencing == 0:
                warnings.filters[:] = [
                    f for f in warnings.filters if f[1] is None or f[1].pattern != _NO_INPUT_GRAD
                ]
        self._handles.clear()
        self._sample_handles.clear()
        self.grads.remove()
        self._throttle.pending = True  # the status line at least has changed
        self.refresh()

    def inspect_grad(self, tensor: Tensor, name: str | None = None) -> Tensor:
        """Also show the gradient reaching ``tensor`` (its hook goes with ``detach()``)."""
        return self.grads.watch(tensor, name)

    def refresh(self) -> None:
        """Draw the latest sample now (if there is a new one)."""
        self._throttle.flush()
        self.grads.refresh()

    def __enter__(self) -> HookInspector:
        return self.attach()

    def __exit__(self, *exc) -> None:
        self.detach()

    # -- sampling ---------------------------------------------------------------------------
    def _on_step(self, module, args) -> None:
        self.step += 1
        if self._sample_handles:  # the previous step was sampled and its backward has run
            for handle in self._sample_handles:
                handle.remove()
            self._sample_handles.clear()
            self._throttle.poke()
        if self.step % self.every == 0:
            self.sampled_step = self.step
            self._hook_layers()

    def _hook_layers(self) -> None:
        add = self._sample_handles.append
        for module, row in self._layers:
            row.update(dict.fromkeys(self.COLUMNS[2:]), weight_grad_norm=None)
            row["_wsq"] = 0.0
            add(module.register_forward_hook(self._forward_hook(module, row)))
            # NOTE: the model's own full backward hook is set up before its pre-hooks run, so it
            # would only fire from the next step on: its output gradient comes from a tensor hook.
            if module is not self.model:
                add(module.register_full_backward_hook(self._backward_hook(row)))
            for p in module.parameters(recurse=False):
                if p.requires_grad:
                    add(p.register_hook(self._param_hook(row)))

    def _forward_hook(self, layer: nn.Module, row: dict):
        is_relu = isinstance(layer, _RELUS)

        def hook(module, args, output) -> None:
            out = output[0] if isinstance(output, (tuple, list)) and output else output
            if not isinstance(out, Tensor):
                return
            arr = out._array
            row["shape"] = tuple(arr.shape)
            row.update(_array_stats(arr))
            if is_relu and arr.size:
                units = (arr > 0).reshape(arr.shape[0], -1).any(0) if arr.ndim > 1 else arr > 0
                row["dead"] = 1.0 - float(units.mean())
            if module is self.model and out.requires_grad:
                self._sample_handles.append(
                    out.register_hook(lambda g: row.update(grad_norm=_norm(g._array)))
                )

        return hook

    @staticmethod
    def _backward_hook(row: dict):
        def hook(module, grad_input, grad_output) -> None:
            g = grad_output[0] if grad_output else None
            if g is not None:
                row["grad_norm"] = _norm(g._array)

        return hook

    @staticmethod
    def _param_hook(row: dict):
        def hook(grad: Tensor) -> None:
            row["_wsq"] += _norm(grad._array) ** 2
            row["weight_grad_norm"] = math.sqrt(row["_wsq"])

        return hook

    # -- drawing ----------------------------------------------------------------------------
    def _render(self) -> None:
        rows = [row for _, row in self._layers]
        cells = [[r.get(c) for c in self.COLUMNS] + [r.get("weight_grad_norm")] for r in rows]
        for r in cells:
            r[2] = "×".join(map(str, r[2])) if r[2] is not None else None
            r[7] = f"{100 * r[7]:.1f}%" if r[7] is not None else None
        self.table.value = _html_table((*self.HEADERS, "‖∂L/∂W‖"), cells)
        self.chart.value = _svg_flow(rows)
        hooks = sum(len(m._forward_hooks) + len(m._backward_hooks) for m, _ in self._layers)
        self.status.value = (
            f"<b>HookInspector</b>: step {self.step}, showing step {self.sampled_step} "
            f"(sampled every {self.every}), {'attached' if self.attached else 'detached'}, "
            f"{hooks} module hooks now"
        )


def _svg_flow(rows: Sequence[dict], width: int = 420, bar_h: int = 12) -> str:
    """Gradient flow: per layer, log-scale bars of ‖∂L/∂out‖ (blue) and ‖∂L/∂W‖ (orange)."""
    series = [("grad_norm", "#3b518b"), ("weight_grad_norm", "#e07b39")]
    values = [r.get(k) for r in rows for k, _ in series]
    logs = [math.log10(v) for v in values if v]
    if not logs:
        return "<i>no gradients yet</i>"
    lo, hi = min(logs) - 1, max(logs)
    label_w, plot_w = 140, width - 150
    parts = []
    for i, r in enumerate(rows):
        y = i * (2 * bar_h + 4)
        parts.append(
            f'<text x="0" y="{y + bar_h + 4}" font-size="10">{html.escape(r["layer"][:22])}</text>'
        )
        for j, (key, colour) in enumerate(series):
            v = r.get(key)
            if v:
                w = (math.log10(v) - lo) / (hi - lo) * plot_w if hi > lo else plot_w
                parts.append(
                    f'<rect x="{label_w}" y="{y + j * bar_h}" width="{w:.1f}" '
                    f'height="{bar_h - 2}" fill="{colour}"><title>{key}={v:.4g}</title></rect>'
                )
    height = len(rows) * (2 * bar_h + 4) + 16
    parts.append(
        f'<text x="{label_w}" y="{height - 2}" font-size="10">1e{lo:.1f}</text>'
        f'<text x="{width - 10}" y="{height - 2}" font-size="10" text-anchor="end">1e{hi:.1f}</text>'
    )
    return (
        f'<svg class="jt-flow" width="{width}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>'
    )
