"""Adafactor, Muon, SparseAdam and swa_utils against torch 2.13, step for step."""

import numpy as np
import pytest
from conftest import torch_oracle

import jtorch

torch = torch_oracle()

TOL = {np.float32: dict(rtol=2e-5, atol=1e-6), np.float64: dict(rtol=1e-12, atol=1e-14)}


def _run(lib, name, kwargs, dtype, shapes, steps=20):
    r = np.random.default_rng(0)
    params = [lib.tensor(r.standard_normal(s).astype(dtype), requires_grad=True) for s in shapes]
    opt = getattr(lib.optim, name)(params, **kwargs)
    history = []
    for _ in range(steps):
        for p in params:
            p.grad = lib.tensor(r.standard_normal(tuple(p.shape)).astype(dtype))
        opt.step()
        history.append([p.detach().numpy().copy() for p in params])
    return opt, history


def _compare(name, kwargs, dtype, shapes, **tol):
    ours, ours_hist = _run(jtorch, name, kwargs, dtype, shapes)
    theirs, theirs_hist = _run(torch, name, kwargs, dtype, shapes)
    for a_step, b_step in zip(ours_hist, theirs_hist):
        for a, b in zip(a_step, b_step):
            assert a.dtype == b.dtype
            np.testing.assert_allclose(a, b, **(tol or TOL[dtype]))
    ours_sd, theirs_sd = ours.state_dict(), theirs.state_dict()
    assert ours_sd["param_groups"] == theirs_sd["param_groups"]
    assert ours_sd["state"].keys() == theirs_sd["state"].keys()
    for k, state in ours_sd["state"].items():
        assert state.keys() == theirs_sd["state"][k].keys()
        for key, value in state.items():
            other = theirs_sd["state"][k][key]
            assert str(value.dtype) == str(other.dtype) and value.shape == tuple(other.shape)
            np.testing.assert_allclose(value.numpy(), other.numpy(), **(tol or TOL[dtype]))
    assert repr(ours) == repr(theirs)


SHAPES = ((5, 7), (13,), (2, 3, 4), ())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"lr": 0.05, "weight_decay": 0.1, "maximize": True, "d": 2.0, "eps": (1e-4, 1e-2)},
        {"lr": 0.5, "beta2_decay": -0.5},
    ],
)
def test_adafactor_matches_torch(kwargs, dtype):
    _compare("Adafactor", kwargs, dtype, SHAPES)


def test_adafactor_tensor_lr():
    _compare("Adafactor", {"lr": 0.02}, np.float64, SHAPES[:2])
    ours = _run(jtorch, "Adafactor", {"lr": jtorch.tensor(0.02)}, np.float64, SHAPES[:2])[1]
    theirs = _run(torch, "Adafactor", {"lr": torch.tensor(0.02)}, np.float64, SHAPES[:2])[1]
    np.testing.assert_allclose(ours[-1][0], theirs[-1][0], rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"lr": 0.02, "nesterov": False, "momentum": 0.9, "adjust_lr_fn": "match_rms_adamw"},
        {"lr": 0.01, "weight_decay": 0.0, "ns_steps": 3, "ns_coefficients": (3.0, -3.0, 1.5)},
    ],
)
def test_muon_matches_torch(kwargs, dtype):
    # NOTE: the bfloat16 Newton-Schulz steps are reproduced bit for bit at these sizes
    _compare("Muon", kwargs, dtype, ((5, 7), (6, 3)))


def test_muon_larger_matrices_within_a_bfloat16_rounding():
    # NOTE: with longer dot products the float32 accumulation order (BLAS vs torch) can move a
    # bfloat16 rounding by one step: updates then differ by ~lr * 2**-8 per step.
    lr = 0.01
    ours = _run(jtorch, "Muon", {"lr": lr}, np.float32, ((48, 64), (70, 20)))[1]
    theirs = _run(torch, "Muon", {"lr": lr}, np.float32, ((48, 64), (70, 20)))[1]
    for a, b in zip(ours[-1], theirs[-1]):
        np.testing.assert_allclose(a, b, rtol=0, atol=20 * lr * 2**-8)


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("Adafactor", {"lr": -1}),
        ("Adafactor", {"beta2_decay": 0.1}),
        ("Adafactor", {"eps": (-1, 1e-3)}),
        ("Adafactor", {"eps": (None, -1)}),
        ("Adafactor", {"d": 0.5}),
        ("Adafactor", {"weight_decay": -1}),
        ("Muon", {"lr": -1}),
        ("Muon", {"momentum": -1}),
        ("Muon", {"weight_decay": -1}),
        ("Muon", {"adjust_lr_fn": "other"}),
        ("SparseAdam", {"lr": 0}),
        ("SparseAdam", {"eps": 0}),
        ("SparseAdam", {"betas": (1.0, 0.5)}),
        ("SparseAdam", {"betas": (0.5, 1.0)}),
    ],
)
def test_validation_errors_match_torch(name, kwargs):
    with pytest.raises(ValueError) as theirs:
        getattr(torch.optim, name)([torch.zeros(2, 2, requires_grad=True)], **kwargs)
    with pytest.raises(ValueError) as ours:
        getattr(jtorch.optim, name)([jtorch.zeros(2, 2, requires_grad=True)], **kwargs)
    assert str(ours.value) == str(theirs.value)


