"""Short-time Fourier transforms: ``stft`` frames a signal, windows each frame and takes its FFT;
``istft`` inverts it by overlap-add. Both are compositions of differentiable ops (pad, unfold,
``jtorch.fft``, fold), so gradients flow through them as in torch.
"""

from __future__ import annotations

import warnings

from jtorch._tensor import Tensor

__all__ = ["istft", "stft"]


def _full_window(window: Tensor | None, win_length: int, n_fft: int, like: Tensor) -> Tensor:
    """The window zero-padded on both sides to ``n_fft`` (rectangular when None)."""
    import jtorch  # noqa: PLC0415

    if window is None:
        window = jtorch.ones(win_length, dtype=like.real.dtype if like.is_complex() else like.dtype)
    if window.dim() != 1 or window.shape[0] != win_length:
        raise RuntimeError(
            f"stft: expected a 1D window tensor of size equal to win_length={win_length}, but "
            f"got window with size {list(window.shape)}"
        )
    left = (n_fft - win_length) // 2
    if left or win_length < n_fft:
        window = jtorch.nn.functional.pad(window, (left, n_fft - win_length - left))
    return window


def _lengths(n_fft: int, hop_length: int | None, win_length: int | None) -> tuple[int, int]:
    hop = n_fft // 4 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    if hop <= 0:
        raise RuntimeError(f"stft: expected hop_length > 0, but got hop_length={hop}")
    if not 0 < win <= n_fft:
        raise RuntimeError(f"stft: expected 0 < win_length <= n_fft, but got win_length={win}")
    return hop, win


def stft(
    input: Tensor,
    n_fft: int,
    hop_length: int | None = None,
    win_length: int | None = None,
    window: Tensor | None = None,
    center: bool = True,
    pad_mode: str = "reflect",
    normalized: bool = False,
    onesided: bool | None = None,
    return_complex: bool | None = None,
    align_to_window: bool | None = None,
) -> Tensor:
    """The short-time Fourier transform of a 1-D signal or a (batch, time) signal: shape
    (batch?, n_fft // 2 + 1 or n_fft, frames).

    Example:
        >>> x = jtorch.arange(8.0)
        >>> jtorch.stft(x, 4, window=jtorch.ones(4), return_complex=True).shape
        torch.Size([3, 9])
    """
    import jtorch  # noqa: PLC0415

    if center and align_to_window is not None:
        raise RuntimeError("stft align_to_window should only be set when center = false")
    if align_to_window:
        raise NotImplementedError("jtorch: stft(align_to_window=True) is not supported")
    if return_complex is None and not (
        input.is_complex() or (window is not None and window.is_complex())
    ):
        raise RuntimeError(
            "stft requires the return_complex parameter be given for real inputs, and will "
            "further require that return_complex=True in a future PyTorch release."
        )
    if window is None:
        warnings.warn(
            "A window was not provided. A rectangular window will be applied,which is known to "
            "cause spectral leakage. Other windows such as torch.hann_window or "
            "torch.hamming_window are recommended to reduce spectral leakage.To suppress this "
            "warning and use a rectangular window, explicitly set `window=torch.ones(n_fft, "
            "device=<device>)`.",
            stacklevel=2,
        )
    if input.dim() not in (1, 2):
        raise RuntimeError(f"stft: expected a 1D or 2D tensor, but got {input.dim()}D tensor")
    hop, win = _lengths(n_fft, hop_length, win_length)
    batched = input.dim() == 2
    x = input if batched else input.unsqueeze(0)
    if center:
        pad = n_fft // 2
        x = jtorch.nn.functional.pad(x.unsqueeze(1), (pad, pad), pad_mode).squeeze(1)
    length = x.shape[-1]
    if not 0 < n_fft <= length:
        raise RuntimeError(f"stft: expected 0 < n_fft <= {length}, but got n_fft={n_fft}")
    frames = x.unfold(-1, n_fft, hop) * _full_window(window, win, n_fft, x)
    complex_input = input.is_complex() or (window is not None and window.is_complex())
    if onesided is None:
        onesided = not complex_input
    if onesided and complex_input:
        raise RuntimeError("Cannot have onesided output if window or input is complex")
    norm = "ortho" if normalized else "backward"
    spec = jtorch.fft.rfft(frames, norm=norm) if onesided else jtorch.fft.fft(frames, norm=norm)
    spec = spec.transpose(-1, -2)
    if not batched:
        spec = spec.squeeze(0)
    if return_complex is False:
        return jtorch.view_as_real(spec)
    return spec


