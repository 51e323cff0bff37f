"""The NCCL backend: collectives on CuPy arrays through ``cupy.cuda.nccl``.

The communicator is created on the first CUDA tensor a group sees (on that tensor's device, as
torch's ProcessGroupNCCL does); rank 0's NCCL unique id reaches the other ranks through the
group's MPI communicator, which also carries CPU tensors and pickled objects. Ops are enqueued on
the current CuPy stream; each returns the poll of a CUDA event recorded after the op, so
``Work.wait()`` (and a blocking call, which waits at once) honours the group's timeout.

Multi-GPU use: one rank per GPU, each putting its model and data on
``cuda:<LOCAL_RANK>`` under ``python -m jtorch.distributed.run``.

Example:
    >>> backend = NCCLBackend(mpi_backend)  # doctest: +SKIP
    >>> backend.all_reduce(cupy.ones(3), 0)()  # polls the op's completion  # doctest: +SKIP
    True
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

import numpy as np

from jtorch import backend as _backend
from jtorch.distributed._mpi import MPIBackend

__all__ = ["NCCLBackend", "nccl_module"]

Test = Callable[[], bool]


def nccl_module():
    """``cupy.cuda.nccl`` when CuPy, a GPU and NCCL are all present, else None."""
    cp = _backend.cupy_or_none()
    if cp is None:
        return None
    # NOTE: jtorch.backend imported CuPy; this only loads CuPy's own NCCL wrapper submodule.
    try:
        nccl = importlib.import_module(cp.__name__ + ".cuda.nccl")
    except ImportError:
        return None
    return nccl if getattr(nccl, "available", True) else None


class NCCLBackend:
    """An NCCL communicator over the same ranks as ``mpi`` (which bootstraps it)."""

    name = "nccl"

    def __init__(self, mpi: MPIBackend) -> None:
        nccl = nccl_module()
        if nccl is None:
            raise RuntimeError("Distributed package doesn't have NCCL built in")
        self.nccl, self.mpi, self.cp = nccl, mpi, _backend.require_cupy()
        self.rank, self.size = mpi.rank, mpi.size
        self.comm = None
        self._types = {
            np.dtype(np.int8): nccl.NCCL_INT8,
            np.dtype(np.uint8): nccl.NCCL_UINT8,
            np.dtype(np.bool_): nccl.NCCL_UINT8,
            np.dtype(np.int32): nccl.NCCL_INT32,
            np.dtype(np.int64): nccl.NCCL_INT64,
            np.dtype(np.float16): nccl.NCCL_FLOAT16,
            np.dtype(np.float32): nccl.NCCL_FLOAT32,
            np.dtype(np.float64): nccl.NCCL_FLOAT64,
        }
        # ReduceOp values SUM, AVG (SUM + the caller's division), PRODUCT, MIN, MAX
        self._ops = (nccl.NCCL_SUM, nccl.NCCL_SUM, nccl.NCCL_PROD, nccl.NCCL_MIN, nccl.NCCL_MAX)

    def _communicator(self, array):
        if self.comm is None:
            uid = np.zeros(128, np.int64)  # ncclUniqueId: 128 chars, as CuPy's tuple of ints
            if self.rank == 0:
                uid[:] = self.nccl.get_unique_id()
            test = self.mpi.broadcast(uid, 0)
            while not test():
                pass
            # NOTE: one process per GPU: the first tensor's device becomes this process's
            # current device, so the current stream (on which ops are enqueued) is on it.
            self.cp.cuda.Device(array.device.id).use()
            self.comm = self.nccl.NcclCommunicator(self.size, tuple(uid.tolist()), self.rank)
        return self.comm

    def _buffer(self, array) -> tuple:
        """(pointer, count, NCCL datatype); complex arrays travel as pairs of reals."""
        if array.dtype.kind == "c":
            array = array.view(array.real.dtype)
        if array.dtype not in self._types:
            raise RuntimeError(f"the nccl backend does not support dtype {array.dtype}")
        return array.data.ptr, array.size, self._types[array.dtype]

    def _op(self, op: int, array) -> int:
        if op >= len(self._ops):
            raise RuntimeError("the nccl backend supports SUM, AVG, PRODUCT, MIN and MAX")
        if array.dtype == np.bool_:  # 0/1 bytes: SUM and MAX are OR, PRODUCT and MIN are AND
            return self.nccl.NCCL_MAX if op in (0, 1, 4) else self.nccl.NCCL_MIN
        return self._ops[op]

    def _stream(self) -> int:
        return self.cp.cuda.get_current_stream().ptr

    def _done(self) -> Test:
        """The poll of an event recorded on the current stream after the enqueued op."""
        event = self.cp.cuda.Event(disable_timing=True)
        event.record(self.cp.cuda.get_current_stream())
        return lambda: event.done

    # -- collectives on arrays ---------------------------------------------------------------
    def all_reduce(self, array, op: int) -> Test:
        ptr, n, dt = self._buffer(array)
        self._communicator(array).allReduce(ptr, ptr, n, dt, self._op(op, array), self._stream())
        return self._done()

    def broadcast(self, array, root: int) -> Test:
        ptr, n, dt = self._buffer(array)
        self._communicator(array).broadcast(ptr, ptr, n, dt, root, self._stream())
        return self._done()

    def reduce(self, array, op: int, root: int) -> Test:
        ptr, n, dt = self._buffer(array)
        comm = self._communicator(array)
        comm.reduce(ptr, ptr, n, dt, self._op(op, array), root, self._stream())
        return self._done()

    def all_gather(self, send, recv) -> Test:
        ptr, n, dt = self._buffer(send)
        self._communicator(send).allGather(ptr, recv.data.ptr, n, dt, self._stream())
        return self._done()

    def reduce_scatter(self, send, recv, op: int) -> Test:
        ptr, n, dt = self._buffer(recv)
        comm = self._communicator(send)
        comm.reduceScatter(send.data.ptr, ptr, n, dt, self._op(op, recv), self._stream())
        return self._done()

    def _exchange(self, sends: list, recvs: list) -> Test:
        """Grouped point-to-point ops: ``sends``/``recvs`` are (peer, array) pairs."""
        stream = self._stream()
        self.nccl.groupStart()
        try:
            for peer, array in sends:
                self._communicator(array).send(*self._buffer(array), peer, stream)
            for peer, array in recvs:
                self._communicator(array).recv(*self._buffer(array), peer, stream)
        finally:
            self.nccl.groupEnd()
        return self._done()

    def gather(self, send, recv, root: int) -> Test:
        chunks = recv.reshape(self.size, -1) if recv is not None else ()
        recvs = [(peer, chunks[peer]) for peer in range(self.size)] if self.rank == root else []
        return self._exchange([(root, send)], recvs)

    def scatter(self, send, recv, root: int) -> Test:
        chunks = send.reshape(self.size, -1) if send is not None else ()
        sends = [(peer, chunks[peer]) for peer in range(self.size)] if self.rank == root else []
        return self._exchange(sends, [(root, recv)])

    def all_to_all(self, send, send_counts, recv, recv_counts) -> Test:
        s_off = np.concatenate([[0], np.cumsum(send_counts)])
        r_off = np.concatenate([[0], np.cumsum(recv_counts)])
        peers = range(self.size)
        return self._exchange(
            [(p, send[s_off[p] : s_off[p + 1]]) for p in peers if send_counts[p]],
            [(p, recv[r_off[p] : r_off[p + 1]]) for p in peers if recv_counts[p]],
        )

    def barrier(self) -> Test:
        return self.mpi.barrier()

    def send(self, array, dst: int, tag: int) -> Test:
        return self._exchange([(dst, array)], [])

    def recv(self, array, src: int | None, tag: int) -> tuple[Test, Callable]:
        if src is None:
            raise RuntimeError("the nccl backend cannot receive from any source: pass src")
        return self._exchange([], [(src, array)]), lambda: src

    def free(self) -> None:
        if self.comm is not None:
            self.comm.destroy()
            self.comm = None
