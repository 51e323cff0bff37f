"""jtorch's tensor repr against torch 2.13's, byte for byte.

Oracle tests build the same tensor in both libraries with one ``make(module)`` and compare reprs;
a small stand-in ``Tensor`` covers what the CPU oracle cannot produce (CUDA devices, subclasses).
"""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import jtorch
from jtorch import _printing, dtypes
from jtorch.backend import CPU, device

NAN, INF = math.nan, math.inf


class _Node:
    def __init__(self, name):
        self._name = name

    def name(self):
        return self._name


class Tensor:
    """The attributes ``tensor_repr`` reads, on a NumPy array (the class name makes "tensor(")."""

    def __init__(self, array, dtype=None, requires_grad=False, grad_fn=None, dev=CPU):
        self._array = np.asarray(array)
        self.dtype = dtype or dtypes.from_np(self._array.dtype)
        self.shape = self._array.shape
        self.requires_grad = requires_grad or grad_fn is not None
        self.grad_fn = None if grad_fn is None else _Node(grad_fn)
        self.is_leaf = grad_fn is None
        self.device = dev


def _same(torch, make):
    """``make(module)`` builds one tensor in torch and in jtorch: both must print alike."""
    expected, got = repr(make(torch)), make(jtorch)
    assert repr(got) == expected, f"torch printed:\n{expected}\njtorch printed:\n{got!r}"
    assert str(got) == expected


def _tensor(data, dtype):
    return lambda m: m.tensor(data, dtype=getattr(m, dtype))


@pytest.fixture(autouse=True)
def _restore_options():
    """Every test starts from the default options of both libraries and cannot leak its own."""
    yield
    _printing.set_printoptions(profile="default")
    dtypes.set_default_dtype(dtypes.float32)
    try:
        import torch
    except ImportError:
        return
    torch.set_printoptions(profile="default")
    torch.set_default_dtype(torch.float32)


def _set_both(torch, **options):
    torch.set_printoptions(**options)
    _printing.set_printoptions(**options)


# -- no oracle needed ----------------------------------------------------------------------------


def test_known_strings():
    assert _printing.tensor_repr(Tensor(np.float32(3.5))) == "tensor(3.5000)"
    assert _printing.tensor_repr(Tensor(np.zeros((0, 3), np.float32))) == "tensor([], size=(0, 3))"
    ints = Tensor(np.array([[1, 2], [3, 4]], np.int32))
    assert _printing.tensor_repr(ints) == "tensor([[1, 2],\n        [3, 4]], dtype=torch.int32)"


def test_device_and_grad_suffixes():
    cuda = device("cuda", 0)
    x = np.array([1.0, 2.0], np.float32)
    assert _printing.tensor_repr(Tensor(x, dev=cuda)) == "tensor([1., 2.], device='cuda:0')"
    got = _printing.tensor_repr(Tensor(x, dev=cuda, requires_grad=True))
    assert got == "tensor([1., 2.], device='cuda:0', requires_grad=True)"
    got = _printing.tensor_repr(Tensor(x.astype(np.float64), dev=cuda, grad_fn="AddBackward0"))
    assert got == "tensor([1., 2.], device='cuda:0', dtype=torch.float64, grad_fn=<AddBackward0>)"


def test_printoptions_profiles_and_restore():
    default = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80, "sci_mode": None}
    assert _printing.get_printoptions() == default
    _printing.set_printoptions(profile="short", linewidth=60, sci_mode=True)
    short = {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 60, "sci_mode": True}
    assert _printing.get_printoptions() == short
    _printing.set_printoptions(precision=3)  # NOTE: as in torch, sci_mode falls back to None
    assert _printing.get_printoptions() == {**short, "precision": 3, "sci_mode": None}
    _printing.set_printoptions(profile="full")
    assert _printing.get_printoptions()["threshold"] == math.inf
    _printing.set_printoptions(profile="default")
    with pytest.raises(ZeroDivisionError), _printing.printoptions(precision=1, edgeitems=1):
        assert _printing.get_printoptions()["precision"] == 1
        1 / 0  # noqa: B018
    assert _printing.get_printoptions() == default


# -- against the torch 2.13 oracle -----------------------------------------------------------------

_rng = np.random.default_rng(0)
_spike = np.ones(2000)
_spike[1000] = 1e10  # hidden by summarisation, so it must not switch the print to sci mode

