"""Spatial transformers: ``affine_grid`` builds sampling grids, ``grid_sample`` samples an input
at grid locations (bilinear/trilinear, nearest or bicubic; zeros, border or reflection padding).

Both are compositions of differentiable tensor ops, so gradients reach the input and the grid
(through the interpolation weights) exactly as torch's kernels compute them.
"""

from __future__ import annotations

import itertools

from jtorch._runtime import warn_outside
from jtorch._tensor import Tensor

_ALIGN_WARNING = (
    "Default grid_sample and affine_grid behavior has changed to align_corners=False since "
    "1.3.0. Please specify align_corners=True if the old behavior is desired. See the "
    "documentation of grid_sample for details."
)
_CUBIC_A = -0.75  # torch's bicubic convolution coefficient


def _align(align_corners: bool | None) -> bool:
    if align_corners is None:
        warn_outside(_ALIGN_WARNING)
        return False
    return align_corners


def _base_coords(n: int, align_corners: bool, like: Tensor) -> Tensor:
    """Normalised pixel centres along one axis, in [-1, 1]."""
    import jtorch  # noqa: PLC0415

    if n <= 1:
        return jtorch.zeros(n, dtype=like.dtype)
    coords = jtorch.linspace(-1, 1, n, dtype=like.dtype)
    return coords if align_corners else coords * ((n - 1) / n)


def affine_grid(theta: Tensor, size: list[int], align_corners: bool | None = None) -> Tensor:
    """The sampling grid (N, H, W, 2) or (N, D, H, W, 3) of the affine maps ``theta`` (N, 2, 3)
    or (N, 3, 4) for an output of ``size``.

    Example:
        >>> theta = jtorch.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])
        >>> jtorch.nn.functional.affine_grid(theta, [1, 1, 1, 2], align_corners=True)
        tensor([[[[-1.,  0.],
                  [ 1.,  0.]]]])
    """
    import jtorch  # noqa: PLC0415

    align_corners = _align(align_corners)
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    k = len(size) - 2
    if k not in (2, 3):
        raise NotImplementedError(
            f"affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
            f"respectively. Got size {size}."
        )
    if theta.dim() != 3 or tuple(theta.shape[1:]) != (k, k + 1):
        raise ValueError(
            f"Expected a batch of {k}D affine matrices of shape Nx{k}x{k + 1} for size "
            f"{size}. Got {theta.shape}."
        )
    if min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    spatial = list(size[2:])
    # x runs along the last spatial dim, y the one before, z the first (of 3)
    axes = [_base_coords(n, align_corners, theta) for n in reversed(spatial)]
    mesh = jtorch.meshgrid(*reversed(axes), indexing="ij")
    base = jtorch.stack([*reversed(mesh), jtorch.ones(spatial, dtype=theta.dtype)], dim=-1)
    grid = base.reshape(1, -1, k + 1).expand(size[0], -1, -1).bmm(theta.transpose(1, 2))
    return grid.view(size[0], *spatial, k)


def _unnormalize(coord: Tensor, n: int, align_corners: bool) -> Tensor:
    return (coord + 1) / 2 * (n - 1) if align_corners else ((coord + 1) * n - 1) / 2


def _reflect(coord: Tensor, twice_low: int, twice_high: int) -> Tensor:
    """``coord`` reflected into [low, high] by its mirror images (torch's reflect_coordinates)."""
    import jtorch  # noqa: PLC0415

    if twice_low == twice_high:
        return coord * 0
    low, span = twice_low / 2, (twice_high - twice_low) / 2
    dist = (coord - low).abs()
    extra = dist.fmod(span)
    even = (dist.detach() / span).floor().remainder(2) == 0
    return jtorch.where(even, extra + low, span - extra + low)


def _pad_coords(coord: Tensor, n: int, padding_mode: str, align_corners: bool) -> Tensor:
    """Source coordinates after border clamping or reflection (unchanged for zeros)."""
    if padding_mode == "border":
        return coord.clamp(0, n - 1)
    if padding_mode == "reflection":
        bounds = (0, 2 * (n - 1)) if align_corners else (-1, 2 * n - 1)
        return _reflect(coord, *bounds).clamp(0, n - 1)
    return coord


def _cubic_weights(t: Tensor) -> list[Tensor]:
    """Weights of the taps at offsets -1, 0, 1, 2 for the fractional position ``t``."""
    a = _CUBIC_A

    def near(x: Tensor) -> Tensor:  # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x: Tensor) -> Tensor:  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def _gather(flat: Tensor, idx: list[Tensor], valid, spatial: list[int]) -> Tensor:
    """``input[n, :, idx...]`` for integer index tensors of shape (N, L); 0 where not ``valid``."""
    import jtorch  # noqa: PLC0415

    linear = jtorch.zeros_like(idx[0])
    for i, n in zip(idx, spatial):
        linear = linear * n + i.clamp(0, n - 1)
    taps = flat.gather(2, linear.unsqueeze(1).expand(-1, flat.shape[1], -1))
    return taps if valid is None else taps * valid.unsqueeze(1)


