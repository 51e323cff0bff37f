"""The MPI backend: collectives on NumPy arrays through mpi4py's buffer interface.

Arrays go to MPI as they are (``comm.Iallreduce(MPI.IN_PLACE, array, MPI.SUM)`` on the tensor's
own array): no copies for contiguous tensors, and mpi4py picks the MPI datatype from the array's
buffer format. Every method takes group-local ranks, starts the non-blocking MPI call and returns
its ``Test`` (the caller wraps it in a ``Work`` that polls it against the group's timeout).

mpi4py is imported by ``load()`` (from ``init_process_group``), never at import: importing
``mpi4py.MPI`` initialises MPI, which a program that never forms a process group should not pay for.

Example:
    >>> MPI = load()  # doctest: +SKIP
    >>> backend = MPIBackend(MPI.COMM_WORLD.Dup())  # doctest: +SKIP
    >>> test = backend.all_reduce(np.ones(3), 0)  # SUM over every rank  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["MPIBackend", "load"]

MPI = None  # the mpi4py.MPI module once load() has run
_OPS: tuple = ()
_BOOL_OPS: tuple = ()


def load():
    """Import mpi4py (initialising MPI with thread support, mpi4py's default) and return ``MPI``."""
    global MPI, _OPS, _BOOL_OPS
    if MPI is None:
        from mpi4py import MPI as mpi  # noqa: PLC0415

        # ReduceOp values (SUM, AVG, PRODUCT, MIN, MAX, BAND, BOR, BXOR) -> MPI ops; AVG is SUM
        # plus a division done by the caller. Bool arrays take the logical ops (MPI defines no
        # arithmetic on C_BOOL): SUM/MAX/BOR are OR, PRODUCT/MIN/BAND are AND, as torch's.
        _OPS = (mpi.SUM, mpi.SUM, mpi.PROD, mpi.MIN, mpi.MAX, mpi.BAND, mpi.BOR, mpi.BXOR)
        _BOOL_OPS = (mpi.LOR, mpi.LOR, mpi.LAND, mpi.LAND, mpi.LOR, mpi.LAND, mpi.LOR, mpi.LXOR)
        MPI = mpi
    return MPI


Test = Callable[[], bool]


class MPIBackend:
    """One MPI communicator: the collectives of a process group on CPU arrays."""

    name = "mpi"

    def __init__(self, comm) -> None:
        self.comm = comm
        self.rank, self.size = comm.Get_rank(), comm.Get_size()

    @staticmethod
    def _op(op: int, array: np.ndarray):
        return (_BOOL_OPS if array.dtype == np.bool_ else _OPS)[op]

    # -- collectives on arrays (each returns the request's Test) -------------------------------
    def all_reduce(self, array: np.ndarray, op: int) -> Test:
        return self.comm.Iallreduce(MPI.IN_PLACE, array, self._op(op, array)).Test

    def broadcast(self, array: np.ndarray, root: int) -> Test:
        return self.comm.Ibcast(array, root).Test

    def reduce(self, array: np.ndarray, op: int, root: int) -> Test:
        mine = self.rank == root
        send, recv = (MPI.IN_PLACE, array) if mine else (array, None)
        return self.comm.Ireduce(send, recv, self._op(op, array), root).Test

    def all_gather(self, send: np.ndarray, recv: np.ndarray) -> Test:
        return self.comm.Iallgather(send, recv).Test

    def gather(self, send: np.ndarray, recv: np.ndarray | None, root: int) -> Test:
        return self.comm.Igather(send, recv, root).Test

    def scatter(self, send: np.ndarray | None, recv: np.ndarray, root: int) -> Test:
        return self.comm.Iscatter(send, recv, root).Test

    def reduce_scatter(self, send: np.ndarray, recv: np.ndarray, op: int) -> Test:
        return self.comm.Ireduce_scatter_block(send, recv, self._op(op, send)).Test

    def all_to_all(self, send, send_counts, recv, recv_counts) -> Test:
        """``send``/``recv`` are flat; ``*_counts[p]`` elements go to / come from peer ``p``."""
        return self.comm.Ialltoallv([send, send_counts], [recv, recv_counts]).Test

    def barrier(self) -> Test:
        return self.comm.Ibarrier().Test

    def send(self, array: np.ndarray, dst: int, tag: int) -> Test:
        return self.comm.Isend(array, dst, tag).Test

    def recv(self, array: np.ndarray, src: int | None, tag: int) -> tuple[Test, Callable]:
        """Receive into ``array``; also returns a function giving the sender's group rank."""
        status = MPI.Status()
        request = self.comm.Irecv(array, MPI.ANY_SOURCE if src is None else src, tag)
        return (lambda: request.Test(status)), status.Get_source

    # -- variable-size byte exchanges (the object collectives) ---------------------------------
    def all_gather_v(self, send: np.ndarray, recv: np.ndarray, counts: np.ndarray) -> Test:
        return self.comm.Iallgatherv(send, [recv, counts]).Test

    def gather_v(self, send: np.ndarray, recv, counts, root: int) -> Test:
        return self.comm.Igatherv(send, [recv, counts] if self.rank == root else None, root).Test

    def scatter_v(self, send, counts, recv: np.ndarray, root: int) -> Test:
        return self.comm.Iscatterv([send, counts] if self.rank == root else None, recv, root).Test

    def split(self, ranks: list[int]) -> MPIBackend | None:
        """A backend over the group-local ``ranks`` (collective over this communicator)."""
        comm = self.comm.Create(self.comm.Get_group().Incl(ranks))
        return None if comm == MPI.COMM_NULL else MPIBackend(comm)

    def free(self) -> None:
        self.comm.Free()
