"""Run by ``python -m jtorch.distributed.run --nproc-per-node 2``: torchrun's environment."""

import os
import sys

import jtorch
import jtorch.distributed as dist

dist.init_process_group(
    "mpi", rank=int(os.environ["RANK"]), world_size=int(os.environ["WORLD_SIZE"])
)
assert os.environ["LOCAL_RANK"] == os.environ["RANK"] == str(dist.get_rank())
assert os.environ["MASTER_ADDR"] == "127.0.0.1" and os.environ["LOCAL_WORLD_SIZE"] == "2"
t = jtorch.ones(1)
dist.all_reduce(t)
assert t.item() == 2.0 and sys.argv[1:] == ["--flag", "x"], sys.argv
print(f"launched rank {dist.get_rank()} of {dist.get_world_size()}", flush=True)
dist.destroy_process_group()
