"""jtorch.func against torch.func on the same functions (values, and gradients through them)."""

import numpy as np
import pytest
from oracle import assert_same, check, check_error, randn, to_numpy, torch

import jtorch


def f_scalar(lib, x):
    return (x.sin() * x).sum()


def f_two(lib, x, y):
    return (x * y.exp()).sum() + (x**2).sum()


def f_vec(lib, x):
    return lib.stack([x.sin().sum(), (x**2).prod()])


def test_grad_and_composition():
    check(lambda lib, x: lib.func.grad(lambda t: f_scalar(lib, t))(x), randn(4))
    check(lambda lib, x: lib.func.grad(lib.func.grad(lambda t: t.sin()))(x), randn(1).reshape(()))
    check(
        lambda lib, x, y: lib.func.grad(lambda a, b: f_two(lib, a, b), 1)(x, y), randn(3), randn(3)
    )
    check(
        lambda lib, x, y: lib.func.grad(lambda a, b: f_two(lib, a, b), (0, -1))(x, y),
        randn(3),
        randn(3, seed=2),
    )
    check(lambda lib, x: lib.func.vmap(lib.func.grad(lambda t: t.sin() * t))(x), randn(5))
    check(lambda lib, x: lib.func.vmap(lib.func.grad(lambda t: f_scalar(lib, t)))(x), randn(3, 4))


def test_grad_pytrees_aux_and_value():
    for lib in (jtorch, torch):
        x = lib.tensor([1.0, 2.0])
        params = {"w": x, "b": (x * 2, [x + 1])}
        g, aux = lib.func.grad(
            lambda p: ((p["w"] * p["b"][0]).sum() + p["b"][1][0].pow(3).sum(), p["w"] + 1),
            has_aux=True,
        )(params)
        g2, (value, aux2) = lib.func.grad_and_value(
            lambda p: ((p["w"] ** 2).sum(), {"k": p["w"] * 3}), has_aux=True
        )({"w": x})
        if lib is jtorch:
            ours = (g["w"], g["b"][0], g["b"][1][0], aux, g2["w"], value, aux2["k"])
            assert not value.requires_grad and g["w"].grad_fn is None
        else:
            theirs = (g["w"], g["b"][0], g["b"][1][0], aux, g2["w"], value, aux2["k"])
            assert_same(ours, theirs, 1e-6, 1e-6)
    # an input the output does not use gets a zero gradient
    check(
        lambda lib, x, y: lib.func.grad(lambda a, b: (a * 2).sum(), (0, 1))(x, y),
        randn(2),
        randn(3),
    )
    # with a closure over the outer variable (no perturbation confusion)
    check(
        lambda lib, x: lib.func.grad(lambda a: lib.func.grad(lambda b: (a * b).sum())(a).sum())(x),
        randn(3),
    )


def test_grad_errors():
    check_error(lambda lib, x: lib.func.grad(lambda t: t * 2)(x), randn(3))
    check_error(lambda lib, x: lib.func.grad(lambda t: 3.0)(x), randn(3))
    check_error(lambda lib, x: lib.func.grad(lambda t: t.sum(), argnums=2)(x), randn(3))
    check_error(lambda lib, x: lib.func.grad(lambda t: t.sum(), argnums=(0, 0))(x), randn(3))
    check_error(lambda lib, x: lib.func.grad(lambda t: t.sum(), has_aux=True)(x), randn(3))
    check_error(lambda lib, x: lib.func.grad(lambda t: (t.sum(), "a"), has_aux=True)(x), randn(3))


