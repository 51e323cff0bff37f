"""Data-parallel training with jtorch.distributed: the same losses on 1 and on 2 processes.

    python demo_notebooks/ddp_demo.py                                            # 1 process
    python -m jtorch.distributed.run --nproc-per-node 2 demo_notebooks/ddp_demo.py  # 2 ranks

Each rank trains a replica on its share of every batch (DistributedSampler; the batch size per
rank is the global batch divided by the world size) and DistributedDataParallel averages the
gradients, so every step sees the same global batch as the one-process run: both print the same
loss per epoch (float64, up to rounding in the last digits).
"""

import jtorch
import jtorch.distributed as dist
from jtorch import nn
from jtorch.nn.parallel import DistributedDataParallel
from jtorch.utils.data import DataLoader, DistributedSampler, TensorDataset

GLOBAL_BATCH = 64


def main() -> None:
    dist.init_process_group("mpi")
    rank, world = dist.get_rank(), dist.get_world_size()

    jtorch.manual_seed(0)  # the same data and initial weights on every rank
    x = jtorch.randn(1024, 10, dtype=jtorch.float64)
    y = (x[:, :3].sum(1, keepdim=True) * x[:, 3:4]).tanh()
    model = nn.Sequential(nn.Linear(10, 32), nn.Tanh(), nn.Linear(32, 1)).double()
    model = DistributedDataParallel(model)
    opt = jtorch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)

    data = TensorDataset(x, y)
    sampler = DistributedSampler(data, shuffle=True, seed=0)
    loader = DataLoader(data, batch_size=GLOBAL_BATCH // world, sampler=sampler)
    for epoch in range(5):
        sampler.set_epoch(epoch)
        total = jtorch.zeros((), dtype=jtorch.float64)
        for xb, yb in loader:
            opt.zero_grad()
            loss = nn.functional.mse_loss(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.detach()
        dist.all_reduce(total, op=dist.ReduceOp.AVG)  # the mean over ranks of per-rank sums
        if rank == 0:
            print(f"epoch {epoch}: mean loss {total.item() / len(loader):.10f}", flush=True)
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
