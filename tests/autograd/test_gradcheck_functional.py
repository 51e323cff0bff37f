"""gradcheck/gradgradcheck behaviour and autograd.functional against torch; graph walkers."""

import numpy as np
import pytest
from oracle import randn, torch

import jtorch
from jtorch.autograd import functional as F
from jtorch.autograd.graph import GradientEdge, get_gradient_edge, iter_graph


def leaf(lib, *shape, seed=0):
    return lib.tensor(randn(*shape, seed=seed)).requires_grad_()


class BadSin(jtorch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.sin()

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * x.cos() * 1.1


def test_gradcheck_passes_and_fails():
    x, y = leaf(jtorch, 3), leaf(jtorch, 3, seed=1)
    assert jtorch.autograd.gradcheck(lambda a, b: (a * b.exp(), a.sum()), (x, y))
    with pytest.raises(
        jtorch.autograd.GradcheckError,
        match="Jacobian mismatch for output 0 with respect to input 0",
    ):
        jtorch.autograd.gradcheck(BadSin.apply, (x,))
    assert issubclass(jtorch.autograd.GradcheckError, RuntimeError)
    assert jtorch.autograd.gradcheck(BadSin.apply, (x,), raise_exception=False) is False


def test_gradcheck_complex():
    z = jtorch.tensor(randn(3) + 1j * randn(3, seed=2)).requires_grad_()
    assert jtorch.autograd.gradcheck(lambda t: (t * t).exp(), (z,))
    assert jtorch.autograd.gradcheck(lambda t: (t * t.conj()).real, (z,))


def test_gradcheck_input_checks():
    with pytest.raises(ValueError, match="at least one input tensor to require gradient"):
        jtorch.autograd.gradcheck(lambda t: t * 2, (jtorch.ones(2, dtype=jtorch.float64),))
    with pytest.warns(UserWarning, match="is not a double precision"):
        jtorch.autograd.gradcheck(lambda t: t * 2, (jtorch.ones(2, requires_grad=True),), eps=1e-3)


def test_gradgradcheck():
    x = leaf(jtorch, 3)
    assert jtorch.autograd.gradgradcheck(lambda t: t.sin() * t, (x,))
    assert jtorch.autograd.gradgradcheck(
        lambda a, b: a @ b, (leaf(jtorch, 2, 3), leaf(jtorch, 3, seed=3))
    )


def same(ours, theirs):
    if isinstance(theirs, (tuple, list)):
        assert isinstance(ours, (tuple, list)) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            same(a, b)
        return
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert ours.requires_grad == theirs.requires_grad
    np.testing.assert_allclose(
        ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-7, atol=1e-10
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda lib, F: F.jacobian(lambda x: x.exp() * 2, leaf(lib, 3)),
        lambda lib, F: F.jacobian(lambda x: (x @ x.t()).sum(1), leaf(lib, 2, 3)),
        lambda lib, F: F.jacobian(
            lambda x, y: (x * y, x.sum()), (leaf(lib, 2), leaf(lib, 2, seed=1))
        ),
        lambda lib, F: F.jacobian(lambda x, y: x * 2, (leaf(lib, 2), leaf(lib, 2, seed=1))),
        lambda lib, F: F.jacobian(lambda x: x.sin(), leaf(lib, 2), create_graph=True),
        lambda lib, F: F.hessian(lambda x: (x**3).sum(), leaf(lib, 3)),
        lambda lib, F: F.hessian(
            lambda x, y: (x * y.exp()).sum(), (leaf(lib, 2), leaf(lib, 2, seed=1))
        ),
        lambda lib, F: F.vjp(lambda x: x.exp(), leaf(lib, 3), lib.ones(3)),
        lambda lib, F: F.vjp(lambda x: x.exp().sum(), leaf(lib, 3)),
        lambda lib, F: F.vjp(
            lambda x, y: (x * y, y),
            (leaf(lib, 2), leaf(lib, 2, seed=1)),
            (lib.ones(2), lib.ones(2)),
        ),
        lambda lib, F: F.jvp(lambda x: x.exp(), leaf(lib, 3), lib.ones(3)),
        lambda lib, F: F.jvp(
            lambda x, y: x * y, (leaf(lib, 2), leaf(lib, 2, seed=1)), (lib.ones(2), lib.ones(2))
        ),
        lambda lib, F: F.vhp(lambda x: (x**3).sum(), leaf(lib, 3), lib.ones(3)),
        lambda lib, F: F.hvp(lambda x: (x.sin() * x).sum(), leaf(lib, 3), lib.ones(3)),
        lambda lib, F: F.hvp(
            lambda x, y: (x * y * y).sum(),
            (leaf(lib, 2), leaf(lib, 2, seed=1)),
            (lib.ones(2), lib.ones(2)),
        ),
    ],
)
def test_functional(call):
    same(call(jtorch, F), call(torch, torch.autograd.functional))


