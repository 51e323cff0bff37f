"""The device-generic API against torch's CPU build: torch.accelerator, get_device_module,
torch.version, and autograd's multithreading setting (no GPU here: both report none)."""

import pytest
from oracle import torch

import jtorch


def _answers(lib) -> dict:
    acc = lib.accelerator
    return {
        "is_available": acc.is_available(),
        "current_accelerator": repr(acc.current_accelerator()),
        "checked": repr(acc.current_accelerator(check_available=True)),
        "device_count": acc.device_count(),
        "module": lib.get_device_module().__name__.split(".", 1)[1],
        "cpu module": lib.get_device_module(lib.device("cpu")).__name__.split(".", 1)[1],
        "cuda module": lib.get_device_module("cuda:0").__name__.split(".", 1)[1],
        "version": (lib.version.__version__.split("+")[0], lib.version.cuda, lib.version.hip),
        "multithreading": lib.autograd.is_multithreading_enabled(),
    }


@pytest.mark.skipif(jtorch.cuda.is_available(), reason="compares with torch's CPU build")
def test_answers_as_torch_cpu_build():
    assert _answers(jtorch) == _answers(torch)


@pytest.mark.skipif(jtorch.cuda.is_available(), reason="compares with torch's CPU build")
@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.accelerator.current_device_index(),
        lambda lib: lib.accelerator.set_device_index(0),
        lambda lib: lib.accelerator.synchronize(),
        lambda lib: lib.accelerator.device_index(0).__enter__(),
        lambda lib: lib.get_device_module("meta"),
    ],
)
def test_errors_without_an_accelerator(call):
    with pytest.raises(RuntimeError) as theirs:
        call(torch)
    with pytest.raises(RuntimeError, match=str(theirs.value)):
        call(jtorch)


def test_device_index_none_changes_nothing():
    for lib in (jtorch, torch):
        with lib.accelerator.device_index(None):
            pass


def test_set_multithreading_enabled_as_call_context_and_decorator():
    for lib in (jtorch, torch):
        ag = lib.autograd
        ag.set_multithreading_enabled(False)
        assert not ag.is_multithreading_enabled()
        ag.set_multithreading_enabled(True)
        with ag.set_multithreading_enabled(False):
            assert not ag.is_multithreading_enabled()
        assert ag.is_multithreading_enabled()
        decorated = ag.set_multithreading_enabled(False)(ag.is_multithreading_enabled)
        assert not decorated() and not ag.is_multithreading_enabled()  # torch leaves it off
        ag.set_multithreading_enabled(True)
