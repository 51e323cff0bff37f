"""Rich (HTML) display of jtorch tensors in Jupyter: the summary line, a heat map, the repr.

``tensor_html(t)`` is pure (no IPython import): one summary line, then a coloured table of the
values for small matrices, an inline PNG heat map for larger ones, images for ``(C, H, W)`` /
``(N, C, H, W)`` tensors with 1 or 3 channels, and the repr behind a fold. ``install(shell)``
registers it as the ``text/html`` formatter of ``Tensor`` (``text/plain`` stays torch's repr);
``uninstall`` puts back what was there; ``set_rich_display(False)`` switches it off meanwhile.

Example:
    >>> import jtorch
    >>> html = tensor_html(jtorch.eye(2))
    >>> "tensor[2, 2] float32" in html, html.count("<td")
    (True, 4)
"""

from __future__ import annotations

import base64
import html as _html
import math
import struct
import zlib

import numpy as np

from jtorch._tensor import Tensor
from jtorch.backend import to_numpy
from jtorch_ext.summary import _num, stats_line, tensor_stats

__all__ = [
    "tensor_html",
    "heatmap_png",
    "set_rich_display",
    "rich_display_enabled",
    "install",
    "uninstall",
]

TABLE_MAX = 16  # matrices up to this many rows and columns are a table of coloured values
IMAGE_MAX = 256  # heat maps and images are strided down to at most this many pixels a side
GRID_MAX = 8  # at most this many slices or images of a >2-d tensor
NAN_RGB = (255, 0, 255)  # magenta
INF_RGB = (0, 0, 0)
_STATE = {"enabled": True}
_SAVED: dict[int, object] = {}  # id(html formatter) -> the Tensor printer it had before install

# viridis (sequential) and coolwarm (diverging, signed data) at evenly spaced stops
_VIRIDIS = np.array(
    [
        (68, 1, 84),
        (72, 40, 120),
        (62, 74, 137),
        (49, 104, 142),
        (38, 130, 142),
        (31, 158, 137),
        (53, 183, 121),
        (109, 205, 89),
        (180, 222, 44),
        (253, 231, 37),
    ],
    np.float64,
)
_COOLWARM = np.array(
    [(59, 76, 192), (124, 159, 249), (221, 221, 221), (246, 133, 104), (180, 4, 38)],
    np.float64,
)


def set_rich_display(enabled: bool = True) -> None:
    """Switch the HTML view of tensors on or off (``%jtorch_display on|off``).

    Example:
        >>> set_rich_display(False); rich_display_enabled()
        False
        >>> set_rich_display(True)
    """
    _STATE["enabled"] = bool(enabled)


def rich_display_enabled() -> bool:
    """Whether loaded formatters show tensors as HTML."""
    return _STATE["enabled"]


# -- colours and PNG ----------------------------------------------------------------------------
def _colourise(a: np.ndarray) -> np.ndarray:
    """(..., 3) uint8 colours of a real array: coolwarm centred on 0 when it has both signs,
    else viridis over [min, max]; nan magenta, infinities black."""
    a = a.astype(np.float64)
    finite = np.isfinite(a)
    vals = a[finite]
    lo, hi = (float(vals.min()), float(vals.max())) if vals.size else (0.0, 0.0)
    if lo < 0 < hi:
        cmap, top = _COOLWARM, max(-lo, hi)
        t = (a / top + 1) / 2
    else:
        cmap = _VIRIDIS
        t = (a - lo) / (hi - lo) if hi > lo else np.full(a.shape, 0.5)
    t = np.clip(np.where(finite, t, 0.0), 0.0, 1.0) * (len(cmap) - 1)
    i = np.minimum(t.astype(np.intp), len(cmap) - 2)
    frac = (t - i)[..., None]
    rgb = cmap[i] * (1 - frac) + cmap[i + 1] * frac
    rgb[np.isnan(a)] = NAN_RGB
    rgb[np.isinf(a)] = INF_RGB
    return rgb.round().astype(np.uint8)


