"""Process flags and small utilities added for torch parity (jtorch/_runtime.py, Tensor.new)."""

import pytest
from oracle import check, check_error, torch

import jtorch


@pytest.fixture(autouse=True)
def _restore_flags():
    yield
    for lib in (jtorch, torch):
        lib.use_deterministic_algorithms(False)
        lib.set_float32_matmul_precision("highest")
        lib.set_warn_always(False)
        lib.set_default_dtype(lib.float32)


@pytest.mark.parametrize("mode", ["default", "warn", "error", 0, 1, 2])
def test_deterministic_debug_mode(mode):
    for lib in (jtorch, torch):
        lib.set_deterministic_debug_mode(mode)
    for name in (
        "get_deterministic_debug_mode",
        "are_deterministic_algorithms_enabled",
        "is_deterministic_algorithms_warn_only_enabled",
    ):
        assert getattr(jtorch, name)() == getattr(torch, name)()


def test_deterministic_errors():
    check_error(lambda lib: lib.set_deterministic_debug_mode("loud"))
    check_error(lambda lib: lib.set_deterministic_debug_mode(3))
    jtorch.use_deterministic_algorithms(True, warn_only=True)
    assert jtorch.is_deterministic_algorithms_warn_only_enabled()


def test_matmul_precision_and_warn_always():
    for lib in (jtorch, torch):
        lib.set_float32_matmul_precision("medium")
        lib.set_warn_always(True)
    assert jtorch.get_float32_matmul_precision() == torch.get_float32_matmul_precision()
    assert jtorch.is_warn_always_enabled() and torch.is_warn_always_enabled()
    with pytest.warns(UserWarning, match="has no effect"):
        jtorch.set_float32_matmul_precision("low")
    assert jtorch.get_float32_matmul_precision() == "medium"


def test_devices_and_types():
    assert str(jtorch.get_default_device()) == str(torch.get_default_device()) == "cpu"
    jtorch.set_default_device("cpu")
    jtorch.set_default_device(None)
    with pytest.raises(NotImplementedError):
        jtorch.set_default_device("cuda")
    jtorch.set_default_tensor_type(jtorch.DoubleTensor)
    assert jtorch.get_default_dtype() == jtorch.float64
    jtorch.set_default_tensor_type("torch.FloatTensor")
    assert jtorch.get_default_dtype() == jtorch.float32
    with pytest.raises(TypeError):
        jtorch.set_default_tensor_type("torch.LongTensor")


def test_small_utilities():
    assert jtorch.set_flush_denormal(False) is False
    assert jtorch.is_vulkan_available() is torch.is_vulkan_available() is False
    assert jtorch.init_num_threads() is None
    jtorch.set_anomaly_enabled(True, check_nan=False)
    assert jtorch.is_anomaly_enabled() and not jtorch.is_anomaly_check_nan_enabled()
    jtorch.set_anomaly_enabled(False)
    assert not jtorch.is_anomaly_enabled()


def test_tensor_new():
    check(lambda lib: lib.tensor([1]).new(2, 3).shape, grad=False)
    check(lambda lib: lib.tensor([1, 2]).new([5, 6]), grad=False)
    check(lambda lib: lib.tensor([1.0], dtype=lib.float64).new((1, 2)), grad=False)
    check(lambda lib: lib.tensor([1, 2]).new().shape, grad=False)


def test_extra_names_are_torch_names():
    from jtorch._tensor_methods import METHODS
    from jtorch.ops import extra

    assert not [n for n in extra.__all__ if not hasattr(torch, n)]
    section = METHODS[METHODS.index("addcdiv") :]
    bound = [n for n in section if callable(getattr(extra, n, None))]
    assert not [n for n in bound if not hasattr(torch.Tensor, n)]
    assert all(getattr(jtorch.Tensor, n) is getattr(extra, n) for n in bound)
