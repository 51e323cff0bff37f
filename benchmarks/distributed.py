"""jtorch.distributed against raw mpi4py, and DDP step time at 1 and 2 ranks.

Run: ``OMP_NUM_THREADS=1 .venv/bin/mpiexec -n 2 .venv/bin/python benchmarks/distributed.py`` (the
one-rank DDP time is taken on rank 0 alone, in a group of its own, while the other rank waits;
the no_sync() row is the same step without communication, so the difference is what the
gradient all-reduce costs).

Prints a table on rank 0: all_reduce of 4 MB float32 (jtorch blocking, jtorch with the
shape/dtype check turned off, jtorch async + wait, raw mpi4py ``Allreduce``), and the time of one
DDP training step (forward, backward with bucketed all-reduce, SGD) of a 784-512-512-10 MLP on a
batch of 64 per rank.
"""

from __future__ import annotations

import contextlib
import time

import numpy as np

import jtorch
import jtorch.distributed as dist
from jtorch import nn


def best_times(fns: dict, comm=None, rounds: int = 15, number: int = 10) -> dict:
    """The best over ``rounds`` of the mean time of ``number`` calls of each function; the
    candidates are interleaved round by round (so load changes hit them alike) and the ranks
    of ``comm`` start each batch together."""
    for fn in fns.values():
        for _ in range(3):
            fn()
    best = dict.fromkeys(fns, float("inf"))
    for _ in range(rounds):
        for name, fn in fns.items():
            if comm is not None:
                comm.Barrier()
            start = time.perf_counter()
            for _ in range(number):
                fn()
            best[name] = min(best[name], (time.perf_counter() - start) / number)
    return best


def ddp_step_time(comm, group=None, sync: bool = True) -> float:
    jtorch.manual_seed(0)
    mlp = nn.Sequential(
        nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10)
    )
    model = nn.parallel.DistributedDataParallel(mlp, process_group=group)
    opt = jtorch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = jtorch.randn(64, 784), jtorch.randint(0, 10, (64,))

    def step():
        opt.zero_grad()
        with contextlib.nullcontext() if sync else model.no_sync():
            nn.functional.cross_entropy(model(x), y).backward()
        opt.step()

    return best_times({"step": step}, comm, rounds=5)["step"]


def main() -> None:
    dist.init_process_group("mpi")
    from mpi4py import MPI

    comm, rank, size = MPI.COMM_WORLD, dist.get_rank(), dist.get_world_size()
    n = 4 * 1024 * 1024 // 4
    t, small = jtorch.ones(n), jtorch.ones(2)
    raw = np.ones(n, np.float32)

    def unchecked(tensor):
        dist._checks = False
        dist.all_reduce(tensor)
        dist._checks = True

    rows = best_times(
        {
            "raw mpi4py Allreduce": lambda: comm.Allreduce(MPI.IN_PLACE, raw, MPI.SUM),
            "jtorch all_reduce": lambda: dist.all_reduce(t),
            "jtorch all_reduce(async_op).wait()": lambda: dist.all_reduce(t, async_op=True).wait(),
            "jtorch all_reduce, no shape check": lambda: unchecked(t),
        },
        comm,
    )
    smalls = best_times(
        {"check": lambda: dist.all_reduce(small), "none": lambda: unchecked(small)},
        comm,
        number=200,
    )
    ddp = ddp_step_time(comm)
    local = ddp_step_time(comm, sync=False)
    alone = dist.new_group([0])
    one = ddp_step_time(None, alone) if rank == 0 else None
    comm.Barrier()
    if rank == 0:
        base = rows["raw mpi4py Allreduce"]
        print(f"all_reduce of 4 MB float32 between {size} ranks:")
        for name, sec in rows.items():
            print(f"  {name:<38} {sec * 1e3:8.3f} ms  {sec / base:5.2f}x raw")
        print(
            f"shape/dtype check on a 2-element all_reduce: {smalls['check'] * 1e6:.1f} us vs {smalls['none'] * 1e6:.1f} us without"
        )
        print("DDP step (MLP 784-512-512-10, batch 64 per rank, SGD):")
        print(f"  1 rank   {one * 1e3:8.3f} ms")
        print(f"  {size} ranks  {ddp * 1e3:8.3f} ms")
        print(f"  {size} ranks  {local * 1e3:8.3f} ms  inside no_sync() (no communication)")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
