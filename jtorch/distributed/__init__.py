"""``torch.distributed`` on MPI (mpi4py) for CPU tensors and NCCL (``cupy.cuda.nccl``) for GPUs.

Launch one process per rank with ``python -m jtorch.distributed.run --nproc-per-node N
train.py`` (or ``mpiexec -n N python train.py``); ``init_process_group("mpi")`` takes the rank
and world size from the MPI launcher. Collectives work in place on the tensor's own array (a
contiguous tensor goes to MPI without a copy) and, like torch's, are not recorded by autograd:
they bump the version counter of the tensors they write.

Every op is a non-blocking transport call polled against the group's ``timeout``: a rank that
stalls or never joins makes the others raise ``RuntimeError`` naming the op and the timeout, and
an uncaught exception on any rank aborts the whole job (as ``python -m mpi4py`` and torchrun do)
instead of leaving its peers waiting. Collectives whose tensors must match across ranks check
shape and dtype first with one 16-byte all-reduce (``JTORCH_DISTRIBUTED_CHECKS=0`` turns it off).

Example (a world of one process, as ``python script.py`` without a launcher gives):
    >>> import jtorch.distributed as dist
    >>> dist.init_process_group("mpi")
    >>> t = jtorch.arange(4.0)
    >>> dist.all_reduce(t, op=dist.ReduceOp.SUM); t
    tensor([0., 1., 2., 3.])
    >>> dist.get_rank(), dist.get_world_size()
    (0, 1)
    >>> dist.destroy_process_group()
"""

from __future__ import annotations

import enum
import importlib.util
import os
import pickle
import sys
import time
import warnings
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import numpy as np

from jtorch._tensor import Tensor
from jtorch.backend import get_array_module
from jtorch.distributed import _mpi
from jtorch.distributed._work import Work

__all__ = [
    "Backend",
    "GroupMember",
    "ProcessGroup",
    "ReduceOp",
    "Work",
    "all_gather",
    "all_gather_into_tensor",
    "all_gather_object",
    "all_reduce",
    "all_to_all",
    "all_to_all_single",
    "barrier",
    "broadcast",
    "broadcast_object_list",
    "default_pg_timeout",
    "destroy_process_group",
    "gather",
    "gather_object",
    "get_backend",
    "get_global_rank",
    "get_group_rank",
    "get_process_group_ranks",
    "get_rank",
    "get_world_size",
    "group",
    "init_process_group",
    "irecv",
    "is_available",
    "is_gloo_available",
    "is_initialized",
    "is_mpi_available",
    "is_nccl_available",
    "isend",
    "monitored_barrier",
    "new_group",
    "recv",
    "reduce",
    "reduce_scatter",
    "reduce_scatter_tensor",
    "scatter",
    "scatter_object_list",
    "send",
]

default_pg_timeout = timedelta(minutes=30)


class Backend(str):
    """A backend name, as ``torch.distributed.Backend``: ``Backend("MPI") == "mpi"``."""

    UNDEFINED = "undefined"
    GLOO = "gloo"
    MPI = "mpi"
    NCCL = "nccl"

    def __new__(cls, name: str) -> Backend:
        if not isinstance(name, str):
            raise ValueError(f"Backend constructor parameter must be string-ish, but got: {name}")
        value = name.lower()
        if value not in ("mpi", "nccl", "gloo") and ":" not in value:
            raise ValueError(f"Invalid backend: '{name}'")
        return str.__new__(cls, value)


class RedOpType(enum.IntEnum):
    __str__ = enum.Enum.__str__  # "RedOpType.SUM", as torch prints it

    SUM = 0
    AVG = 1
    PRODUCT = 2
    MIN = 3
    MAX = 4
    BAND = 5
    BOR = 6
    BXOR = 7
    PREMUL_SUM = 8


class ReduceOp:
    """The reduction of ``all_reduce``/``reduce``/``reduce_scatter``, as torch's.

    Example:
        >>> from jtorch.distributed import ReduceOp
        >>> ReduceOp.MAX
        <RedOpType.MAX: 4>
    """

    RedOpType = RedOpType
    SUM, AVG, PRODUCT, MIN, MAX = (RedOpType.SUM, RedOpType.AVG, RedOpType.PRODUCT,
                                   RedOpType.MIN, RedOpType.MAX)  # fmt: skip
    BAND, BOR, BXOR, PREMUL_SUM = (
        RedOpType.BAND,
        RedOpType.BOR,
        RedOpType.BXOR,
        RedOpType.PREMUL_SUM,
    )


