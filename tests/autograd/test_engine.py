"""The backward engine's contract against torch: graph structure, errors, retain/create_graph,
autograd.grad options, accumulation, deep graphs, grad modes, .data/.detach()."""

import numpy as np
import pytest
from oracle import randn, torch

import jtorch


def both(fn):
    """Run ``fn(lib)`` on jtorch and torch and return both results."""
    return fn(jtorch), fn(torch)


def names(node) -> list:
    """(name, [child names]) pairs of a small graph, breadth first."""
    out, todo, seen = [], [node], set()
    while todo:
        n = todo.pop(0)
        if n is None or id(n) in seen:
            continue
        seen.add(id(n))
        kids = [c for c, _ in n.next_functions]
        out.append((type(n).__name__, [type(c).__name__ if c else None for c in kids]))
        todo.extend(kids)
    return out


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, x, y: (x * y + x).sum(),
        lambda lib, x, y: (x.exp() / y).mean(),
        lambda lib, x, y: (x @ y.t()).tanh(),
        lambda lib, x, y: lib.addmm(y[:, 0], x, y.t()),
        lambda lib, x, y: (x * 2)[0],
        # reflected operators: self first, rsub, and number / t as reciprocal(t) * number
        lambda lib, x, y: 2 + x,
        lambda lib, x, y: 2 * x,
        lambda lib, x, y: 1 - x,
        lambda lib, x, y: 3 / x,
        lambda lib, x, y: 2**x,
        lambda lib, x, y: lib.rsub(x, y),
        lambda lib, x, y: lib.rsub(x, 1.5, alpha=2),
        # arguments torch does not differentiate are not in next_functions
        lambda lib, x, y: x**2,
        lambda lib, x, y: lib.pow(x, 3),
        lambda lib, x, y: x.float_power(2),
        lambda lib, x, y: lib.where(y > 0, x, y),
        lambda lib, x, y: lib.where(y > 0, x, 0.0),
        lambda lib, x, y: x.masked_fill(y > 0, 1.0),
        lambda lib, x, y: x.masked_fill(y > 0, lib.tensor(1.0, requires_grad=True)),
        lambda lib, x, y: x.index_fill(1, lib.tensor([0, 2]), 1.0),
        lambda lib, x, y: x.index_fill(1, lib.tensor([0]), lib.tensor(1.0, requires_grad=True)),
        lambda lib, x, y: lib.lerp(x, y, 0.3),
        lambda lib, x, y: lib.lerp(x, y, y.sigmoid()),
        lambda lib, x, y: x.fmod(2),
        lambda lib, x, y: x % 2,
        lambda lib, x, y: lib.copysign(x, -1.0),
        lambda lib, x, y: lib.xlogy(x, 2.0),
        lambda lib, x, y: lib.xlogy(2.0, x),
        lambda lib, x, y: lib.special.xlog1py(x, y.abs()),
        lambda lib, x, y: lib.special.xlog1py(x, 2.0),
        lambda lib, x, y: lib.special.xlog1py(2.0, x),
        lambda lib, x, y: lib.special.zeta(x.abs() + 1, 2.0),
        lambda lib, x, y: lib.special.zeta(3.0, x.abs() + 1),
        lambda lib, x, y: lib.nn.functional.embedding(lib.tensor([1, 0]), x),
        lambda lib, x, y: lib.nn.functional.nll_loss(x.log_softmax(1), lib.tensor([0, 2])),
        lambda lib, x, y: lib.nn.functional.cross_entropy(x, lib.tensor([0, 2])),
        lambda lib, x, y: lib.nn.functional.soft_margin_loss(x, y.sign()),
    ],
)
def test_graph_structure(fn):
    def build(lib):
        x = lib.tensor(randn(2, 3), requires_grad=True)
        y = lib.tensor(randn(2, 3, seed=1))
        return names(fn(lib, x, y).grad_fn)

    ours, theirs = both(build)
    assert ours == theirs


def test_accumulate_grad_variable():
    x = jtorch.ones(2, requires_grad=True)
    node = (x * 2).grad_fn.next_functions[0][0]
    assert type(node).__name__ == "AccumulateGrad"
    assert node.variable is x


