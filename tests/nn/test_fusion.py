"""nn.utils fusion (conv/linear with an eval BatchNorm folded in) and skip_init against torch;
autograd.Variable's legacy contract."""

import numpy as np
import pytest
from oracle import randn, torch

import jtorch


def _pair(lib, kind: str):
    lib.manual_seed(0)
    nn = lib.nn
    if kind == "conv":
        layer, bn = nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4)
    elif kind == "conv_nobias":
        layer, bn = nn.Conv2d(3, 4, 3, bias=False), nn.BatchNorm2d(4, affine=False)
    elif kind == "conv_transpose":
        layer, bn = nn.ConvTranspose2d(3, 4, 3), nn.BatchNorm2d(4)
    else:
        layer, bn = nn.Linear(5, 4), nn.BatchNorm1d(4)
    return layer, bn


def _load(module, arrays: dict) -> None:
    for name, t in module.state_dict().items():
        if name in arrays:
            t.copy_(t.new_tensor(arrays[name]))


@pytest.mark.parametrize("kind", ["conv", "conv_nobias", "conv_transpose", "linear"])
def test_fused_layer_matches_torch_and_the_pair(kind):
    ours, theirs = _pair(jtorch, kind), _pair(torch, kind)
    for k, (o, t) in enumerate(zip(ours, theirs)):
        values = {
            n: randn(*v.shape, seed=k * 10 + i)
            for i, (n, v) in enumerate(o.state_dict().items())
            if v.dtype.is_floating_point
        }
        if "running_var" in values:
            values["running_var"] = np.abs(values["running_var"]) + 0.5
        _load(o, values)
        _load(t, values)
    x = randn(2, 3, 6, 6, seed=9) if kind.startswith("conv") else randn(2, 5, seed=9)
    results = []
    for lib, (layer, bn) in ((jtorch, ours), (torch, theirs)):
        layer.eval(), bn.eval()
        transpose = kind == "conv_transpose"
        if kind.startswith("conv"):
            fused = lib.nn.utils.fuse_conv_bn_eval(layer, bn, transpose=transpose)
        else:
            fused = lib.nn.utils.fuse_linear_bn_eval(layer, bn)
        xt = lib.tensor(x, dtype=lib.float32)
        results.append((fused.weight.detach().numpy(), fused.bias.detach().numpy(),
                        fused(xt).detach().numpy(), bn(layer(xt)).detach().numpy(),
                        type(fused.weight).__name__, fused.weight.requires_grad))  # fmt: skip
    (w, b, y, pair, cls, rg), (tw, tb, ty, _, tcls, trg) = results
    np.testing.assert_allclose(w, tw, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(b, tb, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(y, ty, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(y, pair, rtol=1e-5, atol=1e-5)
    assert (cls, rg) == (tcls, trg) == ("Parameter", True)


@pytest.mark.parametrize("lib", [jtorch, torch], ids=["jtorch", "torch"])
def test_fusion_errors(lib):
    conv, bn = lib.nn.Conv2d(1, 2, 1), lib.nn.BatchNorm2d(2)
    with pytest.raises(AssertionError, match="^Fusion only for eval!$"):
        lib.nn.utils.fuse_conv_bn_eval(conv, bn)
    lin, bn3 = lib.nn.Linear(2, 3).eval(), lib.nn.BatchNorm1d(2).eval()
    with pytest.raises(AssertionError, match=r"^To fuse, linear.out_features == bn.num_features"):
        lib.nn.utils.fuse_linear_bn_eval(lin, bn3)


@pytest.mark.parametrize("lib", [jtorch, torch], ids=["jtorch", "torch"])
def test_skip_init(lib):
    m = lib.nn.utils.skip_init(lib.nn.Linear, 5, 1)
    assert tuple(m.weight.shape) == (1, 5) and m.weight.requires_grad
    with pytest.raises(RuntimeError, match="^Expected a Module; got <class 'int'>$"):
        lib.nn.utils.skip_init(int)
    with pytest.raises(RuntimeError, match="^Module must support a 'device' arg"):
        lib.nn.utils.skip_init(lib.nn.ReLU)


@pytest.mark.parametrize("lib", [jtorch, torch], ids=["jtorch", "torch"])
def test_variable(lib):
    from_lib = lib.autograd.Variable
    t = lib.ones(2)
    v = from_lib(t, requires_grad=True)
    assert v is not t and v.data_ptr() == t.data_ptr() and v.is_leaf and v.requires_grad
    assert not t.requires_grad and isinstance(t, from_lib) and not isinstance(1.0, from_lib)
    w = from_lib(lib.ones(2, requires_grad=True) * 2)
    assert w.grad_fn is None and not w.requires_grad
    assert tuple(from_lib().shape) == (0,)
    with pytest.raises(RuntimeError, match="^Only Tensors of floating point and complex dtype"):
        from_lib(lib.tensor([1, 2]), requires_grad=True)
