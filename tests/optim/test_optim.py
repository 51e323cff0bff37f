"""Optimizers against torch 2.13: the same parameters and gradients, step for step."""

import numpy as np
import pytest
from conftest import torch_oracle

import jtorch

torch = torch_oracle()

# NOTE: float32 results agree to float32 rounding, not always bit for bit: torch's CPU sqrt for
# float32 (a vectorised approximation) is not correctly rounded, while NumPy's is.
TOL = {np.float32: dict(rtol=2e-5, atol=1e-6), np.float64: dict(rtol=1e-12, atol=1e-14)}

CONFIGS = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "maximize": True}),
    ("SGD", {"lr": 0.1, "momentum": 0.5, "dampening": 0.3}),
    ("Adam", {"lr": 0.1}),
    ("Adam", {"lr": 0.05, "amsgrad": True, "weight_decay": 0.1, "maximize": True}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("AdamW", {"lr": 0.05}),
    ("AdamW", {"lr": 0.05, "amsgrad": True, "betas": (0.8, 0.9)}),
    ("RMSprop", {}),
    ("RMSprop", {"centered": True, "momentum": 0.5, "weight_decay": 0.1}),
    ("Adagrad", {"lr_decay": 0.1, "weight_decay": 0.1, "initial_accumulator_value": 0.1}),
    ("Adadelta", {"weight_decay": 0.1}),
    ("Adadelta", {"lr": 0.5, "rho": 0.5, "maximize": True}),
    ("Adamax", {"weight_decay": 0.1}),
    ("NAdam", {"weight_decay": 0.1}),
    ("NAdam", {"weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("RAdam", {"lr": 0.1}),
    ("RAdam", {"weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("ASGD", {"t0": 3, "weight_decay": 0.1}),
    ("Rprop", {"maximize": True}),
    ("Rprop", {"etas": (0.3, 1.5), "step_sizes": (1e-3, 0.2)}),
]


def _data(dtype, steps=6):
    r = np.random.default_rng(0)
    init = [r.standard_normal((5, 7)).astype(dtype), r.standard_normal(13).astype(dtype)]
    grads = [[r.standard_normal(a.shape).astype(dtype) for a in init] for _ in range(steps)]
    return init, grads


def _run(lib, name, kwargs, dtype, steps=6):
    init, grads = _data(dtype, steps)
    params = [lib.tensor(a, requires_grad=True) for a in init]
    opt = getattr(lib.optim, name)(params, **kwargs)
    history = []
    for step_grads in grads:
        for p, g in zip(params, step_grads):
            p.grad = lib.tensor(g)
        opt.step()
        history.append([p.detach().numpy().copy() for p in params])
    return opt, history


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("name", "kwargs"), CONFIGS)
def test_steps_match_torch(name, kwargs, dtype):
    ours, ours_hist = _run(jtorch, name, kwargs, dtype)
    theirs, theirs_hist = _run(torch, name, kwargs, dtype)
    for a_step, b_step in zip(ours_hist, theirs_hist):
        for a, b in zip(a_step, b_step):
            assert a.dtype == b.dtype
            np.testing.assert_allclose(a, b, **TOL[dtype])
    ours_sd, theirs_sd = ours.state_dict(), theirs.state_dict()
    assert ours_sd["param_groups"] == theirs_sd["param_groups"]
    assert ours_sd["state"].keys() == theirs_sd["state"].keys()
    for k, state in ours_sd["state"].items():
        assert state.keys() == theirs_sd["state"][k].keys()
        for key, value in state.items():
            other = theirs_sd["state"][k][key]
            assert str(value.dtype) == str(other.dtype) and value.shape == tuple(other.shape)
            np.testing.assert_allclose(value.numpy(), other.numpy(), **TOL[dtype])


def test_tensor_lr_and_repr():
    ours, ours_hist = _run(jtorch, "Adam", {"lr": jtorch.tensor(0.01)}, np.float64)
    _, theirs_hist = _run(torch, "Adam", {"lr": torch.tensor(0.01)}, np.float64)
    np.testing.assert_allclose(ours_hist[-1][0], theirs_hist[-1][0], rtol=1e-12)
    params = [jtorch.zeros(2, requires_grad=True)]
    tparams = [torch.zeros(2, requires_grad=True)]
    for name in ("SGD", "Adam", "AdamW", "RMSprop", "LBFGS", "ASGD", "Rprop", "NAdam"):
        kw = {"lr": 0.1}
        assert repr(getattr(jtorch.optim, name)(params, **kw)) == repr(
            getattr(torch.optim, name)(tparams, **kw)
        )


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("SGD", {"lr": -1}),
        ("SGD", {"lr": 0.1, "momentum": -0.5}),
        ("SGD", {"lr": 0.1, "nesterov": True}),
        ("Adam", {"betas": (1.0, 0.9)}),
        ("Adam", {"eps": -1.0}),
        ("AdamW", {"weight_decay": -1}),
        ("RMSprop", {"alpha": -1}),
        ("Adagrad", {"lr_decay": -1}),
        ("Adadelta", {"rho": 2.0}),
        ("NAdam", {"momentum_decay": -1}),
        ("Rprop", {"etas": (1.5, 0.5)}),
        ("LBFGS", {"lr": -2}),
    ],
)
def test_validation_errors_match_torch(name, kwargs):
    with pytest.raises(ValueError) as theirs:
        getattr(torch.optim, name)([torch.zeros(1, requires_grad=True)], **kwargs)
    with pytest.raises(ValueError) as ours:
        getattr(jtorch.optim, name)([jtorch.zeros(1, requires_grad=True)], **kwargs)
    assert str(ours.value) == str(theirs.value)


def test_param_group_errors():
    p = jtorch.zeros(1, requires_grad=True)
    with pytest.raises(TypeError, match="iterable of Tensors or dicts, but got torch.FloatTensor"):
        jtorch.optim.SGD(p, lr=0.1)
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        jtorch.optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        jtorch.optim.SGD([p * 2], lr=0.1)
    opt = jtorch.optim.SGD([p], lr=0.1)
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        opt.add_param_group({"params": [p]})
    opt.add_param_group({"params": [jtorch.ones(2, requires_grad=True)], "momentum": 0.9})
    assert opt.param_groups[1]["lr"] == 0.1 and opt.param_groups[1]["momentum"] == 0.9


def test_state_dict_round_trip_and_torch_layout():
    ours, _ = _run(jtorch, "Adam", {"lr": 0.1, "amsgrad": True}, np.float32, steps=3)
    theirs, _ = _run(torch, "Adam", {"lr": 0.1, "amsgrad": True}, np.float32, steps=3)
    # a torch state dict (converted tensor by tensor) loads into a jtorch optimizer
    converted = {
        "state": {
            k: {n: jtorch.tensor(v.numpy()) for n, v in s.items()}
            for k, s in theirs.state_dict()["state"].items()
        },
        "param_groups": theirs.state_dict()["param_groups"],
    }
    init, grads = _data(np.float32, 4)
    params = [jtorch.tensor(a, requires_grad=True) for a in init]
    fresh = jtorch.optim.Adam(params, lr=0.5)
    fresh.load_state_dict(converted)
    assert fresh.param_groups[0]["lr"] == 0.1 and fresh.param_groups[0]["params"] == params
    assert fresh.state[params[0]]["step"].item() == 3.0
    assert fresh.state[params[0]]["step"].dtype is jtorch.float32
    # and our state dict has torch's structure
    sd = ours.state_dict()
    assert list(sd) == ["state", "param_groups"] and sd["param_groups"][0]["params"] == [0, 1]
    with pytest.raises(ValueError, match="different number of parameter groups"):
        fresh.load_state_dict({"state": {}, "param_groups": []})
    # a round trip through jtorch.save keeps everything
    import io

    buf = io.BytesIO()
    jtorch.save(sd, buf)
    buf.seek(0)
    loaded = torch.load(buf)
    assert loaded["state"][1]["exp_avg"].shape == (13,)


def test_zero_grad_and_hooks():
    p = jtorch.ones(2, requires_grad=True)
    p.grad = jtorch.ones(2)
    opt = jtorch.optim.SGD([p], lr=0.1)
    calls = []
    pre = opt.register_step_pre_hook(lambda o, a, k: calls.append("pre"))
    opt.register_step_post_hook(lambda o, a, k: calls.append("post"))
    version = p._version
    opt.step()
    assert calls == ["pre", "post"] and p._version > version
    pre.remove()
    opt.step()
    assert calls == ["pre", "post", "post"]
    opt.zero_grad(set_to_none=False)
    assert p.grad.tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert p.grad is None


def test_training_a_module_matches_torch():
    torch.manual_seed(0)
    tmodel = torch.nn.Linear(4, 3)
    model = jtorch.nn.Linear(4, 3)
    model.load_state_dict(
        {k: jtorch.tensor(v.detach().numpy()) for k, v in tmodel.state_dict().items()}
    )
    x = np.random.default_rng(1).standard_normal((8, 4)).astype(np.float32)
    opts = (
        jtorch.optim.Adam(model.parameters(), lr=0.01),
        torch.optim.Adam(tmodel.parameters(), lr=0.01),
    )
    for _ in range(5):
        for lib, m, opt in ((jtorch, model, opts[0]), (torch, tmodel, opts[1])):
            opt.zero_grad()
            (m(lib.tensor(x)) ** 2).mean().backward()
            opt.step()
    np.testing.assert_allclose(
        model.weight.detach().numpy(), tmodel.weight.detach().numpy(), rtol=1e-5, atol=1e-6
    )


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_lbfgs_matches_torch(line_search_fn):
    target = np.array([1.0, -2.0, 0.5])

    def run(lib):
        x = lib.tensor([3.0, 1.0, -1.0], dtype=lib.float64, requires_grad=True)
        t = lib.tensor(target)
        opt = lib.optim.LBFGS(
            [x], lr=0.5, max_iter=8, history_size=4, line_search_fn=line_search_fn
        )

        def closure():
            opt.zero_grad()
            loss = (((x - t) ** 2) * lib.tensor([1.0, 3.0, 10.0])).sum() + (x**4).sum() * 0.01
            loss.backward()
            return loss

        losses = [float(opt.step(closure).detach()) for _ in range(3)]
        return losses, x.detach().numpy(), opt.state[x]["func_evals"], opt.state[x]["n_iter"]

    ours, theirs = run(jtorch), run(torch)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-10)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-10)
    assert ours[2:] == theirs[2:]