CASES = {
    "int": ([1, -2, 30000], "int64"),
    "int2d": ([[1, 2], [3, 4]], "int64"),
    "int32": ([5, -6], "int32"),
    "int16": ([[7], [-8]], "int16"),
    "int8": ([-128, 127], "int8"),
    "uint8": ([0, 255, 7], "uint8"),
    "bool": ([True, False, True], "bool"),
    "bool2d": ([[True], [False]], "bool"),
    "float": ([1.5, -2.25, 0.125], "float32"),
    "float_round": ([0.00005, 0.99995, 1.23456789], "float32"),
    "ratio_1000": ([0.001, 1.0], "float32"),
    "ratio_sci": ([0.1, 100.0, 1000.0], "float32"),
    "tiny": ([1e-5, 1.0], "float32"),
    "tiny_edge_f32": ([1e-4], "float32"),
    "tiny_edge_f64": ([1e-4], "float64"),
    "big": ([1e8, 1.5], "float32"),
    "big_int_valued": ([1e10, 1.0], "float32"),
    "sci_negative": ([-1e-9, 2e12, 3.0], "float64"),
    "exp3": ([1e-200, 1e200], "float64"),
    "int_valued": ([1.0, 2.0, -300.0], "float32"),
    "neg_zero": ([-0.0], "float32"),
    "neg_zero_mix": ([0.0, -0.0, 1.0], "float32"),
    "zeros": ([0.0, 0.0], "float32"),
    "nan": ([NAN], "float32"),
    "inf_mix": ([INF, -INF, 1.0], "float32"),
    "nan_mix": ([NAN, 1.5, -INF, 0.0], "float32"),
    "inf_sci": ([INF, 1e-8, 1.0], "float32"),
    "float16": ([1.5, 2.0, 0.1], "float16"),
    "float16_range": ([65504.0, 1e-3, -6e-5], "float16"),
    "float64": ([1 / 3, 2 / 3], "float64"),
    "complex": ([1 + 2j, -3.5 - 0j], "complex64"),
    "complex_neg_zero": ([complex(-0.0, -0.0), 1j], "complex64"),
    "complex_sci": ([1e10 + 1j, 2 - 3e-6j], "complex64"),
    "complex_nan": ([complex(NAN, 1), complex(1, INF)], "complex64"),
    "complex128": ([0.5 + 0.25j], "complex128"),
    "scalar": (3.5, "float32"),
    "scalar_zero": (0.0, "float32"),
    "scalar_neg_zero": (-0.0, "float32"),
    "scalar_tiny": (1e-10, "float32"),
    "scalar_nan": (NAN, "float32"),
    "scalar_int": (7, "int64"),
    "scalar_uint8": (7, "uint8"),
    "scalar_bool": (True, "bool"),
    "scalar_complex": (1 - 1j, "complex64"),
    "scalar_float64": (2.0, "float64"),
    "empty": (np.zeros(0), "float32"),
    "empty_2d": (np.zeros((0, 3)), "float32"),
    "empty_3d": (np.zeros((2, 0, 4)), "float32"),
    "empty_int": (np.zeros(0), "int64"),
    "empty_bool": (np.zeros((3, 0)), "bool"),
    "empty_float64": (np.zeros(0), "float64"),
    "empty_complex": (np.zeros(0), "complex64"),
    "wrap_float": (np.arange(30) * 1.1, "float32"),
    "wrap_int": (np.arange(100), "int64"),
    "wrap_suffix": (np.arange(12) * 1.1, "float64"),  # the dtype goes onto its own line
    "wrap_complex": (_rng.normal(size=20) + 1j * _rng.normal(size=20), "complex128"),
    "wide_2d": (_rng.normal(size=(3, 20)), "float32"),
    "nested_3d": (_rng.normal(size=(2, 3, 4)), "float32"),
    "nested_4d": (_rng.normal(size=(2, 2, 2, 3)) * 100, "float64"),
    "nested_5d": (np.arange(32).reshape(2, 2, 2, 2, 2), "int32"),
    "summary_1d": (_rng.normal(size=2000), "float32"),
    "summary_2d": (_rng.normal(size=(40, 40)), "float32"),
    "summary_3d": (_rng.normal(size=(11, 11, 11)), "float64"),
    "summary_narrow": (_rng.normal(size=(1001, 2)), "float32"),
    "summary_sci": (_rng.normal(size=2000) * 1e6, "float32"),
    "summary_spike": (_spike, "float32"),
    "summary_int": (_rng.integers(-1000, 1000, size=(100, 100)), "int64"),
    "summary_bool": (_rng.integers(0, 2, size=1001).astype(bool), "bool"),
    "summary_complex": (_rng.normal(size=1001) + 1j, "complex64"),
}


@pytest.mark.parametrize("data, dtype", CASES.values(), ids=CASES.keys())
def test_matches_torch(torch, data, dtype):
    _same(torch, _tensor(data, dtype))


OPTIONS = {
    "precision2": {"precision": 2},
    "precision0": {"precision": 0},
    "precision8": {"precision": 8},
    "sci_on": {"sci_mode": True},
    "sci_off": {"sci_mode": False},
    "threshold5": {"threshold": 5},
    "edge0": {"threshold": 5, "edgeitems": 0},
    "edge0_unsummarised": {"edgeitems": 0},
    "edge1": {"threshold": 5, "edgeitems": 1},
    "edge5": {"threshold": 5, "edgeitems": 5},
    "linewidth40": {"linewidth": 40},
    "linewidth10": {"linewidth": 10},
    "linewidth120": {"linewidth": 120},
    "short": {"profile": "short"},
    "full": {"profile": "full"},
}
OPTION_DATA = {
    "floats": (_rng.normal(size=(4, 13)) * 10, "float32"),
    "mixed": ([1e-6, 1.0, 123.0, -0.5], "float32"),
    "int_valued": ([[1.0, 200.0], [-3.0, 4.0]], "float64"),
    "ints": (np.arange(24).reshape(2, 3, 4), "int64"),
    "complex": (_rng.normal(size=7) - 1j * _rng.normal(size=7), "complex64"),
    "long": (_rng.normal(size=1200), "float32"),
}