@pytest.mark.parametrize(
    "call",
    [
        lambda lib, F: F.jacobian(lambda x, y: x * 2, (leaf(lib, 2), leaf(lib, 2)), strict=True),
        lambda lib, F: F.vjp(lambda x: x.exp(), leaf(lib, 3)),
        lambda lib, F: F.vjp(lambda x: x.exp(), leaf(lib, 3), lib.ones(2)),
        lambda lib, F: F.jvp(lambda x: x.exp(), leaf(lib, 3)),
        lambda lib, F: F.hessian(lambda x: x * 2, leaf(lib, 3)),
        lambda lib, F: F.vhp(lambda x: x.sum(), leaf(lib, 3), lib.ones(3), strict=True),
        lambda lib, F: F.jacobian(lambda x: x, 3.0),
    ],
)
def test_functional_errors(call):
    with pytest.raises(Exception) as theirs:
        call(torch, torch.autograd.functional)
    with pytest.raises(theirs.type) as ours:
        call(jtorch, F)
    assert (
        str(ours.value) == str(theirs.value).replace("torch.", "jtorch.")
        or str(ours.value).split(" ")[:6] == str(theirs.value).split(" ")[:6]
    )


def test_iter_graph_order_and_edges():
    x = jtorch.ones(2, requires_grad=True)
    a = x * 2
    y = (a.exp() + a).sum()
    nodes = [n for n, _ in iter_graph(y)]
    assert [n.name() for n in nodes[:2]] == ["SumBackward0", "AddBackward0"]
    order = {n: i for i, n in enumerate(nodes)}
    for node, edges in iter_graph(y):
        for child, _ in (e for e in edges if e is not None):
            assert order[child] > order[node]
    assert len(nodes) == 5 and nodes[-1].variable is x


def test_iter_graph_deep_is_iterative():
    x = jtorch.ones(1, requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0
    assert sum(1 for _ in iter_graph([y])) == 5001


def test_gradient_edge_and_node_alias():
    for lib in (jtorch, torch):
        x = lib.ones(2, requires_grad=True)
        y = x * 2
        edge = lib.autograd.graph.get_gradient_edge(y)
        assert edge.node is y.grad_fn and edge.output_nr == 0
        assert isinstance(y.grad_fn, lib.autograd.graph.Node)
    assert isinstance(get_gradient_edge(jtorch.ones(1, requires_grad=True)), GradientEdge)


def test_increment_version():
    x = jtorch.ones(2)
    jtorch.autograd.graph.increment_version(x)
    assert x._version == 1


def test_anomaly_traceback_in_metadata():
    """With anomaly mode on, forward records where each node was created (see report)."""
    with jtorch.autograd.set_detect_anomaly(True):
        y = jtorch.ones(2, requires_grad=True).exp()
    trace = y.grad_fn.metadata.get("traceback_")
    assert trace is not None
    assert "test_anomaly_traceback_in_metadata" in "".join(trace)
