"""Run under ``mpiexec -n 2`` with a mode: a stalled or failing rank must not hang the other.

- ``stall``: rank 1 never joins the all_reduce; rank 0's blocking all_reduce and an async
  Work.wait() raise RuntimeError after the 1 s timeout, naming the op.
- ``raise``: rank 1 raises before the collective; the job ends at once (the uncaught exception
  aborts every rank) instead of rank 0 waiting for its 30 minute default timeout.
"""

import sys
import time
from datetime import timedelta

import jtorch
import jtorch.distributed as dist

mode = sys.argv[1]
dist.init_process_group("mpi", timeout=timedelta(seconds=1) if mode == "stall" else None)
rank = dist.get_rank()
if mode == "stall":
    if rank == 0:
        for async_op in (False, True):
            start = time.monotonic()
            try:
                work = dist.all_reduce(jtorch.ones(4), async_op=async_op)
                if async_op:
                    work.wait()
            except RuntimeError as e:
                waited = time.monotonic() - start
                assert "all_reduce timed out after 0:00:01" in str(e) and 1 <= waited < 5, (
                    e,
                    waited,
                )
                print(f"rank 0 timed out: {e}", flush=True)
            else:
                raise AssertionError("no timeout")
    else:
        time.sleep(2.5)  # past rank 0's timeouts; then exits without joining
    print(f"rank {rank} done", flush=True)
else:
    if rank == 1:
        raise ValueError("rank 1 failed on purpose")
    dist.all_reduce(jtorch.ones(4))
    print("rank 0 must not get here", flush=True)
