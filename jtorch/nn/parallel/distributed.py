"""``nn.parallel.DistributedDataParallel``: one replica per process, gradients averaged in buckets.

At construction rank 0's parameters and buffers are broadcast to every rank. During backward, each
parameter's post-accumulate-grad hook copies its gradient into a flat bucket; a full bucket is
divided by the world size and all-reduced asynchronously (``MPI_Iallreduce``) while backward goes
on computing the other gradients, buckets strictly in index order on every rank (MPI needs the
same order everywhere). The hook that completes the last bucket waits for every reduction and
writes the averages back into ``.grad`` (jtorch's engine has no end-of-backward callback queue,
so the last hook does what torch's ``queue_callback`` does).

Example:
    >>> import jtorch.distributed as dist
    >>> dist.init_process_group("mpi")
    >>> model = DistributedDataParallel(jtorch.nn.Linear(3, 1))
    >>> model(jtorch.ones(2, 3)).sum().backward()
    >>> list(model.state_dict())
    ['module.weight', 'module.bias']
    >>> dist.destroy_process_group()
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np

import jtorch.distributed as dist
from jtorch._tensor import Tensor
from jtorch.autograd.function import AccumulateGrad
from jtorch.autograd.grad_mode import is_grad_enabled
from jtorch.backend import get_array_module
from jtorch.nn.modules.module import Module

__all__ = ["DistributedDataParallel"]

_MB = 1024 * 1024
_FIRST_BUCKET_BYTES = 1 * _MB  # torch's dist._DEFAULT_FIRST_BUCKET_BYTES

_UNFINISHED = (
    "Expected to have finished reduction in the prior iteration before starting a new one. This "
    "error indicates that your module has parameters that were not used in producing loss. You "
    "can enable unused parameter detection by passing the keyword argument "
    "`find_unused_parameters=True` to `torch.nn.parallel.DistributedDataParallel`, and by making "
    "sure all `forward` function outputs participate in calculating loss."
)


class _Bucket:
    """Parameters whose gradients are reduced together through one flat buffer."""

    __slots__ = ("params", "indices", "buffer", "views", "pending", "work")

    def __init__(self, params: list, indices: list[int]) -> None:
        self.params, self.indices = params, indices
        xp = get_array_module(params[0]._array)
        self.buffer = xp.zeros(sum(p.numel() for p in params), params[0]._array.dtype)
        self.views, offset = [], 0
        for p in params:  # each gradient's slot, shaped as the parameter
            n = p.numel()
            self.views.append(Tensor._make(self.buffer[offset : offset + n].reshape(p.shape)))
            offset += n
        self.pending, self.work = 0, None


def _buckets(params: list, first: int, cap: int) -> list[_Bucket]:
    """Reverse registration order (roughly the order backward produces gradients); one dtype
    and device per bucket; the ``first`` bucket small so the first reduction starts early."""
    buckets, current, indices, size, limit = [], [], [], 0, first
    for i in reversed(range(len(params))):
        p = params[i]
        if current and (
            size >= limit
            or p._array.dtype != current[0]._array.dtype
            or type(p._array) is not type(current[0]._array)
        ):
            buckets.append(_Bucket(current, indices))
            current, indices, size, limit = [], [], 0, cap
        current.append(p)
        indices.append(i)
        size += p._array.nbytes
    if current:
        buckets.append(_Bucket(current, indices))
    return buckets


def _tensors(obj) -> Iterator[Tensor]:
    if isinstance(obj, Tensor):
        yield obj
    elif isinstance(obj, (list, tuple)):
        for o in obj:
            yield from _tensors(o)
    elif isinstance(obj, dict):
        for o in obj.values():
            yield from _tensors(o)


def _reachable_leaves(outputs) -> set[int]:
    """ids of the leaf tensors the outputs' graphs reach (one walk over the graph)."""
    seen, leaves = set(), set()
    stack = []
    for t in _tensors(outputs):
        if t.grad_fn is not None:
            stack.append(t.grad_fn)
        elif t.requires_grad:
            leaves.add(id(t))
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        if type(node) is AccumulateGrad:
            leaves.add(id(node.variable))
            continue
        stack.extend(e[0] for e in node.edges if e is not None and e[0] is not None)
    return leaves


