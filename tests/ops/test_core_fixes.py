"""Regression tests for core defects found by differential testing against torch."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from oracle import check, check_error, rand, randn, torch

import jtorch


def crandn(*shape, seed: int = 0) -> np.ndarray:
    return randn(*shape, seed=seed) + 1j * randn(*shape, seed=seed + 100)


# -- complex gradients of elementwise ops and prod -----------------------------------------------


def test_pow_tensor_complex_grads():
    check(lambda lib, z, e: z**e, crandn(4), crandn(4, seed=1))


def test_pow_tensor_zero_base_and_exponent():
    x, e = np.array([0.0, 0.0, 2.0, 3.0]), np.array([0.0, 2.0, -1.0, 0.5])
    check(lambda lib, x, e: lib.pow(x, e), x, e, gradcheck=False)


@pytest.mark.parametrize("base", [2.5, -2.0, 0, 1 + 1j])
def test_rpow_complex_grads(base):
    check(lambda lib, e: base**e, crandn(4))


@pytest.mark.parametrize("base", [2.5, 0])
def test_rpow_real_grads(base):
    check(lambda lib, e: base**e, np.array([0.0, 2.0, 0.5, 1.5]), gradcheck=False)


def test_prod_complex_grads():
    z = crandn(2, 3)
    check(lambda lib, z: z.prod(), z)
    check(lambda lib, z: z.prod(1), z)
    z[0, 1] = 0
    check(lambda lib, z: z.prod(1), z)


def test_sgn_complex_grad():
    z = crandn(5)
    z[2] = 0
    check(lambda lib, z: lib.sgn(z), z)
    check(lambda lib, z: z.abs(), crandn(5))


def test_acosh_complex_grad_left_half_plane():
    z = crandn(6)
    z[:3] = np.array([-2 + 0.5j, -0.5 - 1j, -3 - 0.1j])
    check(lambda lib, z: lib.acosh(z), z)


# -- the conjugate bit and the real/imag setters -------------------------------------------------


def test_conj_sets_conj_bit():
    z = jtorch.tensor([1 + 2j, 3 - 1j])
    assert z.conj().is_conj() and not z.conj().conj().is_conj()
    assert not jtorch.tensor([1.0]).conj().is_conj()
    assert not z.conj().resolve_conj().is_conj()
    assert repr(z.conj()) == "tensor([1.-2.j, 3.+1.j])"  # the bit does not show in printing


def test_real_imag_setters():
    check(_set_parts, crandn(3), randn(3), grad=False)
    check(_set_parts, crandn(3), randn(3, seed=1))


def _set_parts(lib, z, t):
    z = z.clone()
    z.real = t
    z.imag = 2.0
    return z


def test_imag_setter_of_real_tensor_raises():
    check_error(_set_imag, randn(2))


def _set_imag(lib, x):
    x.imag = lib.zeros(2, dtype=x.dtype)


# -- complex sampling: torch's stream on the real view ---------------------------------------------


def _same_stream(fn) -> None:
    jtorch.manual_seed(0)
    ours = fn(jtorch).numpy()
    torch.manual_seed(0)
    theirs = fn(torch).numpy()
    assert ours.dtype == theirs.dtype and np.array_equal(ours, theirs)


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
@pytest.mark.parametrize("n", [3, 8, 33])
def test_complex_sampling_bit_exact(dtype, n):
    _same_stream(lambda lib: lib.randn(n, dtype=getattr(lib, dtype)))
    _same_stream(lambda lib: lib.rand(n, 2, dtype=getattr(lib, dtype)))
    _same_stream(lambda lib: lib.randn_like(lib.zeros(n, 3, dtype=getattr(lib, dtype))))
    _same_stream(lambda lib: lib.rand_like(lib.zeros(n, dtype=getattr(lib, dtype))))
    _same_stream(lambda lib: lib.empty(4, n, dtype=getattr(lib, dtype)).t().normal_(1.5, 2))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_randn_bit_exact_across_blocks(dtype):
    _same_stream(lambda lib: lib.randn(70001, dtype=getattr(lib, dtype)))


# -- roll's argument checks ---------------------------------------------------------------------


@pytest.mark.parametrize("shifts,dims", [([], []), ([], None), ([], [0]), ([1, 2], [])])
def test_roll_argument_errors(shifts, dims):
    check_error(lambda lib, x: lib.roll(x, shifts, dims), np.arange(6))


def test_roll_empty_dims_rolls_flattened():
    check(lambda lib, x: lib.roll(x, [1], []), randn(2, 3))


# -- gradcheck with empty inputs or outputs ------------------------------------------------------


@pytest.mark.parametrize(
    "fn,shapes",
    [
        (lambda x: jtorch.trapezoid(x, dim=0), [(0, 3)]),
        (lambda x, y: x.sum(0)[:2] + y, [(0, 3), (2,)]),
        (lambda y: y[:0], [(2,)]),
    ],
)
def test_gradcheck_empty_inputs_and_outputs(fn, shapes):
    inputs = tuple(jtorch.rand(*s, dtype=jtorch.float64, requires_grad=True) for s in shapes)
    assert jtorch.autograd.gradcheck(fn, inputs)
    assert jtorch.autograd.gradgradcheck(fn, inputs)


# -- loss dtypes with mixed-precision operands, weighted regression losses ----------------------


@pytest.mark.parametrize("dtypes", [("float64", "float32"), ("float32", "float64")])
def test_bce_with_logits_has_target_dtype(dtypes):
    x, t = randn(4).astype(dtypes[0]), rand(4).astype(dtypes[1])
    f = "binary_cross_entropy_with_logits"
    check(lambda lib, x, t: getattr(lib.nn.functional, f)(x, t), x, t, dtypes=(), gradcheck=False)
    w = randn(4, seed=2).astype(dtypes[0])
    check(
        lambda lib, x, t, w: getattr(lib.nn.functional, f)(x, t, reduction="none", pos_weight=w),
        *(x, t, w),
        dtypes=(),
        gradcheck=False,
    )


def test_bce_mixed_dtypes_raise():
    x, t = rand(4), rand(4, seed=1)
    check_error(lambda lib, x, t: lib.nn.functional.binary_cross_entropy(x, t.float()), x, t)
    f = "binary_cross_entropy_with_logits"
    check_error(lambda lib, x, t: getattr(lib.nn.functional, f)(x, t.long()), x, t)


def test_huber_loss_has_input_dtype():
    x, t = randn(4).astype("float32"), randn(4, seed=1)
    check(lambda lib, x, t: lib.nn.functional.huber_loss(x, t), x, t, dtypes=(), gradcheck=False)


@pytest.mark.parametrize("name", ["l1_loss", "mse_loss", "huber_loss"])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_weighted_regression_losses(name, reduction):
    x, t, w = randn(2, 3), randn(2, 3, seed=1), rand(2, 3, seed=2)
    check(
        lambda lib, x, t, w: getattr(lib.nn.functional, name)(x, t, reduction=reduction, weight=w),
        x,
        t,
        w,
    )
    check_error(lambda lib, x, t: getattr(lib.nn.functional, name)(x, t, weight=t[0]), x, t)
    check_error(
        lambda lib, x, t: getattr(lib.nn.functional, name)(x, t, reduction="bad", weight=t), x, t
    )


# -- linalg *_ex: per-matrix info, torch's partial factors, batch-element messages -------------

_NOT_PD = np.array(
    [
        [[4.0, 2.0, 1.0], [2.0, 5.0, 3.0], [1.0, 3.0, 6.0]],
        [[1.0, 2.0, 0.0], [2.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
        [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, -1.0]],
    ]
)
_SINGULAR = np.stack(
    [np.eye(2), np.zeros((2, 2)), [[1.0, 2.0], [2.0, 4.0]], [[2.0, 1.0], [1.0, 3.0]]]
)


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_ex_info_and_partial_factor(upper):
    check(lambda lib, a: lib.linalg.cholesky_ex(a, upper=upper), _NOT_PD, grad=False)
    check(lambda lib, a: lib.linalg.cholesky_ex(a * np.nan), _NOT_PD[0], grad=False)
    z = np.array([[1 + 0j, 2j], [-2j, 1]])
    check(lambda lib, z: lib.linalg.cholesky_ex(z, upper=upper), z, grad=False)
    check(lambda lib, a: lib.linalg.cholesky_ex(a[:1] @ a[:1].mT, upper=upper).L, _NOT_PD)


def test_cholesky_errors_name_the_batch_element():
    check_error(lambda lib, a: lib.linalg.cholesky(a), _NOT_PD)
    check_error(lambda lib, a: lib.linalg.cholesky(a), _NOT_PD[1])
    check_error(lambda lib, a: lib.linalg.cholesky_ex(a, check_errors=True), _NOT_PD)


def test_inv_ex_and_solve_ex_per_matrix():
    good = [0, 3]
    check(lambda lib, a: lib.linalg.inv_ex(a).info, _SINGULAR, grad=False)
    # NOTE: values only: torch's gradients through the singular matrices' results are NaN
    check(lambda lib, a: lib.linalg.inv_ex(a).inverse[good], _SINGULAR, grad=False)
    check(lambda lib, a: lib.linalg.inv_ex(a).inverse, _SINGULAR[good])
    check(lambda lib, a, b: lib.linalg.solve_ex(a, b).info, _SINGULAR, randn(4, 2), grad=False)
    for b in (randn(4, 2), randn(4, 2, 3)):
        check(lambda lib, a, b: lib.linalg.solve_ex(a, b).result[good], _SINGULAR, b, grad=False)
    check_error(lambda lib, a: lib.linalg.inv(a), _SINGULAR)
    check_error(lambda lib, a: lib.linalg.inv_ex(a, check_errors=True), _SINGULAR)
    check_error(lambda lib, a, b: lib.linalg.solve(a, b), _SINGULAR, randn(4, 2))
    check_error(
        lambda lib, a, b: lib.linalg.solve_ex(a, b, check_errors=True), _SINGULAR, randn(4, 2)
    )


# -- complex/polar argument errors --------------------------------------------------------------


@pytest.mark.parametrize("name", ["polar", "complex"])
def test_complex_parts_errors(name):
    x = randn(2)
    check_error(lambda lib, a, b: getattr(lib, name)(a, b.double()), x.astype("float32"), x)
    check_error(lambda lib, a: getattr(lib, name)(a, a), np.arange(2))
    check_error(lambda lib, a: getattr(lib, name)(a, 1.0), x)
    check_error(lambda lib, a: getattr(lib, name)(1.0, a), x)


def test_polar_half_not_implemented():
    check_error(lambda lib, a: lib.polar(a.half(), a.half()), randn(2))


# -- distributions on the Cholesky helpers ------------------------------------------------------


def test_positive_definite_constraint_uses_cholesky_info():
    a = np.array([[[2.0, 1.0], [1.0, 2.0]], [[1.0, 2.0], [2.0, 1.0]], [[1.0, 0.0], [0.0, 0.0]]])
    check(lambda lib, a: lib.distributions.constraints.positive_definite.check(a), a, grad=False)


def test_mvn_and_wishart_precision_matrices():
    scale_tril = np.array([[2.0, 0.0], [1.0, 3.0]])
    mvn = "MultivariateNormal"
    check(
        lambda lib, L: getattr(lib.distributions, mvn)(lib.zeros(2), scale_tril=L).precision_matrix,
        scale_tril,
        gradcheck=False,  # NOTE: perturbing the upper triangle leaves the support
    )
    check(
        lambda lib, L: lib.distributions.Wishart(lib.tensor(3.0), scale_tril=L).precision_matrix,
        scale_tril,
        dtypes=("float64",),
        gradcheck=False,
    )


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_solve_and_inverse_full_factor_gradients(upper):
    L, B = np.array([[2.0, 0.0], [1.0, 3.0]]), randn(2, 3)
    f = L.T if upper else L
    check(lambda lib, b, l: lib.cholesky_solve(b, l, upper), B, f, gradcheck=False)
    check(lambda lib, l: lib.cholesky_inverse(l, upper), f, gradcheck=False)
    check_error(lambda lib, l: lib.cholesky_inverse(l[0]), L)
    check_error(lambda lib, b, l: lib.cholesky_solve(b[0], l), B, L)
    check_error(lambda lib, b, l: lib.cholesky_solve(b.float(), l), B, L)


def test_randn_float32_exact_rerun_after_a_tie(monkeypatch):
    import jtorch.ops.random as random_ops  # noqa: PLC0415

    monkeypatch.setattr(random_ops, "_any_tie", lambda sums: True)  # force the exact path
    _same_stream(lambda lib: lib.randn(1000))


# -- more complex gradients: scans, norms, fused ops, decompositions ----------------------------


def test_cumprod_complex_grads():
    z = crandn(2, 3)
    check(lambda lib, z: lib.cumprod(z, 1), z)
    z[0, 1] = 0
    check(lambda lib, z: lib.cumprod(z, 1), z)


@pytest.mark.parametrize("p", [0.5, 1, 1.5, 3, math.inf])
def test_vector_norm_complex_grads(p):
    check(lambda lib, z: lib.linalg.vector_norm(z, p, 1), crandn(2, 3))


def test_addcmul_addcdiv_complex_grads():
    z, w = crandn(2, 3), crandn(2, 3, seed=1)
    check(lambda lib, z, w: lib.addcmul(z, z, w, value=2), z, w)
    check(lambda lib, z, w: lib.addcdiv(z, z, w, value=0.5), z, w)


@pytest.mark.parametrize("shape", [(2, 3), (3, 2)])
def test_svd_pinv_complex_grads(shape):
    z = crandn(*shape)
    check(lambda lib, z: lib.linalg.svdvals(z), z)
    check(lambda lib, z: lib.linalg.pinv(z), z)
    check(
        lambda lib, z: (lambda u, s, vh: (u * s.unsqueeze(-2)) @ vh)(*lib.linalg.svd(z, False)), z
    )
    check(lambda lib, z: (lambda u, s, vh: u @ u.mH)(*lib.linalg.svd(z, False)), z)


@pytest.mark.parametrize("shape", [(3, 2), (2, 2)])
def test_qr_complex_grads(shape):
    check(lambda lib, z: lib.linalg.qr(z), crandn(*shape))


def test_slogdet_complex_grads():
    check(lambda lib, z: lib.linalg.slogdet(z), crandn(2, 2, 2))
    check(lambda lib, z: lib.linalg.slogdet(z).sign, crandn(2, 2))


def test_logcumsumexp_complex():
    z = crandn(2, 4)
    z[0, 1] = -1000 + 1j
    check(lambda lib, z: lib.logcumsumexp(z, 1), z)
    check(lambda lib, z: lib.logcumsumexp(z, 0), z)
    edge = np.array([-np.inf + 0j, -np.inf + 1j, 2j, np.nan + 0j, 1j])
    check(lambda lib, z: lib.logcumsumexp(z, 0), edge, grad=False)


@pytest.mark.parametrize("name", ["cross_entropy", "nll_loss", "multi_margin_loss"])
def test_class_weight_dtype_must_match_input(name):
    x, w = randn(2, 3), rand(3)
    check_error(
        lambda lib, x, w: getattr(lib.nn.functional, name)(x.float(), lib.tensor([0, 2]), weight=w),
        *(x, w),
    )


@pytest.mark.parametrize("value", [2**200, 2**64, -(2**63) - 1])
def test_python_int_beyond_64_bits_overflows_as_torch(value):
    check_error(lambda lib, x: x * value, randn(2))
    check_error(lambda lib, x: value + x, randn(2))


def test_python_int_within_64_bits_is_a_scalar():
    check(lambda lib, x: x * 2**63 - (-(2**63)) * x, randn(2))


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib: lib.ones(2, 3) + lib.ones(3, 2),  # the trailing mismatch is named first
        lambda lib: lib.ones(2, 3) * lib.ones(4, 2, 2),
        lambda lib: lib.mm(lib.ones(2, 3), lib.ones(2, 3, dtype=lib.float64)),  # shapes first
        lambda lib: lib.mm(lib.ones(2, 3), lib.ones(3, 2, dtype=lib.float64)),
        lambda lib: lib.arange(0, 10, -1),
        lambda lib: lib.nn.functional.cross_entropy(lib.ones(2, 3), lib.tensor([0.0, 1.0])),
        lambda lib: lib.nn.functional.cross_entropy(lib.ones(2, 3), lib.ones(2, 3).long()),
        lambda lib: lib.where(lib.ones(2) > 0, lib.ones(3), lib.ones(2)),
        lambda lib: lib.tensor("a"),
        lambda lib: lib.tensor(["a"]),
        lambda lib: lib.tensor([1, "a"]),
        lambda lib: lib.tensor(b"a"),
        lambda lib: lib.tensor([[1], [None]]),
        lambda lib: lib.tensor({1: 2}),
        lambda lib: lib.nn.functional.pad(lib.ones(2, 2), (1,)),
        lambda lib: lib.nn.functional.pad(lib.ones(2, 2), (1,) * 6, mode="reflect"),
        lambda lib: lib.constant_pad_nd(lib.ones(2, 2), (1,) * 6),
        lambda lib: lib.ones(2).backward(lib.ones(3)),  # the gradient's shape before requires_grad
        lambda lib: lib.ones(2).backward(),
        # addmm (and so Linear): dtypes first, self's before mat1's, then dims, then shapes
        lambda lib: lib.addmm(lib.ones(2, dtype=lib.float64), lib.ones(2, 3), lib.ones(2, 2)),
        lambda lib: lib.addmm(lib.ones(2), lib.ones(2, 3, dtype=lib.float64), lib.ones(2, 2)),
        lambda lib: lib.addmm(lib.ones(2), lib.ones(3), lib.ones(3, 2)),
        lambda lib: lib.nn.Linear(3, 2)(lib.ones(2, 3, dtype=lib.float64)),
        # normalisation and losses: torch's own checks, not a NumPy broadcasting error
        lambda lib: lib.nn.BatchNorm2d(3)(lib.ones(2, 4, 2, 2)),
        lambda lib: lib.nn.functional.batch_norm(lib.ones(2, 3), None, None),
        lambda lib: lib.nn.functional.batch_norm(
            lib.ones(2, 3), lib.ones(3), lib.ones(3), weight=lib.ones(2)
        ),
        lambda lib: lib.nn.GroupNorm(3, 4),
        lambda lib: lib.nn.NLLLoss()(lib.ones(2, 3, 4), lib.tensor([0, 1])),
        lambda lib: lib.nn.functional.nll_loss(lib.ones(2, 3, 4, 5), lib.zeros(2, 4).long()),
        lambda lib: lib.nn.functional.nll_loss(lib.ones(2, 3, 4, 5), lib.zeros(2, 4, 4).long()),
        lambda lib: lib.nn.functional.cross_entropy(lib.ones(2, 3, 4), lib.zeros(2).long()),
        lambda lib: next(iter(lib.utils.data.DataLoader([1, "a"], batch_size=2))),
        lambda lib: lib.save(lib.ones(1), "/nonexistent_dir/x.pt"),
        lambda lib: lib.nn.Conv2d(3, 4, 3)(lib.ones(1, 3, 5, 5, dtype=lib.float64)),
        lambda lib: lib.nn.Conv1d(3, 4, 3)(lib.ones(1, 3, 5, dtype=lib.int64)),
        lambda lib: lib.nn.MaxPool1d(2)(lib.ones(1, 1, 1)),
        lambda lib: lib.nn.AdaptiveAvgPool2d((2, 2))(lib.ones(2)),
        lambda lib: lib.nn.functional.unfold(lib.ones(1, 1, 4), 2),
        lambda lib: lib.nn.functional.embedding(lib.tensor([[0, 1]]), lib.ones(3)),
        lambda lib: lib.nn.functional.binary_cross_entropy(
            lib.ones(2), lib.ones(2), weight=lib.ones(3)
        ),
        lambda lib: lib.nn.functional.bilinear(lib.ones(2, 3), lib.ones(2, 4), lib.ones(5, 3, 3)),
        lambda lib: lib.nn.functional.bilinear(lib.ones(2, 3), lib.ones(3, 3), lib.ones(5, 3, 3)),
        lambda lib: lib.nn.functional.bilinear(lib.ones(2, 3), lib.ones(2, 3), lib.ones(3, 3)),
        lambda lib: lib.nn.functional.bilinear(
            lib.ones(2, 3), lib.ones(2, 3), lib.ones(5, 3, 3), lib.ones(4)
        ),
        lambda lib: lib.ones(2, 3).view(lib.float64),
        lambda lib: lib.ones(2, 4).t().view(lib.float64),
        lambda lib: lib.tensor(1, dtype=lib.int16).view(lib.float32),
        lambda lib: lib.ones(3).bincount(),
        lambda lib: lib.ones(2, 3).masked_select(lib.ones(3, 2) > 0),
        lambda lib: lib.full((2,), "a"),
        lambda lib: lib.full((2,), None),
        lambda lib: lib.ones(1).new_full((2,), [1]),
        lambda lib: lib.full_like(lib.ones(2), "a"),
        lambda lib: lib.ones(2, 2, 2).norm(p="fro", dim=(0, 1, 2)),
        lambda lib: lib.linalg.matrix_norm(lib.ones(2, 2), dim=(0,)),
        lambda lib: lib.cholesky(-lib.eye(2)),
        lambda lib: lib.cholesky(lib.ones(2, 3)),
    ],
)
def test_error_messages_as_torch(fn):
    check_error(fn)


def test_cholesky_warns_once_that_it_is_deprecated():
    from jtorch import _runtime

    _runtime._WARNED_ONCE.clear()
    texts = []
    for lib in (jtorch, jtorch, torch):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            lib.cholesky(lib.eye(2))
        texts.append([str(w.message).split(" (Triggered")[0] for w in seen])
        assert all(w.filename == __file__ for w in seen)
    first, again, theirs = texts
    assert len(first) == 1 and first[0].startswith("torch.cholesky is deprecated") and not again
    assert theirs in ([], first)  # NOTE: [] when an earlier test in this process had it warn


def test_adaptive_max_pool_to_an_empty_size():
    # NOTE: no gradients: torch's backward refuses an empty grad_output
    pool = lambda lib, x: lib.nn.functional.adaptive_max_pool2d(x, (0, 2), return_indices=True)  # noqa: E731
    check(pool, randn(1, 1, 4, 4), grad=False, gradcheck=False)
