"""torch.compile, torch.utils.checkpoint, torch.amp (autocast, GradScaler) and torch.testing,
each against torch 2.13 where it has an observable behaviour."""

import pickle
import warnings
import weakref

import numpy as np
import pytest
from oracle import assert_same, randn, to_numpy, torch

import jtorch
import jtorch.cpu
from jtorch.amp import autocast_mode
from jtorch.utils.checkpoint import checkpoint, checkpoint_sequential

LIBS = (jtorch, torch)


def _both(fn):
    """Run ``fn(lib)`` on jtorch and torch; returns the two results."""
    return fn(jtorch), fn(torch)


def _raises_same(fn):
    """Both libraries raise the same exception type with the same message."""
    errors = []
    for lib in LIBS:
        with pytest.raises(Exception) as info:
            fn(lib)
        errors.append(info)
    ours, theirs = errors
    assert type(ours.value).__name__ == type(theirs.value).__name__
    assert str(ours.value) == str(theirs.value)


def _mlp(lib, seed=0):
    lib.manual_seed(seed)
    return lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 2))


def _same_weights():
    j, t = _mlp(jtorch), _mlp(torch)
    j.load_state_dict({k: jtorch.tensor(v.detach().numpy()) for k, v in t.state_dict().items()})
    return j, t


# -- compile --------------------------------------------------------------------------------


def test_compile_module_function_and_decorators():
    # NOTE: torch.compile's first call imports dynamo (~6 s), so torch's behaviours are written
    # out here (checked by hand against torch 2.13) and jtorch's compiled code runs against
    # eager torch.
    j, t = _same_weights()
    c = jtorch.compile(j)
    assert type(c).__name__ == "OptimizedModule" and c._orig_mod is j
    assert list(c.state_dict()) == ["_orig_mod." + k for k in t.state_dict()]
    assert [n for n, _ in c.named_parameters()] == [
        "_orig_mod." + n for n, _ in t.named_parameters()
    ]
    j.custom = 5
    assert c.custom == 5 and len(c) == 3 and c.training
    c.eval()
    assert not j.training and not c.training
    assert repr(c) == "OptimizedModule(\n  (_orig_mod): " + repr(j).replace("\n", "\n  ") + "\n)"
    x = randn(5, 3, dtype="float32")
    assert_same(c(jtorch.tensor(x)), t(torch.tensor(x)), 1e-6, 1e-6)
    again = pickle.loads(pickle.dumps(c))
    assert type(again) is type(c) and list(again.state_dict()) == list(c.state_dict())

    def f(a, b=2):
        return a * b

    g = jtorch.compile(f, fullgraph=True, dynamic=False, backend="eager", options={})
    assert g.__name__ == "f" and g is not f and g(3, b=4) == 12
    assert jtorch.compile(f, disable=True) is f and jtorch.compile(j, disable=True) is j
    assert jtorch.compile(mode="reduce-overhead", name="f", recompile_limit=2)(f)(3) == 6
    errors = [
        (dict(mode="max-autotune", options={"a": 1}), RuntimeError, "Either mode or options"),
        (dict(mode="fastest"), RuntimeError, "Unrecognized mode=fastest, should be one of: "
         "default, lite, reduce-overhead, max-autotune-no-cudagraphs, max-autotune"),
        (dict(backend="nope"), RuntimeError, "Invalid backend: 'nope', see "),
    ]  # fmt: skip
    for kwargs, exc, text in errors:
        with pytest.raises(exc, match=text):
            jtorch.compile(f, **kwargs)
    with pytest.raises(AssertionError, match="A callable function is expected, but <class 'int'>"):
        jtorch.compile(3)
    with pytest.raises(RuntimeError, match="Model can't be None"):
        jtorch.compile()(None)


# -- checkpoint -----------------------------------------------------------------------------


@pytest.mark.parametrize("reentrant", [True, False])
def test_checkpoint_gradients_match_plain_and_torch(reentrant):
    # NOTE: the oracle is torch without checkpointing (torch's checkpoint gives the same
    # gradients by design, and its first call costs seconds of imports)
    j, t = _same_weights()
    x = randn(4, 3, dtype="float32")
    results = []
    for lib, m in ((jtorch, j), (torch, t)):
        xi = lib.tensor(x, requires_grad=True)
        out = checkpoint(m, xi, use_reentrant=reentrant) if lib is jtorch else m(xi)
        out.pow(2).sum().backward()
        results.append((out, xi.grad, *[p.grad for p in m.parameters()]))
    assert_same(results[0], results[1], 1e-5, 1e-5)


