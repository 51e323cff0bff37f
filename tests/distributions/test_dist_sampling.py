"""Sampling: torch's numbers where jtorch's generator reproduces them, sample statistics
elsewhere, and reparameterised gradients (torch's implicit gamma/Dirichlet derivatives)."""

import numpy as np
import pytest
from conftest import torch_oracle

import jtorch
from jtorch.distributions._sampling import (
    _dirichlet_grad,
    _sample_dirichlet,
    _standard_gamma,
    _standard_gamma_grad,
)

torch = torch_oracle()
N = 20000

SAME_STREAM = [
    "D.Normal(lib.tensor([0.0, 1.0]), lib.tensor([1.0, 2.0])).sample((5,))",
    "D.Normal(lib.tensor([0.0, 1.0]), lib.tensor([1.0, 2.0])).rsample((40,))",
    "D.Normal(lib.tensor([0.0, 1.0], dtype=lib.float64), 2.0).sample((40,))",
    "D.Normal(0.0, 1.0).sample()",
    "D.Uniform(lib.tensor([0.0, 1.0]), lib.tensor([1.0, 2.0])).sample((40,))",
    "D.Exponential(lib.tensor([0.5, 1.0])).rsample((40,))",
    "D.Bernoulli(lib.tensor([0.5, 0.1])).sample((40,))",
    "D.Bernoulli(logits=lib.tensor([0.5, 0.1])).sample((40,))",
    "D.Categorical(lib.tensor([[0.5, 0.1, 0.4], [0.1, 0.1, 0.8]])).sample((5,))",
    "D.OneHotCategorical(lib.tensor([0.5, 0.1, 0.4])).sample((5,))",
    "D.MultivariateNormal(lib.zeros(3), lib.eye(3) * 2).sample((20,))",
    "D.Independent(D.Normal(lib.zeros(2, 3), 1.0), 1).rsample((4,))",
    "D.Laplace(lib.tensor([0.5, 1.0]), 2.0).sample((40,))",
    "D.LogNormal(lib.tensor([0.5, 1.0]), 2.0).sample((40,))",
]


def _draw(lib, code):
    lib.manual_seed(3)
    return eval(code, {"lib": lib, "D": lib.distributions}).numpy()


@pytest.mark.parametrize("code", SAME_STREAM)
def test_same_numbers_as_torch(code):
    ours, theirs = _draw(jtorch, code), _draw(torch, code)
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    # NOTE: Laplace/LogNormal pass torch's uniforms/normals through log1p/exp, whose last bit
    # differs between NumPy and torch's vectorised math.
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=0)


def _assert_moments(samples, mean, var, what):
    samples = samples.astype(np.float64)
    se_mean = np.sqrt(var / len(samples))
    assert np.all(np.abs(samples.mean(0) - mean) < 5 * se_mean), f"{what} mean"
    # the sample variance has standard error about var * sqrt(2 / n) (more for heavy tails)
    assert np.all(np.abs(samples.var(0) / var - 1) < 0.1), f"{what} variance"


STATS = {
    "Gamma": "D.Gamma(lib.tensor([0.3, 2.0, 9.0]), lib.tensor([1.0, 2.0, 0.5]))",
    "Chi2": "D.Chi2(lib.tensor([1.0, 4.0]))",
    "Beta": "D.Beta(lib.tensor([0.5, 2.0]), lib.tensor([0.5, 5.0]))",
    "Dirichlet": "D.Dirichlet(lib.tensor([0.5, 1.0, 3.0]))",
    "Poisson": "D.Poisson(lib.tensor([0.5, 4.0, 30.0]))",
    "Binomial": "D.Binomial(lib.tensor([3.0, 10.0]), lib.tensor([0.3, 0.9]))",
    "StudentT": "D.StudentT(lib.tensor([9.0, 30.0]), 1.0, 2.0)",
    "Laplace": "D.Laplace(lib.tensor([0.0, 1.0]), lib.tensor([1.0, 3.0]))",
    "Uniform": "D.Uniform(lib.tensor([0.0, 1.0]), lib.tensor([1.0, 3.0]))",
    "Normal": "D.Normal(lib.tensor([0.0, 1.0]), lib.tensor([1.0, 3.0]))",
}