def _png(rgb: np.ndarray) -> bytes:
    """A PNG file of an (H, W, 3) uint8 image (stdlib zlib; no imaging library needed)."""
    h, w, _ = rgb.shape
    rows = np.concatenate([np.zeros((h, 1), np.uint8), rgb.reshape(h, w * 3)], axis=1)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows.tobytes(), 6))
        + chunk(b"IEND", b"")
    )


def _real(a: np.ndarray) -> np.ndarray:
    if a.dtype.kind == "c":
        return np.abs(a)
    if a.dtype.kind == "b":
        return a.astype(np.uint8)
    return a


def _strided(arr, limit: int = IMAGE_MAX):
    """Every k-th row and column so neither side exceeds ``limit`` (a view, then to NumPy)."""
    step = [max(1, math.ceil(n / limit)) for n in arr.shape[-2:]]
    return to_numpy(arr[..., :: step[0], :: step[1]])


def heatmap_png(matrix) -> bytes:
    """PNG heat map of a 2-d tensor or array (strided down to at most 256 pixels a side).

    Example:
        >>> heatmap_png(np.arange(6.0).reshape(2, 3))[:8]
        b'\\x89PNG\\r\\n\\x1a\\n'
    """
    arr = matrix._array if isinstance(matrix, Tensor) else matrix
    if arr.ndim != 2:
        raise ValueError(f"heatmap_png needs a 2-d tensor, got {arr.ndim}-d")
    return _png(_colourise(_real(_strided(arr))))