def test_checkpoint_recomputes_and_drops_activations():
    calls, kept = [], []

    def fn(x):
        calls.append(1)
        h = x.exp()
        kept.append(weakref.ref(h))
        return (h * x).sum()

    x = jtorch.tensor([0.5, 1.0], requires_grad=True)
    y = checkpoint(fn, x, use_reentrant=False)
    assert len(calls) == 1 and kept[0]() is None  # the forward's activation is gone
    y.backward()
    assert len(calls) == 2
    np.testing.assert_allclose(to_numpy(x.grad), np.exp([0.5, 1.0]) * np.array([1.5, 2.0]))


def test_checkpoint_rng_kwargs_tuple_outputs_and_autograd_grad():
    def fn(x, scale=1.0):
        d = jtorch.nn.functional.dropout(x, 0.5, training=True)
        return d * scale, x.sin()

    x = jtorch.randn(20, requires_grad=True)
    jtorch.manual_seed(3)
    ref = fn(x, scale=2.0)
    ref_grads = jtorch.autograd.grad(ref[0].sum() + ref[1].sum(), x)
    jtorch.manual_seed(3)
    out = checkpoint(fn, x, use_reentrant=False, scale=2.0)
    grads = jtorch.autograd.grad(out[0].sum() + out[1].sum(), x)
    for a, b in ((out[0], ref[0]), (out[1], ref[1]), (grads[0], ref_grads[0])):
        np.testing.assert_array_equal(to_numpy(a), to_numpy(b))
    # tensors passed by keyword get their gradients too
    m = jtorch.tensor([3.0, 4.0], requires_grad=True)
    ckpt = checkpoint(lambda t, mask: (t * mask).sin().sum(), x[:2], use_reentrant=False, mask=m)
    (gm,) = jtorch.autograd.grad(ckpt, m)
    np.testing.assert_allclose(to_numpy(gm), to_numpy((x[:2] * m).cos() * x[:2]), rtol=1e-6)
    # second-order gradients flow through the recomputation
    x2 = jtorch.tensor([0.3, 0.7], requires_grad=True)
    (g,) = jtorch.autograd.grad(
        checkpoint(lambda t: (t**3).sum(), x2, use_reentrant=False), x2, create_graph=True
    )
    (gg,) = jtorch.autograd.grad(g.sum(), x2)
    np.testing.assert_allclose(to_numpy(gg), 6 * np.array([0.3, 0.7]), rtol=1e-6)


def test_checkpoint_recomputes_under_the_forward_autocast_state():
    seen = []

    def fn(x):
        seen.append(autocast_mode.is_autocast_enabled("cpu"))
        return x * 2

    x = jtorch.ones(2, requires_grad=True)
    with jtorch.amp.autocast("cpu", dtype=jtorch.float16):
        y = checkpoint(fn, x, use_reentrant=True)
    y.sum().backward()
    assert seen == [True, True] and not autocast_mode.is_autocast_enabled("cpu")


def test_checkpoint_warnings_and_errors():
    # torch 2.13's texts (its checkpoint is not run here: its first call costs seconds)
    with pytest.warns(UserWarning) as caught:
        checkpoint(lambda t: t * 2, jtorch.ones(1, requires_grad=True))
    assert str(caught[0].message) == (
        "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. "
        "Starting in PyTorch 2.9, calling checkpoint without use_reentrant will raise an "
        "exception. use_reentrant=False is recommended, but if you need to preserve the current "
        "default behavior, you can pass use_reentrant=True. Refer to docs for more details on "
        "the differences between the two variants."
    )
    with pytest.warns(UserWarning, match="None of the inputs have requires_grad=True"):
        out = checkpoint(lambda t: t * 2, jtorch.ones(1), use_reentrant=True)
    assert not out.requires_grad
    with pytest.raises(ValueError, match="^Unexpected keyword arguments: k,j$"):
        checkpoint(lambda t, k, j: t, jtorch.ones(1), use_reentrant=True, k=1, j=2)
    with pytest.raises(
        ValueError,
        match="^Passing `context_fn` or `debug` is only supported when use_reentrant=False.$",
    ):
        checkpoint(lambda t: t, jtorch.ones(1), use_reentrant=True, debug=True)


