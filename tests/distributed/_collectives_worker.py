"""Run under ``mpiexec -n 2``: every collective, async ops, objects and the mismatch errors."""

import sys
from datetime import timedelta

import numpy as np

import jtorch
import jtorch.distributed as dist

dist.init_process_group("mpi", timeout=timedelta(seconds=20))
rank, size = dist.get_rank(), dist.get_world_size()
assert size == 2 and dist.is_initialized() and dist.get_backend() == "mpi"
other = 1 - rank


def eq(t, expected):
    np.testing.assert_array_equal(t.numpy(), np.asarray(expected))


# all_reduce with every op, in place (same array object), bumping the version counter
for op, expected in [
    (dist.ReduceOp.SUM, [3.0, 3.0]),
    (dist.ReduceOp.AVG, [1.5, 1.5]),
    (dist.ReduceOp.PRODUCT, [2.0, 2.0]),
    (dist.ReduceOp.MIN, [1.0, 1.0]),
    (dist.ReduceOp.MAX, [2.0, 2.0]),
]:
    t = jtorch.full((2,), rank + 1.0)
    array, version = t._array, t._version
    dist.all_reduce(t, op=op)
    eq(t, expected)
    assert t._array is array and t._version == version + 1
for op, expected in [(dist.ReduceOp.BAND, 0), (dist.ReduceOp.BOR, 3), (dist.ReduceOp.BXOR, 3)]:
    t = jtorch.tensor([rank + 1], dtype=jtorch.int64)
    dist.all_reduce(t, op=op)
    eq(t, [expected])
b = jtorch.tensor([rank == 0, True])
dist.all_reduce(b, op=dist.ReduceOp.MIN)
eq(b, [False, True])

# a parameter (leaf requiring grad) and a non-contiguous view, written in place
p = jtorch.nn.Parameter(jtorch.ones(3))
dist.all_reduce(p)
eq(p.detach(), [2.0, 2.0, 2.0])
base = jtorch.arange(6.0).view(2, 3) * (rank + 1)
col = base[:, 1]
dist.all_reduce(col)
eq(base, [[0, 3, 2 * (rank + 1)], [3 * (rank + 1), 12, 5 * (rank + 1)]])

# async: a Work with wait/is_completed
t = jtorch.full((1000,), float(rank))
work = dist.all_reduce(t, async_op=True)
assert work.wait() and work.is_completed()
eq(t, np.ones(1000))

t = jtorch.full((3,), float(rank))
dist.broadcast(t, src=1)
eq(t, [1, 1, 1])
t = jtorch.full((2,), rank + 1.0)
dist.reduce(t, dst=0)
eq(t, [3, 3] if rank == 0 else [rank + 1.0] * 2)

out = [jtorch.zeros(2, 2) for _ in range(2)]
dist.all_gather(out, jtorch.full((2, 2), float(rank)))
eq(out[0], np.zeros((2, 2)))
eq(out[1], np.ones((2, 2)))
out = jtorch.zeros(4)
dist.all_gather_into_tensor(out, jtorch.full((2,), float(rank)))
eq(out, [0, 0, 1, 1])
gl = [jtorch.zeros(2) for _ in range(2)] if rank == 0 else None
dist.gather(jtorch.full((2,), rank + 5.0), gl, dst=0)
if rank == 0:
    eq(gl[1], [6, 6])
t = jtorch.zeros(2)
dist.scatter(t, [jtorch.full((2,), 7.0), jtorch.full((2,), 8.0)] if rank == 0 else None, src=0)
eq(t, [7 + rank] * 2)
t = jtorch.zeros(2)
dist.reduce_scatter(t, [jtorch.full((2,), 1.0 + rank), jtorch.full((2,), 10.0)])
eq(t, [3, 3] if rank == 0 else [20, 20])
t = jtorch.zeros(2)
dist.reduce_scatter_tensor(t, jtorch.arange(4.0), op=dist.ReduceOp.AVG)
eq(t, [0, 1] if rank == 0 else [2, 3])

