"""Property tests: for random broadcastable shapes, binary ops and matmul give torch's values,
shapes and input gradients; non-broadcastable shapes raise RuntimeError in both."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from oracle import torch

import jtorch

OPS = {
    "add": lambda lib, a, b: a + b,
    "sub": lambda lib, a, b: lib.sub(a, b, alpha=2),
    "mul": lambda lib, a, b: a * b,
    "div": lambda lib, a, b: a / b,
    "matmul": lambda lib, a, b: a @ b,
}


def run(lib, op, a, b, cot_seed):
    ta, tb = lib.tensor(a, requires_grad=True), lib.tensor(b, requires_grad=True)
    out = OPS[op](lib, ta, tb)
    cot = np.random.default_rng(cot_seed).standard_normal(tuple(out.shape))
    ga, gb = lib.autograd.grad(out, (ta, tb), lib.tensor(cot))
    return out.detach().numpy(), ga.numpy(), gb.numpy()


def compare(op, a, b, seed):
    ours, theirs = run(jtorch, op, a, b, seed), run(torch, op, a, b, seed)
    for x, y in zip(ours, theirs):
        assert x.shape == y.shape
        np.testing.assert_allclose(x, y, rtol=1e-10, atol=1e-12)


def arrays(shape, seed):
    r = np.random.default_rng(seed)
    # NOTE: asarray: for shape () NumPy returns a scalar, and tensor(np.float64) differs (reported)
    return np.asarray(r.standard_normal(shape)), np.asarray(r.uniform(0.5, 2.0, shape))


@settings(max_examples=40, deadline=None)
@given(
    shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=3),
    op=st.sampled_from(["add", "sub", "mul", "div"]),
    seed=st.integers(0, 2**16),
)
def test_elementwise_broadcast(shapes, op, seed):
    sa, sb = shapes.input_shapes
    a, _ = arrays(sa, seed)
    _, b = arrays(sb, seed + 1)
    compare(op, a, b, seed)


@settings(max_examples=40, deadline=None)
@given(
    shapes=hnp.mutually_broadcastable_shapes(
        signature="(m?,n),(n,p?)->(m?,p?)", max_dims=3, max_side=3
    ),
    seed=st.integers(0, 2**16),
)
def test_matmul_broadcast(shapes, seed):
    sa, sb = shapes.input_shapes
    a, _ = arrays(sa, seed)
    b, _ = arrays(sb, seed + 1)
    compare("matmul", a, b, seed)


@st.composite
def non_broadcastable(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=4))
    dim = draw(st.integers(0, len(shape) - 1))
    other = list(shape)
    other[dim] = shape[dim] + draw(st.integers(1, 2))
    return shape, tuple(other)


@settings(max_examples=25, deadline=None)
@given(shapes=non_broadcastable(), op=st.sampled_from(["add", "sub", "mul", "div", "matmul"]))
def test_non_broadcastable_raise(shapes, op):
    sa, sb = shapes
    if op == "matmul":  # make the batch dims clash, with matching inner dims
        sa, sb = (*sa, 2, 3), (*sb, 3, 2)
    for lib in (torch, jtorch):
        with pytest.raises(RuntimeError):
            OPS[op](lib, lib.ones(*sa), lib.ones(*sb))