def test_checkpoint_sequential_matches_torch():
    j, t = _same_weights()
    x = randn(2, 3, dtype="float32")
    results = []
    for lib, m in ((jtorch, j), (torch, t)):
        xi = lib.tensor(x, requires_grad=True)
        out = checkpoint_sequential(m, 2, xi, use_reentrant=False) if lib is jtorch else m(xi)
        out.sum().backward()
        results.append((out, xi.grad, m[0].weight.grad))
    assert_same(results[0], results[1], 1e-5, 1e-5)
    with pytest.raises(ValueError, match="^Unexpected keyword arguments: foo$"):
        checkpoint_sequential(j, 1, jtorch.ones(1, 3), use_reentrant=True, foo=1)


# -- autocast -------------------------------------------------------------------------------


def test_autocast_state_matches_torch():
    def state(lib):
        rows = [(lib.is_autocast_enabled("cpu"), lib.get_autocast_dtype("cpu"))]
        with lib.autocast("cpu", dtype=lib.float16):
            rows.append((lib.is_autocast_enabled("cpu"), lib.get_autocast_dtype("cpu")))
            with lib.autocast("cpu", enabled=False):
                rows.append((lib.is_autocast_enabled("cpu"), lib.get_autocast_dtype("cpu")))
            rows.append((lib.is_autocast_enabled("cpu"), lib.is_autocast_enabled()))
        rows.append((lib.is_autocast_enabled("cpu"), lib.get_autocast_dtype("cuda")))

        @lib.autocast("cpu", dtype=lib.float16)
        def inside():
            return lib.is_autocast_enabled("cpu")

        rows.append((inside(), lib.is_autocast_cache_enabled()))
        return [tuple(str(v) for v in r) for r in rows]

    ns = type("ns", (), {})
    ours = ns()
    for name in ("is_autocast_enabled", "get_autocast_dtype", "is_autocast_cache_enabled"):
        setattr(ours, name, getattr(autocast_mode, name))
    ours.autocast, ours.float16 = jtorch.amp.autocast, jtorch.float16
    assert state(ours) == state(torch)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for lib_autocast in (jtorch.amp.autocast, torch.amp.autocast):
            with lib_autocast(
                "cpu",
                dtype=(jtorch if lib_autocast is jtorch.amp.autocast else torch).float64,
            ):
                pass
    assert str(caught[0].message) == str(caught[1].message)
    _raises_same(lambda lib: lib.amp.autocast(3))
    _raises_same(lambda lib: lib.amp.autocast("cpu")(3))


def test_cpu_amp_deprecated_aliases():
    messages = []
    for lib, cpu, is_on in (
        (jtorch, jtorch.cpu, autocast_mode.is_autocast_enabled),
        (torch, torch.cpu, torch.is_autocast_enabled),
    ):
        with pytest.warns(FutureWarning) as caught:
            with cpu.amp.autocast(dtype=lib.float16):
                assert is_on("cpu")
            scaler = cpu.amp.GradScaler(init_scale=4.0)
        assert scaler.get_scale() == 4.0 and scaler.is_enabled()
        messages.append([str(w.message) for w in caught])
        assert (cpu.is_available(), cpu.device_count(), cpu.current_device()) == (True, 1, "cpu")
    assert messages[0] == messages[1]