outs = [jtorch.zeros(1 + p) for p in range(2)]  # rank p sends p+1 values... to each
ins = [jtorch.full((1 + rank,), 10.0 * rank + p) for p in range(2)]
dist.all_to_all(outs, ins)
eq(outs[0], [rank] * 1)
eq(outs[1], [10 + rank] * 2)
out = jtorch.zeros(4)
dist.all_to_all_single(out, jtorch.arange(4.0) + 10 * rank)
eq(out, [0, 1, 10, 11] if rank == 0 else [2, 3, 12, 13])
inp = jtorch.arange(3.0) + 10 * rank  # rank 0 sends [1, 2] rows, rank 1 sends [2, 1]
splits_in = [1, 2] if rank == 0 else [2, 1]
splits_out = [1, 2] if rank == 0 else [2, 1]
out = jtorch.zeros(3)
dist.all_to_all_single(out, inp, splits_out, splits_in)
eq(out, [0, 10, 11] if rank == 0 else [1, 2, 12])

# point to point
if rank == 0:
    dist.send(jtorch.arange(3.0), dst=1)
    w = dist.isend(jtorch.ones(2), dst=1, tag=7)
    w.wait()
    t = jtorch.zeros(1)
    assert dist.recv(t) == 1
    eq(t, [42])
else:
    t = jtorch.zeros(3)
    assert dist.recv(t, src=0) == 0
    eq(t, [0, 1, 2])
    t = jtorch.zeros(2)
    w = dist.irecv(t, src=0, tag=7)
    w.wait()
    eq(t, [1, 1])
    dist.send(jtorch.tensor([42.0]), dst=0)

# objects
objs = [{"a": rank}, "x"] if rank == 0 else [None, None]
dist.broadcast_object_list(objs, src=0)
assert objs == [{"a": 0}, "x"], objs
gathered = [None, None]
dist.all_gather_object(gathered, ("r", rank, jtorch.tensor([rank])))
assert gathered[1][:2] == ("r", 1) and gathered[0][2].item() == 0
gl = [None, None] if rank == 0 else None
dist.gather_object(rank * 100, gl, dst=0)
assert rank == 1 or gl == [0, 100]
o = [None]
dist.scatter_object_list(o, ["zero", [1]] if rank == 0 else None, src=0)
assert o[0] == (["zero", [1]][rank])

# groups
sub = dist.new_group([1])
if rank == 1:
    assert dist.get_rank(sub) == 0 and dist.get_world_size(sub) == 1
    t = jtorch.ones(1)
    dist.all_reduce(t, group=sub)
    eq(t, [1])
else:
    assert dist.get_rank(sub) == -1
pair = dist.new_group([0, 1])
t = jtorch.ones(1)
dist.all_reduce(t, group=pair)
eq(t, [2])
assert dist.get_process_group_ranks(pair) == [0, 1] and dist.get_global_rank(pair, 1) == 1

# mismatched shapes / dtypes: the same clear error on every rank, then the group still works
for bad in (
    jtorch.zeros(2 + rank),
    jtorch.zeros(2, dtype=jtorch.float64 if rank else jtorch.float32),
):
    try:
        dist.all_reduce(bad)
    except RuntimeError as e:
        assert "all_reduce: tensors differ across ranks" in str(e) and "rank 1 has" in str(e), e
    else:
        raise AssertionError("no error on mismatched tensors")
try:
    out = jtorch.zeros(3)
    dist.all_to_all_single(out, jtorch.zeros(3), [1, 2], [1, 2] if rank == 0 else [2, 1])
except RuntimeError as e:
    assert "split sizes differ across ranks" in str(e), e
else:
    raise AssertionError("no error on mismatched splits")
try:
    dist.send(jtorch.ones(1), dst=rank)
except ValueError as e:
    assert "should not be the same as the rank of the current process" in str(e)
dist.barrier()
assert dist.barrier(async_op=True).wait()
dist.destroy_process_group()
assert not dist.is_initialized()
print(f"rank {rank} ok", flush=True)
sys.exit(0)