def test_accumulate_grad_name():
    ours, theirs = both(lambda lib: (lib.ones(2, requires_grad=True) * 2).grad_fn)
    assert ours.next_functions[0][0].name() == theirs.next_functions[0][0].name()


def test_backward_with_gradient():
    def run(lib):
        x = lib.tensor(randn(2, 3), requires_grad=True)
        (x * x).backward(gradient=lib.tensor(randn(2, 3, seed=4)))
        return x.grad.numpy()

    np.testing.assert_allclose(*both(run))


def assert_same_error(fn, match_exact: bool = True):
    with pytest.raises(Exception) as theirs:
        fn(torch)
    with pytest.raises(theirs.type) as ours:
        fn(jtorch)
    if match_exact:
        assert str(ours.value) == str(theirs.value)
    return str(ours.value), str(theirs.value)


def test_error_non_scalar():
    assert_same_error(lambda lib: (lib.ones(2, requires_grad=True) * 2).backward())


def test_error_does_not_require_grad():
    assert_same_error(lambda lib: lib.ones(2).sum().backward())


def test_error_grad_of_input_not_requiring_grad():
    def fn(lib):
        x = lib.ones(2, requires_grad=True)
        lib.autograd.grad(x.sum(), lib.ones(2))

    assert_same_error(fn)


def test_error_second_backward():
    def fn(lib):
        x = lib.ones(2, requires_grad=True)
        y = (x.exp() * x).sum()
        y.backward()
        y.backward()

    assert_same_error(fn)


def test_retain_graph_allows_second_backward():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = (x.exp() * x).sum()
        y.backward(retain_graph=True)
        y.backward()
        return x.grad.numpy()

    np.testing.assert_allclose(*both(run))


def test_error_inplace_modified_output():
    def fn(lib):
        x = lib.ones(3, requires_grad=True)
        y = x.exp()
        z = y * 2
        y.add_(1)
        z.sum().backward()

    ours, theirs = assert_same_error(fn, match_exact=False)
    assert "[torch.FloatTensor [3]], which is output 0 of Exp" in ours
    assert "is at version 1; expected version 0 instead." in ours


def test_error_inplace_modified_output_text():
    def fn(lib):
        x = lib.ones(3, requires_grad=True)
        y = x.exp()
        y.add_(1)
        y.sum().backward()

    assert_same_error(fn)


def test_error_inplace_modified_input():
    def fn(lib):
        x = lib.ones(3, requires_grad=True)
        a = x * 1
        y = a * a
        a.mul_(2)
        y.sum().backward()

    assert_same_error(fn)


def test_error_leaf_inplace():
    assert_same_error(lambda lib: lib.ones(3, requires_grad=True).add_(1))


def test_error_view_of_leaf_inplace():
    assert_same_error(lambda lib: lib.ones(3, requires_grad=True)[:2].add_(1))


def test_error_requires_grad_on_int():
    assert_same_error(lambda lib: lib.ones(2, dtype=lib.int64).requires_grad_())


def test_higher_order_sin():
    def run(lib):
        x = lib.tensor([0.3, 1.1], requires_grad=True)
        (g1,) = lib.autograd.grad(x.sin().sum(), x, create_graph=True)
        (g2,) = lib.autograd.grad(g1.sum(), x, create_graph=True)
        (g3,) = lib.autograd.grad(g2.sum(), x)
        return g1.detach().numpy(), g2.detach().numpy(), g3.numpy()

    ours, theirs = both(run)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    np.testing.assert_allclose(ours[2], -np.cos([0.3, 1.1]), rtol=1e-6)


def test_create_graph_backward_grad_has_graph():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        (x**3).sum().backward(create_graph=True)
        g = x.grad
        assert g.requires_grad
        (h,) = lib.autograd.grad(g.sum(), x)
        return h.numpy()

    np.testing.assert_allclose(*both(run))


def test_grad_allow_unused_and_materialize():
    def run(lib):
        x = lib.ones(2, requires_grad=True)
        y = lib.ones(2, requires_grad=True)
        out = (x * 2).sum()
        gx, gy = lib.autograd.grad(out, (x, y), allow_unused=True, retain_graph=True)
        assert gy is None
        gx, gy = lib.autograd.grad(out, (x, y), materialize_grads=True, retain_graph=True)
        return gx.numpy(), gy.numpy()

    ours, theirs = both(run)
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a, b)


