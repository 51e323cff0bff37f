"""``python -m jtorch.distributed.run``: a torchrun-like launcher on ``mpiexec``.

``python -m jtorch.distributed.run --nproc-per-node 2 train.py --lr 0.1`` runs ``mpiexec`` (the
one next to this Python, i.e. the ``mpich`` wheel's in a venv) with one process per rank; each
process sets torchrun's environment (``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``,
``LOCAL_WORLD_SIZE``, ``GROUP_RANK``, ``MASTER_ADDR``, ``MASTER_PORT``, and
``OMP_NUM_THREADS=1`` unless set, with several ranks per machine) from the MPI launcher's, then
runs the script (or ``-m module``) as ``__main__``. Across machines: ``--nnodes 2
--hostfile hosts`` (one host name per line, as ``mpiexec -f`` reads it), started once on the
first host.

Example:
    >>> mpiexec_command(parse_args(["--nproc-per-node", "2", "train.py", "--lr", "1"]))[1:4]
    ['-n', '2', '-ppn']
"""

from __future__ import annotations

import argparse
import os
import runpy
import shutil
import sys

__all__ = ["main", "mpiexec_command", "parse_args"]


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m jtorch.distributed.run",
        description="Launch one process per rank under mpiexec, with torchrun's environment.",
    )
    parser.add_argument("--nproc-per-node", "--nproc_per_node", type=int, default=1)
    parser.add_argument("--nnodes", type=int, default=1)
    parser.add_argument("--hostfile", "--host-file", help="one host per line (mpiexec -f)")
    parser.add_argument("--master-addr", "--master_addr", default=None)
    parser.add_argument("--master-port", "--master_port", type=int, default=29500)
    parser.add_argument("--mpiexec", default=None, help="the mpiexec to use")
    parser.add_argument("-m", "--module", action="store_true", help="run a module, as python -m")
    parser.add_argument("--no-python", action="store_true", help="run the program itself")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("script")
    parser.add_argument("script_args", nargs=argparse.REMAINDER)
    return parser.parse_args(argv)


def _first_host(hostfile: str | None) -> str:
    if hostfile:
        with open(hostfile) as f:
            for line in f:
                host = line.split("#")[0].split(":")[0].strip()
                if host:
                    return host
    return "127.0.0.1"


def mpiexec_command(args: argparse.Namespace) -> list[str]:
    """The ``mpiexec`` command line that starts every rank as a worker of this launcher."""
    here = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    mpiexec = args.mpiexec or (here if os.path.exists(here) else shutil.which("mpiexec"))
    if mpiexec is None:
        raise RuntimeError(
            "mpiexec not found: pip install 'jtorch[distributed]' (mpi4py and the mpich wheel)"
        )
    n = args.nproc_per_node * args.nnodes
    cmd = [mpiexec, "-n", str(n), "-ppn", str(args.nproc_per_node)]
    if args.hostfile:
        cmd += ["-f", args.hostfile]
    master = args.master_addr or _first_host(args.hostfile)
    cmd += ["-genv", "MASTER_ADDR", master, "-genv", "MASTER_PORT", str(args.master_port)]
    if args.nproc_per_node > 1 and "OMP_NUM_THREADS" not in os.environ:
        # NOTE: as torchrun: ranks sharing a machine must not each start a thread per core
        cmd += ["-genv", "OMP_NUM_THREADS", "1"]
    if args.no_python:
        return [*cmd, args.script, *args.script_args]
    worker = [sys.executable, "-u", "-m", "jtorch.distributed.run", "--worker"]
    worker += ["--nproc-per-node", str(args.nproc_per_node)] + (["-m"] if args.module else [])
    return [*cmd, *worker, args.script, *args.script_args]


def _set_torchrun_env(nproc_per_node: int) -> None:
    """torchrun's variables, from MPICH's (PMI_*) or Open MPI's (OMPI_COMM_WORLD_*)."""
    env = os.environ
    rank = int(env.get("PMI_RANK", env.get("OMPI_COMM_WORLD_RANK", "0")))
    size = int(env.get("PMI_SIZE", env.get("OMPI_COMM_WORLD_SIZE", "1")))
    local = int(env.get("MPI_LOCALRANKID", env.get("OMPI_COMM_WORLD_LOCAL_RANK", rank)))
    local_size = int(env.get("MPI_LOCALNRANKS", env.get("OMPI_COMM_WORLD_LOCAL_SIZE", size)))
    env.update(
        RANK=str(rank),
        WORLD_SIZE=str(size),
        LOCAL_RANK=str(local),
        LOCAL_WORLD_SIZE=str(local_size),
        GROUP_RANK=str(rank // max(nproc_per_node, 1)),
    )
    env.setdefault("MASTER_ADDR", "127.0.0.1")
    env.setdefault("MASTER_PORT", "29500")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if not args.worker:
        os.execv((cmd := mpiexec_command(args))[0], cmd)
    _set_torchrun_env(args.nproc_per_node)
    sys.argv = [args.script, *args.script_args]
    if args.module:
        runpy.run_module(args.script, run_name="__main__", alter_sys=True)
    else:
        sys.path.insert(0, os.path.dirname(os.path.abspath(args.script)))
        runpy.run_path(args.script, run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