def istft(
    input: Tensor,
    n_fft: int,
    hop_length: int | None = None,
    win_length: int | None = None,
    window: Tensor | None = None,
    center: bool = True,
    normalized: bool = False,
    onesided: bool | None = None,
    length: int | None = None,
    return_complex: bool = False,
) -> Tensor:
    """The inverse of ``stft``: inverse FFT of each frame, windowed overlap-add, divided by the
    summed squared window.

    Example:
        >>> w = jtorch.hann_window(8)
        >>> x = jtorch.arange(16.0)
        >>> y = jtorch.istft(jtorch.stft(x, 8, window=w, return_complex=True), 8, window=w)
        >>> bool(jtorch.allclose(y, x, atol=1e-5))
        True
    """
    import jtorch  # noqa: PLC0415

    if not input.is_complex():
        raise RuntimeError(
            "istft requires a complex-valued input tensor matching the output from stft with "
            "return_complex=True."
        )
    if input.dim() not in (2, 3):
        raise RuntimeError(
            f"istft: expected a tensor with 2 or 3 dimensions of complex dtype, but got {input.dim()}"
        )
    hop, win = _lengths(n_fft, hop_length, win_length)
    batched = input.dim() == 3
    spec = input if batched else input.unsqueeze(0)
    n_freq, n_frames = spec.shape[-2], spec.shape[-1]
    if onesided is None:
        onesided = n_freq != n_fft
    norm = "ortho" if normalized else "backward"
    spec = spec.transpose(-1, -2)
    if onesided:
        if n_freq != n_fft // 2 + 1:
            raise RuntimeError(
                "istft: expected the frequency dimension (3rd to the last) of the input tensor "
                f"to match n_fft / 2 + 1 when onesided=True, but got {n_freq}"
            )
        frames = jtorch.fft.irfft(spec, n=n_fft, norm=norm)
    elif return_complex:
        frames = jtorch.fft.ifft(spec, n=n_fft, norm=norm)
    else:  # NOTE: a real signal from a two-sided spectrum: torch reads only its first half
        frames = jtorch.fft.irfft(spec[..., : n_fft // 2 + 1], n=n_fft, norm=norm)
    full = _full_window(window, win, n_fft, frames)
    total = n_fft + hop * (n_frames - 1)
    fold = jtorch.nn.functional.fold

    def overlap_add(columns: Tensor) -> Tensor:  # (batch, n_fft, frames) -> (batch, total)
        out = fold(columns, output_size=(1, total), kernel_size=(1, n_fft), stride=(1, hop))
        return out.reshape(columns.shape[0], total)

    if frames.is_complex():
        y = jtorch.complex(
            *(overlap_add((part * full).transpose(1, 2)) for part in (frames.real, frames.imag))
        )
    else:
        y = overlap_add((frames * full).transpose(1, 2))
    envelope = overlap_add((full * full).expand(1, n_frames, n_fft).transpose(1, 2))[0]
    start = n_fft // 2 if center else 0
    if length is not None:
        end = start + length
    else:
        end = total - n_fft // 2 if center else total
    end = min(end, total)
    y, envelope = y[:, start:end], envelope[start:end]
    if bool((envelope.abs() < 1e-11).any()):
        raise RuntimeError(
            f"istft(n_fft={n_fft}, hop_length={hop}, win_length={win}, center={int(center)}, "
            f"normalized={int(normalized)}) window overlap add min: 1"
        )
    y = y / envelope
    if length is not None and y.shape[-1] < length:
        y = jtorch.nn.functional.pad(y, (0, length - y.shape[-1]))
    return y if batched else y.squeeze(0)