class ProcessGroup:
    """The ranks of one communicator: ``rank()``, ``size()``; CPU tensors travel over MPI and
    CUDA tensors over NCCL when the group's backend is ``"nccl"``."""

    def __init__(self, mpi, nccl, ranks: list[int], timeout: timedelta, backend: str) -> None:
        self._mpi, self._nccl, self._ranks = mpi, nccl, ranks
        self._timeout, self._backend = timeout, Backend(backend)
        self._to_group = {r: i for i, r in enumerate(ranks)}

    def rank(self) -> int:
        return self._mpi.rank

    def size(self) -> int:
        return len(self._ranks)

    def name(self) -> str:
        return self._backend.upper()

    def __repr__(self) -> str:
        return f"ProcessGroup(backend={self._backend!r}, ranks={self._ranks})"


class GroupMember:
    """``WORLD`` (the default group once initialised) and ``NON_GROUP_MEMBER`` (what
    ``new_group`` returns on ranks outside the new group)."""

    WORLD: ProcessGroup | None = None
    NON_GROUP_MEMBER = object()


group = GroupMember  # torch.distributed.group.WORLD

_groups: list[ProcessGroup] = []
_checks = True
_previous_excepthook = None


# -- the process group's lifetime -------------------------------------------------------------
def is_available() -> bool:
    """True: the package is always importable (transports load on ``init_process_group``)."""
    return True


def is_mpi_available() -> bool:
    """Whether mpi4py is installed (the ``jtorch[distributed]`` extra)."""
    return importlib.util.find_spec("mpi4py") is not None


def is_nccl_available() -> bool:
    """Whether CuPy with NCCL and a GPU are present."""
    from jtorch.distributed._nccl import nccl_module  # noqa: PLC0415

    return nccl_module() is not None


def is_gloo_available() -> bool:
    return False


def is_initialized() -> bool:
    """Whether ``init_process_group`` has run (and ``destroy_process_group`` has not)."""
    return GroupMember.WORLD is not None


def _backend_name(backend: str | None) -> str:
    """ "mpi" or "nccl"; "gloo" runs on MPI; "cpu:gloo,cuda:nccl" is NCCL for CUDA tensors."""
    name = "mpi" if backend is None else str(Backend(backend))
    if ":" in name or name == "gloo":
        return "nccl" if "nccl" in name else "mpi"
    return name


def _abort_on_uncaught(exc_type, exc, tb) -> None:
    """Print the traceback, then abort every rank: peers must not wait for a dead rank."""
    _previous_excepthook(exc_type, exc, tb)
    sys.stderr.flush()
    # NOTE: Abort kills every rank at once, output still in the launcher's pipes included; a
    # moment's pause lets mpiexec forward the traceback first.
    time.sleep(0.5)
    _mpi.MPI.COMM_WORLD.Abort(1)


def init_process_group(
    backend: str | None = None,
    init_method: str | None = None,
    timeout: timedelta | None = None,
    world_size: int = -1,
    rank: int = -1,
    store: Any = None,
    group_name: str = "",
    pg_options: Any = None,
    device_id: Any = None,
) -> None:
    """Join the default process group of every rank the MPI launcher started.

    ``backend`` is ``"mpi"`` (CPU tensors; ``"gloo"`` is taken as a synonym) or ``"nccl"``
    (CUDA tensors over NCCL, CPU tensors and objects over MPI). Rank and world size come from
    the launcher; ``world_size``/``rank``, when given, must agree with it. ``init_method`` and
    ``store`` are accepted for torch compatibility: MPI does its own rendezvous.

    Example:
        >>> import jtorch.distributed as dist
        >>> dist.init_process_group("mpi", timeout=timedelta(seconds=60))
        >>> dist.is_initialized(), dist.get_backend()
        (True, 'mpi')
        >>> dist.destroy_process_group()
    """
    global _checks, _previous_excepthook
    if GroupMember.WORLD is not None:
        raise ValueError("trying to initialize the default process group twice!")
    name = _backend_name(backend)
    if not is_mpi_available():
        raise RuntimeError(
            "jtorch.distributed needs mpi4py and an MPI runtime: pip install 'jtorch[distributed]'"
        )
    if name == "nccl" and not is_nccl_available():
        raise RuntimeError("Distributed package doesn't have NCCL built in")
    MPI = _mpi.load()
    size, me = MPI.COMM_WORLD.Get_size(), MPI.COMM_WORLD.Get_rank()
    if world_size not in (-1, size) or rank not in (-1, me):
        raise ValueError(
            f"init_process_group(world_size={world_size}, rank={rank}) but the MPI launcher "
            f"started this process as rank {me} of {size}: launch with "
            f"`python -m jtorch.distributed.run --nproc-per-node {max(world_size, 1)} script.py` "
            f"or `mpiexec -n {max(world_size, 1)} python script.py`"
        )
    # NOTE: a duplicate of COMM_WORLD keeps jtorch's traffic apart from the program's own
    # mpi4py calls, and can be freed by destroy_process_group (MPI itself cannot re-initialise).
    mpi = _mpi.MPIBackend(MPI.COMM_WORLD.Dup())
    world = _make_group(mpi, name, list(range(size)), timeout or default_pg_timeout)
    GroupMember.WORLD = world
    _groups.append(world)
    _checks = os.environ.get("JTORCH_DISTRIBUTED_CHECKS", "1") != "0"
    if size > 1 and _previous_excepthook is None:
        _previous_excepthook, sys.excepthook = sys.excepthook, _abort_on_uncaught


