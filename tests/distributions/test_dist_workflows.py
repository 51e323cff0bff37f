"""End-to-end uses of distributions (policy gradients, VAE, tanh-squashed SAC policies, mixture
density networks): the same seed gives torch's samples, losses and parameter gradients."""

import numpy as np
from conftest import torch_oracle
from oracle import randn

import jtorch

torch = torch_oracle()
W = randn(4, 6, seed=1) * 0.5
X = randn(8, 4, seed=2)


def _run(lib, loss_fn):
    lib.manual_seed(0)
    w = lib.tensor(W, dtype=lib.float32, requires_grad=True)
    out = lib.tensor(X, dtype=lib.float32) @ w
    loss = loss_fn(lib, lib.distributions, out)
    loss.backward()
    return loss.detach().numpy(), w.grad.numpy()


def _same(loss_fn, rtol=1e-5):
    (l1, g1), (l2, g2) = _run(jtorch, loss_fn), _run(torch, loss_fn)
    np.testing.assert_allclose(l1, l2, rtol=rtol, atol=1e-6)
    np.testing.assert_allclose(g1, g2, rtol=rtol, atol=1e-5)


def test_reinforce_with_categorical():
    def loss(lib, D, out):
        dist = D.Categorical(logits=out)
        actions = dist.sample()
        returns = lib.arange(8, dtype=out.dtype)
        return -(dist.log_prob(actions) * returns).mean() - 0.01 * dist.entropy().mean()

    _same(loss)


def test_vae_reparameterised_kl():
    def loss(lib, D, out):
        mu, log_std = out[:, :3], out[:, 3:]
        q = D.Normal(mu, log_std.exp())
        z = q.rsample()
        recon = (z**2).sum(-1)
        return (recon + D.kl_divergence(q, D.Normal(0.0, 1.0)).sum(-1)).mean()

    _same(loss)


def test_tanh_squashed_gaussian_policy():
    def loss(lib, D, out):
        mu, log_std = out[:, :3], out[:, 3:].clamp(-5, 2)
        base = D.Independent(D.Normal(mu, log_std.exp()), 1)
        pi = D.TransformedDistribution(base, [D.TanhTransform(cache_size=1)])
        a = pi.rsample()
        return (0.2 * pi.log_prob(a) - a.sum(-1)).mean()

    _same(loss)


def test_mixture_density_network():
    def loss(lib, D, out):
        logits, loc, log_scale = out[:, :2], out[:, 2:4], out[:, 4:]
        mix = D.MixtureSameFamily(D.Categorical(logits=logits), D.Normal(loc, log_scale.exp()))
        y = lib.linspace(-1, 1, 8, dtype=out.dtype)
        return -mix.log_prob(y).mean()

    _same(loss)


def test_multivariate_normal_policy():
    def loss(lib, D, out):
        a = out[:, :3]
        tril = lib.tensor([[1.0, 0.0, 0.0], [0.3, 0.8, 0.0], [0.1, -0.2, 0.5]], dtype=out.dtype)
        d = D.MultivariateNormal(a, scale_tril=tril)
        return -d.log_prob(d.sample()).mean() + d.entropy().mean()

    _same(loss)