def _error(fn):
    with pytest.raises(Exception) as theirs:
        fn(torch)
    with pytest.raises(type(theirs.value)) as ours:
        fn(jtorch)
    assert str(ours.value) == str(theirs.value)


def test_step_errors_match_torch():
    def complex_step(name):
        def fn(lib):
            p = lib.zeros(2, 2, dtype=lib.complex64, requires_grad=True)
            p.grad = lib.ones(2, 2, dtype=lib.complex64)
            getattr(lib.optim, name)([p]).step()

        return fn

    _error(complex_step("Adafactor"))
    _error(complex_step("Muon"))
    _error(lambda lib: lib.optim.Muon([lib.zeros(3, requires_grad=True)]))
    _error(
        lambda lib: lib.optim.SparseAdam([lib.zeros(3, dtype=lib.complex64, requires_grad=True)])
    )


def test_sparse_adam_refuses_dense_gradients():
    def fn(lib):
        p = lib.zeros(3, requires_grad=True)
        opt = lib.optim.SparseAdam([p], lr=0.1)
        opt.step()  # no gradient yet: nothing happens
        p.sum().backward()
        opt.step()

    _error(fn)
    p, tp = jtorch.zeros(3, requires_grad=True), torch.zeros(3, requires_grad=True)
    ours, theirs = jtorch.optim.SparseAdam([p]), torch.optim.SparseAdam([tp])
    assert repr(ours) == repr(theirs) and ours.state_dict() == theirs.state_dict()
    assert ours.step(lambda: 2.0) == 2.0


# -- swa_utils -----------------------------------------------------------------------------------
def _net(lib):
    lib.manual_seed(0)
    return lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.BatchNorm1d(4), lib.nn.Linear(4, 2))


def _swa_run(lib, **kwargs):
    net = _net(lib)
    swa = lib.optim.swa_utils.AveragedModel(net, **kwargs)
    opt = lib.optim.SGD(net.parameters(), lr=0.1)
    r = np.random.default_rng(1)
    for _ in range(4):
        x = lib.tensor(r.standard_normal((5, 3)).astype(np.float32))
        opt.zero_grad()
        net(x).pow(2).sum().backward()
        opt.step()
        swa.update_parameters(net)
    return {k: v.numpy() for k, v in swa.state_dict().items()}


@pytest.mark.parametrize(
    "make_kwargs",
    [
        lambda lib: {},
        lambda lib: {"use_buffers": True},
        lambda lib: {"avg_fn": lib.optim.swa_utils.get_ema_avg_fn(0.9)},
        lambda lib: {"multi_avg_fn": lib.optim.swa_utils.get_ema_multi_avg_fn(0.8)},
        lambda lib: {"multi_avg_fn": lib.optim.swa_utils.get_swa_multi_avg_fn()},
        lambda lib: {
            "multi_avg_fn": lib.optim.swa_utils.get_ema_multi_avg_fn(0.5),
            "use_buffers": True,
        },
    ],
)
def test_averaged_model_matches_torch(make_kwargs):
    ours, theirs = _swa_run(jtorch, **make_kwargs(jtorch)), _swa_run(torch, **make_kwargs(torch))
    assert ours.keys() == theirs.keys()
    for k in ours:
        assert ours[k].dtype == theirs[k].dtype, k
        np.testing.assert_allclose(ours[k], theirs[k], rtol=1e-6, atol=1e-7, err_msg=k)


def test_swa_multi_avg_fn_on_integer_buffers_raises_as_torch():
    # NOTE: torch's own bug: its integer branch calls addcdiv, which refuses integer division
    def fn(lib):
        swa_utils = lib.optim.swa_utils
        fn = swa_utils.get_swa_multi_avg_fn()
        swa = swa_utils.AveragedModel(_net(lib), multi_avg_fn=fn, use_buffers=True)
        swa.update_parameters(_net(lib))
        swa.update_parameters(_net(lib))

    _error(fn)


def test_averaged_model_misc():
    net = jtorch.nn.Linear(2, 1)
    with pytest.raises(AssertionError, match="Only one of avg_fn and multi_avg_fn"):
        jtorch.optim.swa_utils.AveragedModel(net, None, lambda *a: a[0], lambda *a: None)
    swa = jtorch.optim.swa_utils.AveragedModel(net)
    assert repr(swa) == repr(torch.optim.swa_utils.AveragedModel(torch.nn.Linear(2, 1)))
    assert swa(jtorch.ones(3, 2)).shape == (3, 1)
    for name in ("get_ema_multi_avg_fn", "get_ema_avg_fn"):
        _error(lambda lib, name=name: getattr(lib.optim.swa_utils, name)(1.5))