@pytest.mark.parametrize("options", OPTIONS.values(), ids=OPTIONS.keys())
@pytest.mark.parametrize("data, dtype", OPTION_DATA.values(), ids=OPTION_DATA.keys())
def test_printoptions_match_torch(torch, options, data, dtype):
    _set_both(torch, **options)
    assert _printing.get_printoptions() == torch._tensor_str.get_printoptions()
    _same(torch, _tensor(data, dtype))


def test_printoptions_context_matches_torch(torch):
    with torch._tensor_str.printoptions(precision=1), _printing.printoptions(precision=1):
        _same(torch, lambda m: m.tensor([1.25, 2.5]))
    assert _printing.get_printoptions() == torch._tensor_str.get_printoptions()


DEFAULT_DTYPE_DATA = {
    f"{dtype}-{shape}": (data, dtype)
    for dtype, values in [
        ("float32", [1.5, 2.0]),
        ("float64", [1.5, 2.0]),
        ("complex64", [1 + 1j]),
        ("complex128", [1 + 1j]),
        ("int64", [3, 4]),
    ]
    for shape, data in [("1d", values), ("scalar", values[0]), ("empty", [])]
}


@pytest.mark.parametrize("data, dtype", DEFAULT_DTYPE_DATA.values(), ids=DEFAULT_DTYPE_DATA.keys())
def test_default_dtype_float64(torch, data, dtype):
    torch.set_default_dtype(torch.float64)
    dtypes.set_default_dtype(dtypes.float64)
    _same(torch, _tensor(data, dtype))


@pytest.mark.parametrize(
    "make",
    [
        lambda torch: torch.tensor([1.0, 2.0], requires_grad=True),
        lambda torch: torch.tensor(0.5, dtype=torch.float64, requires_grad=True),
        lambda torch: torch.tensor([1.0, 2.0], requires_grad=True) * 2,
        lambda torch: torch.ones(3, dtype=torch.float64, requires_grad=True).sum(),
        lambda torch: torch.ones(2, 0, requires_grad=True) + 1,
        lambda torch: torch.arange(11.0, requires_grad=True).double().exp(),  # suffix wraps
        lambda torch: torch.ones(1200, requires_grad=True).mean(0, keepdim=True).expand(1200),
        lambda torch: torch.arange(12.0).reshape(3, 4).t(),
        lambda torch: torch.arange(3000).reshape(30, 100).t(),
    ],
    ids=["leaf", "leaf_scalar", "mul", "sum", "empty", "wrap", "summarised", "view", "view_big"],
)
def test_built_tensors_match_torch(torch, make):
    _same(torch, make)


def test_subclass_prefix_matches_torch(torch):
    t = torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float64)
    t = t.as_subclass(type("MyTensor", (torch.Tensor,), {}))
    stand_in = type("MyTensor", (Tensor,), {})(t.detach().numpy())
    assert _printing.tensor_repr(stand_in) == repr(t)


_floats = st.one_of(
    st.floats(allow_subnormal=False, width=32),
    st.sampled_from([0.0, -0.0, 1.0, -1.0, 1e-4, 1e8, 1000.0]),
    st.integers(-(10**9), 10**9).map(float),
)


# NOTE: the autouse option-restoring fixture runs once per test, not per example; each example
# sets every option it depends on, so examples cannot leak into each other.
@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    array=hnp.arrays(
        np.float32, hnp.array_shapes(min_dims=0, max_dims=3, max_side=6), elements=_floats
    ),
    precision=st.integers(0, 6),
    sci_mode=st.sampled_from([None, True, False]),
    linewidth=st.sampled_from([30, 80]),
)
def test_random_floats_match_torch(torch, array, precision, sci_mode, linewidth):
    _set_both(torch, precision=precision, sci_mode=sci_mode, linewidth=linewidth, threshold=50)
    _same(torch, lambda m: m.from_numpy(array))


@pytest.mark.parametrize(
    "name", ["float16", "float32", "float64", "bfloat16", "complex64", "complex128", None]
)
def test_finfo(torch, name):
    def info(lib):
        f = lib.finfo(getattr(lib, name)) if name else lib.finfo()
        fields = (f.bits, f.eps, f.max, f.min, f.tiny, f.smallest_normal, f.resolution, f.dtype)
        return repr(f), str(f), fields

    assert info(jtorch) == info(torch)


@pytest.mark.parametrize("name", ["uint8", "int8", "int16", "int32", "int64"])
def test_iinfo(torch, name):
    def info(lib):
        i = lib.iinfo(getattr(lib, name))
        return repr(i), (i.bits, i.min, i.max, i.dtype)

    assert info(jtorch) == info(torch)
