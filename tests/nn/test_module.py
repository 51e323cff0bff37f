"""Module contracts against torch: repr, state_dict keys/order and loading, errors, traversal,
train/eval, dtype moves, Parameter, containers, and hooks (order and arguments)."""

import copy
from collections import OrderedDict

import numpy as np
import pytest
from conftest import torch_oracle

import jtorch

torch = torch_oracle()


def build(lib):
    nn = lib.nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 4, bias=False)
            self.norm = nn.LayerNorm(4)
            self.register_buffer("steps", lib.zeros(1))
            self.register_buffer("scratch", lib.zeros(2), persistent=False)

        def forward(self, x):
            return self.norm(self.fc(x)).relu()

    return nn.Sequential(
        OrderedDict(
            embed=nn.Linear(3, 4),
            blocks=nn.ModuleList([Block(), Block()]),
            heads=nn.ModuleDict({"a": nn.Linear(4, 2), "b": nn.Identity()}),
            bn=nn.BatchNorm1d(4),
            act=nn.GELU(approximate="tanh"),
            drop=nn.Dropout(0.25),
            params=nn.ParameterList([nn.Parameter(lib.ones(2, 3))]),
            pdict=nn.ParameterDict({"w": nn.Parameter(lib.ones(3))}),
        )
    )


def copy_weights(src, dst) -> None:
    """Load a torch module's state into a jtorch module (or back) through NumPy."""
    lib = jtorch if isinstance(dst, jtorch.nn.Module) else torch
    dst.load_state_dict({k: lib.tensor(v.detach().numpy()) for k, v in src.state_dict().items()})


def test_repr_matches_torch():
    assert repr(build(jtorch)) == repr(build(torch))
    for lib in (jtorch, torch):
        assert repr(lib.nn.ModuleList([lib.nn.ReLU()] * 3 + [lib.nn.Tanh()]))
    ours = repr(jtorch.nn.ModuleList([jtorch.nn.Linear(2, 2) for _ in range(3)]))
    assert ours == repr(torch.nn.ModuleList([torch.nn.Linear(2, 2) for _ in range(3)]))


LAYER_REPRS = [
    "Linear(3, 4, bias=False)", "Bilinear(2, 3, 4)", "Identity()", "Flatten(0, 2)",
    "Unflatten(1, (2, 3))", "ReLU(inplace=True)", "ReLU6()", "LeakyReLU(0.2, True)", "PReLU(3)",
    "RReLU()", "ELU(alpha=0.5)", "SELU()", "CELU()", "GELU()", "SiLU()", "Mish()", "Sigmoid()",
    "Tanh()", "Hardtanh(-2, 2)", "Hardsigmoid()", "Hardswish()", "Hardshrink()", "Softshrink(0.3)",
    "Tanhshrink()", "Softsign()", "Softplus(2)", "Softmin(1)", "Softmax(dim=-1)", "Softmax2d()",
    "LogSoftmax(1)", "LogSigmoid()", "GLU()", "Threshold(0.1, 20)", "BatchNorm1d(3)",
    "BatchNorm2d(3, momentum=None)", "BatchNorm3d(3, affine=False)", "LayerNorm((2, 3))",
    "GroupNorm(2, 4)", "InstanceNorm1d(3)", "InstanceNorm2d(3, affine=True)", "RMSNorm(4)",
    "LocalResponseNorm(2)", "Dropout()", "Dropout1d(0.1)", "Dropout2d()", "Dropout3d()",
    "AlphaDropout(0.2)", "FeatureAlphaDropout()", "Embedding(10, 3, padding_idx=0, max_norm=1.0)",
    "EmbeddingBag(10, 3, mode='sum')", "CosineSimilarity()", "PairwiseDistance()",
]  # fmt: skip


@pytest.mark.parametrize("spec", LAYER_REPRS)
def test_layer_repr_and_state_dict(spec):
    ours, theirs = eval("jtorch.nn." + spec), eval("torch.nn." + spec)
    assert repr(ours) == repr(theirs)
    sd_ours, sd_theirs = ours.state_dict(), theirs.state_dict()
    assert list(sd_ours) == list(sd_theirs)
    for k in sd_theirs:
        assert tuple(sd_ours[k].shape) == tuple(sd_theirs[k].shape), k
        assert str(sd_ours[k].dtype) == str(sd_theirs[k].dtype), k
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]


def test_state_dict_order_and_load_from_torch():
    ours, theirs = build(jtorch), build(torch)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    result = copy_weights(theirs, ours)
    assert result is None
    for k, v in theirs.state_dict().items():
        np.testing.assert_array_equal(ours.state_dict()[k].numpy(), v.numpy())
    keys = ours.load_state_dict(ours.state_dict())
    assert repr(keys) == "<All keys matched successfully>"
    assert keys.missing_keys == [] and keys.unexpected_keys == []


