"""Discrete distributions against torch.distributions: pmfs, moments, entropies, supports."""

import numpy as np
import pytest
from oracle import check, rand, randn

PROBS = rand(2, 3, low=0.1, high=0.9, seed=1)
LOGITS = randn(2, 3, seed=2)
VALUES01 = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 1.0]])
SIMPLEX = PROBS / PROBS.sum(-1, keepdims=True)


@pytest.mark.parametrize("param", ["probs", "logits"])
def test_bernoulli(param):
    arg = PROBS if param == "probs" else LOGITS

    def fn(lib, p):
        d = lib.distributions.Bernoulli(**{param: p})
        v = lib.tensor(VALUES01).to(p.dtype)
        return d.log_prob(v), d.entropy(), d.mean, d.variance, d.probs, d.logits

    check(fn, arg)
    check(lambda lib, p: lib.distributions.Bernoulli(**{param: p}).mode, arg, grad=False)


@pytest.mark.parametrize("param", ["probs", "logits"])
def test_categorical(param):
    arg = PROBS if param == "probs" else LOGITS

    def fn(lib, p):
        d = lib.distributions.Categorical(**{param: p})
        v = lib.tensor([[0, 2], [1, 1], [2, 0]])
        return d.log_prob(v), d.entropy(), d.probs, d.logits

    check(fn, arg)

    def meta(lib, p):
        d = lib.distributions.Categorical(**{param: p})
        return d.mode, d.mean, d.variance, d.enumerate_support(), d.enumerate_support(False)

    check(meta, arg, grad=False)


@pytest.mark.parametrize("param", ["probs", "logits"])
def test_one_hot_categorical(param):
    arg = PROBS if param == "probs" else LOGITS

    def fn(lib, p):
        d = lib.distributions.OneHotCategorical(**{param: p})
        v = lib.tensor([[0.0, 0.0, 1.0], [0.0, 1.0, 0.0]])
        return d.log_prob(v), d.entropy(), d.mean, d.variance

    check(fn, arg)
    check(
        lambda lib, p: lib.distributions.OneHotCategorical(**{param: p}).enumerate_support(),
        arg,
        grad=False,
    )


@pytest.mark.parametrize("param", ["probs", "logits"])
def test_binomial(param):
    arg = PROBS if param == "probs" else LOGITS

    def fn(lib, p):
        d = lib.distributions.Binomial(lib.tensor([[5.0], [8.0]]), **{param: p})
        v = lib.tensor([[0.0, 3.0, 5.0], [8.0, 2.0, 1.0]])
        return d.log_prob(v), d.mean, d.variance

    check(fn, arg)
    check(lambda lib, p: lib.distributions.Binomial(4, **{param: p}).entropy(), arg)
    check(lambda lib, p: lib.distributions.Binomial(4, **{param: p}).mode, arg, grad=False)
    check(
        lambda lib, p: lib.distributions.Binomial(4, **{param: p}).enumerate_support(),
        arg,
        grad=False,
    )


def test_poisson():
    rate = rand(4, low=0.5, high=5.0, seed=3)

    def fn(lib, r):
        d = lib.distributions.Poisson(r)
        return d.log_prob(lib.tensor([0.0, 1.0, 4.0, 7.0])), d.mean, d.variance

    check(fn, rate)
    check(lambda lib, r: lib.distributions.Poisson(r).mode, rate, grad=False)


def test_simplex_probs_are_normalised():
    check(lambda lib, p: lib.distributions.Categorical(probs=p * 3).probs, SIMPLEX)