def _in_bounds(idx: list[Tensor], spatial: list[int]):
    valid = None
    for i, n in zip(idx, spatial):
        ok = (i >= 0) & (i < n)
        valid = ok if valid is None else valid & ok
    return valid


def grid_sample(
    input: Tensor,
    grid: Tensor,
    mode: str = "bilinear",
    padding_mode: str = "zeros",
    align_corners: bool | None = None,
) -> Tensor:
    """Sample ``input`` (N, C, H, W) or (N, C, D, H, W) at the normalised locations ``grid``
    (N, H', W', 2) or (N, D', H', W', 3); (-1, -1) is the top-left corner.

    Example:
        >>> x = jtorch.arange(4.0).view(1, 1, 2, 2)
        >>> jtorch.nn.functional.grid_sample(x, jtorch.zeros(1, 1, 1, 2), align_corners=False)
        tensor([[[[1.5000]]]])
    """
    import jtorch  # noqa: PLC0415

    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(
            "nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or "
            f"'bicubic', but got: '{mode}'"
        )
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(
            "nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
            f"'reflection', but got: '{padding_mode}'"
        )
    align_corners = _align(align_corners)
    k = input.dim() - 2
    if k not in (2, 3) or grid.dim() != input.dim():
        raise RuntimeError(
            "grid_sampler(): expected 4D or 5D input and grid with same number of dimensions, "
            f"but got input with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}"
        )
    if grid.shape[-1] != k:
        raise RuntimeError(
            f"grid_sampler(): expected grid to have size {k} in last dimension, but got grid "
            f"with sizes {list(grid.shape)}"
        )
    if grid.shape[0] != input.shape[0]:
        raise RuntimeError(
            "grid_sampler(): expected grid and input to have same batch size, but got input "
            f"with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}"
        )
    if grid.dtype != input.dtype:
        names = {jtorch.float16: "Half", jtorch.float32: "Float", jtorch.float64: "Double"}
        raise RuntimeError(
            f"expected scalar type {names.get(input.dtype, input.dtype)} but found "
            f"{names.get(grid.dtype, grid.dtype)}"
        )
    if mode == "bicubic" and k != 2:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")

    n, c = input.shape[:2]
    spatial = list(input.shape[2:])
    out_spatial = list(grid.shape[1:-1])
    flat = input.reshape(n, c, -1)
    g = grid.reshape(n, -1, k)
    # grid components run x, y(, z); input spatial dims run (z,) y, x
    coords = [_unnormalize(g[..., k - 1 - d], spatial[d], align_corners) for d in range(k)]

    if mode == "bicubic":
        base = [co.detach().floor() for co in coords]
        weights = [_cubic_weights(co - b) for co, b in zip(coords, base)]
        # the four tap positions along each dim, padded once (the 16 taps combine them)
        taps = [
            [_pad_coords(b + (o - 1), size, padding_mode, align_corners).long() for o in range(4)]
            for b, size in zip(base, spatial)
        ]
        out = 0
        for offsets in itertools.product(range(4), repeat=k):
            idx = [taps[d][o] for d, o in enumerate(offsets)]
            valid = _in_bounds(idx, spatial) if padding_mode == "zeros" else None
            w = weights[0][offsets[0]] * weights[1][offsets[1]]
            out = out + _gather(flat, idx, valid, spatial) * w.unsqueeze(1)
        return out.view(n, c, *out_spatial)

    coords = [
        _pad_coords(co, size, padding_mode, align_corners) for co, size in zip(coords, spatial)
    ]
    if mode == "nearest":
        rounded = [co.round() for co in coords]
        idx = [r.detach().long() for r in rounded]
        out = _gather(flat, idx, _in_bounds(idx, spatial), spatial)
        if grid.requires_grad:  # NOTE: as torch, the grid gets a zero gradient, not none
            out = out + sum(r - r.detach() for r in rounded).unsqueeze(1)
        return out.view(n, c, *out_spatial)

    low = [co.detach().floor() for co in coords]
    frac = [co - lo for co, lo in zip(coords, low)]
    out = 0
    for corner in itertools.product((0, 1), repeat=k):
        idx = [(lo + o).long() for lo, o in zip(low, corner)]
        w = None
        for f, o in zip(frac, corner):
            part = f if o else 1 - f
            w = part if w is None else w * part
        tap = _gather(flat, idx, _in_bounds(idx, spatial), spatial)
        out = out + tap * w.unsqueeze(1)
    return out.view(n, c, *out_spatial)


__all__ = ["affine_grid", "grid_sample"]
