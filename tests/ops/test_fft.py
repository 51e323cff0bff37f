"""jtorch.fft against torch.fft: values, dtypes, shapes, gradients (real and complex), errors."""

import numpy as np
import pytest
from oracle import check, check_error, randn, torch

import jtorch

X = randn(3, 5)
X3 = randn(2, 3, 4, seed=1)
Z = randn(3, 5, 2, seed=2)  # complex data as (re, im) pairs, so float64 gradcheck covers it
NORMS = (None, "backward", "ortho", "forward")
SCALINGS = NORMS[1:]  # None is "backward": the n-dimensional tests take one of the two
ONE_DIM = ("fft", "ifft", "rfft", "irfft", "hfft", "ihfft")
COMPLEX64_TOL = {"atol": 1e-5, "rtol": 1e-4}  # the harness's complex64 tolerances


def resolved(t):
    """``t`` without the conjugate bit (torch refuses view_as_real of a lazily conjugated
    tensor; jtorch marks the same results)."""
    return t.resolve_conj() if t.is_complex() else t


def cplx(fn):
    """``fn`` on the complex view of a real (..., 2) input, with a complex result seen as reals:
    the cotangents then have imaginary parts too, and gradcheck runs in float64."""

    def run(lib, z, *args):
        out = fn(lib, lib.view_as_complex(z), *args)
        return lib.view_as_real(resolved(out)) if out.is_complex() else out

    return run


def transform(name, **kwargs):
    return lambda lib, x: resolved(getattr(lib.fft, name)(x, **kwargs))


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("name", ONE_DIM)
def test_one_dim_real_input(name, norm):
    check(transform(name, norm=norm), X)


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("name", ("fft", "ifft", "irfft", "hfft"))
def test_one_dim_complex_input(name, norm):
    check(cplx(transform(name, norm=norm)), Z)


@pytest.mark.parametrize("n", (1, 4, 7))  # crops and pads, even and odd
@pytest.mark.parametrize("name", ONE_DIM)
def test_one_dim_n_and_dim(name, n):
    check(transform(name, n=n, dim=0, norm="ortho"), X)
    if name not in ("rfft", "ihfft"):
        check(cplx(transform(name, n=n, dim=-2)), Z)


@pytest.mark.parametrize("norm", SCALINGS)
@pytest.mark.parametrize(
    "name", ("fft2", "ifft2", "fftn", "ifftn", "irfft2", "irfftn", "hfft2", "hfftn")
)
def test_n_dim_complex_input(name, norm):
    check(cplx(transform(name, norm=norm)), randn(3, 4, 2, seed=3))


@pytest.mark.parametrize("norm", SCALINGS)
@pytest.mark.parametrize(
    "name",
    ("fft2", "ifft2", "fftn", "ifftn", "rfft2", "rfftn", "irfft2", "irfftn", "hfft2", "hfftn")
    + ("ihfft2", "ihfftn"),
)
def test_n_dim_real_input(name, norm):
    check(transform(name, norm=norm), X3)


@pytest.mark.parametrize(
    "kw",
    (
        {"s": (3, 6)},
        {"s": (2, -1)},
        {"s": 5},
        {"dim": 1},
        {"dim": (-1, 0)},
        {"s": (5, 2), "dim": (2, 0), "norm": "forward"},
    ),
)
@pytest.mark.parametrize("name", ("fftn", "ifftn", "rfftn", "irfftn", "hfftn", "ihfftn"))
def test_n_dim_sizes_and_dims(name, kw):
    check(transform(name, **kw), X3)


@pytest.mark.parametrize("name", ("fftn", "ifftn", "irfftn", "hfftn"))
def test_n_dim_sizes_and_dims_complex_input(name):
    z = randn(2, 3, 4, 2, seed=6)
    check(cplx(transform(name, s=(4, 3), dim=(2, 0), norm="ortho")), z)
    check(cplx(transform(name, s=(-1, 5))), z)


def test_no_dims():
    # fftn over no dims is a (complex) copy; the real-to-complex family needs an axis (errors)
    check(transform("fftn", dim=()), X)
    check(transform("ifftn", s=()), X)
    check(cplx(transform("fftn", dim=())), Z)


def test_complex_single_precision():
    z = (randn(3, 6) + 1j * randn(3, 6, seed=5)).astype(np.complex64)
    # NOTE: not hfft: torch's gradient of its complex input carries the conjugate bit, which
    # the harness cannot turn into NumPy (test_one_dim_complex_input covers it in float32)
    for name in ("fft", "ifft", "fft2", "irfft", "fftn", "irfftn"):
        check(transform(name), z, **COMPLEX64_TOL)


