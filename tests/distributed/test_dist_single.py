"""The API in one process (a world of one, as ``python script.py`` without a launcher gives)."""

import importlib.util
from datetime import timedelta

import numpy as np
import pytest
import torch.distributed as tdist

import jtorch
import jtorch.distributed as dist

pytestmark = [
    pytest.mark.distributed,
    pytest.mark.skipif(importlib.util.find_spec("mpi4py") is None, reason="mpi4py missing"),
]


@pytest.fixture
def world():
    dist.init_process_group("mpi", timeout=timedelta(seconds=10))
    yield
    dist.destroy_process_group()


def test_before_init_errors_as_torch():
    assert not dist.is_initialized() and dist.is_available() and dist.is_mpi_available()
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        dist.get_rank()
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        tdist.get_rank()


def test_names_as_torch():
    assert str(dist.ReduceOp.SUM) == str(tdist.ReduceOp.SUM)
    assert repr(dist.ReduceOp.MAX) == repr(tdist.ReduceOp.MAX)
    assert dist.Backend("MPI") == tdist.Backend("MPI") == "mpi"
    assert dist.default_pg_timeout == tdist.default_pg_timeout


def test_nccl_without_cupy_is_a_clear_error():
    if dist.is_nccl_available():
        pytest.skip("NCCL is available here")
    with pytest.raises(RuntimeError, match="Distributed package doesn't have NCCL built in"):
        dist.init_process_group("nccl")
    assert not dist.is_initialized()


def test_world_of_one(world):
    with pytest.raises(ValueError, match="trying to initialize the default process group twice"):
        dist.init_process_group("mpi")
    t = jtorch.arange(4.0)
    dist.all_reduce(t, op=dist.ReduceOp.AVG)
    out = jtorch.zeros(4)
    dist.all_gather_into_tensor(out, t)
    np.testing.assert_array_equal(out.numpy(), [0, 1, 2, 3])
    objs = [None]
    dist.all_gather_object(objs, {"x": 1})
    assert objs == [{"x": 1}]
    assert dist.get_rank() == 0 and dist.get_world_size() == 1
    assert dist.get_backend() == "mpi" and dist.get_process_group_ranks(None) == [0]
    with pytest.raises(ValueError, match="Global rank 3 is not part of group"):
        dist.broadcast(t, src=3)
    work = dist.all_reduce(t, async_op=True)
    assert work.wait() and work.is_completed()


def test_world_size_must_match_the_launcher():
    with pytest.raises(
        ValueError, match="but the MPI launcher started this process as rank 0 of 1"
    ):
        dist.init_process_group("mpi", world_size=2, rank=1)
    assert not dist.is_initialized()
