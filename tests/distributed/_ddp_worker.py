"""Run under ``mpiexec -n 2``: DDP on half batches equals one process on the full batch."""

import numpy as np

import jtorch
import jtorch.distributed as dist
from jtorch import nn
from jtorch.nn.parallel import DistributedDataParallel as DDP

dist.init_process_group("mpi")
rank, size = dist.get_rank(), dist.get_world_size()


def make_model(seed):
    jtorch.manual_seed(seed)
    return nn.Sequential(
        nn.Linear(5, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 3)
    ).double()


jtorch.manual_seed(123)
X, Y = jtorch.randn(8, 5, dtype=jtorch.float64), jtorch.randn(8, 3, dtype=jtorch.float64)
half = slice(rank * 4, rank * 4 + 4)

for opt_name, opt_cls, kw in [
    ("sgd", jtorch.optim.SGD, {"lr": 0.1, "momentum": 0.9}),
    ("adam", jtorch.optim.Adam, {"lr": 0.01}),
]:
    for bucket_view in (False, True):
        ref = make_model(0)
        ref_opt = opt_cls(ref.parameters(), **kw)
        # rank 1 starts from other weights: DDP must broadcast rank 0's
        ddp = DDP(make_model(rank), bucket_cap_mb=0.001, gradient_as_bucket_view=bucket_view)
        assert len(ddp._bucket_list) > 1
        opt = opt_cls(ddp.parameters(), **kw)
        for _step in range(4):
            ref_opt.zero_grad()
            nn.functional.mse_loss(ref(X), Y).backward()
            ref_opt.step()
            opt.zero_grad()
            nn.functional.mse_loss(ddp(X[half]), Y[half]).backward()
            opt.step()
        for (name, p), q in zip(ddp.module.named_parameters(), ref.parameters()):
            np.testing.assert_allclose(
                p.detach().numpy(),
                q.detach().numpy(),
                rtol=1e-10,
                atol=1e-12,
                err_msg=f"{opt_name} {name}",
            )
assert list(ddp.state_dict())[0] == "module.0.weight" and ddp.module is not None

# no_sync: two local half-batch backwards then one synced one equal the full-batch gradient x 1.5
ref, ddp = make_model(0), DDP(make_model(0))
nn.functional.mse_loss(ref(X), Y).backward()
with ddp.no_sync():
    nn.functional.mse_loss(ddp(X[half]), Y[half]).backward()
local = ddp.module[0].weight.grad.clone()
nn.functional.mse_loss(ddp(X[half]), Y[half]).backward()
# the synced gradient is the average over ranks of (local + local) = 2 x full-batch gradient
np.testing.assert_allclose(
    ddp.module[0].weight.grad.numpy(), 2 * ref[0].weight.grad.numpy(), rtol=1e-10
)
other = [None, None]
dist.all_gather_object(other, local.numpy())
assert not np.allclose(other[0], other[1])  # the no_sync gradients were local


# find_unused_parameters: a branch only rank 0 uses
class Branchy(nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.b, self.c = nn.Linear(2, 2), nn.Linear(2, 2), nn.Linear(2, 2)

    def forward(self, x, use_b):
        y = self.a(x)
        return self.b(y) if use_b else y


jtorch.manual_seed(0)
model = DDP(Branchy(), find_unused_parameters=True)
model(jtorch.ones(1, 2), use_b=(rank == 0)).sum().backward()
assert model.module.b.weight.grad is not None  # used on rank 0: averaged on both
assert model.module.c.weight.grad is None  # used nowhere: untouched
g = [None, None]
dist.all_gather_object(g, model.module.b.weight.grad.numpy())
np.testing.assert_array_equal(g[0], g[1])

# without find_unused_parameters an unused parameter leaves the reduction unfinished
model = DDP(Branchy())
model(jtorch.ones(1, 2), use_b=True).sum().backward()
try:
    model(jtorch.ones(1, 2), use_b=True)
except RuntimeError as e:
    assert "Expected to have finished reduction in the prior iteration" in str(e)
else:
    raise AssertionError("no error for an unfinished reduction")

# buffers: rank 0's running stats are broadcast before every forward (momentum 0 keeps them)
bn = DDP(nn.BatchNorm1d(3, momentum=0.0).double())
bn.module.running_mean.fill_(float(rank))
bn(jtorch.randn(4, 3, dtype=jtorch.float64))
np.testing.assert_array_equal(bn.module.running_mean.numpy(), np.zeros(3))
dist.destroy_process_group()
print(f"rank {rank} ok", flush=True)
