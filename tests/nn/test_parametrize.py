"""Parametrizations (register/remove, chaining, right_inverse, caching, state_dict, printing),
weight and spectral normalisation in both the parametrization and the legacy hook form, against
torch with the same seed: outputs, gradients, buffers and keys."""

import warnings

import numpy as np
import pytest
from oracle import torch

import jtorch


def _both(build):
    """``build(lib)`` for jtorch and torch, each after manual_seed(0), in float64 (so that three
    training steps compare the maths, not float32 summation orders)."""
    out = []
    for lib in (jtorch, torch):
        lib.manual_seed(0)
        lib.set_default_dtype(lib.float64)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FutureWarning)
                out.append(build(lib))
        finally:
            lib.set_default_dtype(lib.float32)
    return out


def _close(ours, theirs) -> None:
    for a, b in zip(ours, theirs):
        if isinstance(a, (str, list)):
            assert a == b
        else:
            np.testing.assert_allclose(
                a.detach().numpy(), b.detach().numpy(), rtol=1e-10, atol=1e-12
            )


def _train_steps(lib, m, x):
    opt = lib.optim.SGD(m.parameters(), lr=0.1)
    outs = []
    for _ in range(3):
        opt.zero_grad()
        y = m(x)
        y.pow(2).sum().backward()
        opt.step()
        outs.append(y)
    return outs


@pytest.mark.parametrize(
    "make",
    [
        lambda lib: lib.nn.utils.parametrizations.weight_norm(lib.nn.Linear(4, 3)),
        lambda lib: lib.nn.utils.parametrizations.weight_norm(lib.nn.Conv2d(2, 3, 3), dim=None),
        lambda lib: lib.nn.utils.parametrizations.spectral_norm(lib.nn.Linear(4, 3)),
        lambda lib: lib.nn.utils.parametrizations.spectral_norm(lib.nn.ConvTranspose2d(2, 3, 3)),
        lambda lib: lib.nn.utils.weight_norm(lib.nn.Linear(4, 3)),
        lambda lib: lib.nn.utils.weight_norm(lib.nn.Conv1d(2, 3, 3), dim=1),
        lambda lib: lib.nn.utils.spectral_norm(lib.nn.Linear(4, 3), n_power_iterations=2),
        lambda lib: lib.nn.utils.spectral_norm(lib.nn.Conv2d(2, 3, 3)),
    ],
)
def test_normalisations_train_like_torch(make):
    def build(lib):
        m = make(lib)
        shape = {2: (2, 4), 3: (2, 2, 5), 4: (1, 2, 5, 5)}
        x = lib.ones(*shape[m.weight.dim() if m.weight.dim() > 2 else 2])
        outs = _train_steps(lib, m, x)
        state = m.state_dict()
        return [repr(m), sorted(state), *outs, *(state[k] for k in sorted(state))]

    _close(*_both(build))


def test_remove_restores_plain_modules():
    def build(lib):
        utils = lib.nn.utils
        a = utils.parametrizations.weight_norm(lib.nn.Linear(4, 3))
        utils.parametrize.remove_parametrizations(a, "weight")
        b = utils.weight_norm(lib.nn.Linear(4, 3))
        utils.remove_weight_norm(b)
        c = utils.spectral_norm(lib.nn.Linear(4, 3))
        c(lib.ones(1, 4))
        utils.remove_spectral_norm(c)
        return [repr(a), type(a).__name__, sorted(b.state_dict()), sorted(c.state_dict()),
                a.weight, b.weight, c.weight]  # fmt: skip

    _close(*_both(build))


class Symmetric(jtorch.nn.Module):
    def forward(self, X):
        return X.triu() + X.triu(1).mT

    def right_inverse(self, A):
        return A.triu()


def test_register_chain_assign_and_cache():
    m = jtorch.nn.Linear(3, 3)
    P = jtorch.nn.utils.parametrize
    P.register_parametrization(m, "weight", Symmetric())
    assert type(m).__name__ == "ParametrizedLinear"
    assert P.type_before_parametrizations(m) is jtorch.nn.Linear
    assert P.is_parametrized(m) and P.is_parametrized(m, "weight")
    assert not P.is_parametrized(m, "bias")
    w = m.weight
    assert jtorch.equal(w, w.T)
    # assigning goes through right_inverse
    target = jtorch.arange(9.0).view(3, 3)
    m.weight = target + target.T
    assert jtorch.equal(m.parametrizations.weight.original, (target + target.T).triu())
    # chained parametrizations apply in order
    P.register_parametrization(m, "weight", jtorch.nn.Tanh())
    expected = np.tanh((target + target.T).numpy())
    np.testing.assert_allclose(m.weight.detach().numpy(), expected, rtol=1e-6)
    with P.cached():
        assert m.weight is m.weight
    assert m.weight is not m.weight
    # gradients reach the original
    m(jtorch.ones(1, 3)).sum().backward()
    assert m.parametrizations.weight.original.grad is not None
    P.remove_parametrizations(m, "weight")
    assert type(m) is jtorch.nn.Linear and not hasattr(m, "parametrizations")


def test_errors_match_torch():
    for lib in (jtorch, torch):
        m = lib.nn.Linear(3, 3)
        P = lib.nn.utils.parametrize
        with pytest.raises(ValueError, match="does not have a parameter, a buffer"):
            P.register_parametrization(m, "nope", lib.nn.Identity())
        with pytest.raises(ValueError, match="may not change the shape"):
            P.register_parametrization(m, "weight", lib.nn.Flatten(0))
        with pytest.raises(ValueError, match="does not have a parametrization on weight"):
            P.remove_parametrizations(m, "weight")
        with pytest.raises(ValueError, match="n_power_iterations to be positive"):
            lib.nn.utils.parametrizations.spectral_norm(m, n_power_iterations=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            lib.nn.utils.weight_norm(m)
            with pytest.raises(RuntimeError, match="Cannot register two weight_norm hooks"):
                lib.nn.utils.weight_norm(m)
    with pytest.warns(FutureWarning, match="parametrizations.weight_norm"):
        jtorch.nn.utils.weight_norm(jtorch.nn.Linear(2, 2))
