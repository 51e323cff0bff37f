"""Matrix products against torch: values, dtypes, grads (incl. double backward), grad_fn names,
errors."""

import numpy as np
import pytest
from oracle import check, check_error, randint, randn, torch

import jtorch

SHAPES = [
    ((3,), (3,)),
    ((2, 3), (3,)),
    ((3,), (3, 2)),
    ((2, 3), (3, 4)),
    ((5, 2, 3), (3, 4)),
    ((5, 2, 3), (3,)),
    ((2, 5, 2, 3), (3, 4)),
    ((5, 2, 3), (5, 3, 4)),
    ((2, 3), (5, 3, 4)),
    ((3,), (5, 3, 4)),
    ((7, 1, 2, 3), (5, 3, 4)),
    ((5, 2, 3), (1, 3, 4)),
    ((4, 1, 2, 3), (3,)),
]


@pytest.mark.parametrize("sa,sb", SHAPES)
def test_matmul(sa, sb):
    check(lambda lib, a, b: a @ b, randn(*sa, seed=1), randn(*sb, seed=2))


@pytest.mark.parametrize(
    "sa,sb,name",
    [
        ((3,), (3,), "DotBackward0"),
        ((2, 3), (3,), "MvBackward0"),
        ((3,), (3, 2), "SqueezeBackward4"),
        ((2, 3), (3, 4), "MmBackward0"),
        ((5, 2, 3), (3, 4), "UnsafeViewBackward0"),
        ((5, 2, 3), (5, 3, 4), "UnsafeViewBackward0"),
        ((3,), (5, 3, 4), "UnsafeViewBackward0"),
    ],
)
def test_matmul_grad_fn(sa, sb, name):
    for lib in (jtorch, torch):
        a = lib.ones(*sa, requires_grad=True)
        r = lib.matmul(a, lib.ones(*sb, requires_grad=True))
        assert type(r.grad_fn).__name__ == name
        inner = type(r.grad_fn.next_functions[0][0]).__name__
        assert inner in ("MmBackward0", "BmmBackward0", "MvBackward0", "AccumulateGrad")


def test_fold_uses_mm_nodes():
    a = jtorch.ones(5, 2, 3, requires_grad=True)
    r = a @ jtorch.ones(3, 4, requires_grad=True)
    assert r.grad_fn.next_functions[0][0].name() == "MmBackward0"


@pytest.mark.parametrize(
    "fn,shapes",
    [
        (lambda lib, a, b: lib.mm(a, b), ((2, 3), (3, 4))),
        (lambda lib, a, b: a.mm(b.t()), ((2, 3), (4, 3))),
        (lambda lib, a, b: lib.bmm(a, b), ((4, 2, 3), (4, 3, 5))),
        (lambda lib, a, b: lib.mv(a, b), ((2, 3), (3,))),
        (lambda lib, a, b: lib.dot(a, b), ((3,), (3,))),
        (lambda lib, a, b: lib.vdot(a, b), ((3,), (3,))),
        (lambda lib, a, b: lib.inner(a, b), ((2, 3), (4, 3))),
        (lambda lib, a, b: lib.inner(a, b), ((3,), (3,))),
        (lambda lib, a, b: lib.inner(a, b[0]), ((2, 3), (1,))),
        (lambda lib, a, b: lib.outer(a, b), ((2,), (3,))),
        (lambda lib, a, b: lib.ger(a, b), ((2,), (3,))),
        (lambda lib, a, b: lib.kron(a, b), ((2, 3), (3, 2))),
        (lambda lib, a, b: lib.kron(a, b), ((2,), (2, 3))),
        (lambda lib, a, b: lib.tensordot(a, b, dims=2), ((2, 3, 4), (3, 4, 5))),
        (lambda lib, a, b: lib.tensordot(a, b, dims=([0, 2], [2, 0])), ((2, 3, 4), (4, 5, 2))),
        (lambda lib, a, b: lib.tensordot(a, b, dims=0), ((2,), (3,))),
    ],
)
def test_products(fn, shapes):
    check(fn, *(randn(*s, seed=i) for i, s in enumerate(shapes)))