class DistributedDataParallel(Module):
    """Data parallelism over the processes of a group, as ``torch.nn.parallel.DistributedDataParallel``.

    ``device_ids``/``output_device`` name the one device of this replica (one process per GPU);
    ``bucket_cap_mb`` (25) sizes the gradient buckets; ``find_unused_parameters`` walks the
    output's graph after each forward and marks parameters it does not reach as ready (their
    gradients stay untouched when no rank used them); ``gradient_as_bucket_view`` makes each
    ``.grad`` a view of its bucket (no copy back); ``broadcast_buffers`` sends rank 0's buffers
    before each forward; ``no_sync()`` accumulates gradients locally.
    """

    def __init__(
        self,
        module: Module,
        device_ids: list | None = None,
        output_device: Any = None,
        dim: int = 0,
        broadcast_buffers: bool | None = True,
        init_sync: bool = True,
        process_group: dist.ProcessGroup | None = None,
        bucket_cap_mb: float | None = None,
        find_unused_parameters: bool = False,
        check_reduction: bool = False,
        gradient_as_bucket_view: bool = False,
        static_graph: bool = False,
        **unsupported: Any,
    ) -> None:
        super().__init__()
        for name, value in unsupported.items():
            if value not in (None, False):
                raise NotImplementedError(f"DistributedDataParallel({name}=...) is not supported")
        self.module, self.dim = module, dim
        self.device_ids, self.output_device = device_ids, output_device
        self.process_group = process_group if process_group is not None else dist._world()
        self.broadcast_buffers = broadcast_buffers is not False
        self.find_unused_parameters = find_unused_parameters
        self.gradient_as_bucket_view, self.static_graph = gradient_as_bucket_view, static_graph
        self.bucket_bytes_cap = int((25 if bucket_cap_mb is None else bucket_cap_mb) * _MB)
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        self._params = [p for p in module.parameters() if p.requires_grad]
        self._buffers_to_sync = list(module.buffers())
        g = self.process_group
        dist._check(
            g,
            "DistributedDataParallel",
            tuple(dist._key(p) for p in module.parameters()),
            "parameters " + ", ".join(dist._describe(p) for p in module.parameters()),
        )
        if init_sync:
            self._sync(list(module.parameters()) + self._buffers_to_sync)
        # NOTE: as torch, the first bucket is 1 MB unless the caller chose the cap
        first = _FIRST_BUCKET_BYTES if bucket_cap_mb is None else self.bucket_bytes_cap
        self._bucket_list = _buckets(self._params, first, self.bucket_bytes_cap)
        for b, bucket in enumerate(self._bucket_list):
            for slot, p in enumerate(bucket.params):
                p.register_post_accumulate_grad_hook(self._hook(b, slot))
        self._reducing = False  # a backward's reduction is under way
        self._next = 0  # the next bucket to launch
        self._marked = 0  # gradients this backward has delivered so far
        self._used: np.ndarray | None = None  # find_unused_parameters: this rank's used mask

    def _sync(self, tensors: list[Tensor]) -> None:
        """Broadcast rank 0's values of ``tensors``: one message per dtype and device."""
        g = self.process_group
        groups: dict = {}
        for t in tensors:
            groups.setdefault((t._array.dtype, type(t._array)), []).append(t)
        for same in groups.values():
            xp = get_array_module(same[0]._array)
            flat = xp.concatenate([t._array.reshape(-1) for t in same])
            tr = dist._transport(g, flat)
            dist._run(
                g,
                "DistributedDataParallel broadcast",
                lambda tr=tr, flat=flat: tr.broadcast(flat, 0),
                None,
                False,
            )
            offset = 0
            for t in same:
                n = t._array.size
                t._array[...] = flat[offset : offset + n].reshape(t._array.shape)
                t._bump()
                offset += n

    # -- forward ------------------------------------------------------------------------------
    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        if self._reducing and self._marked:
            raise RuntimeError(_UNFINISHED)
        if self.require_forward_param_sync and self.broadcast_buffers and self._buffers_to_sync:
            self._sync(self._buffers_to_sync)
        output = self.module(*inputs, **kwargs)
        if is_grad_enabled() and self.require_backward_grad_sync:
            self.require_forward_param_sync = True
            self._prepare_for_backward(output)
        else:
            self.require_forward_param_sync = False
            self._reducing = False
        return output

    def _prepare_for_backward(self, output) -> None:
        for bucket in self._bucket_list:
            bucket.pending, bucket.work = len(bucket.params), None
        self._next, self._reducing, self._marked = 0, True, 0
        if not self.find_unused_parameters:
            self._used = None
            return
        reached = _reachable_leaves(output)
        self._used = np.array([id(p) in reached for p in self._params], np.uint8)
        for b, bucket in enumerate(self._bucket_list):
            for slot, i in enumerate(bucket.indices):
                if not self._used[i]:
                    bucket.views[slot]._array[...] = 0
                    self._ready(b)

    # -- backward -----------------------------------------------------------------------------
    def _hook(self, b: int, slot: int):
        def hook(p: Tensor) -> None:
            if not self._reducing:
                return  # no_sync(), or a backward without a synced forward
            bucket = self._bucket_list[b]
            view = bucket.views[slot]
            self._marked += 1
            if p._grad is not view:
                view._array[...] = p._grad._array
                if self.gradient_as_bucket_view:
                    p._grad = view
            self._ready(b)

        return hook

    def _ready(self, b: int) -> None:
        bucket = self._bucket_list[b]
        bucket.pending -= 1
        if self._next and not self._bucket_list[self._next - 1].work._done:
            # NOTE: MPI advances non-blocking collectives only inside MPI calls: testing the
            # latest reduction at each gradient is what makes them overlap with backward.
            self._bucket_list[self._next - 1].work.is_completed()
        if bucket.pending:
            return
        g, buckets = self.process_group, self._bucket_list
        while self._next < len(buckets) and not buckets[self._next].pending:
            launch = buckets[self._next]
            launch.buffer /= g.size()
            tr = dist._transport(g, launch.buffer)
            start = lambda tr=tr, buf=launch.buffer: tr.all_reduce(buf, dist.RedOpType.SUM)  # noqa: E731
            launch.work = dist._run(g, "DistributedDataParallel all_reduce", start, None, True)
            self._next += 1
        if self._next == len(buckets):
            self._finish()

    def _finish(self) -> None:
        """Wait for every bucket's reduction and store the averaged gradients."""
        g = self.process_group
        used = self._used
        if used is not None:  # a parameter some rank used gets its gradient everywhere
            dist._run(
                g,
                "DistributedDataParallel",
                lambda: g._mpi.all_reduce(used, dist.RedOpType.MAX),
                None,
                False,
            )
        for bucket in self._bucket_list:
            bucket.work.wait()
            for p, view, i in zip(bucket.params, bucket.views, bucket.indices):
                if used is not None and not used[i]:
                    continue
                if p._grad is view:
                    continue
                if self.gradient_as_bucket_view:
                    p._grad = view
                elif p._grad is None:
                    p._grad = Tensor._make(view._array.copy())
                else:
                    p._grad._array[...] = view._array
        self._reducing = False

    @contextlib.contextmanager
    def no_sync(self) -> Iterator[None]:
        """Inside, backward accumulates gradients locally; the first backward after syncs them.

        Example:
            >>> with ddp.no_sync():  # doctest: +SKIP
            ...     ddp(x).sum().backward()  # no communication
        """
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old