def test_integer_and_bool_input_is_default_float():
    ints = np.arange(6, dtype=np.int64).reshape(2, 3)
    for name in ("fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fftn", "rfftn", "ihfftn"):
        check(transform(name), ints, grad=False)
    check(transform("fft"), ints > 2, grad=False)


def complex_leaf_loss(lib, z, name, loss, **kw):
    out = getattr(lib.fft, name)(z, **kw)
    if loss == "abs":
        return out.abs().sum()
    return lib.view_as_real(resolved(out)).pow(2).sum() if out.is_complex() else out.pow(3).sum()


@pytest.mark.parametrize("loss", ("abs", "pow"))
@pytest.mark.parametrize(
    "name, kw",
    (
        ("fft", {}),
        ("ifft", {"n": 7, "norm": "ortho"}),
        ("irfft", {}),
        ("irfft", {"n": 7, "norm": "forward"}),
        ("hfft", {"n": 5}),
        ("fft2", {"s": (3, 2)}),
        ("irfftn", {"dim": (0, 1)}),
        ("hfftn", {"norm": "ortho"}),
        ("hfft2", {"s": (2, 6)}),
    ),
)
def test_complex_leaf_grads(name, kw, loss):
    """Gradients of a real loss with respect to complex leaves equal torch's (conjugate
    Wirtinger: dL/dRe + i dL/dIm)."""
    z = randn(4, 5) + 1j * randn(4, 5, seed=7)
    grads = []
    for lib in (jtorch, torch):
        leaf = lib.tensor(z, requires_grad=True)
        complex_leaf_loss(lib, leaf, name, loss, **kw).backward()
        grads.append(leaf.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize(
    "name, kw",
    (("fft", {}), ("rfft", {"n": 5}), ("irfft", {"n": 5}), ("hfft", {}), ("ihfft", {}))
    + (("rfftn", {}), ("irfftn", {"s": (3, 3)}), ("hfftn", {}), ("ihfftn", {})),
)
def test_double_backward(name, kw):
    """Each primitive's backward is differentiable again (gradgradcheck in float64)."""
    real_in = name in ("rfft", "ihfft", "rfftn", "ihfftn")
    x = jtorch.tensor(randn(3, 4) if real_in else randn(3, 4) + 1j * randn(3, 4, seed=8))
    fn = getattr(jtorch.fft, name)
    assert jtorch.autograd.gradgradcheck(lambda t: fn(t, **kw), (x.requires_grad_(),))


def test_double_backward_against_torch():
    check(
        lambda lib, x: lib.autograd.grad(
            lib.fft.irfft(lib.fft.rfft(x) ** 2).sum(), x, create_graph=True
        )[0],
        randn(6, seed=4),
    )


def test_grad_fn_names_and_conj_bit():
    x = jtorch.randn(4, 6, requires_grad=True)
    z = jtorch.tensor(randn(4, 6) + 1j * randn(4, 6, seed=9), requires_grad=True)
    fft = jtorch.fft
    names = {
        "FftR2CBackward0": [fft.fft(x), fft.rfft(x), fft.rfft2(x), fft.rfftn(x, dim=0)],
        "FftC2CBackward0": [fft.fft(z), fft.ifft(z), fft.fft2(x), fft.ihfft2(x), fft.ifftn(z)],
        "FftC2RBackward0": [fft.irfft(z), fft.hfft(z), fft.irfftn(z), fft.hfft2(x)],
        "ConjBackward0": [fft.ifft(x), fft.ihfft(x), fft.ihfftn(x, dim=1)],
    }
    for name, results in names.items():
        assert [type(r.grad_fn).__name__ for r in results] == [name] * len(results)
    # torch returns the inverse transforms of real signals lazily conjugated
    assert fft.ifft(x).is_conj() and fft.ihfft(x).is_conj()
    assert not fft.ihfft2(x).is_conj() and not fft.fft(x).is_conj()
    assert type(fft.ihfft2(x).grad_fn.next_functions[0][0]).__name__ == "ConjPhysicalBackward0"
    assert not fft.ifft(x).resolve_conj().is_conj()


def test_printing():
    shown = []
    for lib in (jtorch, torch):
        x = lib.tensor(X.astype(np.float32), requires_grad=True)
        y = x.double()
        shown.append((repr(lib.fft.fft(x)), repr(lib.fft.ifft(y)[0]), str(lib.fft.hfft(y))))
    assert shown[0] == shown[1]


def test_out():
    for lib in (jtorch, torch):
        x = lib.tensor(X)
        out = lib.empty(0, dtype=lib.complex128)
        assert lib.fft.fft(x, out=out) is out
        freq = lib.empty(3)
        assert lib.fft.rfftfreq(4, out=freq) is freq
    np.testing.assert_allclose(
        jtorch.fft.rfft(jtorch.tensor(X), out=jtorch.empty(3, 3, dtype=jtorch.complex128)).numpy(),
        torch.fft.rfft(torch.tensor(X)).numpy(),
    )
    np.testing.assert_array_equal(
        jtorch.fft.fftfreq(5, out=jtorch.empty(5)).numpy(), torch.fft.fftfreq(5).numpy()
    )


@pytest.mark.parametrize("n", (0, 1, 4, 5))
@pytest.mark.parametrize("d", (1.0, 0.3, 0))
def test_frequencies(n, d):
    check(lambda lib: lib.fft.fftfreq(n, d), grad=False)
    check(lambda lib: lib.fft.rfftfreq(n, d), grad=False)
    check(lambda lib: lib.fft.fftfreq(n, d, dtype=lib.float64), grad=False)
    check(lambda lib: lib.fft.rfftfreq(n, d=d, dtype=lib.float16), grad=False)
    assert jtorch.fft.fftfreq(n, requires_grad=True).requires_grad


@pytest.mark.parametrize("fn", ("fftshift", "ifftshift"))
def test_shifts(fn):
    for dim in (None, 0, (1,), (0, 1), -1, (-1, 0)):
        check(lambda lib, x, dim=dim: getattr(lib.fft, fn)(x, dim=dim), randn(4, 5))
    check(cplx(lambda lib, z: getattr(lib.fft, fn)(z)), Z)


ERRORS = [
    lambda lib, x: lib.fft.fft(x, n=0),
    lambda lib, x: lib.fft.rfft(x.to(lib.complex64)),
    lambda lib, x: lib.fft.ihfft(x.to(lib.complex64)),
    lambda lib, x: lib.fft.fft(x, dim=2),
    lambda lib, x: lib.fft.fftn(x, dim=(0, -3)),
    lambda lib, x: lib.fft.fft(x, norm="bad"),
    lambda lib, x: lib.fft.irfftn(x, norm="Ortho"),
    lambda lib, x: lib.fft.fftn(x, s=(2, 2, 2)),
    lambda lib, x: lib.fft.fftn(x, dim=(0, 0)),
    lambda lib, x: lib.fft.fftn(x, s=(2,), dim=(0, 1)),
    lambda lib, x: lib.fft.fftn(x, s=(0, 2)),
    lambda lib, x: lib.fft.rfftn(x.to(lib.complex64)),
    lambda lib, x: lib.fft.rfft2(x.to(lib.complex128)),
    lambda lib, x: lib.fft.ihfftn(x.to(lib.complex64)),
    lambda lib, x: lib.fft.fft(x.half()),
    lambda lib, x: lib.fft.irfft(x.half()),
    lambda lib, x: lib.fft.fft(x.sum()),
    lambda lib, x: lib.fft.irfft(x[:, :1]),
    lambda lib, x: lib.fft.irfftn(x, dim=()),
    lambda lib, x: lib.fft.hfftn(x, dim=()),
    lambda lib, x: lib.fft.ihfftn(x, dim=()),
    lambda lib, x: lib.fft.rfftn(x.sum()),
    lambda lib, x: lib.fft.rfft(x, n=-1),
    lambda lib, x: lib.fft.irfftn(x, s=(2, 0)),
    lambda lib, x: lib.fft.fftfreq(5, dtype=lib.int64),
    lambda lib, x: lib.fft.rfftfreq(5, dtype=lib.bool),
    lambda lib, x: lib.fft.fftfreq(5, dtype=lib.complex64),
    lambda lib, x: lib.fft.fftfreq(-2),
    lambda lib, x: lib.fft.fftshift(x, dim=2),
]


@pytest.mark.parametrize("fn", ERRORS)
def test_errors(fn):
    x = torch.tensor(X, requires_grad=True), jtorch.tensor(X, requires_grad=True)
    check_error(lambda lib: fn(lib, x[lib is jtorch]))