@pytest.mark.parametrize("beta,alpha", [(1, 1), (0.5, 2.0), (0, 1)])
@pytest.mark.parametrize(
    "fn,shapes",
    [
        ("addmm", ((2, 4), (2, 3), (3, 4))),
        ("addmm", ((4,), (2, 3), (3, 4))),
        ("addmm", ((2, 1), (2, 3), (3, 4))),
        ("addmv", ((2,), (2, 3), (3,))),
        ("addmv", ((1,), (2, 3), (3,))),
        ("baddbmm", ((4, 2, 5), (4, 2, 3), (4, 3, 5))),
        ("baddbmm", ((2, 5), (4, 2, 3), (4, 3, 5))),
        ("addbmm", ((2, 5), (4, 2, 3), (4, 3, 5))),
        ("addbmm", ((5,), (4, 2, 3), (4, 3, 5))),
    ],
)
def test_add_products(fn, shapes, beta, alpha):
    inputs = [randn(*s, seed=i) for i, s in enumerate(shapes)]
    check(lambda lib, c, a, b: getattr(lib, fn)(c, a, b, beta=beta, alpha=alpha), *inputs)
    check(lambda lib, c, a, b: getattr(c, fn)(a, b, beta=beta, alpha=alpha), *inputs)


def test_add_products_grad_fn_names():
    for lib in (jtorch, torch):

        def r(*s, lib=lib):
            return lib.ones(*s, requires_grad=True)

        assert lib.addmm(r(2), r(2, 3), r(3, 2)).grad_fn.name() == "AddmmBackward0"
        assert lib.addmv(r(2), r(2, 3), r(3)).grad_fn.name() == "AddmvBackward0"
        assert lib.baddbmm(r(2, 2), r(4, 2, 3), r(4, 3, 2)).grad_fn.name() == "BaddbmmBackward0"
        assert lib.addbmm(r(2, 2), r(4, 2, 3), r(4, 3, 2)).grad_fn.name() == "AddbmmBackward0"
        assert lib.bmm(r(4, 2, 3), r(4, 3, 2)).grad_fn.name() == "BmmBackward0"
        assert lib.vdot(r(3), r(3)).grad_fn.name() == "VdotBackward0"


def test_addmm_beta_zero_ignores_nan():
    c = np.full((2, 2), np.nan)
    check(lambda lib, c, a, b: lib.addmm(c, a, b, beta=0), c, randn(2, 3), randn(3, 2))


def test_addmm_inplace_and_out():
    check(
        lambda lib, c, a, b: c.clone().addmm_(a, b, alpha=2),
        randn(2, 4),
        randn(2, 3),
        randn(3, 4),
    )
    check(
        lambda lib, a, b: lib.matmul(a, b, out=lib.empty(0, dtype=a.dtype)),
        randn(2, 3),
        randn(3, 4),
        grad=False,
    )


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8"])
def test_integer_products(dtype):
    a, b = randint(0, 5, 2, 3, dtype=dtype), randint(0, 5, 3, 4, seed=1, dtype=dtype)
    check(lambda lib, a, b: a @ b, a, b)
    check(lambda lib, a, b: lib.einsum("ij,jk->ik", a, b), a, b)
    check(lambda lib, a: lib.dot(a[0], a[1]), a)


def test_complex_products():
    a = randn(2, 3) + 1j * randn(2, 3, seed=5)
    b = randn(3, 2, seed=2) + 1j * randn(3, 2, seed=3)
    dt = ("complex128",)
    check(lambda lib, a, b: a @ b, a, b, dtypes=dt)
    check(lambda lib, a, b: lib.vdot(a[0], b[:, 0]), a, b, dtypes=dt)
    check(lambda lib, a, b: lib.dot(a[0], b[:, 0]), a, b, dtypes=dt)
    check(lambda lib, a, b: lib.einsum("ij,jk->ki", a, b), a, b, dtypes=dt)


