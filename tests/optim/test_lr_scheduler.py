"""Learning-rate schedulers against torch 2.13: the same lr sequence over 40 steps."""

import math

import pytest
from conftest import torch_oracle

import jtorch

torch = torch_oracle()


def _optimizer(lib, cls="SGD", groups=2):
    params = [
        {"params": [lib.zeros(2, requires_grad=True)], "lr": 0.1 * (i + 1)} for i in range(groups)
    ]
    kwargs = {"momentum": 0.9} if cls == "SGD" else {}
    return getattr(lib.optim, cls)(params, lr=0.1, **kwargs)


SCHEDULERS = {
    "StepLR": lambda lib, o: lib.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5),
    "MultiStepLR": lambda lib, o: lib.optim.lr_scheduler.MultiStepLR(o, [2, 5, 5, 9], 0.3),
    "ExponentialLR": lambda lib, o: lib.optim.lr_scheduler.ExponentialLR(o, gamma=0.9),
    "CosineAnnealingLR": lambda lib, o: lib.optim.lr_scheduler.CosineAnnealingLR(o, 7, 1e-3),
    "LambdaLR": lambda lib, o: lib.optim.lr_scheduler.LambdaLR(o, lambda e: 1 / (e + 1)),
    "MultiplicativeLR": lambda lib, o: lib.optim.lr_scheduler.MultiplicativeLR(o, lambda e: 0.95),
    "LinearLR": lambda lib, o: lib.optim.lr_scheduler.LinearLR(o, 0.2, 1.0, total_iters=6),
    "ConstantLR": lambda lib, o: lib.optim.lr_scheduler.ConstantLR(o, factor=0.5, total_iters=4),
    "OneCycleLR": lambda lib, o: lib.optim.lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=41),
    "OneCycleLR-linear": lambda lib, o: lib.optim.lr_scheduler.OneCycleLR(
        o,
        max_lr=[1.0, 2.0],
        epochs=4,
        steps_per_epoch=11,
        anneal_strategy="linear",
        three_phase=True,
    ),
    "CyclicLR": lambda lib, o: lib.optim.lr_scheduler.CyclicLR(o, 0.01, 0.5, step_size_up=4),
    "CyclicLR-exp": lambda lib, o: lib.optim.lr_scheduler.CyclicLR(
        o, 0.01, 0.5, step_size_up=3, step_size_down=5, mode="exp_range", gamma=0.97
    ),
    "CosineAnnealingWarmRestarts": lambda lib, o: (
        lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=2, eta_min=0.01)
    ),
    "PolynomialLR": lambda lib, o: lib.optim.lr_scheduler.PolynomialLR(o, total_iters=9, power=2.0),
    "SequentialLR": lambda lib, o: lib.optim.lr_scheduler.SequentialLR(
        o,
        [
            lib.optim.lr_scheduler.LinearLR(o, 0.1, total_iters=5),
            lib.optim.lr_scheduler.ExponentialLR(o, gamma=0.9),
        ],
        milestones=[5],
    ),
    "ChainedScheduler": lambda lib, o: lib.optim.lr_scheduler.ChainedScheduler(
        [
            lib.optim.lr_scheduler.ConstantLR(o, factor=0.1, total_iters=2),
            lib.optim.lr_scheduler.ExponentialLR(o, gamma=0.9),
        ]
    ),
}


def _lrs(lib, name, steps=40):
    opt = _optimizer(lib)
    sched = SCHEDULERS[name](lib, opt)
    out = [sched.get_last_lr()]
    for _ in range(steps):
        opt.step()
        sched.step()
        out.append(sched.get_last_lr())
    return out, sched


@pytest.mark.parametrize("name", sorted(SCHEDULERS))
def test_schedule_matches_torch(name):
    ours, sched = _lrs(jtorch, name)
    theirs, tsched = _lrs(torch, name)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert a == pytest.approx(b, rel=1e-12, abs=1e-15)
    assert getattr(sched, "last_epoch", None) == getattr(tsched, "last_epoch", None)


def test_reduce_lr_on_plateau_matches_torch():
    metrics = [1.0, 0.9, 0.91, 0.92, 0.95, 0.89, 0.9, 0.9, 0.9, 0.9, 0.9, 0.5] * 3

    def run(lib, **kw):
        opt = _optimizer(lib)
        sched = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=1, factor=0.5, **kw)
        out = []
        for m in metrics:
            opt.step()
            sched.step(m)
            out.append([g["lr"] for g in opt.param_groups])
        return out

    for kw in ({}, {"mode": "max", "threshold_mode": "abs", "cooldown": 2, "min_lr": 0.01}):
        assert run(jtorch, **kw) == run(torch, **kw)


def test_state_dict_round_trip_and_warning():
    _, sched = _lrs(jtorch, "StepLR", steps=5)
    state = sched.state_dict()
    _, tsched = _lrs(torch, "StepLR", steps=5)
    assert state.keys() == tsched.state_dict().keys()
    fresh = jtorch.optim.lr_scheduler.StepLR(_optimizer(jtorch), step_size=3, gamma=0.5)
    fresh.load_state_dict(state)
    assert fresh.last_epoch == 5 and fresh.get_last_lr() == sched.get_last_lr()
    opt = _optimizer(jtorch)
    sched = jtorch.optim.lr_scheduler.StepLR(opt, step_size=1)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()


def test_cosine_closed_form():
    opt = _optimizer(jtorch, groups=1)
    sched = jtorch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10)
    for _ in range(5):
        opt.step()
        sched.step()
    assert sched.get_last_lr()[0] == pytest.approx(0.1 * (1 + math.cos(math.pi * 5 / 10)) / 2)