def test_autocast_op_policy():
    mm = autocast_mode.autocast_op("lower")(jtorch.mm)
    loss = autocast_mode.autocast_op("fp32")(jtorch.nn.functional.mse_loss)
    cat = autocast_mode.autocast_op("promote")(jtorch.cat)
    a = jtorch.ones(2, 2, requires_grad=True)
    assert mm(a, a).dtype == jtorch.float32  # outside autocast: untouched
    with jtorch.amp.autocast("cpu", dtype=jtorch.float16):
        h = mm(a, a)
        assert h.dtype == jtorch.float16 and mm(a.double(), a.double()).dtype == jtorch.float64
        assert mm(h, a).dtype == jtorch.float16  # mixed inputs are cast before the op's checks
        assert loss(h, h).dtype == jtorch.float32
        assert cat([a, h]).dtype == jtorch.float32
        assert mm(a, a.detach()).dtype == jtorch.float16
        args, kwargs = autocast_mode.autocast_args("lower", a, 2, bias=a.double(), w=[a])
        assert args[0].dtype == jtorch.float16 and args[1] == 2
        assert kwargs["bias"].dtype == jtorch.float64 and kwargs["w"][0].dtype == jtorch.float16
        assert autocast_mode.autocast_args("promote", a, a) == (a, a)
    h.float().sum().backward()
    assert a.grad.dtype == jtorch.float32  # the cast is differentiable
    np.testing.assert_allclose(to_numpy(a.grad), np.full((2, 2), 4.0))
    with jtorch.amp.autocast("cpu"), pytest.raises(TypeError, match="bfloat16"):
        mm(a, a)  # bfloat16 (CPU default) has no NumPy type: refused when an op would cast


def _hooked() -> bool:
    """Whether the core ops consult autocast (the hook the amp module asks the core for)."""
    with jtorch.amp.autocast("cpu", dtype=jtorch.float16):
        return jtorch.mm(jtorch.ones(1, 1), jtorch.ones(1, 1)).dtype == jtorch.float16


@pytest.mark.skipif(not _hooked(), reason="core autocast hook not installed in the ops yet")
def test_autocast_real_ops_match_torch():
    def run(lib):
        lib.manual_seed(0)
        net = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.ReLU(), lib.nn.Linear(4, 2))
        conv = lib.nn.Conv2d(1, 2, 3)
        x = lib.ones(4, 3, requires_grad=True)
        with lib.amp.autocast("cpu", dtype=lib.float16):
            y = net(x)  # the second Linear gets a float16 input and float32 weights
            outs = [y, x @ x.t(), lib.mm(x, x.t()), lib.bmm(x[None], x.t()[None]), y.sum()]
            outs += [lib.nn.functional.mse_loss(y, y.detach()), conv(lib.ones(1, 1, 5, 5))]
            outs += [lib.matmul(x.double(), x.double().t())]
        y.float().sum().backward()
        return [str(v.dtype) for v in outs] + [str(x.grad.dtype), str(net[0].weight.grad.dtype)]

    ours, theirs = _both(run)
    assert ours == theirs


# -- GradScaler ------------------------------------------------------------------------------


class _SGD:
    """The optimizer interface GradScaler uses (param_groups, step), written out: torch.optim's
    first step costs seconds of imports."""

    def __init__(self, lib, params, lr):
        self.lib, self.lr, self.param_groups = lib, lr, [{"params": params}]

    def zero_grad(self):
        for p in self.param_groups[0]["params"]:
            p.grad = None

    def step(self):
        with self.lib.no_grad():
            for p in self.param_groups[0]["params"]:
                p.sub_(self.lr * p.grad)


def test_grad_scaler_matches_torch():
    def train(lib):
        w = lib.nn.Parameter(lib.tensor([1.0, -2.0]))
        opt = _SGD(lib, [w], lr=0.1)
        scaler = lib.amp.GradScaler("cpu", init_scale=8.0, growth_interval=2)
        log = []
        for step, factor in enumerate([1.0, 1.0, float("inf"), 1.0, 1.0, 1.0]):
            opt.zero_grad()
            loss = (w * w).sum() * factor
            scaler.scale(loss).backward()
            if step == 1:
                scaler.unscale_(opt)
                log.append(w.grad.clone())
            scaler.step(opt)
            scaler.update()
            log.append((w.detach().clone(), scaler.get_scale(), scaler._get_growth_tracker()))
        log.append(scaler.state_dict())
        scaler.update(3.0)
        log.append(scaler.get_scale())
        return log

    ours, theirs = _both(train)
    for a, b in zip(ours, theirs):
        if isinstance(b, dict):
            assert a == b
        elif isinstance(b, tuple):
            assert_same(a[0], b[0], 1e-6, 1e-6)
            assert a[1:] == b[1:]
        else:
            assert_same(a, b, 1e-6, 1e-6)


