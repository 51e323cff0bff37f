"""User autograd.Function against torch: ctx API, dirty/non-differentiable outputs,
once_differentiable, grad-count errors."""

import numpy as np
import pytest
from oracle import randn, torch

import jtorch


def make(lib):
    """The same user Functions defined on ``lib.autograd.Function``."""

    class Cube(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.save_for_backward(x)
            ctx.k = k
            return x**3 * k

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x**2 * ctx.k, None

    class Needs(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx, g):
            a, b = ctx.saved_tensors
            ctx_needs.append(tuple(ctx.needs_input_grad))
            ga = g * b if ctx.needs_input_grad[0] else None
            gb = g * a if ctx.needs_input_grad[1] else None
            return ga, gb

    class AddOneInplace(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    class SortWithIndex(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            values, idx = x.sort()
            ctx.mark_non_differentiable(idx)
            ctx.save_for_backward(idx)
            return values, idx

        @staticmethod
        def backward(ctx, g, g_idx):
            (idx,) = ctx.saved_tensors
            out = lib.zeros_like(g)
            out[idx] = g
            return out

    class Once(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.exp()

        @staticmethod
        @lib.autograd.function.once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x.exp()

    class TooMany(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g, g

    class TooFew(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, g):
            return g

    ctx_needs: list = []
    return dict(
        Cube=Cube,
        Needs=Needs,
        AddOneInplace=AddOneInplace,
        SortWithIndex=SortWithIndex,
        Once=Once,
        TooMany=TooMany,
        TooFew=TooFew,
        needs=ctx_needs,
    )


def both(fn):
    return fn(jtorch, make(jtorch)), fn(torch, make(torch))


def test_save_for_backward_and_attrs():
    def run(lib, f):
        x = lib.tensor(randn(3), requires_grad=True)
        y = f["Cube"].apply(x, 2.0)
        y.sum().backward()
        return type(y.grad_fn).__name__, y.grad_fn.name(), x.grad.numpy()

    ours, theirs = both(run)
    assert ours[:2] == theirs[:2] == ("CubeBackward", "CubeBackward")
    np.testing.assert_allclose(ours[2], theirs[2])


def test_next_functions_skip_non_tensor_arguments():
    def run(lib, f):
        x = lib.tensor(randn(3), requires_grad=True)
        fns = f["Cube"].apply(x, 2.0).grad_fn.next_functions
        return [type(node).__name__ for node, _ in fns]

    ours, theirs = both(run)
    assert ours == theirs == ["AccumulateGrad"]


def test_needs_input_grad():
    def run(lib, f):
        a = lib.tensor(randn(3), requires_grad=True)
        b = lib.tensor(randn(3, seed=1))
        f["Needs"].apply(a, b).sum().backward()
        return f["needs"], a.grad.numpy(), b.grad

    ours, theirs = both(run)
    assert ours[0] == theirs[0] == [(True, False)]
    np.testing.assert_allclose(ours[1], theirs[1])
    assert ours[2] is None and theirs[2] is None


def test_mark_dirty():
    def run(lib, f):
        x = lib.tensor(randn(3), requires_grad=True)
        h = x * 1
        y = f["AddOneInplace"].apply(h)
        (y * y).sum().backward()
        return y is h, h._version, x.grad.numpy(), type(y.grad_fn).__name__

    ours, theirs = both(run)
    assert ours[0] == theirs[0] and ours[3] == theirs[3]
    np.testing.assert_allclose(ours[2], theirs[2])


def test_mark_dirty_version():
    def run(lib, f):
        h = lib.ones(3, requires_grad=True) * 1
        f["AddOneInplace"].apply(h)
        return h._version

    ours, theirs = both(run)
    assert ours == theirs


def test_mark_non_differentiable():
    def run(lib, f):
        x = lib.tensor(randn(4), requires_grad=True)
        values, idx = f["SortWithIndex"].apply(x)
        (values * lib.arange(4.0)).sum().backward()
        return values.requires_grad, idx.requires_grad, x.grad.numpy()

    ours, theirs = both(run)
    assert ours[:2] == theirs[:2] == (True, False)
    np.testing.assert_allclose(ours[2], theirs[2])


def test_once_differentiable():
    def run(lib, f):
        x = lib.tensor(randn(3), requires_grad=True)
        y = f["Once"].apply(x)
        (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        return g.requires_grad, g.detach().numpy()

    ours, theirs = both(run)
    np.testing.assert_allclose(ours[1], theirs[1])


def test_wrong_number_of_grads():
    def too_many(lib, f):
        f["TooMany"].apply(lib.ones(2, requires_grad=True)).sum().backward()

    def too_few(lib, f):
        x, y = lib.ones(2, requires_grad=True), lib.ones(2, requires_grad=True)
        f["TooFew"].apply(x, y).sum().backward()

    for fn in (too_many, too_few):
        with pytest.raises(RuntimeError) as theirs:
            fn(torch, make(torch))
        with pytest.raises(RuntimeError) as ours:
            fn(jtorch, make(jtorch))
        assert str(ours.value) == str(theirs.value)


def test_no_grad_inputs_no_graph():
    def run(lib, f):
        y = f["Cube"].apply(lib.ones(2), 1.0)
        return y.requires_grad, y.grad_fn is None

    ours, theirs = both(run)
    assert ours == theirs


def test_user_function_gradcheck():
    f = make(jtorch)
    x = jtorch.tensor(randn(3)).requires_grad_()
    assert jtorch.autograd.gradcheck(lambda t: f["Cube"].apply(t, 1.5), (x,))
