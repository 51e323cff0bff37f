"""Layouts and memory formats against torch: the objects, the strides that clone, contiguous,
to, the ``*_like`` functions and ``empty`` give, ``is_contiguous``, and their errors."""

import pickle

import numpy as np
import pytest
from oracle import check_error, randn, torch

import jtorch

X4 = randn(2, 3, 4, 5)
X2 = randn(2, 3)


def _layouts(lib):
    x4, x2 = lib.tensor(X4), lib.tensor(X2)
    cl = x4.contiguous(memory_format=lib.channels_last)
    return {
        "channels_last": cl,
        "channels_last permuted copy": x4.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2),
        "channels_last_3d": x4.unsqueeze(2).contiguous(memory_format=lib.channels_last_3d),
        "transposed": x2.t(),
        "permuted": x4.permute(2, 0, 3, 1),
        "sliced": x2[:, ::2],
        "sliced channels_last": cl[:, :, ::2],
        "size-1 dims": lib.tensor(randn(2, 1, 4, 1)).permute(0, 3, 2, 1),
        "N111": lib.tensor(randn(2, 1, 1, 1)),
    }


CASES = list(_layouts(jtorch))

FORMATS = ("contiguous_format", "channels_last", "channels_last_3d", "preserve_format")

MAKERS = {
    "clone": lambda lib, x: x.clone(),
    "contiguous": lambda lib, x: x.contiguous(),
    "empty_like": lambda lib, x: lib.empty_like(x),
    "zeros_like": lambda lib, x: lib.zeros_like(x),
    "ones_like": lambda lib, x: lib.ones_like(x, dtype=lib.float32),
    "full_like": lambda lib, x: lib.full_like(x, 2),
    "rand_like": lambda lib, x: lib.rand_like(x),
    "randn_like": lambda lib, x: lib.randn_like(x),
    "randint_like": lambda lib, x: lib.randint_like(x, 5),
    "to float32": lambda lib, x: x.to(lib.float32),
    "exp": lambda lib, x: x.exp(),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("maker", list(MAKERS))
def test_new_tensors_keep_torch_strides_and_values(case, maker):
    results = []
    for lib in (jtorch, torch):
        lib.manual_seed(0)
        results.append(MAKERS[maker](lib, _layouts(lib)[case]))
    ours, theirs = results
    assert ours.stride() == theirs.stride()
    assert ours.dtype == jtorch.float32 or str(ours.dtype) == str(theirs.dtype)
    if maker != "empty_like":  # values drawn in memory order land where torch's do
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, atol=1e-6)


CONVERSIONS = {
    "contiguous": lambda lib, t, f: t.contiguous(memory_format=f),
    "clone": lambda lib, t, f: t.clone(memory_format=f),
    "to": lambda lib, t, f: t.to(memory_format=f),
    "empty_like": lambda lib, t, f: lib.empty_like(t, memory_format=f),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("fmt", FORMATS)
def test_is_contiguous_and_conversions_in_each_format(case, fmt):
    ours, theirs = (_layouts(lib)[case] for lib in (jtorch, torch))
    ofmt, tfmt = getattr(jtorch, fmt), getattr(torch, fmt)
    assert ours.is_contiguous(memory_format=ofmt) == theirs.is_contiguous(memory_format=tfmt)
    for name, op in CONVERSIONS.items():
        try:
            expected = op(torch, theirs, tfmt)
        except RuntimeError as e:
            with pytest.raises(RuntimeError, match=str(e).splitlines()[0]):
                op(jtorch, ours, ofmt)
            continue
        got = op(jtorch, ours, ofmt)
        assert got.stride() == expected.stride(), name
        assert (got is ours) == (expected is theirs), name
        if name != "empty_like":
            np.testing.assert_array_equal(got.numpy(), expected.numpy())


def test_objects_print_compare_and_pickle_as_torch():
    for name in ("strided", "sparse_coo", "sparse_csr", "jagged", *FORMATS):
        ours = getattr(jtorch, name)
        assert repr(ours) == repr(getattr(torch, name)) == f"torch.{name}"
        assert pickle.loads(pickle.dumps(ours)) is ours
    assert isinstance(jtorch.channels_last, jtorch.memory_format)
    assert isinstance(jtorch.strided, jtorch.layout)
    assert jtorch.ones(2).layout is jtorch.strided


def test_empty_in_a_memory_format():
    for lib in (jtorch, torch):
        assert lib.empty(2, 3, 4, 5, memory_format=lib.channels_last).stride() == (60, 1, 15, 3)
        assert lib.empty(2, 3, 1, 4, 5, memory_format=lib.channels_last_3d).is_contiguous(
            memory_format=lib.channels_last_3d
        )


def test_module_to_channels_last_converts_4d_parameters_in_place():
    strides = []
    for lib in (jtorch, torch):
        lib.manual_seed(0)
        conv = lib.nn.Conv2d(3, 4, 3)
        weight = conv.weight
        assert conv.to(memory_format=lib.channels_last) is conv and conv.weight is weight
        strides.append((conv.weight.stride(), conv.bias.stride()))
        x = lib.tensor(X4, dtype=lib.float32).contiguous(memory_format=lib.channels_last)
        conv(x).sum().backward()
        strides.append(conv.weight.grad.shape)
    assert strides[:2] == strides[2:]


def test_to_memory_format_records_one_copy_and_keeps_gradients():
    x = jtorch.tensor(X4, requires_grad=True)
    y = x.to(memory_format=jtorch.channels_last)
    assert type(y.grad_fn).__name__ == "ToCopyBackward0"
    y.sum().backward()
    assert x.grad.shape == x.shape and bool((x.grad == 1).all())


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, x: x.contiguous(memory_format=lib.channels_last),
        lambda lib, x: x.clone(memory_format=lib.channels_last_3d),
        lambda lib, x: x.to(memory_format=lib.channels_last),
        lambda lib, x: lib.zeros_like(x, memory_format=lib.channels_last),
        lambda lib, x: lib.empty(2, 3, memory_format=lib.preserve_format),
        lambda lib, x: x.contiguous(memory_format=lib.strided),
        lambda lib, x: x.contiguous(memory_format=1),
    ],
)
def test_errors(fn):
    check_error(fn, X2)


def test_save_keeps_the_layout_for_torch(tmp_path):
    path = tmp_path / "cl.pt"
    for made in (
        jtorch.tensor(X4).contiguous(memory_format=jtorch.channels_last),
        jtorch.zeros_like(jtorch.tensor(X4).permute(0, 2, 3, 1)),
    ):
        jtorch.save(made, path)
        theirs, ours = torch.load(path), jtorch.load(path)
        assert theirs.stride() == ours.stride() == made.stride()
        np.testing.assert_array_equal(theirs.numpy(), made.numpy())