def _make_group(mpi, name: str, ranks: list[int], timeout: timedelta) -> ProcessGroup:
    nccl = None
    if name == "nccl":
        from jtorch.distributed._nccl import NCCLBackend  # noqa: PLC0415

        nccl = NCCLBackend(mpi)
    return ProcessGroup(mpi, nccl, ranks, timeout, name)


def destroy_process_group(group: ProcessGroup | None = None) -> None:
    """Free one group's communicators, or with no argument every group (the default too)."""
    global _previous_excepthook
    _world()
    for g in list(_groups) if group is None or group is GroupMember.WORLD else [group]:
        if g not in _groups:
            raise ValueError("Invalid process group specified")
        _groups.remove(g)
        if g._nccl is not None:
            g._nccl.free()
        g._mpi.free()
    if not _groups:
        GroupMember.WORLD = None
        if _previous_excepthook is not None:
            sys.excepthook, _previous_excepthook = _previous_excepthook, None


def _world() -> ProcessGroup:
    if GroupMember.WORLD is None:
        raise ValueError(
            "Default process group has not been initialized, please make sure to call "
            "init_process_group."
        )
    return GroupMember.WORLD


def new_group(
    ranks: list[int] | None = None,
    timeout: timedelta | None = None,
    backend: str | None = None,
    pg_options: Any = None,
    use_local_synchronization: bool = False,
    group_desc: str | None = None,
    device_id: Any = None,
    sort_ranks: bool = True,
):
    """A group of some of the world's ranks; every rank of the world must call it.

    Ranks outside the group get ``GroupMember.NON_GROUP_MEMBER``.
    """
    world = _world()
    ranks = list(range(world.size())) if ranks is None else list(ranks)
    if sort_ranks:
        ranks.sort()
    if len(set(ranks)) != len(ranks) or any(r < 0 or r >= world.size() for r in ranks):
        raise ValueError(
            "The new group's rank should be within the world_size set by init_process_group"
        )
    mpi = world._mpi.split(ranks)
    if mpi is None:
        return GroupMember.NON_GROUP_MEMBER
    name = _backend_name(backend) if backend is not None else world._backend
    g = _make_group(mpi, name, ranks, timeout or world._timeout)
    _groups.append(g)
    return g


def _group(group, op: str) -> ProcessGroup | None:
    """The group an op runs on, or None (with torch's warning) on a rank outside it."""
    if group is None or group is GroupMember.WORLD:
        return _world()
    if group is GroupMember.NON_GROUP_MEMBER:
        warnings.warn(
            f"Running {op} on global rank {_world().rank()} which does not belong to the given "
            "group.",
            stacklevel=3,
        )
        return None
    return group


def get_rank(group: ProcessGroup | None = None) -> int:
    """This process's rank in ``group`` (the world by default); -1 outside the group."""
    if group is GroupMember.NON_GROUP_MEMBER:
        return -1
    return (group or _world()).rank()


def get_world_size(group: ProcessGroup | None = None) -> int:
    """The number of ranks in ``group``; -1 outside the group."""
    if group is GroupMember.NON_GROUP_MEMBER:
        return -1
    return (group or _world()).size()


def get_backend(group: ProcessGroup | None = None) -> Backend:
    return (group or _world())._backend


def get_process_group_ranks(group: ProcessGroup | None) -> list[int]:
    return list((group or _world())._ranks)


def get_global_rank(group: ProcessGroup, group_rank: int) -> int:
    g = group or _world()
    if not 0 <= group_rank < g.size():
        raise ValueError(f"Group rank {group_rank} is not part of group {g}")
    return g._ranks[group_rank]


def get_group_rank(group: ProcessGroup, global_rank: int) -> int:
    g = group or _world()
    if global_rank not in g._to_group:
        raise ValueError(f"Global rank {global_rank} is not part of group {g}")
    return g._to_group[global_rank]


def _root(g: ProcessGroup, rank: int | None, group_rank: int | None) -> int:
    """The group rank of ``src``/``dst`` given as a global rank or as ``group_*``."""
    if group_rank is not None:
        if rank is not None:
            raise ValueError("Can't specify both group_rank and global_rank")
        return group_rank
    if rank is None:
        raise ValueError("Must specify global_rank or group_rank")
    return get_group_rank(g, rank)