def test_double_backward():
    def f(lib, a, b):
        (ga,) = lib.autograd.grad((a @ b).sin().sum(), a, create_graph=True)
        return ga

    check(f, randn(2, 3), randn(3, 4))
    check(
        lambda lib, a, b: lib.autograd.grad((a @ b).sum() ** 2, b, create_graph=True),
        randn(5, 2, 3),
        randn(3),
    )
    assert jtorch.autograd.gradgradcheck(
        lambda a, b: jtorch.addmm(a, a, b, alpha=2),
        (jtorch.tensor(randn(2, 2)).requires_grad_(), jtorch.tensor(randn(2, 2)).requires_grad_()),
    )


@pytest.mark.parametrize(
    "eq,shapes",
    [
        ("ij,jk->ik", ((2, 3), (3, 4))),
        ("ij,jk", ((2, 3), (3, 4))),
        ("bij,bjk->bik", ((2, 2, 3), (2, 3, 4))),
        ("i,i->", ((3,), (3,))),
        ("i,j->ij", ((3,), (2,))),
        ("ii->i", ((3, 3),)),
        ("ii", ((3, 3),)),
        ("iij->j", ((2, 2, 3),)),
        ("ij->", ((2, 3),)),
        ("ij->ji", ((2, 3),)),
        ("...ij,...jk->...ik", ((5, 2, 3), (3, 4))),
        ("...ij,...jk", ((2, 1, 2, 3), (5, 3, 4))),
        ("b...,b->...", ((2, 3, 4), (2,))),
        ("ij,jk,kl->il", ((2, 3), (3, 4), (4, 5))),
        ("ij,ij,ij->i", ((2, 3), (2, 3), (2, 3))),
        ("ij,jk->ik", ((2, 1), (3, 4))),
        ("i j , j k -> i k", ((2, 3), (3, 4))),
    ],
)
def test_einsum(eq, shapes):
    inputs = [randn(*s, seed=i) for i, s in enumerate(shapes)]
    check(lambda lib, *ts: lib.einsum(eq, *ts), *inputs)


def test_einsum_forms():
    a, b = randn(2, 3), randn(3, 4, seed=1)
    check(lambda lib, a, b: lib.einsum("ij,jk->ik", [a, b]), a, b)
    check(lambda lib, a, b: lib.einsum(a, [0, 1], b, [1, 2], [0, 2]), a, b)
    check(lambda lib, a, b: lib.einsum(a, [0, Ellipsis], b, [Ellipsis, 2]), a, b)


def test_einsum_double_backward():
    check(
        lambda lib, a, b: lib.autograd.grad(
            lib.einsum("ii,ij->j", a, b).pow(2).sum(), a, create_graph=True
        ),
        randn(3, 3),
        randn(3, 2),
    )


