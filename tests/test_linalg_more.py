"""The rest of torch.linalg (LU, triangular solves, matrix_exp, lstsq, ...) and the legacy
top-level decompositions (torch.lu, cholesky_solve, geqrf, ...) vs torch."""

import re
import warnings

import numpy as np
import pytest
from oracle import check, check_error, randn, torch

import jtorch

warnings.filterwarnings("ignore", category=UserWarning)  # torch's deprecation notes


def legacy(lib, name):
    """``lib.name`` (torch's legacy top-level function); jtorch's from linalg.LEGACY until
    jtorch/__init__.py exports it."""
    if lib is jtorch and not hasattr(jtorch, name):
        return jtorch.linalg.LEGACY[name]
    return getattr(lib, name)


def _well(*shape, seed=0):
    return randn(*shape, seed=seed) + 3 * np.eye(shape[-1])


def _spd(lib, a):
    return a @ a.mT + lib.eye(a.shape[-1], dtype=a.dtype)


A = _well(2, 3, 3)
B = randn(2, 3, 2, seed=1)


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, a, b: lib.linalg.solve_triangular(a, b, upper=True),
        lambda lib, a, b: lib.linalg.solve_triangular(a, b, upper=False, unitriangular=True),
        lambda lib, a, b: lib.linalg.solve_triangular(a, b.mT, upper=True, left=False),
        lambda lib, a, b: lib.linalg.solve_triangular(a[0], b, upper=False),  # broadcast
        lambda lib, a, b: legacy(lib, "triangular_solve")(b, a, upper=False, transpose=True),
        lambda lib, a, b: lib.linalg.lu_factor(a),
        lambda lib, a, b: lib.linalg.lu_factor_ex(a),
        lambda lib, a, b: lib.linalg.lu(a),
        lambda lib, a, b: lib.linalg.lu_solve(*lib.linalg.lu_factor(a), b),
        lambda lib, a, b: lib.linalg.lu_solve(*lib.linalg.lu_factor(a), b, adjoint=True),
        lambda lib, a, b: lib.linalg.lu_solve(*lib.linalg.lu_factor(a), b.mT, left=False),
        lambda lib, a, b: lib.linalg.lu_solve(
            *lib.linalg.lu_factor(a), b.mT, left=False, adjoint=True
        ),
        lambda lib, a, b: legacy(lib, "lu_solve")(b, *legacy(lib, "lu")(a)),
        lambda lib, a, b: legacy(lib, "lu_unpack")(*lib.linalg.lu_factor(a)),
        lambda lib, a, b: lib.linalg.solve_ex(a, b),
        lambda lib, a, b: lib.linalg.solve(a, b[0]),  # B broadcast over A's batch
        lambda lib, a, b: lib.linalg.solve(a, b[..., 0]),  # a batch of vectors
        lambda lib, a, b: lib.linalg.solve(a, b[0, :, 0]),
        lambda lib, a, b: lib.linalg.solve(a, b.mT, left=False),
        lambda lib, a, b: lib.linalg.inv_ex(a),
        lambda lib, a, b: lib.linalg.cholesky_ex(_spd(lib, a)),
        lambda lib, a, b: legacy(lib, "cholesky")(_spd(lib, a), True),
        lambda lib, a, b: legacy(lib, "cholesky_solve")(b, lib.linalg.cholesky(_spd(lib, a))),
        lambda lib, a, b: legacy(lib, "cholesky_inverse")(lib.linalg.cholesky(_spd(lib, a[0]))),
        lambda lib, a, b: lib.linalg.matrix_exp(a / 3),
        lambda lib, a, b: legacy(lib, "matrix_exp")(a[0] * 4),
        lambda lib, a, b: lib.linalg.cond(a),
        lambda lib, a, b: lib.linalg.cond(a, -2),
        lambda lib, a, b: lib.linalg.matmul(a, b),
        lambda lib, a, b: lib.linalg.multi_dot([a[0], b[0], b[1].mT]),
        lambda lib, a, b: lib.linalg.multi_dot([b[0, :, 0], a[0], a[1], b[1, :, 0]]),
        lambda lib, a, b: legacy(lib, "chain_matmul")(a[0], a[1], b[0]),
        lambda lib, a, b: lib.linalg.vecdot(a, b[..., 0].unsqueeze(-2)),
        lambda lib, a, b: lib.linalg.cross(a, a[:, :1]),
        lambda lib, a, b: lib.linalg.cross(a, a.flip(-1), dim=1),
        lambda lib, a, b: legacy(lib, "cross")(a, a.flip(-2)),
        lambda lib, a, b: lib.linalg.vander(b[..., 0]),
        lambda lib, a, b: lib.linalg.vander(b[0, :, 1], N=4),
    ],
)
def test_linalg(fn):
    check(fn, A, B)