# -- buffers ------------------------------------------------------------------------------------
def _transport(g: ProcessGroup, array):
    """NCCL for CuPy arrays of an NCCL group, else MPI."""
    return g._nccl if g._nccl is not None and type(array) is not np.ndarray else g._mpi


def _out(g: ProcessGroup, t: Tensor, name: str):
    """(transport, buffer, writeback): the buffer is ``t``'s own array when it is contiguous
    (then writeback is None), else a contiguous copy that ``writeback()`` stores into ``t``."""
    if not isinstance(t, Tensor):
        raise TypeError(f"{name}: expected a Tensor, got {type(t).__name__}")
    a = t._array
    t._bump()
    transport = _transport(g, a)
    if type(a) is not np.ndarray and transport is g._mpi:  # CUDA tensor over MPI: via the host
        host = a.get()
        return transport, host, lambda: _store(a, host)
    if a.flags.c_contiguous and (type(a) is not np.ndarray or a.flags.writeable):
        return transport, a, None
    buf = np.ascontiguousarray(a) if type(a) is np.ndarray else a.copy()
    return transport, buf, lambda: _store(a, buf)


def _store(dst, src) -> None:
    """``dst[...] = src``, moving ``src`` to ``dst``'s device first."""
    dst[...] = src if type(dst) is type(src) else get_array_module(dst).asarray(src)


def _in(g: ProcessGroup, t: Tensor):
    """(transport, contiguous array) of an input tensor, as the transport wants it."""
    a = t._array
    transport = _transport(g, a)
    if type(a) is not np.ndarray and transport is g._mpi:
        return transport, a.get()
    return transport, a if a.flags.c_contiguous else a.copy()


def _key(t: Tensor) -> tuple:
    return (t._array.dtype.num, *t._array.shape)


def _describe(t: Tensor) -> str:
    return f"{t.dtype} {list(t.shape)}"


def _run(g: ProcessGroup, name: str, start: Callable, then: Callable | None, async_op: bool):
    """Start an op (``start()`` returns its poll) as a ``Work``; wait on it unless async."""
    try:
        test = start()
    except Exception as exc:  # the transport refused the arguments (e.g. MPI_ERR_OP)
        raise RuntimeError(f"{name} failed: {exc}") from exc
    work = Work(test, name, g._ranks[g.rank()], g._timeout, then)
    if async_op:
        return work
    work.wait()
    return None


def _chain(*fns: Callable | None) -> Callable | None:
    fns = tuple(f for f in fns if f is not None)
    if not fns:
        return None
    if len(fns) == 1:
        return fns[0]
    return lambda: [f() for f in fns][-1]


def _check(g: ProcessGroup, name: str, key: tuple, describe: str) -> None:
    """Raise the same clear error on every rank unless all passed the same ``key``."""
    if not _checks or g.size() == 1:
        return
    # NOTE: one 16-byte MIN-reduction of (k, -k) gives min(k) and -max(k) at once: all ranks
    # agree exactly when they are equal. Only on a mismatch are the descriptions gathered.
    k = hash(key) & ((1 << 62) - 1)
    buf = np.array([k, -k], np.int64)
    _run(g, name, lambda: g._mpi.all_reduce(buf, RedOpType.MIN), None, False)
    if buf[0] != -buf[1]:
        seen = _all_gather_bytes(g, name, describe.encode())
        raise RuntimeError(
            f"{name}: tensors differ across ranks (every rank must pass the same shape and "
            "dtype): " + ", ".join(f"rank {r} has {d.decode()}" for r, d in zip(g._ranks, seen))
        )


def _reduce_op(op) -> RedOpType:
    op = RedOpType(int(op))
    if op is RedOpType.PREMUL_SUM:
        raise ValueError("PREMUL_SUM is only supported by the nccl backend's reduce_scatter")
    return op


def _averaged(op: RedOpType, buf, size: int) -> Callable | None:
    """What AVG adds after the SUM: the division by the group's size (floor for integers)."""
    if op is not RedOpType.AVG:
        return None
    if buf.dtype.kind in "fc":
        return lambda: buf.__itruediv__(size)
    return lambda: buf.__ifloordiv__(size)


# -- collectives ----------------------------------------------------------------------------------
def all_reduce(tensor: Tensor, op=ReduceOp.SUM, group: ProcessGroup | None = None, async_op=False):
    """Reduce ``tensor`` over every rank of the group, in place on every rank.

    Example:
        >>> dist.init_process_group("mpi")  # doctest: +SKIP
        >>> t = jtorch.ones(3) * (dist.get_rank() + 1)  # doctest: +SKIP
        >>> dist.all_reduce(t); t  # on 2 ranks  # doctest: +SKIP
        tensor([3., 3., 3.])
    """
    g = _group(group, "all_reduce")
    if g is None:
        return None
    op = _reduce_op(op)
    _check(g, "all_reduce", _key(tensor), _describe(tensor))
    tr, buf, writeback = _out(g, tensor, "all_reduce")
    then = _chain(_averaged(op, buf, g.size()), writeback)
    return _run(g, "all_reduce", lambda: tr.all_reduce(buf, op), then, async_op)


