"""linalg basics used by the seed notes: decompositions, inverse, det, norms vs torch."""

import numpy as np
import pytest
from oracle import check, randn

import jtorch


def _spd(n: int, seed: int = 0) -> np.ndarray:
    a = randn(n, n, seed=seed)
    return a @ a.T + n * np.eye(n)


def _well_conditioned(*shape, seed: int = 0) -> np.ndarray:
    a = randn(*shape, seed=seed)
    return a + 3 * np.eye(shape[-1])


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, a: lib.linalg.inv(a),
        lambda lib, a: a.inverse(),
        lambda lib, a: lib.linalg.det(a),
        lambda lib, a: lib.det(a),
        lambda lib, a: lib.linalg.slogdet(a),
        lambda lib, a: lib.trace(a),
        lambda lib, a: lib.linalg.matrix_power(a, 3),
        lambda lib, a: lib.linalg.matrix_power(a, -2),
        lambda lib, a: lib.linalg.solve(a, a[0]),
    ],
)
def test_square_ops(fn):
    check(fn, _well_conditioned(3, 3))


def test_batched_inverse_and_det():
    check(lambda lib, a: (lib.linalg.inv(a), lib.linalg.det(a)), _well_conditioned(2, 3, 3))


def test_svd_reconstruction_and_gradients():
    # singular vectors are defined up to sign: compare gauge-invariant functions of them
    check(lambda lib, a: lib.linalg.svdvals(a), randn(4, 3))
    check(lambda lib, a: _svd_invariant(lib, a), randn(4, 3))
    check(lambda lib, a: _svd_invariant(lib, a), randn(3, 4))
    check(lambda lib, a: a.svd()[1], randn(3, 3))


def _svd_invariant(lib, a):
    u, s, vh = lib.linalg.svd(a, full_matrices=False)
    return u @ lib.diag_embed(s) @ vh, (u * u).sum(-2), (vh[..., :2, :] * 2).abs()


def test_qr_gradients():
    check(lambda lib, a: _qr_invariant(lib, a), randn(4, 3))
    check(lambda lib, a: _qr_invariant(lib, a), randn(3, 3))


def _qr_invariant(lib, a):
    q, r = lib.linalg.qr(a)
    return q @ r, q.abs(), r.abs()


def _sym(a):
    # eigh/cholesky read one triangle, so perturbing one entry is not a symmetric perturbation:
    # differentiate through the symmetrised input, as torch's own gradcheck tests do.
    return (a + a.mT) / 2


def test_eigh_and_cholesky():
    check(lambda lib, a: lib.linalg.eigh(_sym(a)).eigenvalues, _spd(3))
    check(lambda lib, a: lib.linalg.eigh(_sym(a)).eigenvectors.abs(), _spd(3, seed=2))
    check(lambda lib, a: lib.linalg.cholesky(_sym(a)), _spd(3))
    check(lambda lib, a: lib.linalg.cholesky(_sym(a), upper=True), _spd(3, seed=1))


def test_eig_values_forward():
    a = np.array([[2.0, 1.0], [0.0, 3.0]], dtype=np.float32)
    w = jtorch.linalg.eigvals(jtorch.tensor(a))
    assert w.dtype == jtorch.complex64
    np.testing.assert_allclose(np.sort(w.numpy().real), [2.0, 3.0], rtol=1e-6)


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, a: lib.linalg.norm(a),
        lambda lib, a: lib.linalg.norm(a, dim=1),
        lambda lib, a: lib.linalg.vector_norm(a, ord=1),
        lambda lib, a: lib.linalg.vector_norm(a, ord=3, dim=0, keepdim=True),
        lambda lib, a: lib.linalg.vector_norm(a, ord=float("inf")),
        lambda lib, a: lib.linalg.matrix_norm(a),
        lambda lib, a: lib.linalg.matrix_norm(a, ord=1),
        lambda lib, a: lib.linalg.matrix_norm(a, ord=float("inf")),
        lambda lib, a: lib.linalg.matrix_norm(a, ord="nuc"),
        lambda lib, a: lib.linalg.matrix_norm(a, ord=2),
        lambda lib, a: lib.linalg.pinv(a),
    ],
)
def test_norms(fn):
    check(fn, randn(3, 4, seed=3))


def test_singular_inverse_raises_like_torch():
    from oracle import check_error

    check_error(lambda lib, a: lib.linalg.inv(a), np.zeros((2, 2)))
    check_error(lambda lib, a: lib.linalg.inv(a), np.zeros((2, 3)))