@pytest.mark.parametrize("name", sorted(STATS))
def test_sample_moments(name):
    jtorch.manual_seed(0)
    d = eval(STATS[name], {"lib": jtorch, "D": jtorch.distributions})
    s = d.sample((N,))
    assert s.shape == (N,) + d.batch_shape + d.event_shape and s.dtype == jtorch.float32
    assert not s.requires_grad
    assert bool(d.support.check(s).all())
    _assert_moments(s.numpy(), d.mean.numpy(), d.variance.numpy(), name)


def test_samplers_follow_manual_seed():
    rate, prob = jtorch.full((5,), 3.0), jtorch.full((5,), 0.4)
    draws = []
    for _ in range(2):
        jtorch.manual_seed(11)
        draws.append((_standard_gamma(rate), _sample_dirichlet(prob.reshape(1, 5))))
    for a, b in zip(*draws):
        assert a.dtype == jtorch.float32 and np.array_equal(a.numpy(), b.numpy())


# -- reparameterised gradients --------------------------------------------------------------------
def test_normal_rsample_gradient():
    loc = jtorch.tensor([0.0, 1.0], requires_grad=True)
    scale = jtorch.tensor([1.0, 2.0], requires_grad=True)
    jtorch.manual_seed(0)
    x = jtorch.distributions.Normal(loc, scale).rsample((3,))
    x.sum().backward()
    np.testing.assert_allclose(loc.grad.numpy(), [3.0, 3.0])
    eps = (x.detach() - loc.detach()) / scale.detach()
    np.testing.assert_allclose(scale.grad.numpy(), eps.sum(0).numpy(), rtol=1e-6)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_standard_gamma_grad_matches_torch(dtype):
    rs = np.random.default_rng(0)
    alpha = np.exp(rs.uniform(-3, 4, 2000)).astype(dtype)
    x = rs.gamma(alpha).astype(dtype)
    ours = _standard_gamma_grad(jtorch.tensor(alpha), jtorch.tensor(x))
    theirs = torch._standard_gamma_grad(torch.tensor(alpha), torch.tensor(x))
    assert ours.dtype == getattr(jtorch, dtype)
    np.testing.assert_allclose(
        ours.numpy(), theirs.numpy(), rtol=1e-12 if dtype == "float64" else 1e-6
    )


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dirichlet_grad_matches_torch(dtype):
    rs = np.random.default_rng(1)
    alpha = np.exp(rs.uniform(-2, 3, (1000, 3)))
    g = rs.gamma(alpha)
    x = g / g.sum(-1, keepdims=True)
    total = np.broadcast_to(alpha.sum(-1, keepdims=True), alpha.shape)
    args = [v.astype(dtype) for v in (x, alpha, total)]
    ours = _dirichlet_grad(*(jtorch.tensor(a) for a in args))
    theirs = torch._dirichlet_grad(*(torch.tensor(a) for a in args))
    # NOTE: float32 series near x = 0 cancel terms; rounding order (and FMA contraction in
    # torch's build) differ by a few hundred ulps there.
    rtol = 1e-12 if dtype == "float64" else 1e-4
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=rtol)