def test_load_state_dict_errors_match_torch():
    msgs = []
    for lib in (jtorch, torch):
        m = lib.nn.Sequential(lib.nn.Linear(4, 5), lib.nn.ReLU(), lib.nn.Linear(5, 2))
        bad = {"0.weight": lib.zeros(5, 3), "0.bias": lib.zeros(5), "extra": lib.zeros(1),
               "2.weight": lib.zeros(2, 5)}  # fmt: skip
        with pytest.raises(RuntimeError) as info:
            m.load_state_dict(bad)
        msgs.append(str(info.value))
        keys = m.load_state_dict({"2.bias": lib.ones(2), "3.x": lib.ones(1)}, strict=False)
        msgs.append(repr(keys))
    assert msgs[0] == msgs[2]
    assert msgs[1] == msgs[3]


def test_load_state_dict_assign_and_buffers():
    m = jtorch.nn.BatchNorm1d(3)
    sd = {k: v.clone() + 1 for k, v in m.state_dict().items()}
    w = m.weight
    m.load_state_dict(sd)
    assert m.weight is w and float(m.weight.sum()) == 6.0
    assert int(m.num_batches_tracked) == 1
    m.load_state_dict(sd, assign=True)
    assert m.weight is not w and isinstance(m.weight, jtorch.nn.Parameter)
    old = {k: v for k, v in sd.items() if k != "num_batches_tracked"}
    sd_meta = OrderedDict(old)
    sd_meta._metadata = {"": {"version": 1}}
    m.load_state_dict(sd_meta)


def test_attribute_routing_and_errors():
    for lib in (jtorch, torch):
        m = lib.nn.Module()
        m.w = lib.nn.Parameter(lib.ones(2))
        m.sub = lib.nn.Linear(2, 2)
        m.register_buffer("b", lib.zeros(1))
        m.plain = 3
        assert list(m._parameters) == ["w"] and list(m._modules) == ["sub"]
        assert list(m._buffers) == ["b"] and m.plain == 3
        del m.w
        assert "w" not in m._parameters
        m.b = lib.ones(1)
        assert float(m.b) == 1.0
        assert "sub" in dir(m) and "b" in dir(m)
    errors = {}
    for lib in (jtorch, torch):
        cases = [
            lambda lib=lib: lib.nn.Module().register_buffer("a.b", None),
            lambda lib=lib: lib.nn.Module().register_parameter("a", lib.zeros(1)),
            lambda lib=lib: lib.nn.Module().add_module("a", 3),
            lambda lib=lib: lib.nn.Module().zzz,
            lambda lib=lib: lib.nn.Linear(2, 2).get_submodule("foo"),
            lambda lib=lib: lib.nn.Module()(),
            lambda lib=lib: setattr(lib.nn.Linear(2, 2), "weight", lib.zeros(2, 2)),
            lambda lib=lib: lib.nn.Sequential(lib.nn.ReLU())[3],
        ]
        out = []
        for case in cases:
            with pytest.raises(Exception) as info:
                case()
            out.append((info.type, str(info.value)))
        errors[lib.__name__] = out
    assert errors["jtorch"] == errors["torch"]


def test_linear_shape_error():
    with pytest.raises(RuntimeError) as theirs:
        torch.nn.Linear(4, 5)(torch.randn(3, 3))
    with pytest.raises(
        RuntimeError, match=str(theirs.value).replace("(", r"\(").replace(")", r"\)")
    ):
        jtorch.nn.Linear(4, 5)(jtorch.randn(3, 3))


def test_traversal():
    ours, theirs = build(jtorch), build(torch)
    for name in ("children", "modules", "parameters", "buffers"):
        assert len(list(getattr(ours, name)())) == len(list(getattr(theirs, name)()))
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    assert [n for n, _ in ours.named_parameters(prefix="m", recurse=True)] == [
        n for n, _ in theirs.named_parameters(prefix="m", recurse=True)
    ]
    assert [n for n, _ in ours.named_parameters(recurse=False)] == []
    shared = jtorch.nn.Linear(2, 2)
    seq = jtorch.nn.Sequential(shared, shared)
    assert len(list(seq.parameters())) == 2
    assert len(list(seq.named_parameters(remove_duplicate=False))) == 4
    assert len(list(seq.named_modules(remove_duplicate=False))) == 3
    assert ours.get_submodule("blocks.1.fc") is ours.blocks[1].fc
    assert ours.get_parameter("blocks.0.norm.weight") is ours.blocks[0].norm.weight
    assert ours.get_buffer("bn.running_mean") is ours.bn.running_mean
    names = []
    ours.apply(lambda m: names.append(type(m).__name__))
    assert names[-1] == "Sequential" and names[0] == "Linear"