def test_grad_scaler_api_errors_and_disabled():
    def scaler_and_opt(lib):
        w = lib.nn.Parameter(lib.ones(1))
        s = lib.amp.GradScaler("cpu")
        opt = _SGD(lib, [w], lr=1.0)
        s.scale(w.sum()).backward()
        return s, opt

    def twice(lib):
        s, opt = scaler_and_opt(lib)
        s.unscale_(opt)
        s.unscale_(opt)

    def after_step(lib):
        s, opt = scaler_and_opt(lib)
        s.step(opt)
        s.unscale_(opt)

    def step_twice(lib):
        s, opt = scaler_and_opt(lib)
        s.step(opt)
        s.step(opt)

    for fn in (twice, after_step, step_twice):
        _raises_same(fn)
    _raises_same(lambda lib: lib.amp.GradScaler("cpu").update())

    def no_grads(lib):  # a step with no gradient at all has no inf check to go by
        w = lib.nn.Parameter(lib.ones(1))
        s = lib.amp.GradScaler("cpu")
        s.scale(lib.ones(1))
        s.step(_SGD(lib, [w], lr=1.0))

    _raises_same(no_grads)
    _raises_same(lambda lib: lib.amp.GradScaler("cpu", growth_factor=0.5))
    _raises_same(lambda lib: lib.amp.GradScaler("cpu").scale(3))
    _raises_same(lambda lib: lib.amp.GradScaler("cpu").load_state_dict({}))
    scaled = _both(
        lambda lib: lib.amp.GradScaler("cpu", init_scale=4.0).scale([lib.ones(1), (lib.ones(1),)])
    )
    assert_same(scaled[0], scaled[1], 0, 0)
    off = jtorch.amp.GradScaler("cpu", enabled=False)
    assert off.scale(3) == 3 and off.get_scale() == 1.0 and off.state_dict() == {}
    s = jtorch.amp.GradScaler("cpu")
    s.load_state_dict(
        {
            "scale": 2.0,
            "growth_factor": 3.0,
            "backoff_factor": 0.25,
            "growth_interval": 5,
            "_growth_tracker": 1,
        }
    )
    assert s.get_scale() == 2.0 and s.get_growth_factor() == 3.0 and s._get_growth_tracker() == 1


# -- testing ---------------------------------------------------------------------------------

_Z = (
    (randn(6) + 1j * randn(6, seed=1)).astype("complex64"),
    (randn(6, seed=2) + 1j * randn(6, seed=3)).astype("complex64"),
)
_CASES = [
    lambda lib: ([1.0, 2.0, 3.0], [1.0, 2.5, 3.1], {}),
    lambda lib: (lib.tensor([1, 2, 3]), lib.tensor([1, 2, 4]), {}),
    lambda lib: (lib.tensor([1.0, 2.0]), lib.tensor([1.0, 2.0], dtype=lib.float64), {}),
    lambda lib: (lib.tensor([1.0, 2.0]), lib.tensor([1.0, 2.0, 3.0]), {}),
    lambda lib: (lib.tensor([1.0, float("nan")]), lib.tensor([1.0, float("nan")]), {}),
    lambda lib: (lib.tensor(1.0), lib.tensor(2.0), {}),
    lambda lib: (lib.tensor([1.0, 2.0]), lib.tensor([1.0, 3.0]), {"msg": "custom"}),
    lambda lib: (1.0, 1.1, {}),
    lambda lib: (1, 2.0, {}),
    lambda lib: ([lib.tensor(1.0), lib.tensor(2.0)], [lib.tensor(1.0), lib.tensor(3.0)], {}),
    lambda lib: ({"a": lib.tensor(1.0)}, {"a": lib.tensor(3.0)}, {}),
    lambda lib: ({"a": 1}, {"b": 1}, {}),
    lambda lib: ([1], [1, 2], {}),
    lambda lib: (lib.tensor([1.0, 2.0]), [1.0, 2.0], {}),
    lambda lib: (lib.tensor([True, False]), lib.tensor([True, True]), {}),
    lambda lib: (lib.zeros(2, 3), lib.ones(2, 3), {}),
    lambda lib: (lib.tensor([1 + 1j]), lib.tensor([1 + 2j]), {}),
    lambda lib: (lib.tensor([1.0, 2.0]), lib.tensor([1.0, 3.0]), {"rtol": 0.1}),
    lambda lib: (lib.tensor([1.0, 2.0]), lib.tensor([1.1, 2.0]), {"rtol": 0.0, "atol": 0.0}),
    lambda lib: (
        lib.tensor([0.0, 2.0]),
        lib.tensor([0.0, 3.0], dtype=lib.float64),
        {"check_dtype": False},
    ),
    lambda lib: (lib.tensor([1.0, 2.0]), lib.tensor([1.0, 2.0 + 1e-6]), {}),
    lambda lib: (lib.tensor([1.0], dtype=lib.float16), lib.tensor([1.0005], dtype=lib.float16), {}),
    lambda lib: (None, 1, {}),
    lambda lib: (True, False, {}),
    lambda lib: (lib.tensor([1.0]), lib.tensor([1.0]).requires_grad_(), {}),
    lambda lib: (lib.tensor([float("nan")]), lib.tensor([float("nan")]), {"equal_nan": True}),
    lambda lib: (lib.tensor([float("inf")]), lib.tensor([float("inf")]), {}),
    lambda lib: (lib.tensor([1.0, 2.0]), lib.tensor([1.0, 3.0]), {"msg": lambda m: "X" + m[:10]}),
    # integers compare in the default float dtype (no uint8 wrap-around)
    lambda lib: (
        lib.tensor([2, 0, 7], dtype=lib.uint8),
        lib.tensor([3, 255, 7], dtype=lib.uint8),
        {"rtol": 0.5, "atol": 0.1},
    ),
    # complex differences are hypot(re, im), bit for bit
    lambda lib: (lib.tensor(_Z[0]), lib.tensor(_Z[1]), {}),
    lambda lib: (lib.tensor([1.0, float("nan")]), lib.tensor([1.0, 2.0]), {}),
]


