"""Tensor and Node hooks against torch: modifying grads, removal, retain_grad, post-accumulate."""

import numpy as np
import pytest
from oracle import randn, torch

import jtorch


def both(fn):
    return fn(jtorch), fn(torch)


def as_np(x):
    return None if x is None else x.detach().numpy()


def test_leaf_hook_modifies_grad_and_removal():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        seen = []
        h = x.register_hook(lambda g: seen.append(g.clone()) or g * 10)
        (x * x).sum().backward()
        first = as_np(x.grad)
        h.remove()
        x.grad = None
        (x * x).sum().backward()
        return first, as_np(x.grad), len(seen)

    ours, theirs = both(run)
    for a, b in zip(ours[:2], theirs[:2]):
        np.testing.assert_allclose(a, b)
    assert ours[2] == theirs[2] == 1


def test_non_leaf_hook_changes_upstream_grad():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        h = x * 3
        h.register_hook(lambda g: g + 1)
        h.register_hook(lambda g: g * 2)  # hooks run in registration order
        (h * h).sum().backward()
        return as_np(x.grad), h.grad

    ours, theirs = both(run)
    np.testing.assert_allclose(ours[0], theirs[0])
    assert ours[1] is None and theirs[1] is None


def test_hook_returning_none_keeps_grad():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        x.register_hook(lambda g: None)
        (x * 2).sum().backward()
        return as_np(x.grad)

    np.testing.assert_allclose(*both(run))


def test_hook_on_tensor_without_grad_errors():
    def fn(lib):
        lib.ones(2).register_hook(lambda g: g)

    with pytest.raises(RuntimeError) as theirs:
        fn(torch)
    with pytest.raises(RuntimeError) as ours:
        fn(jtorch)
    assert str(ours.value) == str(theirs.value)


def test_retain_grad():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        h = x * 3
        assert not h.retains_grad
        h.retain_grad()
        x.retain_grad()  # no-op on a leaf
        (h * h).sum().backward()
        return h.retains_grad, x.retains_grad, as_np(h.grad), as_np(x.grad)

    ours, theirs = both(run)
    assert ours[:2] == theirs[:2]
    for a, b in zip(ours[2:], theirs[2:]):
        np.testing.assert_allclose(a, b)


def test_retain_grad_accumulates_and_hook_order():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        h = x * 3
        h.retain_grad()
        h.register_hook(lambda g: g * 2)
        (h * h).sum().backward(retain_graph=True)
        (h * h).sum().backward()
        return as_np(h.grad), as_np(x.grad)

    ours, theirs = both(run)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b)


def test_post_accumulate_grad_hook():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        seen = []
        handle = x.register_post_accumulate_grad_hook(lambda t: seen.append(as_np(t.grad).copy()))
        (x * 2).sum().backward()
        (x * 3).sum().backward()
        handle.remove()
        (x * 3).sum().backward()
        return seen

    ours, theirs = both(run)
    assert len(ours) == len(theirs) == 2
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b)


def test_post_accumulate_grad_hook_non_leaf_error():
    def fn(lib):
        (lib.ones(2, requires_grad=True) * 2).register_post_accumulate_grad_hook(lambda t: None)

    with pytest.raises(RuntimeError) as theirs:
        fn(torch)
    with pytest.raises(RuntimeError) as ours:
        fn(jtorch)
    assert str(ours.value) == str(theirs.value)


def test_node_hooks():
    def run(lib):
        x = lib.tensor(randn(3), requires_grad=True)
        y = x.exp()
        calls = []

        def pre(grad_outputs):
            calls.append("pre")
            return (grad_outputs[0] * 2,)

        def post(grad_inputs, grad_outputs):
            calls.append("post")
            return (grad_inputs[0] + 1,)

        h1 = y.grad_fn.register_prehook(pre)
        h2 = y.grad_fn.register_hook(post)
        y.sum().backward(retain_graph=True)
        first = as_np(x.grad).copy()
        h1.remove()
        h2.remove()
        x.grad = None
        y.sum().backward()
        return first, as_np(x.grad), calls

    ours, theirs = both(run)
    np.testing.assert_allclose(ours[0], theirs[0])
    np.testing.assert_allclose(ours[1], theirs[1])
    assert ours[2] == theirs[2] == ["pre", "post"]


def test_node_hook_sees_grads():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        w = lib.tensor([3.0, 4.0])
        y = x * w
        seen = {}
        y.grad_fn.register_hook(lambda gi, go: seen.update(gi=gi, go=go))
        y.backward(lib.tensor([1.0, 1.0]))
        return [as_np(g) for g in seen["gi"]], [as_np(g) for g in seen["go"]]

    ours, theirs = both(run)
    for a, b in zip(ours[0] + ours[1], theirs[0] + theirs[1]):
        if b is None:
            assert a is None
        else:
            np.testing.assert_allclose(a, b)


def test_hooks_with_autograd_grad():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        h = x * 2
        h.register_hook(lambda g: g * 5)
        (gx,) = lib.autograd.grad((h * h).sum(), x)
        return as_np(gx), x.grad

    ours, theirs = both(run)
    np.testing.assert_allclose(ours[0], theirs[0])
    assert ours[1] is None and theirs[1] is None
