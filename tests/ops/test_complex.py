"""Complex tensors against torch: values and gradients (torch's convention: for a real loss L,
``z.grad = dL/dRe z + i dL/dIm z``), the conj/neg bits, adjoint and complex printing."""

import numpy as np
import pytest
from oracle import check, check_error, randn, torch

import jtorch

A = randn(3, 4, 2)  # complex data as (re, im) pairs: float32 and float64 runs, gradcheck
B = randn(3, 4, 2, seed=1)
M = randn(4, 2, 2, seed=2)
R = randn(3, 4, seed=3)


def resolved(t):
    return t.resolve_conj() if t.is_complex() else t


def cplx(fn):
    """``fn`` on the complex views of real (..., 2) inputs (other inputs passed through), with a
    complex result seen as reals, so its cotangents have imaginary parts too."""

    def run(lib, *args):
        args = [lib.view_as_complex(a) if a.dim() and a.shape[-1] == 2 else a for a in args]
        out = fn(lib, *args)
        return lib.view_as_real(resolved(out)) if out.is_complex() else out

    return run


UNARY = {
    "real": lambda lib, z: lib.real(z),
    "imag": lambda lib, z: z.imag,
    "real_property": lambda lib, z: z.real * 2,
    "abs": lambda lib, z: z.abs(),
    "angle": lambda lib, z: lib.angle(z),
    "conj": lambda lib, z: z.conj() * 1.5,
    "conj_function": lambda lib, z: lib.conj(z),
    "conj_physical": lambda lib, z: lib.conj_physical(z),
    "conj_physical_method": lambda lib, z: (z * 2).conj_physical(),
    "resolve_conj": lambda lib, z: z.conj().resolve_conj(),
    "view_as_real": lambda lib, z: lib.view_as_real(z) * 3,
    "neg": lambda lib, z: -z,
    "exp": lambda lib, z: z.exp(),
    "sum": lambda lib, z: z.sum(0),
    "sum_all": lambda lib, z: z.sum(),
    "mean": lambda lib, z: z.mean(1),
    "adjoint": lambda lib, z: z.adjoint(),
    "mH": lambda lib, z: lib.adjoint(z) @ z,
    "sigmoid": lambda lib, z: z.sigmoid(),
    "square": lambda lib, z: z.square(),
    "pow3": lambda lib, z: z**3,
}


def _holomorphic(name: str):
    """A holomorphic function of the library: torch's gradient is grad * conj(f'(z))."""
    return lambda lib, z: getattr(lib, name)(z * 0.5)


UNARY.update(
    {
        name: _holomorphic(name)
        for name in (
            "sin cos tan asin acos atan sinh cosh asinh atanh rsqrt exp2 expm1 log log2 log10 "
            "log1p reciprocal sqrt tanh"
        ).split()
    }
)


@pytest.mark.parametrize("name", UNARY)
def test_unary(name):
    check(cplx(UNARY[name]), A)


BINARY = {
    "add": lambda lib, a, b: a + b,
    "add_alpha": lambda lib, a, b: lib.add(a, b, alpha=2),
    "sub": lambda lib, a, b: a - b,
    "mul": lambda lib, a, b: a * b,
    "div": lambda lib, a, b: a / b,
    "matmul": lambda lib, a, m: a @ m,
    "broadcast_mul": lambda lib, a, b: a[:1] * b,
}


@pytest.mark.parametrize("name", BINARY)
def test_binary(name):
    check(cplx(BINARY[name]), A, M if name == "matmul" else B)


@pytest.mark.parametrize(
    "fn",
    (
        lambda lib, z, r: z * r,  # a real operand gets the real part of its gradient
        lambda lib, z, r: r / z,
        lambda lib, z, r: z + r,
        lambda lib, z, r: z - r * 1j,
        lambda lib, z, r: (r * (2 - 1j)).exp() * z,
        lambda lib, z, r: r.to(z.dtype) * z,
    ),
)
def test_mixed_real_and_complex(fn):
    check(cplx(fn), A, R)


def test_construction():
    check(lambda lib, x: lib.view_as_complex(x) * (1 + 2j), A)
    check(lambda lib, x, y: lib.view_as_real(lib.complex(x, y) * (1 - 1j)), R, R * 0.5)
    check(lambda lib, r, t: lib.view_as_real(lib.polar(r, t) * (0.5 + 1j)), np.abs(R) + 0.1, R)


def loss(lib, out, kind):
    if kind == "abs":
        return out.abs().sum()
    return lib.view_as_real(resolved(out)).pow(2).sum() if out.is_complex() else out.pow(2).sum()


