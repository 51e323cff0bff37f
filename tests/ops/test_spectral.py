"""stft and istft against torch: values, shapes, both sidednesses, padding modes, windows shorter
than n_fft, normalisation, gradients through both, round trips and errors."""

import warnings

import numpy as np
import pytest
from oracle import check, check_error, randn

import jtorch

SIGNAL = randn(2, 40)


def _window(lib, kind, n, dtype):
    return None if kind is None else getattr(lib, kind + "_window")(n, dtype=dtype)


STFT_CASES = [
    dict(n_fft=16),
    dict(n_fft=16, hop_length=4, win_length=10, window="hann", normalized=True),
    dict(n_fft=16, window="hamming", pad_mode="constant"),
    dict(n_fft=8, center=False, hop_length=3),
    dict(n_fft=16, onesided=False, window="hann"),
]


@pytest.mark.parametrize("kw", STFT_CASES)
def test_stft(kw):
    def fn(lib, x):
        k = dict(kw)
        k["window"] = _window(lib, k.get("window"), k.get("win_length", k["n_fft"]), x.dtype)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return lib.view_as_real(lib.stft(x, return_complex=True, **k))

    check(fn, SIGNAL)
    check(lambda lib, x: fn(lib, x.unsqueeze(0))[0], SIGNAL[0])


@pytest.mark.parametrize("kw", [c for c in STFT_CASES if c.get("window") or not c.get("center", 1)])
def test_istft_inverts_stft_with_gradients(kw):
    kw = {k: v for k, v in kw.items() if k != "pad_mode"}

    def fn(lib, spec):
        k = dict(kw)
        k["window"] = _window(lib, k.get("window"), k.get("win_length", k["n_fft"]), spec.dtype)
        return lib.istft(lib.view_as_complex(spec), length=40, **k)

    window = _window(jtorch, kw.get("window"), kw.get("win_length", kw["n_fft"]), jtorch.float64)
    rest = {k: v for k, v in kw.items() if k != "window"}
    spec = jtorch.stft(jtorch.tensor(SIGNAL), return_complex=True, window=window, **rest)
    real = jtorch.view_as_real(spec).numpy()
    check(fn, real)
    if kw.get("center", True):  # centred frames cover the whole signal: an exact round trip
        np.testing.assert_allclose(fn(jtorch, jtorch.tensor(real)).numpy(), SIGNAL, atol=1e-12)


def test_stft_method_and_return_real():
    check(lambda lib, x: x.stft(8, window=lib.hann_window(8, dtype=x.dtype), return_complex=False),
          SIGNAL[0])  # fmt: skip


def test_errors():
    check_error(lambda lib, x: lib.stft(x, 8), SIGNAL)
    check_error(lambda lib, x: lib.istft(x, 8), randn(5, 4))
    with pytest.warns(UserWarning, match="A window was not provided"):
        jtorch.stft(jtorch.tensor(SIGNAL), 8, return_complex=True)
    spec = jtorch.stft(jtorch.tensor(SIGNAL), 8, window=jtorch.ones(8), return_complex=True)
    with pytest.raises(RuntimeError, match="window overlap add min"):
        jtorch.istft(spec, 8, window=jtorch.zeros(8))
