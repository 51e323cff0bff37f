"""jtorch.special and the top-level special functions (lgamma, digamma, i0, xlogy, ...) vs torch."""

import numpy as np
import pytest
from oracle import check, check_error, rand, randn

import jtorch

POS = rand(2, 5, low=0.2, high=6.0)  # positive, away from the poles
MIXED = np.array([[-3.7, -1.2, -0.4, 0.3, 0.9], [1.0, 2.0, 2.5, 7.5, 15.0]])
UNIT = rand(2, 4, low=0.02, high=0.98)


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, x: lib.lgamma(x),
        lambda lib, x: lib.digamma(x),
        lambda lib, x: x.lgamma(),
        lambda lib, x: x.digamma(),
        lambda lib, x: lib.polygamma(1, x),
        lambda lib, x: lib.polygamma(3, x),
        lambda lib, x: lib.special.psi(x),
        lambda lib, x: lib.special.gammaln(x),
        lambda lib, x: lib.i0(x),
        lambda lib, x: lib.special.i0e(x),
        lambda lib, x: lib.special.i1(x),
        lambda lib, x: lib.special.i1e(x),
        lambda lib, x: lib.sinc(x),
        lambda lib, x: lib.special.erfcx(x),
        lambda lib, x: lib.special.ndtr(x),
        lambda lib, x: lib.special.log_ndtr(x),
    ],
)
def test_unary_mixed_sign(fn):
    check(fn, MIXED)


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, x: lib.special.polygamma(2, x),
        lambda lib, x: lib.special.entr(x),
        lambda lib, x: lib.mvlgamma(x + 2, 3),
        lambda lib, x: lib.special.multigammaln(x + 1, 2),
        lambda lib, x: x.mvlgamma(1) if lib is jtorch else x.mvlgamma(1),
    ],
)
def test_unary_positive(fn):
    check(fn, POS)


def test_ndtri_and_erfcx_tails():
    check(lambda lib, p: lib.special.ndtri(p), UNIT)
    tails = np.array([0.0, 1e-300, 1e-20, 1e-5, 0.5, 1 - 1e-10, 1.0, -0.5, 1.5])
    check(lambda lib, p: lib.special.ndtri(p), tails, grad=False)
    big = np.array([-30.0, -5.0, -1.5, 0.0, 1.9, 2.1, 30.0, 1e5])
    check(lambda lib, x: (lib.special.erfcx(x), lib.special.log_ndtr(x)), big, grad=False)


def test_edge_values():
    edges = np.array([-np.inf, -2.0, -0.0, 0.0, 1.0, 2.0, np.inf, np.nan])
    check(
        lambda lib, x: (lib.lgamma(x), lib.digamma(x), lib.special.entr(x), lib.sinc(x)),
        edges,
        grad=False,
    )
    check(lambda lib, x: (lib.i0(x), lib.special.i1e(x)), np.array([0.0, 8.0, -8.5, 50.0]))


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, x, y: lib.xlogy(x, y),
        lambda lib, x, y: x.xlogy(y),
        lambda lib, x, y: lib.special.xlogy(x, 2.5),
        lambda lib, x, y: lib.special.xlog1py(x, y),
    ],
)
def test_binary(fn):
    check(fn, POS, rand(5, low=0.1, high=4.0, seed=2))


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, a, y: lib.igamma(lib.tensor(a, dtype=y.dtype), y),
        lambda lib, a, y: lib.tensor(a, dtype=y.dtype).igammac(y),
        lambda lib, a, y: lib.special.gammainc(lib.tensor(a, dtype=y.dtype), y),
        lambda lib, a, y: lib.special.zeta(lib.tensor(a, dtype=y.dtype) + 1.5, y),
    ],
)
def test_binary_grad_wrt_other_only(fn):
    # torch has no derivative wrt the first argument: it stays a constant (a list here)
    check(fn, POS.tolist(), rand(5, low=0.1, high=4.0, seed=2))


def test_binary_special_values_and_dtypes():
    x = np.array([0.0, 0.0, 1.0, 2.0])
    y = np.array([0.0, np.nan, 0.0, -1.0])
    check(lambda lib, a, b: (lib.xlogy(a, b), lib.special.xlog1py(a, b)), x, y, grad=False)
    ints = jtorch.tensor([1, 2, 3])
    assert {f(ints).dtype for f in (jtorch.lgamma, jtorch.i0, jtorch.sinc)} == {jtorch.float32}
    assert jtorch.xlogy(2, ints).dtype == jtorch.xlogy(ints, ints).dtype == jtorch.float32
    a = np.array([0.0, 1.0, -1.0, 2.0, 1.0, np.inf, 3.0, 150.0])
    b = np.array([1.0, 0.0, 1.0, np.inf, -1.0, 3.0, 0.0, 140.0])
    check(lambda lib, a, b: (lib.igamma(a, b), lib.igammac(a, b)), a, b, grad=False)
    z = np.array([1.0, 0.5, 2.0, 3.0, 2.0])
    q = np.array([1.0, 1.0, -2.0, -1.5, 1e-3])
    check(lambda lib, x, q: lib.special.zeta(x, q), z, q, grad=False)


def test_not_implemented_grads():
    a = jtorch.tensor([1.5], requires_grad=True)
    with pytest.raises(NotImplementedError, match="the derivative for 'igamma: input'"):
        jtorch.igamma(a, jtorch.tensor([1.0])).backward()
    with pytest.raises(NotImplementedError, match="the derivative for 'zeta' is not"):
        jtorch.special.zeta(a + 1, jtorch.tensor([1.0])).backward()


def test_errors():
    check_error(lambda lib, x: lib.polygamma(-1, x), POS)
    check_error(lambda lib, x: lib.mvlgamma(x, 0), POS)