def test_cond_other_norms():
    # NOTE: torch's own backward fails for these (it modifies inv(A) in place), so values only
    for p in ("fro", "nuc", 1, -1, float("inf")):
        check(lambda lib, a, p=p: lib.linalg.cond(a, p), A, grad=False)


def test_tensorinv_tensorsolve():
    a = _well(6, 6, seed=10)
    check(lambda lib, a: lib.linalg.tensorinv(a.reshape(6, 2, 3), ind=1), a)
    check(lambda lib, a: lib.linalg.tensorinv(a.reshape(2, 3, 2, 3)), a)
    b = randn(2, 3, seed=11)
    check(lambda lib, a, b: lib.linalg.tensorsolve(a.reshape(2, 3, 6), b), a, b)
    check(lambda lib, a, b: lib.linalg.tensorsolve(a.reshape(6, 2, 3), b, dims=(0,)), a, b)


@pytest.mark.parametrize("driver", [None, "gelsd", "gelss", "gels"])
def test_lstsq(driver):
    tall = randn(2, 5, 3, seed=2)
    check(lambda lib, a, b: lib.linalg.lstsq(a, b, driver=driver), tall, randn(2, 5, 2, seed=3))
    check(
        lambda lib, a, b: lib.linalg.lstsq(a, b, driver=driver).solution, tall, randn(2, 5, seed=4)
    )
    check(lambda lib, a, b: lib.linalg.lstsq(a[0], b, driver=driver), tall, randn(5, seed=4))
    wide = randn(3, 5, seed=5)
    check(lambda lib, a, b: lib.linalg.lstsq(a, b, driver=driver).solution, wide, randn(3, 2))


def test_householder():
    a = randn(2, 4, 3, seed=6)
    check(lambda lib, a: legacy(lib, "geqrf")(a), a, grad=False)
    a = a[0]
    h, tau = jtorch.linalg.LEGACY["geqrf"](jtorch.tensor(a))
    hv, tauv = h.numpy(), tau.numpy()
    check(lambda lib, h, t: lib.linalg.householder_product(h, t), hv, tauv)
    check(lambda lib, h, t: legacy(lib, "orgqr")(h, t[..., :2]), hv, tauv)
    other = randn(4, 2, seed=7)
    for left, transpose in ((True, False), (True, True), (False, False), (False, True)):
        o = other if left else other.swapaxes(-1, -2)
        check(
            lambda lib, h, t, o, lt=(left, transpose): legacy(lib, "ormqr")(h, t, o, *lt),
            hv,
            tauv,
            o,
        )


def test_matrix_exp_large_norm_and_grad_of_grad():
    check(lambda lib, a: lib.linalg.matrix_exp(a), 2 * randn(3, 3, seed=8))
    check(
        lambda lib, a: lib.autograd.grad(lib.linalg.matrix_exp(a).sum(), a, create_graph=True)[0],
        randn(2, 2, seed=9),
    )