def test_grad_unused_error():
    def fn(lib):
        x = lib.ones(2, requires_grad=True)
        y = lib.ones(2, requires_grad=True)
        lib.autograd.grad((x * 2).sum(), (x, y))

    assert_same_error(fn)


def test_grad_wrt_non_leaf():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        h = x * 3
        out = (h**2).sum()
        (gh,) = lib.autograd.grad(out, h)
        assert x.grad is None
        return gh.numpy()

    np.testing.assert_allclose(*both(run))


def test_backward_inputs():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = lib.tensor([3.0, 4.0], requires_grad=True)
        (x * y).sum().backward(inputs=[x])
        assert y.grad is None
        return x.grad.numpy()

    np.testing.assert_allclose(*both(run))


def test_backward_inputs_non_leaf():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        h = x * 2
        (h * h).sum().backward(inputs=[h])
        assert x.grad is None
        return h.grad.numpy()

    np.testing.assert_allclose(*both(run))


def test_accumulation_across_backward_calls():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        (x * x).sum().backward()
        (x * 3).sum().backward()
        return x.grad.numpy()

    np.testing.assert_allclose(*both(run))


def test_grad_is_not_aliased_to_incoming_gradient():
    x = jtorch.ones(2, requires_grad=True)
    g = jtorch.ones(2)
    x.backward(g)
    x.grad.add_(1)
    assert g.tolist() == [1.0, 1.0]


def test_deep_graph_no_recursion_error():
    x = jtorch.tensor(1.0, requires_grad=True)
    one = jtorch.tensor(1.0)
    y = x
    for _ in range(100_000):
        y = y * one
    y.backward()
    assert x.grad.item() == 1.0


def test_grad_modes_as_context_and_decorator():
    x = jtorch.ones(2, requires_grad=True)
    with jtorch.no_grad():
        assert not (x * 2).requires_grad
        with jtorch.enable_grad():
            assert (x * 2).requires_grad
    with jtorch.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    with jtorch.inference_mode():
        assert not (x * 2).requires_grad
        assert jtorch.is_inference_mode_enabled()

    @jtorch.no_grad()
    def f(t):
        return t * 2

    @jtorch.enable_grad()
    def g(t):
        return t * 2

    @jtorch.inference_mode()
    def h(t):
        return t * 2

    assert not f(x).requires_grad and not h(x).requires_grad
    with jtorch.no_grad():
        assert g(x).requires_grad
    assert jtorch.is_grad_enabled()
    jtorch.set_grad_enabled(False)
    assert not jtorch.is_grad_enabled()
    jtorch.set_grad_enabled(True)


@pytest.fixture
def restore_grad_mode():
    yield
    jtorch.set_grad_enabled(True)


def test_set_grad_enabled_decorator(restore_grad_mode):
    @jtorch.set_grad_enabled(False)
    def k(t):
        return t * 2

    assert jtorch.is_grad_enabled()
    assert not k(jtorch.ones(1, requires_grad=True)).requires_grad


def test_no_grad_generator_decorator():
    @jtorch.no_grad()
    def gen(t):
        yield t * 2
        yield t * 3

    x = jtorch.ones(1, requires_grad=True)
    assert [v.requires_grad for v in gen(x)] == [False, False]
    assert jtorch.is_grad_enabled()


def test_detach_shares_version_counter_data_does_not():
    def run(lib):
        x = lib.ones(3, requires_grad=True)
        y = x.exp()
        d = y.detach()
        d.add_(1)
        v_detach = y._version
        z = x.exp()
        z.data.add_(1)
        return v_detach, z._version, y.requires_grad, d.requires_grad, z.data.requires_grad

    assert both(run)[0] == both(run)[1]


def test_detach_modification_detected_in_backward():
    def fn(lib):
        x = lib.ones(3, requires_grad=True)
        y = x.exp()
        y.detach().zero_()
        y.sum().backward()

    assert_same_error(fn)


def test_data_modification_not_detected():
    def run(lib):
        x = lib.ones(3, requires_grad=True)
        y = x.exp()
        y.data.mul_(2)
        y.sum().backward()
        return x.grad.numpy()

    np.testing.assert_allclose(*both(run))