def broadcast(tensor: Tensor, src=None, group=None, async_op=False, group_src=None):
    """Copy ``tensor`` of rank ``src`` into ``tensor`` of every other rank."""
    g = _group(group, "broadcast")
    if g is None:
        return None
    root = _root(g, src, group_src)
    _check(g, "broadcast", _key(tensor), _describe(tensor))
    tr, buf, writeback = _out(g, tensor, "broadcast")
    return _run(g, "broadcast", lambda: tr.broadcast(buf, root), writeback, async_op)


def reduce(tensor: Tensor, dst=None, op=ReduceOp.SUM, group=None, async_op=False, group_dst=None):
    """Reduce ``tensor`` over the group into ``tensor`` of rank ``dst`` (others keep theirs)."""
    g = _group(group, "reduce")
    if g is None:
        return None
    root, op = _root(g, dst, group_dst), _reduce_op(op)
    _check(g, "reduce", _key(tensor), _describe(tensor))
    tr, buf, writeback = _out(g, tensor, "reduce")
    then = _chain(_averaged(op, buf, g.size()), writeback) if g.rank() == root else None
    return _run(g, "reduce", lambda: tr.reduce(buf, op, root), then, async_op)


def _scatter_out(outputs: list, flat) -> Callable:
    """Copy the rows of ``flat`` (one per output) into the output tensors."""

    def then() -> None:
        for t, row in zip(outputs, flat.reshape(len(outputs), -1)):
            _store(t._array, row.reshape(t._array.shape))

    return then


def _check_list(name: str, tensors: list, n: int, like: Tensor, what: str) -> None:
    if len(tensors) != n:
        raise ValueError(f"{name}: {what} must hold one tensor per rank ({n}), got {len(tensors)}")
    for t in tensors:
        if t.shape != like.shape or t.dtype != like.dtype:
            raise ValueError(
                f"{name}: every tensor of {what} must have the shape and dtype of the input "
                f"({_describe(like)}), got {_describe(t)}"
            )


def all_gather(tensor_list: list, tensor: Tensor, group=None, async_op=False):
    """``tensor_list[r]`` receives ``tensor`` of rank r."""
    g = _group(group, "all_gather")
    if g is None:
        return None
    _check_list("all_gather", tensor_list, g.size(), tensor, "tensor_list")
    _check(g, "all_gather", _key(tensor), _describe(tensor))
    tr, send = _in(g, tensor)
    recv = get_array_module(send).empty((g.size(), *send.shape), send.dtype)
    for t in tensor_list:
        t._bump()
    then = _scatter_out(tensor_list, recv)
    return _run(g, "all_gather", lambda: tr.all_gather(send, recv), then, async_op)


def all_gather_into_tensor(output_tensor: Tensor, input_tensor: Tensor, group=None, async_op=False):
    """Rank r's ``input_tensor`` becomes chunk r of ``output_tensor`` (stacked or concatenated)."""
    g = _group(group, "all_gather_into_tensor")
    if g is None:
        return None
    if output_tensor.numel() != input_tensor.numel() * g.size():
        raise ValueError(
            "all_gather_into_tensor: output tensor size must be equal to world_size times input "
            "tensor size"
        )
    _check(g, "all_gather_into_tensor", _key(input_tensor), _describe(input_tensor))
    tr, send = _in(g, input_tensor)
    _, recv, writeback = _out(g, output_tensor, "all_gather_into_tensor")
    return _run(g, "all_gather_into_tensor", lambda: tr.all_gather(send, recv), writeback, async_op)


def gather(tensor: Tensor, gather_list=None, dst=None, group=None, async_op=False, group_dst=None):
    """Rank ``dst`` receives every rank's ``tensor`` into ``gather_list``."""
    g = _group(group, "gather")
    if g is None:
        return None
    root = _root(g, 0 if dst is None and group_dst is None else dst, group_dst)
    mine = g.rank() == root
    if mine:
        _check_list("gather", gather_list or [], g.size(), tensor, "gather_list")
    elif gather_list:
        raise ValueError("Argument ``gather_list`` must NOT be specified on non-destination ranks.")
    _check(g, "gather", _key(tensor), _describe(tensor))
    tr, send = _in(g, tensor)
    recv, then = None, None
    if mine:
        recv = get_array_module(send).empty((g.size(), *send.shape), send.dtype)
        for t in gather_list:
            t._bump()
        then = _scatter_out(gather_list, recv)
    return _run(g, "gather", lambda: tr.gather(send, recv, root), then, async_op)