def test_aliases_and_inplace():
    check(
        lambda lib, x: (
            lib.special.expit(x),
            lib.special.exp2(x),
            lib.special.logit(x.sigmoid()),
            lib.special.softmax(x, 1),
            lib.special.log_softmax(x, 0),
            lib.special.logsumexp(x, 1),
            lib.special.round(x),
            lib.special.erfinv(x.tanh()),
        ),
        randn(2, 3),
    )
    check(lambda lib, x: x.clone().lgamma_().digamma_().sinc_(), POS)
    check(lambda lib, x, y: x.clone().xlogy_(y).i0_(), POS, rand(5, seed=3))
    check(lambda lib, x: x.clone().mvlgamma_(1), POS)


def test_out_and_second_order():
    out = jtorch.empty(2)
    jtorch.lgamma(jtorch.tensor([1.0, 3.0]), out=out)
    assert out.tolist() == pytest.approx([0.0, np.log(2)])
    check(lambda lib, x: lib.autograd.grad(lib.lgamma(x).sum(), x, create_graph=True)[0], POS)


BESSEL = (
    "bessel_j0 bessel_j1 bessel_y0 bessel_y1 modified_bessel_i0 modified_bessel_i1 "
    "modified_bessel_k0 modified_bessel_k1 scaled_modified_bessel_k0 scaled_modified_bessel_k1 airy_ai "
    "spherical_bessel_j0"
).split()


@pytest.mark.parametrize("name", BESSEL)
def test_bessel(name):
    x = np.concatenate([np.linspace(-12.0, 30.0, 43), [0.0, 1e-7, 4.99, 5.01, 1.99, 2.01, 1e3]])
    x = np.concatenate([x, [np.inf, -np.inf, np.nan]])
    check(lambda lib, x: getattr(lib.special, name)(x), x, grad=False)
    y = getattr(jtorch.special, name)(jtorch.tensor([1.0, 2.0], requires_grad=True))
    assert y.grad_fn is None and not y.requires_grad  # torch does not differentiate these


def test_grad_fn_names():
    import torch  # noqa: PLC0415  (the oracle; conftest skips without it)

    cases = [
        lambda lib, x, y: lib.lgamma(x),
        lambda lib, x, y: lib.digamma(x),
        lambda lib, x, y: lib.polygamma(2, x),
        lambda lib, x, y: lib.mvlgamma(x + 3, 2),
        lambda lib, x, y: lib.i0(x),
        lambda lib, x, y: lib.special.i0e(x),
        lambda lib, x, y: lib.special.i1(x),
        lambda lib, x, y: lib.special.i1e(x),
        lambda lib, x, y: lib.sinc(x),
        lambda lib, x, y: lib.special.entr(x),
        lambda lib, x, y: lib.special.erfcx(x),
        lambda lib, x, y: lib.special.ndtri(x / 10),
        lambda lib, x, y: lib.special.log_ndtr(x),
        lambda lib, x, y: lib.xlogy(x, y),
        lambda lib, x, y: lib.special.xlog1py(x, y),
        lambda lib, x, y: lib.igamma(y, x),
        lambda lib, x, y: lib.igammac(y, x),
        lambda lib, x, y: lib.special.zeta(y + 1, x),
    ]
    for fn in cases:
        ours = fn(jtorch, jtorch.tensor(POS, requires_grad=True), jtorch.tensor(POS[::-1]))
        theirs = fn(torch, torch.tensor(POS, requires_grad=True), torch.tensor(POS[::-1].copy()))
        assert ours.grad_fn.name() == type(theirs.grad_fn).__name__


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, z: lib.lgamma(z),
        lambda lib, z: lib.polygamma(1, z),
        lambda lib, z: lib.polygamma(3, z),
        lambda lib, z: lib.special.digamma(z),
        lambda lib, z: lib.mvlgamma(z, 2),
        lambda lib, z: lib.i0(z),
        lambda lib, z: lib.special.i1e(z),
        lambda lib, z: lib.special.ndtr(z),
        lambda lib, z: lib.special.log_ndtr(z),
        lambda lib, z: lib.xlogy(z, z),
        lambda lib, z: lib.igammac(z, z),
        lambda lib, z: lib.special.zeta(z, z),
        lambda lib, z: lib.special.modified_bessel_k1(z),
    ],
)
def test_complex_refused(fn):
    check_error(fn, np.array([1 + 1j], dtype=np.complex64))


POLYNOMIALS = (
    "chebyshev_polynomial_t chebyshev_polynomial_u chebyshev_polynomial_v chebyshev_polynomial_w "
    "shifted_chebyshev_polynomial_t shifted_chebyshev_polynomial_u shifted_chebyshev_polynomial_v "
    "shifted_chebyshev_polynomial_w hermite_polynomial_h hermite_polynomial_he "
    "laguerre_polynomial_l legendre_polynomial_p"
).split()


@pytest.mark.parametrize("name", POLYNOMIALS)
def test_polynomials(name):
    # NOTE: no NaN inputs: torch returns an uninitialised value for some kinds there
    x = np.concatenate([np.linspace(-2.5, 2.5, 21), [-1.0, 0.0, 1.0, 0.3, 0.7]])
    n = np.array([-1.0, 0, 1, 2, 3, 4.7, 5, 6, 7, 8, 9, 12])
    check(lambda lib, x, n: getattr(lib.special, name)(x, n), x[:, None], n, grad=False)
    check(lambda lib, x: getattr(lib.special, name)(x, 3), x, grad=False)
    check(lambda lib, n: getattr(lib.special, name)(0.5, n), np.array([2.0, 7, 10]), grad=False)