def test_update_bn_matches_torch():
    results = []
    for lib in (jtorch, torch):
        net = _net(lib).eval()
        r = np.random.default_rng(2)
        data = [lib.tensor(r.standard_normal((6, 3)).astype(np.float32)) for _ in range(3)]
        lib.optim.swa_utils.update_bn([(x, 0) for x in data], net)
        bn = net[1]
        assert not net.training and bn.momentum == 0.1
        results.append([bn.running_mean.numpy(), bn.running_var.numpy(),
                        bn.num_batches_tracked.numpy()])  # fmt: skip
        lib.optim.swa_utils.update_bn(data, lib.nn.Linear(1, 1))  # no BatchNorm: a no-op
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-6)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"swa_lr": 0.05},
        {"swa_lr": [0.05, 0.5], "anneal_epochs": 3, "anneal_strategy": "linear"},
        {"swa_lr": 0.2, "anneal_epochs": 0},
    ],
)
def test_swalr_matches_torch(kwargs):
    lrs = []
    for lib in (jtorch, torch):
        params = [lib.zeros(1, requires_grad=True), lib.zeros(1, requires_grad=True)]
        opt = lib.optim.SGD([{"params": params[:1]}, {"params": params[1:], "lr": 0.3}], lr=1.0)
        sched = lib.optim.swa_utils.SWALR(opt, **kwargs)
        history = []
        for _ in range(12):
            opt.step()
            sched.step()
            history.append(sched.get_last_lr())
        state = sched.state_dict()
        assert "anneal_func" not in state and "optimizer" not in state
        sched.load_state_dict(state)
        assert sched.anneal_func == sched._cosine_anneal or state["_anneal_strategy"] == "linear"
        lrs.append(history)
    np.testing.assert_allclose(lrs[0], lrs[1], rtol=1e-12)


def test_swalr_errors_match_torch():
    def make(lib, **kw):
        opt = lib.optim.SGD([lib.zeros(1, requires_grad=True)], lr=1.0)
        return lib.optim.swa_utils.SWALR(opt, **kw)

    _error(lambda lib: make(lib, swa_lr=0.1, anneal_strategy="exp"))
    _error(lambda lib: make(lib, swa_lr=0.1, anneal_epochs=-1))
    _error(lambda lib: make(lib, swa_lr=[0.1, 0.2]))
    with pytest.warns(UserWarning, match="get_last_lr"):
        make(jtorch, swa_lr=0.1).get_lr()


def test_swap_in_optimizer_params_and_state_matches_torch():
    results = []
    for lib in (jtorch, torch):
        p = lib.ones(2, requires_grad=True)
        opt = lib.optim.Adam([p], lr=0.5)
        p.grad = lib.ones(2)
        opt.step()
        q = lib.zeros(2, requires_grad=True)
        q.grad = lib.tensor([1.0, -1.0])
        sd = opt.state_dict()
        sd["param_groups"][0]["lr"] = 0.25
        with lib.optim.swap_in_optimizer_params_and_state(opt, {"w": q}, sd):
            assert opt.param_groups[0]["params"][0] is q and opt.param_groups[0]["lr"] == 0.25
            opt.step()
        assert opt.param_groups[0]["params"][0] is p and opt.param_groups[0]["lr"] == 0.5
        state = opt.state[p]
        results.append([q.detach().numpy(), p.detach().numpy(), state["exp_avg"].numpy(),
                        state["step"].numpy()])  # fmt: skip
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-6)


@pytest.mark.parametrize(
    "make",
    [
        lambda lib, sd: ({"w": lib.zeros(2)}, []),
        lambda lib, sd: ({"w": lib.zeros(2)}, {**sd, "state": [1]}),
        lambda lib, sd: ({"w": lib.zeros(2)}, {**sd, "param_groups": []}),
        lambda lib, sd: ({"w": lib.zeros(2)}, {**sd, "state": {**sd["state"], 5: {}}}),
        lambda lib, sd: ({}, sd),
        lambda lib, sd: (
            {"w": lib.zeros(2)},
            {**sd, "param_groups": [{**sd["param_groups"][0], "extra": 1}]},
        ),
    ],
)
def test_swap_in_errors_match_torch(make):
    def fn(lib, initialized=True):
        p = lib.ones(2, requires_grad=True)
        opt = lib.optim.SGD([p], lr=0.5, momentum=0.9)
        if initialized:
            p.grad = lib.ones(2)
            opt.step()
        params, sd = make(lib, opt.state_dict())
        with lib.optim.swap_in_optimizer_params_and_state(opt, params, sd):
            pass

    _error(fn)
    _error(lambda lib: fn(lib, initialized=False))


def test_muon_bfloat16_rounding_matches_torch():
    from jtorch.optim.muon import _bf16

    r = np.random.default_rng(0)
    ties = ((r.integers(0, 2**15, 500).astype(np.uint32) << 16) | np.uint32(0x8000)).view(
        np.float32
    )
    ties = ties[np.isfinite(ties)].astype(np.float64)
    for values in (r.standard_normal(10000), ties, ties * (1 + 1e-12), np.array([np.nan, np.inf])):
        for dtype in (np.float32, np.float64):
            x = values.astype(dtype)
            np.testing.assert_array_equal(_bf16(x), torch.tensor(x).bfloat16().float().numpy())