def scatter(
    tensor: Tensor, scatter_list=None, src=None, group=None, async_op=False, group_src=None
):
    """Rank r receives ``scatter_list[r]`` of rank ``src`` into ``tensor``."""
    g = _group(group, "scatter")
    if g is None:
        return None
    root = _root(g, 0 if src is None and group_src is None else src, group_src)
    send = None
    if g.rank() == root:
        _check_list("scatter", scatter_list or [], g.size(), tensor, "scatter_list")
        xp = get_array_module(tensor._array)
        send = xp.stack([_in(g, t)[1] for t in scatter_list])
    elif scatter_list:
        raise ValueError("Argument ``scatter_list`` must NOT be specified on non-source ranks.")
    _check(g, "scatter", _key(tensor), _describe(tensor))
    tr, recv, writeback = _out(g, tensor, "scatter")
    return _run(g, "scatter", lambda: tr.scatter(send, recv, root), writeback, async_op)


def reduce_scatter(output: Tensor, input_list: list, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``input_list[r]`` over the group into ``output`` of rank r."""
    g = _group(group, "reduce_scatter")
    if g is None:
        return None
    op = _reduce_op(op)
    _check_list("reduce_scatter", input_list, g.size(), output, "input_list")
    _check(g, "reduce_scatter", _key(output), _describe(output))
    tr, recv, writeback = _out(g, output, "reduce_scatter")
    send = get_array_module(recv).stack([_in(g, t)[1] for t in input_list])
    then = _chain(_averaged(op, recv, g.size()), writeback)
    return _run(g, "reduce_scatter", lambda: tr.reduce_scatter(send, recv, op), then, async_op)


def reduce_scatter_tensor(
    output: Tensor, input: Tensor, op=ReduceOp.SUM, group=None, async_op=False
):  # noqa: A002
    """Reduce ``input`` over the group; rank r keeps chunk r of the result in ``output``."""
    g = _group(group, "reduce_scatter_tensor")
    if g is None:
        return None
    op = _reduce_op(op)
    if input.numel() != output.numel() * g.size():
        raise ValueError(
            "reduce_scatter_tensor: input tensor size must be equal to world_size times output "
            "tensor size"
        )
    _check(g, "reduce_scatter_tensor", _key(output), _describe(output))
    tr, send = _in(g, input)
    _, recv, writeback = _out(g, output, "reduce_scatter_tensor")
    then = _chain(_averaged(op, recv, g.size()), writeback)
    return _run(
        g, "reduce_scatter_tensor", lambda: tr.reduce_scatter(send, recv, op), then, async_op
    )


def _exchange_counts(g: ProcessGroup, name: str, send_counts, recv_counts) -> None:
    """Check that what every peer sends this rank is what this rank expects to receive."""
    if not _checks or g.size() == 1:
        return
    coming = np.empty(g.size(), np.int64)
    sent = np.asarray(send_counts, np.int64)
    _run(g, name, lambda: g._mpi.comm.Ialltoall(sent, coming).Test, None, False)
    wrong = np.flatnonzero(coming != np.asarray(recv_counts, np.int64))
    problem = ", ".join(
        f"rank {g._ranks[p]} sends {coming[p]} elements where {recv_counts[p]} are expected"
        for p in wrong
    )
    bad = np.array([len(wrong)], np.int64)
    _run(g, name, lambda: g._mpi.all_reduce(bad, RedOpType.MAX), None, False)
    if bad[0]:
        seen = _all_gather_bytes(g, name, problem.encode())
        raise RuntimeError(
            f"{name}: split sizes differ across ranks: "
            + "; ".join(f"on rank {r}: {p.decode()}" for r, p in zip(g._ranks, seen) if p)
        )


def all_to_all(output_tensor_list: list, input_tensor_list: list, group=None, async_op=False):
    """Rank r sends ``input_tensor_list[p]`` to rank p, which receives it in its
    ``output_tensor_list[r]``."""
    g = _group(group, "all_to_all")
    if g is None:
        return None
    n = g.size()
    if len(input_tensor_list) != n or len(output_tensor_list) != n:
        raise ValueError(f"all_to_all: both tensor lists must hold one tensor per rank ({n})")
    send_counts = [t.numel() for t in input_tensor_list]
    recv_counts = [t.numel() for t in output_tensor_list]
    _exchange_counts(g, "all_to_all", send_counts, recv_counts)
    tr, first = _in(g, input_tensor_list[0])
    xp = get_array_module(first)
    send = xp.concatenate([_in(g, t)[1].reshape(-1) for t in input_tensor_list])
    recv = xp.empty(sum(recv_counts), send.dtype)
    offsets = np.concatenate([[0], np.cumsum(recv_counts)])
    for t in output_tensor_list:
        t._bump()

    def then() -> None:
        for t, lo, hi in zip(output_tensor_list, offsets[:-1], offsets[1:]):
            _store(t._array, recv[lo:hi].reshape(t._array.shape))

    start = lambda: tr.all_to_all(send, send_counts, recv, recv_counts)  # noqa: E731
    return _run(g, "all_to_all", start, then, async_op)


def all_to_all_single(
    output: Tensor,
    input: Tensor,  # noqa: A002
    output_split_sizes=None,
    input_split_sizes=None,
    group=None,
    async_op=False,
):
    """``all_to_all`` on the dim-0 slices of one input and one output tensor."""
    g = _group(group, "all_to_all_single")
    if g is None:
        return None
    n = g.size()
    row_in = input.numel() // max(input.shape[0], 1) if input.dim() else 1
    row_out = output.numel() // max(output.shape[0], 1) if output.dim() else 1

    def counts(splits, t: Tensor, row: int) -> list[int]:
        if splits is None:
            if t.numel() % n:
                raise ValueError(
                    f"all_to_all_single: dim 0 of a tensor of {t.numel()} elements cannot be "
                    f"split equally among {n} ranks"
                )
            return [t.numel() // n] * n
        if len(splits) != n or sum(splits) != (t.shape[0] if t.dim() else 1):
            raise ValueError(
                "all_to_all_single: split sizes must hold one size per rank and add up to dim 0"
            )
        return [int(s) * row for s in splits]

    send_counts = counts(input_split_sizes, input, row_in)
    recv_counts = counts(output_split_sizes, output, row_out)
    _exchange_counts(g, "all_to_all_single", send_counts, recv_counts)
    tr, send = _in(g, input)
    _, recv, writeback = _out(g, output, "all_to_all_single")
    start = lambda: tr.all_to_all(send, send_counts, recv, recv_counts)  # noqa: E731
    return _run(g, "all_to_all_single", start, writeback, async_op)


def barrier(group=None, async_op=False, device_ids=None, timeout: timedelta | None = None):
    """Wait until every rank of the group has reached the barrier."""
    g = _group(group, "barrier")
    if g is None:
        return None
    work = _run(g, "barrier", g._mpi.barrier, None, True)
    if async_op:
        return work
    work.wait(timeout)
    return None


def monitored_barrier(group=None, timeout: timedelta | None = None, wait_all_ranks: bool = False):
    """A barrier that raises ``RuntimeError`` after ``timeout`` (the group's by default)."""
    return barrier(group, timeout=timeout)


# -- point to point -------------------------------------------------------------------------------
def _peer(g: ProcessGroup, rank, group_rank, what: str) -> int:
    peer = _root(g, rank, group_rank)
    if peer == g.rank():
        raise ValueError(
            f"Invalid {what} rank: {what} rank should not be the same as the rank of the "
            "current process."
        )
    return peer


def isend(tensor: Tensor, dst=None, group=None, tag: int = 0, group_dst=None) -> Work | None:
    """Send ``tensor`` to rank ``dst``; returns a ``Work``."""
    g = _group(group, "isend")
    if g is None:
        return None
    peer = _peer(g, dst, group_dst, "destination")
    tr, buf = _in(g, tensor)
    return _run(g, "send", lambda: tr.send(buf, peer, tag), None, True)


def send(tensor: Tensor, dst=None, group=None, tag: int = 0, group_dst=None) -> None:
    """Send ``tensor`` to rank ``dst`` (returns once the data has left this rank's buffer)."""
    work = isend(tensor, dst, group, tag, group_dst)
    if work is not None:
        work.wait()


def irecv(tensor: Tensor, src=None, group=None, tag: int = 0, group_src=None) -> Work | None:
    """Receive into ``tensor`` from rank ``src`` (any rank when None); returns a ``Work``."""
    g = _group(group, "irecv")
    if g is None:
        return None
    peer = None if src is None and group_src is None else _peer(g, src, group_src, "source")
    tr, buf, writeback = _out(g, tensor, "recv")
    test, source = tr.recv(buf, peer, tag)

    def then() -> int:
        if writeback is not None:
            writeback()
        return g._ranks[source()]

    return _run(g, "recv", lambda: test, then, True)


def recv(tensor: Tensor, src=None, group=None, tag: int = 0, group_src=None) -> int:
    """Receive into ``tensor``; returns the sender's rank (-1 outside the group)."""
    work = irecv(tensor, src, group, tag, group_src)
    if work is None:
        return -1
    work.wait()
    return work.result


# -- picklable objects ----------------------------------------------------------------------------
def _wait(g: ProcessGroup, name: str, start: Callable) -> None:
    _run(g, name, start, None, False)


def _all_gather_bytes(g: ProcessGroup, name: str, data: bytes) -> list[bytes]:
    mine = np.frombuffer(data, np.uint8)
    counts = np.empty(g.size(), np.int64)
    _wait(g, name, lambda: g._mpi.all_gather(np.array([mine.size], np.int64), counts))
    recv = np.empty(int(counts.sum()), np.uint8)
    _wait(g, name, lambda: g._mpi.all_gather_v(mine, recv, counts))
    return _split_bytes(recv, counts)


def _split_bytes(flat: np.ndarray, counts: np.ndarray) -> list[bytes]:
    offsets = np.concatenate([[0], np.cumsum(counts)])
    return [flat[lo:hi].tobytes() for lo, hi in zip(offsets[:-1], offsets[1:])]


def broadcast_object_list(object_list: list, src=None, group=None, device=None, group_src=None):
    """Rank ``src``'s ``object_list`` (pickled) replaces the items of every rank's list."""
    g = _group(group, "broadcast_object_list")
    if g is None:
        return None
    root = _root(g, 0 if src is None and group_src is None else src, group_src)
    name = "broadcast_object_list"
    data = np.frombuffer(pickle.dumps(list(object_list)), np.uint8) if g.rank() == root else None
    size = np.array([0 if data is None else data.size], np.int64)
    _wait(g, name, lambda: g._mpi.broadcast(size, root))
    if data is None:
        data = np.empty(int(size[0]), np.uint8)
    _wait(g, name, lambda: g._mpi.broadcast(data, root))
    if g.rank() != root:
        object_list[:] = pickle.loads(data.tobytes())
    return None


def all_gather_object(object_list: list, obj: Any, group=None) -> None:
    """``object_list[r]`` receives rank r's ``obj`` (pickled)."""
    g = _group(group, "all_gather_object")
    if g is None:
        return None
    if len(object_list) != g.size():
        raise ValueError(
            f"all_gather_object: object_list must hold one item per rank ({g.size()}), "
            f"got {len(object_list)}"
        )
    seen = _all_gather_bytes(g, "all_gather_object", pickle.dumps(obj))
    object_list[:] = [pickle.loads(b) for b in seen]
    return None


def gather_object(obj: Any, object_gather_list=None, dst=None, group=None, group_dst=None):
    """Rank ``dst`` receives every rank's ``obj`` into ``object_gather_list``."""
    g = _group(group, "gather_object")
    if g is None:
        return None
    root = _root(g, 0 if dst is None and group_dst is None else dst, group_dst)
    mine, name = g.rank() == root, "gather_object"
    if mine and (object_gather_list is None or len(object_gather_list) != g.size()):
        raise ValueError(
            f"gather_object: object_gather_list must hold one item per rank ({g.size()}) on the "
            "destination rank"
        )
    data = np.frombuffer(pickle.dumps(obj), np.uint8)
    counts = np.empty(g.size(), np.int64) if mine else None
    _wait(g, name, lambda: g._mpi.gather(np.array([data.size], np.int64), counts, root))
    recv = np.empty(int(counts.sum()), np.uint8) if mine else None
    _wait(g, name, lambda: g._mpi.gather_v(data, recv, counts, root))
    if mine:
        object_gather_list[:] = [pickle.loads(b) for b in _split_bytes(recv, counts)]
    return None


def scatter_object_list(
    scatter_object_output_list: list,
    scatter_object_input_list=None,
    src=None,
    group=None,
    group_src=None,
):
    """Rank r's ``scatter_object_output_list[0]`` receives ``scatter_object_input_list[r]`` of
    rank ``src``."""
    g = _group(group, "scatter_object_list")
    if g is None:
        return None
    if not isinstance(scatter_object_output_list, list) or len(scatter_object_output_list) < 1:
        raise ValueError(
            "Expected argument scatter_object_output_list to be a list of size at least 1."
        )
    root = _root(g, 0 if src is None and group_src is None else src, group_src)
    name, send, counts = "scatter_object_list", None, None
    if g.rank() == root:
        if scatter_object_input_list is None or len(scatter_object_input_list) != g.size():
            raise ValueError(
                "scatter_object_list: scatter_object_input_list must hold one item per rank "
                f"({g.size()}) on the source rank"
            )
        pickles = [pickle.dumps(o) for o in scatter_object_input_list]
        counts = np.array([len(p) for p in pickles], np.int64)
        send = np.frombuffer(b"".join(pickles), np.uint8)
    size = np.empty(1, np.int64)
    _wait(g, name, lambda: g._mpi.scatter(counts, size, root))
    recv = np.empty(int(size[0]), np.uint8)
    _wait(g, name, lambda: g._mpi.scatter_v(send, counts, recv, root))
    scatter_object_output_list[0] = pickle.loads(recv.tobytes())
    return None
