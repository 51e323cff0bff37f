"""torch's top-level (ATen-signature) spellings of nn.functional ops, and the samplers."""

import numpy as np
import pytest
from oracle import check, randint, randn, torch

import jtorch

X, Y = randn(3, 4), randn(3, 4, seed=1)
SIGNS = np.array([1.0, -1.0, 1.0])


@pytest.mark.parametrize("reduction", [0, 1, 2])
def test_losses(reduction):
    r = reduction
    check(lambda lib, x, y: lib.kl_div(x, y.exp(), r), X, Y)
    check(lambda lib, x, y: lib.kl_div(x, y, r, log_target=True), X, Y)
    check(
        lambda lib, x, y: lib.binary_cross_entropy_with_logits(x, y.sigmoid(), None, None, r), X, Y
    )
    pw = np.abs(randn(4, seed=5)) + 0.5

    def bce(lib, x, y):  # weights are not differentiable in torch: constants here
        w = lib.tensor(pw, dtype=x.dtype)
        return lib.binary_cross_entropy_with_logits(x, y.sigmoid(), w, w + 1, r)

    check(bce, X, Y)
    check(lambda lib, a, b, t: lib.cosine_embedding_loss(a, b, t, 0.1, r), X, Y, SIGNS)
    check(lambda lib, x, t: lib.hinge_embedding_loss(x, t, 0.5, r), X[:, 0], SIGNS)
    check(lambda lib, a, b, t: lib.margin_ranking_loss(a, b, t, 0.2, r), X[:, 0], Y[:, 0], SIGNS)
    check(lambda lib, x, y: lib.poisson_nll_loss(x, y.abs(), True, True, 1e-8, r), X, Y)
    check(
        lambda lib, a, p, n: lib.triplet_margin_loss(a, p, n, 1.0, 2.0, 1e-6, True, r), X, Y, X * 2
    )


def test_layers():
    w = randn(5, 3, 4, seed=2)
    check(lambda lib, a, b, w, c: lib.bilinear(a, b, w, c), X[:, :3], Y, w, randn(5))
    check(lambda lib, w, i: lib.embedding(w, i), X, randint(0, 3, 2, 2))
    # the padding row gets no gradient by definition, so no numerical gradcheck
    check(lambda lib, w, i: lib.embedding(w, i, 1), X, randint(0, 3, 2, 2), gradcheck=False)
    x4 = randn(2, 3, 4, 4)
    rm, rv = np.zeros(3), np.ones(3)
    check(
        lambda lib, x, g, b: lib.batch_norm(x, g, b, None, None, True, 0.1, 1e-5, False),
        x4,
        randn(3),
        randn(3, seed=3),
    )
    check(
        lambda lib, x, m, v: lib.batch_norm(x, None, None, m, v, False, 0.1, 1e-5, False),
        x4,
        rm,
        rv,
        grad=False,
    )
    check(lambda lib, x: lib.instance_norm(x, None, None, None, None, True, 0.1, 1e-5, False), x4)
    check(lambda lib, x, g: lib.native_layer_norm(x, [4], g, None, 1e-5), X, randn(4))
    check(lambda lib, x: lib.native_batch_norm(x, None, None, None, None, True, 0.1, 1e-5), x4)
    check(
        lambda lib, x, m, v: lib.native_batch_norm(x, None, None, m, v, False, 0.1, 1e-5),
        x4,
        rm,
        rv,
        grad=False,
    )


def test_convolution_and_grids():
    x, w = randn(1, 2, 5, 5), randn(3, 2, 3, 3, seed=4)
    check(
        lambda lib, x, w, b: lib.convolution(x, w, b, [1, 1], [1, 1], [1, 1], False, [0, 0], 1),
        x,
        w,
        randn(3),
    )
    wt = randn(2, 3, 3, 3, seed=6)
    check(
        lambda lib, x, w: lib.convolution(x, w, None, [2, 2], [1, 1], [1, 1], True, [1, 1], 1),
        x,
        wt,
    )
    check(
        lambda lib, x, w: lib.convolution(x, w, None, [1], [0], [1], False, [0], 1),
        randn(1, 2, 6),
        randn(4, 2, 3),
    )
    theta = randn(1, 2, 3, seed=7) * 0.3
    check(lambda lib, t: lib.affine_grid_generator(t, [1, 2, 3, 3], False), theta)
    grid = np.random.default_rng(0).uniform(-1, 1, (1, 2, 2, 2))
    for interp, pad in ((0, 0), (1, 1), (0, 2)):
        check(
            lambda lib, x, g, i=interp, p=pad: lib.grid_sampler(x, g, i, p, True),
            x,
            grid,
            grad=interp == 0,
        )


def test_ctc_loss():
    lp = randn(5, 2, 4)
    targets = np.array([[1, 2], [3, 3]])
    for r in (0, 1, 2):
        check(
            lambda lib, lp, t, r=r: lib.ctc_loss(lp.log_softmax(2), t, [5, 4], [2, 2], 0, r),
            lp,
            targets,
        )