def test_singular_and_errors():
    check_error(lambda lib, a, b: lib.linalg.lstsq(a[0], b), A, B)
    singular = np.array([[1.0, 2.0], [2.0, 4.0]])
    check_error(lambda lib, a: lib.linalg.lu_factor(a), singular)
    check_error(lambda lib, a: lib.linalg.solve(a, a[0]), singular)
    assert int(jtorch.linalg.solve_ex(jtorch.tensor(singular), jtorch.ones(2)).info) == 2
    check_error(lambda lib, a: lib.linalg.matrix_exp(a), randn(2, 3))
    # mixed dtypes: B is cast to A's dtype (float32 runs, so float32 tolerances apply)
    for fn in (
        lambda lib, a, b: lib.linalg.solve_triangular(a, b.double(), upper=True),
        lambda lib, a, b: lib.linalg.solve_triangular(a.double(), b, upper=True),
    ):
        check(fn, A, B, dtypes=("float32",))
    out = jtorch.linalg.lu_factor_ex(jtorch.tensor(singular))
    assert int(out.info) == 2
    info = jtorch.linalg.inv_ex(jtorch.tensor(singular)).info
    assert int(info) == 2
    not_pd = np.array([[1.0, 2.0], [2.0, 1.0]])
    assert int(jtorch.linalg.cholesky_ex(jtorch.tensor(not_pd)).info) == 2
    with pytest.raises(NotImplementedError, match="the derivative for 'geqrf'"):
        a = jtorch.tensor(randn(3, 2), requires_grad=True)
        legacy(jtorch, "geqrf")(a)[0].sum().backward()


def test_lu_legacy_infos():
    check(lambda lib, a: legacy(lib, "lu")(a, get_infos=True), A)
    check(lambda lib, a: legacy(lib, "lu_unpack")(*lib.linalg.lu_factor(a[..., :2])), A)


def test_tensor_methods():
    check(lambda lib, a, b: (a.matrix_exp(), a.cross(a.flip(-1), dim=-1), a.lu()), A, B)
    check(lambda lib, a, b: b.lu_solve(*a.lu()), A, B)
    check(lambda lib, a, b: b.triangular_solve(a, upper=False), A, B)
    check(lambda lib, a, b: b.cholesky_solve(_spd(lib, a).cholesky()), A, B)
    check(lambda lib, a, b: _spd(lib, a).cholesky(True).cholesky_inverse(True), A, B)
    h = randn(4, 3, seed=12)
    check(lambda lib, h: h.geqrf(), h, grad=False)
    check(lambda lib, h: h.orgqr(h[0]), h)
    check(lambda lib, h, o: h.ormqr(h[0], o, False, True), h, randn(2, 4, seed=13))


def test_grad_fn_names_and_out():
    import torch  # noqa: PLC0415  (the oracle; conftest skips without it)

    cases = [
        lambda lib, a, b: lib.linalg.solve_triangular(a, b, upper=True),
        lambda lib, a, b: lib.linalg.matrix_exp(a),
        lambda lib, a, b: lib.linalg.lstsq(a, b).solution,
        lambda lib, a, b: lib.linalg.lu_factor(a).LU,
        lambda lib, a, b: legacy(lib, "geqrf")(a).a,
    ]
    for fn in cases:
        ours = fn(jtorch, jtorch.tensor(A, requires_grad=True), jtorch.tensor(B))
        theirs = fn(torch, torch.tensor(A, requires_grad=True), torch.tensor(B))
        assert ours.grad_fn.name() == type(theirs.grad_fn).__name__
    out = jtorch.empty(0)
    jtorch.linalg.solve_triangular(jtorch.tensor(A), jtorch.tensor(B), upper=True, out=out)
    assert np.allclose(out.numpy(), np.linalg.solve(np.triu(A), B))