def test_train_eval_and_requires_grad():
    m = build(jtorch)
    assert m.training and m.bn.training
    m.eval()
    assert not m.training and not m.blocks[0].fc.training
    m.train()
    assert m.drop.training
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        m.train("yes")


def test_zero_grad_and_dtype_moves():
    m = jtorch.nn.Linear(3, 2)
    w = m.weight
    m(jtorch.ones(4, 3)).sum().backward()
    assert m.weight.grad is not None
    m.zero_grad(set_to_none=False)
    assert float(m.weight.grad.abs().sum()) == 0.0
    m.zero_grad()
    assert m.weight.grad is None
    m(jtorch.ones(4, 3)).sum().backward()
    m.double()
    assert m.weight is w and isinstance(m.weight, jtorch.nn.Parameter)
    assert m.weight.dtype == jtorch.float64 and m.weight.grad.dtype == jtorch.float64
    m.to(jtorch.float32)
    assert m.bias.dtype == jtorch.float32
    bn = jtorch.nn.BatchNorm1d(2).half()
    assert bn.running_mean.dtype == jtorch.float16 and bn.num_batches_tracked.dtype == jtorch.int64
    with pytest.raises(TypeError, match="floating point or complex"):
        m.to(jtorch.int32)


def test_parameter():
    t = jtorch.ones(2)
    p = jtorch.nn.Parameter(t)
    assert repr(p) == repr(torch.nn.Parameter(torch.ones(2)))
    assert p.requires_grad and p.is_leaf
    p.data[0] = 5
    assert float(t[0]) == 5  # shares memory
    assert repr(jtorch.nn.Parameter(jtorch.ones(1), requires_grad=False)) == repr(
        torch.nn.Parameter(torch.ones(1), requires_grad=False)
    )
    q = copy.deepcopy(p)
    assert type(q) is jtorch.nn.Parameter and q.requires_grad
    assert type(p.detach()) is jtorch.Tensor and type(p * 2) is jtorch.Tensor
    assert tuple(jtorch.nn.Parameter().shape) == (0,)
    m = copy.deepcopy(jtorch.nn.Linear(2, 2))
    assert isinstance(m.weight, jtorch.nn.Parameter)


def test_containers():
    nn = jtorch.nn
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert len(seq) == 3 and isinstance(seq[-1], nn.Linear)
    assert isinstance(seq[1:], nn.Sequential) and len(seq[1:]) == 2
    seq.append(nn.Sigmoid())
    seq.insert(0, nn.Identity())
    assert [type(m).__name__ for m in seq] == ["Identity", "Linear", "ReLU", "Linear", "Sigmoid"]
    del seq[0]
    assert list(seq._modules) == ["0", "1", "2", "3"]
    seq.extend(nn.Sequential(nn.Tanh()))
    assert len(seq) == 5
    ml = nn.ModuleList([nn.ReLU()])
    ml += [nn.Tanh()]
    ml.insert(0, nn.Identity())
    assert [type(m).__name__ for m in ml] == ["Identity", "ReLU", "Tanh"]
    md = nn.ModuleDict({"b": nn.ReLU(), "a": nn.Tanh()})
    assert list(md.keys()) == ["b", "a"] and "a" in md
    pl = nn.ParameterList([jtorch.ones(2), nn.Parameter(jtorch.zeros(3))])
    assert all(isinstance(p, nn.Parameter) for p in pl)
    assert repr(pl) == repr(torch.nn.ParameterList([torch.ones(2), torch.zeros(3)]))
    pd = nn.ParameterDict({"x": jtorch.ones(1)})
    assert repr(pd) == repr(torch.nn.ParameterDict({"x": torch.ones(1)}))
    assert list(pd.state_dict()) == ["x"]
    with pytest.raises(IndexError, match="index 5 is out of range"):
        ml[5]


def test_hooks_order_and_arguments():
    calls = []
    m = jtorch.nn.Linear(3, 2)
    x = jtorch.ones(4, 3, requires_grad=True)
    h1 = m.register_forward_pre_hook(lambda mod, args: calls.append(("pre", mod is m, len(args))))
    h2 = m.register_forward_pre_hook(
        lambda mod, args, kwargs: calls.append(("pre_kw", kwargs)), with_kwargs=True, prepend=True
    )
    h3 = m.register_forward_hook(lambda mod, args, out: calls.append(("fwd", tuple(out.shape))))
    h4 = m.register_forward_hook(lambda mod, args, out: out * 2)
    y = m(x)
    assert calls == [("pre_kw", {}), ("pre", True, 1), ("fwd", (4, 2))]
    ref = jtorch.nn.functional.linear(x, m.weight, m.bias) * 2
    np.testing.assert_allclose(y.detach().numpy(), ref.detach().numpy())
    for h in (h1, h2, h3, h4):
        h.remove()
    calls.clear()
    m(x)
    assert calls == []