def test_dropout_variants():
    x = jtorch.ones(4, 3, 2)
    out, mask = jtorch.native_dropout(x, 0.5, True)
    assert mask.dtype == jtorch.bool and torch.equal(
        torch.tensor(out.numpy()), torch.tensor((mask.float() * 2).numpy())
    )
    check(lambda lib, x: lib.native_dropout(x, 0.3, False), X, grad=False)
    y = jtorch.feature_dropout(x, 0.5, True)
    per_channel = y.numpy().reshape(4, 3, 2)
    assert ((per_channel == 0) | (per_channel == 2)).all()
    assert (per_channel[..., 0] == per_channel[..., 1]).all()  # whole channels drop together
    check(lambda lib, x: lib.feature_dropout(x, 0.3, False), X)
    z = jtorch.ones(2, 3)
    assert jtorch.feature_dropout_(z, 0.0, True) is z


def test_samplers():
    jtorch.manual_seed(0)
    a = jtorch.poisson(jtorch.full((1000,), 4.0))
    jtorch.manual_seed(0)
    assert jtorch.equal(a, jtorch.poisson(jtorch.full((1000,), 4.0)))
    assert a.dtype == jtorch.float32 and abs(a.mean().item() - 4.0) < 0.3
    b = jtorch.binomial(jtorch.full((1000,), 10.0), jtorch.full((1000,), 0.3))
    assert abs(b.mean().item() - 3.0) < 0.3 and (b <= 10).all()
    with pytest.raises(RuntimeError):
        jtorch.poisson(jtorch.tensor([-1.0]))


def test_group_norm_conv_tbc_renorm():
    x = randn(2, 4, 3)
    # torch's statistics outputs carry no gradient: values compared, gradients of the output
    check(lambda lib, x: lib.native_group_norm(x, None, None, 2, 4, 3, 2, 1e-5), x, grad=False)
    g, b = randn(4), randn(4, seed=3)
    check(lambda lib, x, g, b: lib.native_group_norm(x, g, b, 2, 4, 3, 2, 1e-5)[0], x, g, b)
    check(
        lambda lib, x, w, b: lib.conv_tbc(x, w, b, 1),
        randn(5, 2, 3),
        randn(2, 3, 4, seed=1),
        randn(4),
    )
    check(
        lambda lib, w: lib.embedding_renorm_(w.detach().clone(), lib.tensor([0, 2, 2]), 1.0, 2.0),
        X,
        grad=False,
    )
    x4, g = randn(1, 2, 3, 3), np.random.default_rng(1).uniform(-1, 1, (1, 2, 2, 2))
    check(lambda lib, x, g: lib.grid_sampler_2d(x, g, 0, 1, False), x4, g)
    x5, g5 = randn(1, 1, 2, 2, 2), np.random.default_rng(2).uniform(-1, 1, (1, 1, 1, 2, 3))
    check(lambda lib, x, g: lib.grid_sampler_3d(x, g, 0, 0, True), x5, g5)


def test_control_flow():
    check(lambda lib, x: lib.cond(x.sum() > 0, lambda a: a * 2, lambda a: a - 1, (x,)), X)
    check(lambda lib, x: lib.cond(False, lambda a: a * 2, lambda a: a - 1, (x,)), X)
    check(
        lambda lib: lib.while_loop(
            lambda i, s: i < 4, lambda i, s: (i + 1, s * 2), (lib.tensor(0), lib.tensor(1.0))
        ),
        grad=False,
    )
    fut = jtorch.fork(lambda a, b: a + b, jtorch.ones(2), b=1)
    assert fut.done() and jtorch.wait(fut).tolist() == [2.0, 2.0]
    # (torch.vmap's first call imports functorch for seconds: compared with the plain formula)
    a, b = jtorch.tensor(X), jtorch.tensor(Y)
    assert jtorch.allclose(jtorch.vmap(jtorch.dot)(a, b), (a * b).sum(1))


def test_tensor_odds_and_ends(tmp_path):
    path = tmp_path / "values.bin"
    path.write_bytes(np.arange(5, dtype=np.float64).tobytes())
    check(lambda lib: lib.from_file(str(path), size=3, dtype=lib.float64), grad=False)
    check_error = pytest.raises(RuntimeError)
    with check_error:
        jtorch.from_file(str(path), size=9, dtype=jtorch.float64)
    x = jtorch.arange(6.0).reshape(2, 3)
    assert x.const_data_ptr() == x.data_ptr() and not x.is_distributed()
    s, ts = x.storage(), torch.arange(6.0).reshape(2, 3).storage()
    assert (s.size(), s.tolist(), s.element_size(), str(s.dtype)) == (
        ts.size(),
        ts.tolist(),
        ts.element_size(),
        str(ts.dtype),
    )
    assert x[1].storage().size() == 6 and s[4] == 4.0

    class Mine(jtorch.Tensor):
        pass

    leaf = jtorch.ones(2, requires_grad=True)
    sub = leaf.as_subclass(Mine)
    assert type(sub) is Mine and sub.data_ptr() == leaf.data_ptr()
    sub.sum().backward()
    assert leaf.grad.tolist() == [1.0, 1.0]
    check(lambda lib, a, b: a.detach().clone().module_load(b), X, Y, grad=False)
    check(lambda lib, a, b: a.module_load(b, assign=True), X, Y, grad=False)