def test_ldl():
    sym = randn(3, 4, 4, seed=14)
    sym = sym + sym.swapaxes(-1, -2)
    sym[1, 0, 0] = 0.0  # forces a 2 x 2 pivot block
    sym[2] = np.round(sym[2])
    b = randn(3, 4, 2, seed=15)
    check(lambda lib, a: lib.linalg.ldl_factor_ex(a), sym, grad=False)
    pivoted = np.array([[0.0, 1, 2], [1, 0, 3], [2, 3, 0]])
    check(lambda lib, a: lib.linalg.ldl_factor(a), pivoted, grad=False)
    check(lambda lib, a, b: lib.linalg.ldl_solve(*lib.linalg.ldl_factor(a), b), sym, b, grad=False)
    check(lambda lib, a: lib.linalg.ldl_factor_ex(a), np.zeros((3, 3)), grad=False)
    with pytest.raises(RuntimeError, match="derivative for aten::linalg_ldl_factor_ex"):
        jtorch.linalg.ldl_factor(jtorch.tensor(sym, requires_grad=True)).LD.sum().backward()


def test_eig_gradients():
    a = randn(2, 3, 3, seed=16)
    check(lambda lib, a: lib.linalg.eigvals(a), a)
    check(lambda lib, a: lib.linalg.eig(a).eigenvectors.abs(), a)  # phase-invariant
    check(lambda lib, a: lib.linalg.eig(a).eigenvalues.real.sum() + lib.linalg.eig(a)[1].abs(), a)


def test_rank_and_pinv_tolerances():
    low = randn(3, 4, 2, seed=17) @ randn(3, 2, 5, seed=18)
    low[1] *= 1e-3
    for kw in ({}, {"atol": 1e-2}, {"rtol": 0.5}, {"atol": 0.5, "rtol": 0.1}):
        check(lambda lib, a, kw=kw: lib.linalg.matrix_rank(a, **kw), low, grad=False)
        check(lambda lib, a, kw=kw: lib.linalg.pinv(a, **kw), low, grad=False)
    check(lambda lib, a, t: lib.linalg.matrix_rank(a, atol=t), low, np.array([1e-2, 5.0, 1e-4]))
    check(lambda lib, a: lib.linalg.pinv(a, rtol=1e-3), randn(2, 4, 3, seed=19))


@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (2, 5, 3)])
@pytest.mark.parametrize("use_m", [False, True])
def test_svd_lowrank_matches_torch_under_the_same_seed(shape, use_m):
    a = randn(*shape, seed=5) @ np.diag(np.arange(shape[-1], 0, -1.0))
    m = randn(shape[-1], seed=6) if use_m else None
    results = []
    for lib in (jtorch, torch):
        lib.manual_seed(0)
        M = None if m is None else lib.tensor(m)
        results.append([t.numpy() for t in lib.svd_lowrank(lib.tensor(a), q=3, M=M)])
    (u, s, v), (tu, ts, tv) = results
    np.testing.assert_allclose(s, ts, rtol=1e-10)
    # NOTE: LAPACKs may flip a singular pair's sign; the subspaces and the product agree
    np.testing.assert_allclose(np.abs(u), np.abs(tu), atol=1e-10)
    np.testing.assert_allclose(np.abs(v), np.abs(tv), atol=1e-10)
    recon = lambda u, s, v: u @ (s[..., None] * np.swapaxes(v, -1, -2))  # noqa: E731
    np.testing.assert_allclose(recon(u, s, v), recon(tu, ts, tv), atol=1e-10)


def test_pca_lowrank_and_its_errors():
    a = randn(8, 5, seed=7)
    for center in (True, False):
        results = []
        for lib in (jtorch, torch):
            lib.manual_seed(0)
            results.append([t.numpy() for t in lib.pca_lowrank(lib.tensor(a), center=center)])
        np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-10)
    for kwargs in ({"q": 6}, {"q": -1}, {"niter": -1}):
        with pytest.raises(ValueError) as theirs:
            torch.pca_lowrank(torch.tensor(a), **kwargs)
        with pytest.raises(ValueError, match=re.escape(str(theirs.value))):
            jtorch.pca_lowrank(jtorch.tensor(a), **kwargs)


def test_svd_lowrank_gradients_flow():
    def top_values(lib, a):
        lib.manual_seed(0)
        return lib.svd_lowrank(a, q=2)[1]

    check(top_values, randn(5, 3, seed=8), gradcheck=False)