def test_gamma_rsample_gradient_is_torchs_implicit_derivative():
    alpha = jtorch.tensor([0.5, 2.0, 12.0], dtype=jtorch.float64, requires_grad=True)
    rate = jtorch.tensor([1.0, 3.0, 0.5], dtype=jtorch.float64, requires_grad=True)
    jtorch.manual_seed(0)
    x = jtorch.distributions.Gamma(alpha, rate).rsample((4,))
    assert type(x.grad_fn).__name__ == "DivBackward0"
    x.sum().backward()
    std = (x * rate).detach()
    expected = torch._standard_gamma_grad(
        torch.tensor(alpha.detach().numpy()).expand(4, 3), torch.tensor(std.numpy())
    )
    np.testing.assert_allclose(
        alpha.grad.numpy(), (expected / torch.tensor(rate.detach().numpy())).sum(0)
    )
    np.testing.assert_allclose(rate.grad.numpy(), (-x.detach() / rate.detach()).sum(0).numpy())


def test_gamma_rsample_gradient_is_unbiased():
    # d/dalpha E[x] = 1 for x ~ Gamma(alpha, 1)
    alpha = jtorch.tensor([0.3, 1.0, 5.0, 20.0], requires_grad=True)
    jtorch.manual_seed(0)
    x = _standard_gamma(alpha.expand(N, 4))
    assert type(x.grad_fn).__name__ == "StandardGammaBackward0"
    x.sum().backward()
    np.testing.assert_allclose(alpha.grad.numpy() / N, 1.0, atol=0.03)


def test_dirichlet_rsample_gradient():
    alpha = jtorch.tensor([0.5, 1.0, 3.0], dtype=jtorch.float64, requires_grad=True)
    jtorch.manual_seed(0)
    x = jtorch.distributions.Dirichlet(alpha).rsample((N,))
    assert type(x.grad_fn).__name__ == "_DirichletBackward"
    x[:, 0].sum().backward()
    # d/dalpha E[x_0] = d/dalpha alpha_0 / sum(alpha)
    a = alpha.detach().numpy()
    expected = -np.full(3, a[0]) / a.sum() ** 2 + np.array([1.0, 0, 0]) / a.sum()
    np.testing.assert_allclose(alpha.grad.numpy() / N, expected, atol=0.004)
    # and per sample, torch's backward formula on the same draw
    g = torch.zeros(N, 3, dtype=torch.float64)
    g[:, 0] = 1
    xt, at = torch.tensor(x.detach().numpy()), torch.tensor(a).expand(N, 3)
    per = torch._dirichlet_grad(xt, at, at.sum(-1, True).expand_as(at)) * (
        g - (xt * g).sum(-1, True)
    )
    np.testing.assert_allclose(alpha.grad.numpy(), per.sum(0).numpy(), rtol=1e-10)


def test_beta_rsample_gradient():
    c1 = jtorch.tensor(2.0, requires_grad=True)
    c0 = jtorch.tensor(3.0, requires_grad=True)
    jtorch.manual_seed(0)
    x = jtorch.distributions.Beta(c1, c0).rsample((N,))
    assert type(x.grad_fn).__name__ == "SelectBackward0"
    x.mean().backward()
    # d/dc1 c1 / (c1 + c0) = c0 / 25, d/dc0 = -c1 / 25
    np.testing.assert_allclose([c1.grad.item(), c0.grad.item()], [0.12, -0.08], atol=0.005)


def test_sample_dirichlet_shape_and_simplex():
    jtorch.manual_seed(0)
    x = _sample_dirichlet(jtorch.full((4, 3), 0.1, dtype=jtorch.float64))
    assert x.shape == (4, 3) and x.dtype == jtorch.float64
    np.testing.assert_allclose(x.sum(-1).numpy(), 1.0)
    assert (x.numpy() > 0).all()


def test_studentt_and_others_have_rsample():
    for name, has in [("Normal", True), ("Gamma", True), ("Beta", True), ("Dirichlet", True),
                      ("StudentT", True), ("Bernoulli", False), ("Poisson", False)]:  # fmt: skip
        assert getattr(jtorch.distributions, name).has_rsample == has
    df = jtorch.tensor([3.0, 5.0], requires_grad=True)
    x = jtorch.distributions.StudentT(df).rsample((10,))
    x.sum().backward()
    assert np.isfinite(df.grad.numpy()).all()