@pytest.mark.parametrize(
    "fn,inputs",
    [
        (lambda lib, a, b: lib.mm(a, b), (randn(2, 3), randn(4, 5))),
        (lambda lib, a, b: a @ b, (randn(2, 3), randn(4, 5))),
        (lambda lib, a, b: a @ b, (randn(3), randn(4))),
        (lambda lib, a, b: a @ b, (randn(2, 3), randn(4))),
        (lambda lib, a, b: a @ b, (randn(5, 2, 3), randn(4, 3, 4))),
        (lambda lib, a, b: a @ b, (randn(2, 5, 3), randn(4, 5))),
        (lambda lib, a, b: a @ b, (randn(2, 5, 3), randn(4))),
        (lambda lib, a, b: a @ b, (randn(2, 5, 3), randn(2, 4, 5))),
        (lambda lib, a, b: a @ b, (np.float64(1.0), randn(3))),
        (lambda lib, a, b: a @ b.float(), (randn(2, 3), randn(3, 2))),
        (lambda lib, a, b: lib.mm(a[0], b), (randn(2, 3), randn(3, 2))),
        (lambda lib, a, b: lib.mm(a, b.long()), (randn(2, 3), randn(3, 2))),
        (lambda lib, a, b: lib.mm(a.bool(), b.bool()), (randn(2, 3), randn(3, 2))),
        (lambda lib, a, b: lib.bmm(a, b), (randn(3), randn(3, 2))),
        (lambda lib, a, b: lib.bmm(a, b), (randn(2, 2, 3), randn(3, 3, 2))),
        (lambda lib, a, b: lib.bmm(a, b.float()), (randn(2, 2, 3), randn(2, 3, 2))),
        (lambda lib, a, b: lib.mv(a, b), (randn(2, 3), randn(3, 2))),
        (lambda lib, a, b: lib.mv(a, b), (randn(2, 3), randn(4))),
        (lambda lib, a, b: lib.mv(a, b.float()), (randn(2, 3), randn(3))),
        (lambda lib, a, b: lib.dot(a, b), (randn(3, 1), randn(3))),
        (lambda lib, a, b: lib.dot(a, b.float()), (randn(3), randn(3))),
        (lambda lib, a, b: lib.dot(a.bool(), b.bool()), (randn(3), randn(3))),
        (lambda lib, a, b: lib.vdot(a, b), (randn(3), randn(4))),
        (lambda lib, a, b: lib.outer(a, b), (randn(3, 1), randn(3))),
        (lambda lib, a, b: lib.outer(a, b), (randn(3), randn(3, 1))),
        (lambda lib, a, b: lib.addmm(a[:1], a, b), (randn(2, 3), randn(4, 2))),
        (lambda lib, a, b: lib.addmm(a, a, b), (randn(2, 3), randn(3, 2))),
        (lambda lib, a, b: lib.addmm(a.float(), b.t(), b), (randn(2, 2), randn(3, 2))),
        (lambda lib, a, b: lib.addmv(a[0], a, b), (randn(2, 3), randn(3))),
        (lambda lib, a, b: lib.addbmm(a[0], a, b), (randn(4, 2, 3), randn(3, 3, 2))),
        (lambda lib, a, b: lib.baddbmm(a[0].float(), a, b), (randn(2, 2, 3), randn(2, 3, 2))),
        (lambda lib, a, b: lib.baddbmm(a[0, :1], a, b), (randn(2, 3, 3), randn(2, 3, 2))),
        (lambda lib, a, b: lib.baddbmm(a[..., :1], a, b), (randn(2, 2, 3), randn(2, 4, 5))),
        (lambda lib, a, b: lib.addbmm(a[0, :, :1], a, b), (randn(2, 2, 3), randn(2, 4, 5))),
        (lambda lib, a, b: lib.einsum("ij,jk->ik", a, b), (randn(2, 3), randn(4, 2))),
        (lambda lib, a, b: lib.einsum("ij,jk->ik", a), (randn(2, 3), randn(4, 2))),
        (lambda lib, a, b: lib.einsum("ij,jk->ik", a, b, a), (randn(2, 3), randn(3, 2))),
        (lambda lib, a, b: lib.einsum("ijk,jk->ik", a, b), (randn(2, 3), randn(3, 2))),
        (lambda lib, a, b: lib.einsum("ij,jk->ik", a, b.float()), (randn(2, 3), randn(3, 2))),
        (lambda lib, a, b: lib.tensordot(a, b, dims=1), (randn(2, 3), randn(4, 2))),
        (lambda lib, a, b: lib.tensordot(a, b, dims=([0], [1])), (randn(2, 3), randn(4, 3))),
        (lambda lib, a, b: lib.tensordot(a, b.float(), dims=1), (randn(2, 3), randn(3, 2))),
        (lambda lib, a, b: lib.inner(a, b), (randn(2, 3), randn(2, 4))),
    ],
)
def test_errors(fn, inputs):
    with pytest.raises(Exception) as theirs:
        fn(torch, *[torch.tensor(x) for x in inputs])
    with pytest.raises(theirs.type) as ours:
        fn(jtorch, *[jtorch.tensor(x) for x in inputs])
    assert str(ours.value) == str(theirs.value)


def test_matmul_non_tensor():
    check_error(lambda lib, a: lib.matmul(a, 2), randn(2, 2))