def test_forward_pre_hook_replaces_args_and_always_call():
    m = jtorch.nn.ReLU()
    m.register_forward_pre_hook(lambda mod, args: (args[0] - 10,))
    assert float(m(jtorch.tensor([5.0]))) == 0.0
    bad = jtorch.nn.Module()
    seen = []
    bad.register_forward_hook(lambda mod, args, out: seen.append(out), always_call=True)
    with pytest.raises(NotImplementedError):
        bad(1)
    assert seen == [None]


def _backward_hook_record(lib):
    m = lib.nn.Linear(3, 2)
    with lib.no_grad():
        m.weight.copy_(lib.tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]]))
        m.bias.copy_(lib.tensor([0.1, -0.2]))
    events = []

    def pre(mod, grad_output):
        events.append(("pre", [g.tolist() for g in grad_output]))
        return (grad_output[0] * 2,)

    def post(mod, grad_input, grad_output):
        events.append(("post", [g.tolist() for g in grad_input], [g.tolist() for g in grad_output]))

    m.register_full_backward_pre_hook(pre)
    m.register_full_backward_hook(post)
    x = lib.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    (m(x) * lib.tensor([[1.0, 3.0]])).sum().backward()
    return events, x.grad.tolist(), m.weight.grad.tolist()


def test_full_backward_hooks_match_torch():
    assert _backward_hook_record(jtorch) == _backward_hook_record(torch)


def test_full_backward_hook_multiple_inputs():
    results = []
    for lib in (jtorch, torch):
        m = lib.nn.Bilinear(2, 2, 1)
        seen = []
        m.register_full_backward_hook(
            lambda mod, gi, go, seen=seen: seen.append([g is None for g in gi])
        )
        a = lib.ones(1, 2, requires_grad=True)
        b = lib.ones(1, 2)
        m(a, b).sum().backward()
        results.append(seen)
    assert results[0] == results[1] == [[False, False]]


def test_global_hooks():
    from jtorch.nn.modules import module as mm

    calls = []
    h = mm.register_module_forward_hook(lambda mod, args, out: calls.append(type(mod).__name__))
    h2 = mm.register_module_forward_pre_hook(lambda mod, args: calls.append("pre"))
    try:
        jtorch.nn.Sequential(jtorch.nn.ReLU())(jtorch.ones(1))
    finally:
        h.remove()
        h2.remove()
    assert calls == ["pre", "pre", "ReLU", "Sequential"]


def test_state_dict_hooks():
    m = jtorch.nn.Linear(2, 2)
    m.register_state_dict_post_hook(
        lambda mod, sd, prefix, meta: (sd.pop(prefix + "bias"), None)[1]
    )
    assert list(m.state_dict()) == ["weight"]
    seen = []
    m.register_load_state_dict_post_hook(lambda mod, keys: seen.append(list(keys.missing_keys)))
    m.load_state_dict({"weight": jtorch.zeros(2, 2)}, strict=False)
    assert seen == [["bias"]]
    m.register_load_state_dict_pre_hook(lambda mod, sd, prefix, *rest: seen.append(prefix))
    m.load_state_dict({"weight": jtorch.zeros(2, 2), "bias": jtorch.zeros(2)})
    assert seen[-2:] == ["", []]


def test_lazy_linear():
    m = jtorch.nn.LazyLinear(3)
    y = m(jtorch.ones(2, 5))
    assert type(m) is jtorch.nn.Linear and tuple(y.shape) == (2, 3)
    assert tuple(m.weight.shape) == (3, 5)


def test_same_seed_same_init_as_torch():
    if not hasattr(jtorch.Tensor, "uniform_"):
        pytest.skip("jtorch.Tensor.uniform_ not available")
    jtorch.manual_seed(3)
    torch.manual_seed(3)
    ours, theirs = jtorch.nn.Linear(5, 4), torch.nn.Linear(5, 4)
    if not np.allclose(ours.weight.detach().numpy(), theirs.weight.detach().numpy()):
        pytest.skip("jtorch's RNG stream does not reproduce torch's yet")
    np.testing.assert_allclose(ours.bias.detach().numpy(), theirs.bias.detach().numpy())