LEAF_OPS = {
    "mul": lambda lib, a, b: a * b,
    "div": lambda lib, a, b: a / b,
    "sub": lambda lib, a, b: a - b * (0.5 + 2j),
    "matmul": lambda lib, a, b: a @ b.mT,
    "sum": lambda lib, a, b: (a * b).sum(1),
    "exp": lambda lib, a, b: a.exp() + b,
    "real_imag": lambda lib, a, b: a.real * b.imag + lib.imag(a) * lib.real(b),
    "angle_abs": lambda lib, a, b: a.angle() * b.abs(),
    "conj": lambda lib, a, b: a.conj() * b,
    "conj_physical": lambda lib, a, b: lib.conj_physical(a) * b,
    "view_as_real": lambda lib, a, b: lib.view_as_real(a * b),
    "view_as_complex": lambda lib, a, b: lib.view_as_complex(lib.view_as_real(a) * 2) * b,
    "adjoint": lambda lib, a, b: a.adjoint() @ b,
}


@pytest.mark.parametrize("kind", ("abs", "pow"))
@pytest.mark.parametrize("name", LEAF_OPS)
def test_complex_leaf_grads(name, kind):
    """Complex leaves, a real loss: both gradients and their dtypes equal torch's."""
    a = randn(3, 4) + 1j * randn(3, 4, seed=4)
    b = randn(3, 4, seed=5) - 1j * randn(3, 4, seed=6)
    grads = []
    for lib in (jtorch, torch):
        leaves = [lib.tensor(v, requires_grad=True) for v in (a, b)]
        loss(lib, LEAF_OPS[name](lib, *leaves), kind).backward()
        grads.append([(str(t.grad.dtype), t.grad.resolve_conj().numpy()) for t in leaves])
    for (ours_dtype, ours), (theirs_dtype, theirs) in zip(*grads):
        assert ours_dtype == theirs_dtype
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


def test_conj_bits():
    z = jtorch.tensor([1 + 2j, 3 - 1j], requires_grad=True)
    x = jtorch.tensor([1.0, -2.0])
    assert not z.is_conj() and not jtorch.is_conj(z) and not z.is_neg() and not jtorch.is_neg(z)
    assert z.resolve_conj() is z and jtorch.resolve_neg(z) is z and x.resolve_conj() is x
    # real tensors: conj and conj_physical return the tensor itself, as torch
    assert x.conj() is x and jtorch.conj_physical(x) is x and x.conj_physical() is x
    a = z.view(2, 1).adjoint()
    assert a.is_conj()  # torch's adjoint is a lazily conjugated view
    r = a.resolve_conj()
    assert not r.is_conj() and type(r.grad_fn).__name__ == "CloneBackward0"
    assert a.tolist() == r.tolist() == [[1 - 2j, 3 + 1j]]
    assert type(jtorch.conj_physical(z).grad_fn).__name__ == "ConjPhysicalBackward0"


def test_conj_physical_in_place():
    for lib in (jtorch, torch):
        z = lib.tensor([1 + 2j, -1j])
        assert z.conj_physical_() is z and z.tolist() == [1 - 2j, 1j]
        assert lib.conj_physical_(z) is z and z.tolist() == [1 + 2j, -1j]
        x = lib.tensor([1.0, 2.0])
        assert x.conj_physical_() is x and x.tolist() == [1.0, 2.0]


def test_conj_physical_out():
    z = A[..., 0] + 1j * A[..., 1]
    check(lambda lib, x: lib.conj_physical(x, out=lib.empty(0, dtype=x.dtype)), z, grad=False)


def test_real_and_imag_are_views():
    for lib in (jtorch, torch):
        z = lib.tensor([1 + 2j, 3 - 1j])
        z.imag.fill_(3)
        z.real.mul_(2)
        assert z.tolist() == [2 + 3j, 6 + 3j]


ERRORS = [
    lambda lib: lib.adjoint(lib.ones(3)),
    lambda lib: lib.ones(3).imag,
    lambda lib: lib.view_as_real(lib.ones(3)),
    lambda lib: lib.view_as_complex(lib.ones(3, 3)),
    lambda lib: lib.complex(lib.ones(2), lib.ones(2, dtype=lib.float64)),
    lambda lib: lib.tensor(1j, requires_grad=True).backward(),
]


@pytest.mark.parametrize("fn", ERRORS)
def test_errors(fn):
    check_error(fn)


def test_polar_error():
    # NOTE: torch's polar says "tensors" where complex says "tensor"; jtorch says "tensor" in both
    check_error(
        lambda lib: lib.polar(lib.ones(2, dtype=lib.int64), lib.ones(2)),
        match="Expected both inputs to be Half, Float or Double tensor",
    )


def test_printing():
    shown = []
    for lib in (jtorch, torch):
        z = lib.tensor(randn(2, 3) + 1j * randn(2, 3, seed=7), requires_grad=True)
        w = lib.tensor(np.array([1e-5 + 3j, -2.5 - 0j, 1e4j]), dtype=lib.complex64)
        shown.append((repr(z * 2), repr(z.abs()), repr(z.adjoint()), repr(w), str(z[0, 0])))
    assert shown[0] == shown[1]