def _img_tag(png: bytes, h: int, w: int, title: str, target: int = 128) -> str:
    # NOTE: small images are scaled up (to about `target` pixels) with sharp pixels so each
    # value stays visible.
    scale = max(1, min(8, target // max(h, w, 1)))
    data = base64.b64encode(png).decode()
    return (
        f'<img src="data:image/png;base64,{data}" title="{_html.escape(title)}" '
        f'style="width:{w * scale}px;height:{h * scale}px;image-rendering:pixelated;'
        f'margin:2px;border:1px solid #ccc">'
    )


def _image_rgb(chw: np.ndarray) -> np.ndarray:
    """(3, H, W) -> (H, W, 3) uint8; [0, 1] floats and uint8 kept as is, anything else scaled
    from its own [min, max]."""
    a = np.moveaxis(_real(chw), 0, -1).astype(np.float64)
    a = np.nan_to_num(a, nan=0.0, posinf=0.0, neginf=0.0)
    if chw.dtype == np.uint8:
        return a.astype(np.uint8)
    lo, hi = float(a.min(initial=0.0)), float(a.max(initial=0.0))
    if lo < 0 or hi > 1:
        a = (a - lo) / (hi - lo) if hi > lo else np.zeros_like(a)
    return (a * 255).round().astype(np.uint8)


def _is_images(shape: tuple) -> bool:
    return len(shape) in (3, 4) and shape[-3] in (1, 3) and min(shape[-2:]) >= 8


def _table(a: np.ndarray) -> str:
    """A small 0/1/2-d array as an HTML table, each cell coloured by its value."""
    m = a.reshape(1, -1) if a.ndim < 2 else a
    real = _real(m)
    colours = _colourise(real)
    rows = []
    for i in range(m.shape[0]):
        cells = []
        for j in range(m.shape[1]):
            r, g, b = (int(c) for c in colours[i, j])
            ink = "#000" if 0.299 * r + 0.587 * g + 0.114 * b > 140 else "#fff"
            v = m[i, j]
            text = str(v) if m.dtype.kind in "cb" else _num(float(v))
            cells.append(
                f'<td style="background:rgb({r},{g},{b});color:{ink};padding:1px 4px;'
                f'text-align:right;font-family:monospace">{_html.escape(text)}</td>'
            )
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return '<table style="border-collapse:collapse;margin:2px 0">' + "".join(rows) + "</table>"


def _picture(t: Tensor) -> str:
    """The heat map part of ``tensor_html`` ("" when there is nothing worth drawing)."""
    arr = t._array
    shape = tuple(arr.shape)
    if arr.size == 0:
        return ""
    if arr.ndim <= 2 and all(n <= TABLE_MAX for n in shape):
        return _table(to_numpy(arr))
    if arr.ndim == 1:
        return ""  # a long vector: the sparkline says it
    if arr.ndim == 2:
        return _img_tag(
            heatmap_png(arr), *_strided(arr).shape, f"heat map {list(shape)}", target=256
        )
    if _is_images(shape):
        batch = arr if arr.ndim == 4 else arr[None]
        tags = []
        for i in range(min(len(batch), GRID_MAX)):
            img = _strided(batch[i])
            rgb = _image_rgb(img) if img.shape[0] == 3 else _colourise(_real(img[0]))
            tags.append(_img_tag(_png(rgb), *rgb.shape[:2], f"image {i}"))
        more = len(batch) - GRID_MAX
        return "".join(tags) + (f" <i>... {more} more</i>" if more > 0 else "")
    n = math.prod(shape[:-2])
    tags = []
    for i in range(min(n, GRID_MAX)):
        index = tuple(int(k) for k in np.unravel_index(i, shape[:-2]))
        img = _strided(arr[index])  # NOTE: a view per slice; reshaping could copy everything
        tags.append(
            _img_tag(_png(_colourise(_real(img))), *img.shape, f"[{', '.join(map(str, index))}]")
        )
    more = n - GRID_MAX
    return "".join(tags) + (f" <i>... {more} more slices</i>" if more > 0 else "")


def tensor_html(t: Tensor) -> str:
    """HTML view of a tensor: summary line, heat map or image, and the repr behind a fold.

    Colours: viridis from min to max, or blue-white-red centred on zero when the values have
    both signs; nan is magenta and infinities black.

    Example:
        >>> import jtorch
        >>> html = tensor_html(jtorch.zeros(3, 32, 32))
        >>> html.count("<img"), "data:image/png;base64," in html
        (1, True)
    """
    line = stats_line(tensor_stats(t))
    return (
        '<div class="jtorch-tensor">'
        f'<pre style="margin:0;white-space:pre-wrap">{_html.escape(line)}</pre>'
        f"{_picture(t)}"
        f"<details><summary>repr</summary><pre>{_html.escape(repr(t))}</pre></details>"
        "</div>"
    )


def _format_html(t: Tensor) -> str | None:
    # NOTE: a formatter that returns None leaves the HTML out: the frontend shows text/plain.
    return tensor_html(t) if _STATE["enabled"] else None


# -- installing into an IPython shell -----------------------------------------------------------
def install(shell) -> None:
    """Make ``shell`` show tensors as HTML (installing twice is harmless).

    Example:
        >>> import jtorch
        >>> from IPython.core.interactiveshell import InteractiveShell
        >>> ip = InteractiveShell.instance()
        >>> install(ip)
        >>> sorted(ip.display_formatter.format(jtorch.ones(2))[0])
        ['text/html', 'text/plain']
        >>> uninstall(ip)
        >>> sorted(ip.display_formatter.format(jtorch.ones(2))[0])
        ['text/plain']
    """
    formatter = shell.display_formatter.formatters["text/html"]
    old = formatter.for_type(Tensor, _format_html)
    if old is not _format_html:
        _SAVED[id(formatter)] = old


def uninstall(shell) -> None:
    """Put back the ``text/html`` formatter ``install`` replaced (if it is still ours)."""
    formatter = shell.display_formatter.formatters["text/html"]
    if formatter.type_printers.get(Tensor) is not _format_html:
        return
    old = _SAVED.pop(id(formatter), None)
    if old is None:
        formatter.pop(Tensor)
    else:
        formatter.for_type(Tensor, old)