def test_requires_grad_propagation_and_leaf():
    def run(lib):
        x = lib.ones(2, requires_grad=True)
        y = x * 2
        z = lib.ones(2) * 2
        return y.is_leaf, y.requires_grad, z.is_leaf, z.requires_grad, x.is_leaf, y.grad_fn is None

    ours, theirs = both(run)
    assert ours == theirs


def test_error_change_requires_grad_non_leaf():
    def fn(lib):
        (lib.ones(2, requires_grad=True) * 2).requires_grad_(False)

    assert_same_error(fn)


def test_anomaly_mode_nan_detection():
    class NanGrad(jtorch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return g * float("nan")

    x = jtorch.ones(2, requires_grad=True)
    with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
        mode = jtorch.autograd.detect_anomaly()
    with mode:
        assert jtorch.autograd.anomaly_mode.is_anomaly_enabled()
        with pytest.raises(RuntimeError, match="Function 'NanGradBackward' returned nan values"):
            NanGrad.apply(x).sum().backward()
    assert not jtorch.autograd.anomaly_mode.is_anomaly_enabled()
    NanGrad.apply(x).sum().backward()  # off again: no check
    assert np.isnan(x.grad.numpy()).all()


def test_anomaly_mode_torch_message():
    def fn(lib):
        x = lib.zeros(1, requires_grad=True)
        with lib.autograd.set_detect_anomaly(True):
            (x.sqrt() * 0).sum().backward()

    with pytest.warns(UserWarning):
        ours, theirs = assert_same_error(fn, match_exact=False)
    assert ours.split(".")[0] == theirs.split(".")[0]


def test_set_detect_anomaly_function_and_context():
    mode = jtorch.autograd.anomaly_mode
    jtorch.autograd.set_detect_anomaly(True)
    assert mode.is_anomaly_enabled() and mode.is_anomaly_check_nan_enabled()
    jtorch.autograd.set_detect_anomaly(False)
    assert not mode.is_anomaly_enabled()
    with jtorch.autograd.set_detect_anomaly(True, check_nan=False):
        assert mode.is_anomaly_enabled() and not mode.is_anomaly_check_nan_enabled()
    assert not mode.is_anomaly_enabled()


def test_graph_keeps_its_leaves_alive_and_only_while_it_lives():
    """A leaf's AccumulateGrad is built once; a graph keeps its leaves alive, as torch does."""
    import copy  # noqa: PLC0415
    import gc  # noqa: PLC0415
    import weakref  # noqa: PLC0415

    w = jtorch.ones(3, requires_grad=True)
    first = (w * 2).grad_fn.next_functions[0][0]
    assert (w + 1).grad_fn.next_functions[0][0] is first  # the same node, op after op
    y = (w * 2).sum()
    alive = weakref.ref(w)
    del w
    gc.collect()
    assert alive() is not None  # held by y's graph only
    y.backward()
    acc = y.grad_fn.next_functions[0][0].next_functions[0][0]
    assert acc.name() == "torch::autograd::AccumulateGrad"
    assert acc.variable is alive() and acc.variable.grad.tolist() == [2.0, 2.0, 2.0]
    del y, acc
    assert alive() is None  # freed by reference counting once the graph is gone, no cycle

    w = jtorch.ones(2, requires_grad=True)
    (w * 3).sum().backward()
    c = copy.deepcopy(w)
    (c * 5).sum().backward()
    assert w.grad.tolist() == [3.0, 3.0] and c.grad.tolist() == [8.0, 8.0]
    assert c._edge()[0] is not w._edge()[0]


def test_saved_tensors_are_released_as_backward_passes_them():
    import weakref  # noqa: PLC0415

    x = jtorch.randn(1000, requires_grad=True)
    t = x * 1.5
    u = t.sin()  # SinBackward saves t
    v = u.cos()  # CosBackward saves u
    loss = v.sum()
    u_array = weakref.ref(u._array)
    seen = []
    t.register_hook(lambda g: seen.append(u_array() is None))  # runs before x's grad is formed
    del u, v
    assert u_array() is not None  # held by the graph until its node has run
    loss.backward()
    assert seen == [True]