@pytest.mark.parametrize("case", range(len(_CASES)))
def test_assert_close_matches_torch(case):
    outcomes = []
    for lib in LIBS:
        actual, expected, kwargs = _CASES[case](lib)
        try:
            lib.testing.assert_close(actual, expected, **kwargs)
            outcomes.append(None)
        except Exception as e:  # noqa: BLE001
            text = str(e).replace("jtorch._tensor.Tensor", "torch.Tensor")  # the class's module
            outcomes.append((type(e).__name__, text))
    assert outcomes[0] == outcomes[1]


def test_assert_allclose_and_make_tensor():
    for lib in LIBS:
        with pytest.warns(FutureWarning, match="assert_allclose"):
            lib.testing.assert_allclose(lib.tensor([1.0, 2.0]), [1.00001, 2.0])
    _raises_same(lambda lib: _quiet(lib.testing.assert_allclose, lib.tensor([1.0]), [1.1]))
    for dtype in (
        "bool",
        "uint8",
        "int8",
        "int32",
        "int64",
        "float16",
        "float32",
        "float64",
        "complex64",
    ):
        t = jtorch.testing.make_tensor(3, 4, dtype=getattr(jtorch, dtype), device="cpu")
        assert t.shape == (3, 4) and str(t.dtype) == f"torch.{dtype}"
        values = to_numpy(jtorch.view_as_real(t) if t.is_complex() else t).astype(float)
        low, high = {"bool": (0, 1), "uint8": (0, 9), "int8": (-9, 9)}.get(dtype, (-9, 9.0))
        assert values.min() >= low and values.max() <= high
    t = jtorch.testing.make_tensor(
        (2, 3),
        dtype=jtorch.float32,
        device="cpu",
        low=0,
        high=1,
        requires_grad=True,
        noncontiguous=True,
        exclude_zero=True,
    )
    assert t.requires_grad and not t.is_contiguous() and bool((t > 0).all()) and bool((t < 1).all())
    _raises_same(
        lambda lib: lib.testing.make_tensor(2, dtype=lib.int64, device="cpu", requires_grad=True)
    )
    _raises_same(
        lambda lib: lib.testing.make_tensor(2, dtype=lib.int64, device="cpu", low=3, high=1)
    )
    _raises_same(
        lambda lib: lib.testing.make_tensor(2, dtype=lib.uint8, device="cpu", low=300, high=400)
    )
    _raises_same(
        lambda lib: lib.testing.make_tensor(2, dtype=lib.float32, device="cpu", low=float("nan"))
    )


def _quiet(fn, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args)