def test_grad_keeps_outer_graph_and_ignores_outer_no_grad():
    for lib in (jtorch, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        g = lib.func.grad(lambda t: (t**3).sum())(x)
        assert g.requires_grad
        g.sum().backward()
        with lib.no_grad():
            g0 = lib.func.grad(lambda t: (t**3).sum())(x)
        if lib is jtorch:
            ours = (x.grad, g0)
            assert not g0.requires_grad
        else:
            assert_same(ours, (x.grad, g0), 1e-6, 1e-6)


def test_vjp():
    def run(lib, x, y):
        out, fn = lib.func.vjp(lambda a, b: (a * b, a.sin()), x, y)
        return out, fn((lib.ones_like(x), x.cos()))

    check(run, randn(3), randn(3, seed=3))

    def aux(lib, x):
        out, fn, a = lib.func.vjp(lambda t: (t.exp(), t.sum()), x, has_aux=True)
        return out, fn(x), fn(2 * x), a

    check(aux, randn(2, 2))
    check_error(lambda lib, x: lib.func.vjp(lambda t: (t > 0).long(), x), randn(3))
    check_error(lambda lib, x: lib.func.vjp(lambda t: (t, t), x)[1](x), randn(3))


def test_jvp_and_linearize():
    check(
        lambda lib, x, v: lib.func.jvp(lambda t: (t.sin() * t, t.sum()), (x,), (v,)),
        randn(4),
        randn(4, seed=5),
    )
    check(
        lambda lib, x, y, u, v: lib.func.jvp(lambda a, b: a @ b, (x, y), (u, v)),
        randn(2, 3),
        randn(3, 2, seed=1),
        randn(2, 3, seed=2),
        randn(3, 2, seed=3),
    )
    check(
        lambda lib, x, v: lib.func.jvp(lambda t: (t.exp(), t.cos()), (x,), (v,), has_aux=True),
        randn(3),
        randn(3, seed=1),
    )
    # an output independent of the input has a zero tangent
    check(lambda lib, x, v: lib.func.jvp(lambda t: lib.ones(2), (x,), (v,)), randn(3), randn(3))
    check_error(lambda lib, x: lib.func.jvp(lambda t: t, x, x), randn(3))
    check_error(lambda lib, x: lib.func.jvp(lambda t: t, (x,), (x, x)), randn(3))
    check_error(
        lambda lib, x: lib.func.jvp(lambda t: lib.ones(2), (x,), (x,), strict=True), randn(2)
    )

    # the linearised function is one of the tangents only (torch traces it with detached
    # primals); torch's own linearize is not run (tracing it costs seconds): jvp at detached
    # primals is the same function
    def linearized(lib, x, v):
        if lib is jtorch:
            out, jvp_fn = lib.func.linearize(lambda t: t.tanh(), x)
            return out, jvp_fn(v), jvp_fn(2 * v)
        out, tangent = lib.func.jvp(lambda t: t.tanh(), (x.detach(),), (v,))
        return out, tangent, lib.func.jvp(lambda t: t.tanh(), (x.detach(),), (2 * v,))[1]

    check(linearized, randn(3), randn(3), gradcheck=False)


@pytest.mark.parametrize("jac", ["jacrev", "jacfwd"])
def test_jacobians(jac):
    check(lambda lib, x: getattr(lib.func, jac)(lambda t: f_vec(lib, t))(x), randn(3))
    check(
        lambda lib, x, y: getattr(lib.func, jac)(lambda a, b: a.outer(b).sin(), (0, 1))(x, y),
        randn(2),
        randn(3, seed=1),
    )
    check(
        lambda lib, x: getattr(lib.func, jac)(lambda t: (t.exp(), t.sum(0)), has_aux=True)(x),
        randn(2, 2),
    )
    check(
        lambda lib, x: getattr(lib.func, jac)(lambda t: {"a": t * t, "b": t.sum()})(x)["a"],
        randn(2),
    )


def test_hessian_and_nesting():
    check(lambda lib, x: lib.func.hessian(lambda t: (t.sin() * t**2).sum())(x), randn(3))
    check(
        lambda lib, x, y: lib.func.hessian(lambda a, b: (a * b.exp()).sum(), 1)(x, y),
        randn(2),
        randn(2, seed=1),
    )
    check(lambda lib, x: lib.func.jacrev(lib.func.jacrev(lambda t: t.sin().prod()))(x), randn(3))
    check(
        lambda lib, x: lib.func.vmap(lib.func.jacrev(lambda t: t.sin() * t.sum()))(x), randn(2, 3)
    )
    check_error(lambda lib, x: lib.func.jacrev(lambda t: t, chunk_size=0)(x), randn(3))


def test_vmap_in_out_dims():
    check(lambda lib, x, y: lib.func.vmap(lib.dot, in_dims=(0, None))(x, y), randn(3, 2), randn(2))
    check(lambda lib, x, y: lib.func.vmap(lib.mul, in_dims=(1, 0))(x, y), randn(2, 4), randn(4, 2))
    check(lambda lib, x: lib.func.vmap(lambda t: t.sum(0), in_dims=-1, out_dims=0)(x), randn(2, 3))
    check(lambda lib, x: lib.func.vmap(lambda t: t.outer(t), out_dims=2)(x), randn(4, 3))
    check(lambda lib, x: lib.func.vmap(lambda t: (t, t * 2), out_dims=(0, 1))(x), randn(3, 2))
    check(lambda lib, x: lib.func.vmap(lib.func.vmap(lib.mul))(x, x), randn(2, 3, 4))
    check(lambda lib, x: lib.func.vmap(lambda t: t.sum(), chunk_size=2)(x), randn(5, 3))
    # an empty batch: the outputs get an empty batch dimension
    check(
        lambda lib, x: lib.func.vmap(lambda t: (t * 2, t.sum()), out_dims=(1, 0))(x),
        randn(0, 3),
        grad=False,
    )

    def nested(lib, x, y):
        fn = lambda p, s: p[0] * p[1]["k"] + s  # noqa: E731
        return lib.func.vmap(fn, in_dims=((0, {"k": None}), None))((x, {"k": y}), 2.0)

    check(nested, randn(3, 2), randn(2))
    # kwargs are passed unbatched; out_dims=None keeps the first element's (unbatched) result
    check(lambda lib, x: lib.func.vmap(lambda t, k: t * k, out_dims=0)(x, k=3.0), randn(2, 2))
    check(
        lambda lib, x, y: lib.func.vmap(lambda t: (t.sum(), y), out_dims=(0, None))(x),
        randn(2, 2),
        randn(3),
    )


def test_vmap_errors():
    check_error(lambda lib, x, y: lib.func.vmap(lib.mul)(x, y), randn(2, 3), randn(3, 3))
    check_error(lambda lib, x: lib.func.vmap(lib.sin, in_dims=2)(x), randn(2, 3))
    check_error(lambda lib, x: lib.func.vmap(lib.sin, in_dims=[0])(x), randn(2, 3))
    check_error(lambda lib, x: lib.func.vmap(lib.mul, in_dims=(0,))(x, x), randn(2, 3))
    check_error(lambda lib, x: lib.func.vmap(lib.mul, in_dims=(None, None))(x, x), randn(2, 3))
    check_error(lambda lib, x: lib.func.vmap(lambda t, s: t * s, in_dims=(0, 0))(x, 2.0), randn(2))
    check_error(lambda lib, x: lib.func.vmap(lambda t: 1.0)(x), randn(2))
    check_error(lambda lib, x: lib.func.vmap(lib.sin, randomness="maybe")(x), randn(2))
    check_error(lambda lib, x: lib.func.vmap(lib.sin, chunk_size=0)(x), randn(2))
    check_error(lambda lib, x: lib.func.vmap(lambda t: lib.rand(2) + t)(x), randn(2))
    check_error(lambda lib: lib.func.vmap(lib.sin)())


def test_vmap_randomness():
    jtorch.manual_seed(0)
    same = jtorch.func.vmap(lambda t: jtorch.rand(3) + t, randomness="same")(jtorch.zeros(4))
    diff = jtorch.func.vmap(lambda t: jtorch.rand(3) + t, randomness="different")(jtorch.zeros(4))
    assert bool((same == same[0]).all()) and not bool((diff == diff[0]).all())


def _modules(seed=0):
    torch.manual_seed(seed)
    t = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    j = jtorch.nn.Sequential(jtorch.nn.Linear(3, 4), jtorch.nn.Tanh(), jtorch.nn.Linear(4, 2))
    j.load_state_dict({k: jtorch.tensor(v.detach().numpy()) for k, v in t.state_dict().items()})
    return j, t


def test_functional_call_and_per_sample_grads():
    (jm, tm), x, y = _modules(), randn(5, 3, dtype="float32"), randn(5, 2, seed=1, dtype="float32")
    results = []
    for lib, m in ((jtorch, jm), (torch, tm)):
        params = {k: v.detach() for k, v in m.named_parameters()}
        new = {k: v * 2 for k, v in params.items()}
        before = m[0].weight
        out = lib.func.functional_call(m, new, (lib.tensor(x),))
        assert m[0].weight is before  # restored
        split = lib.func.functional_call(m, ({"0.weight": new["0.weight"]}, {}), lib.tensor(x))

        def loss(p, xi, yi, m=m, lib=lib):
            out = lib.func.functional_call(m, p, (xi.unsqueeze(0),))
            return lib.nn.functional.mse_loss(out, yi.unsqueeze(0))

        per_sample = lib.func.vmap(lib.func.grad(loss), in_dims=(None, 0, 0))(
            params, lib.tensor(x), lib.tensor(y)
        )
        results.append((out, split, *[per_sample[k] for k in sorted(per_sample)]))
    assert_same(*results, 1e-6, 1e-5)


def test_functional_call_tied_strict_and_errors():
    for lib in (jtorch, torch):
        m = lib.nn.Sequential(lib.nn.Linear(2, 2, bias=False), lib.nn.Linear(2, 2, bias=False))
        with lib.no_grad():
            m[0].weight.copy_(lib.tensor([[1.0, 2.0], [3.0, 4.0]]))
        m[1].weight = m[0].weight
        w = lib.eye(2)
        x = lib.ones(1, 2)
        tied = lib.func.functional_call(m, {"0.weight": w}, x)
        untied = lib.func.functional_call(m, {"0.weight": w}, x, tie_weights=False)
        if lib is jtorch:
            ours = (tied, untied)
        else:
            assert_same(ours, (tied, untied), 1e-6, 1e-6)
    check_error(
        lambda lib: lib.func.functional_call(
            lib.nn.Linear(1, 1), {"weight": lib.ones(1, 1)}, (lib.ones(1),), strict=True
        )
    )
    check_error(lambda lib: lib.func.functional_call(lib.nn.Linear(1, 1), ({"a": 1}, {"a": 2}), ()))
    check_error(lambda lib: lib.func.functional_call(lib.nn.Linear(1, 1), 3, ()))
    check_error(lambda lib: lib.func.functional_call(lib.nn.Linear(1, 1), [3], ()))


def test_stack_module_state_ensemble():
    results = []
    for lib in (jtorch, torch):
        lib.manual_seed(0)
        models = [lib.nn.Linear(3, 2) for _ in range(4)]
        params, buffers = lib.func.stack_module_state(models)
        assert params["weight"].is_leaf and params["weight"].requires_grad and buffers == {}
        x = lib.tensor(randn(5, 3, dtype="float32"))
        base = models[0]

        def call(p, b, x, base=base, lib=lib):
            return lib.func.functional_call(base, (p, b), (x,))

        results.append(lib.func.vmap(call, in_dims=(0, 0, None))(params, buffers, x).detach())
    np.testing.assert_allclose(to_numpy(results[0]), to_numpy(results[1]), rtol=1e-6, atol=1e-6)
    check_error(lambda lib: lib.func.stack_module_state([]))
    check_error(lambda lib: lib.func.stack_module_state([lib.nn.Linear(1, 1), lib.nn.Tanh()]))
    check_error(lambda lib: lib.func.stack_module_state([lib.nn.Tanh(), lib.nn.Tanh().eval()]))


def test_small_helpers():
    x = jtorch.tensor([1.0, 2.0])
    assert jtorch.func.debug_unwrap(x) is x
    check(lambda lib, x: lib.func.functionalize(lambda t: t.clone().add_(1))(x), randn(3))
    bn = jtorch.func.replace_all_batch_norm_modules_(jtorch.nn.Sequential(jtorch.nn.BatchNorm1d(2)))
    assert bn[0].running_mean is None and not bn[0].track_running_stats
