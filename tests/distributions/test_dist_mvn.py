"""MultivariateNormal against torch: the three parameterisations, batching, gradients."""

import numpy as np
import pytest
from oracle import check, check_error, randn

import jtorch

LOC = randn(2, 3, seed=1)
A = randn(2, 3, 3, seed=2)
COV = A @ A.transpose(0, 2, 1) + 3 * np.eye(3)
TRIL = np.linalg.cholesky(COV)


def _mvn(lib, loc, matrix, kind):
    return lib.distributions.MultivariateNormal(loc, **{kind: matrix})


@pytest.mark.parametrize("kind", ["covariance_matrix", "scale_tril", "precision_matrix"])
def test_log_prob_entropy(kind):
    matrix = TRIL if kind == "scale_tril" else COV

    def fn(lib, loc, m, v):
        # NOTE: keep the matrix valid under gradcheck's one-entry perturbations
        m = m.tril() if kind == "scale_tril" else (m + m.mT) / 2
        d = _mvn(lib, loc, m, kind)
        return d.log_prob(v), d.entropy()

    check(fn, LOC, matrix, randn(4, 2, 3, seed=3))


@pytest.mark.parametrize("kind", ["covariance_matrix", "scale_tril", "precision_matrix"])
def test_derived_matrices(kind):
    matrix = TRIL if kind == "scale_tril" else COV

    def fn(lib, loc, m):
        d = _mvn(lib, loc, m, kind)
        return d.scale_tril, d.covariance_matrix, d.precision_matrix, d.mean, d.mode, d.variance

    check(fn, LOC, matrix, grad=False)


def test_broadcast_loc_against_matrix_batch():
    def fn(lib, loc, m, v):
        d = lib.distributions.MultivariateNormal(loc, scale_tril=m.tril())
        return d.log_prob(v), d.batch_shape, d.event_shape

    check(fn, LOC[0], TRIL, randn(3, seed=4))


def test_expand():
    def fn(lib, loc, m):
        d = lib.distributions.MultivariateNormal(loc, scale_tril=m).expand((5, 2))
        return d.log_prob(loc.detach() * 0), d.batch_shape, d.covariance_matrix.shape

    check(fn, LOC, TRIL, grad=False)


def test_rsample_reparameterised():
    loc = jtorch.tensor(LOC, requires_grad=True)
    tril = jtorch.tensor(TRIL, requires_grad=True)
    x = jtorch.distributions.MultivariateNormal(loc, scale_tril=tril).rsample((3,))
    assert x.shape == (3, 2, 3)
    x.sum().backward()
    np.testing.assert_allclose(loc.grad.numpy(), np.full((2, 3), 3.0))
    assert tril.grad is not None


def test_errors():
    check_error(lambda lib, c: lib.distributions.MultivariateNormal(c[0, 0, 0], c), COV)
    check_error(lambda lib, c: lib.distributions.MultivariateNormal(c[0, 0], c[0, 0]), COV)
    check_error(lambda lib, c: lib.distributions.MultivariateNormal(c[0, 0]), COV)
    check_error(
        lambda lib, c: lib.distributions.MultivariateNormal(c[0, 0], c[0], scale_tril=c[0]), COV
    )
    check_error(lambda lib, c: lib.distributions.MultivariateNormal(c[0, 0], -c[0]), COV)
    check_error(lambda lib, c: lib.distributions.MultivariateNormal(c[0, 0], scale_tril=c[0]), COV)
