"""Multi-process tests: each runs ``mpiexec -n 2 python <worker>`` (bounded by a timeout).

The workers assert on every rank and print; a failing assertion aborts the job (non-zero exit).
"""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).parent
VENV_MPIEXEC = Path(sys.executable).parent / "mpiexec"
MPIEXEC = str(VENV_MPIEXEC) if VENV_MPIEXEC.exists() else shutil.which("mpiexec")


def _mpi4py_missing() -> bool:
    import importlib.util

    return importlib.util.find_spec("mpi4py") is None


if _mpi4py_missing() or MPIEXEC is None:
    reason = "mpi4py or mpiexec missing: pip install 'jtorch[distributed]'"
    print(f"skipping the multi-process tests: {reason}")
    pytestmark = pytest.mark.skip(reason=reason)
else:
    pytestmark = pytest.mark.distributed


def _run(*args: str, timeout: float = 60, launcher: list[str] | None = None):
    env = dict(os.environ, PYTHONPATH=str(HERE.parents[1]))
    cmd = launcher or [MPIEXEC, "-n", "2", sys.executable]
    start = time.monotonic()
    proc = subprocess.run(
        [*cmd, *args], capture_output=True, text=True, timeout=timeout, env=env, cwd=HERE
    )
    return proc, time.monotonic() - start


def _ok(proc) -> None:
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "rank 0 ok" in proc.stdout and "rank 1 ok" in proc.stdout, proc.stdout + proc.stderr


def test_collectives_objects_groups_and_mismatch_errors():
    _ok(_run(str(HERE / "_collectives_worker.py"))[0])


def test_ddp_matches_one_process_on_the_full_batch():
    _ok(_run(str(HERE / "_ddp_worker.py"))[0])


def test_stalled_rank_times_out_with_a_clear_error():
    proc, took = _run(str(HERE / "_fault_worker.py"), "stall", timeout=30)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("all_reduce timed out after 0:00:01") == 2, proc.stdout
    assert took < 20


def test_failing_rank_ends_the_job_instead_of_hanging():
    proc, took = _run(str(HERE / "_fault_worker.py"), "raise", timeout=30)
    assert proc.returncode != 0
    assert "rank 1 failed on purpose" in proc.stderr
    assert "must not get here" not in proc.stdout
    assert took < 20


def test_launcher_sets_torchrun_environment():
    launcher = [sys.executable, "-m", "jtorch.distributed.run", "--nproc-per-node", "2"]
    proc, _ = _run(str(HERE / "_launch_worker.py"), "--flag", "x", launcher=launcher)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "launched rank 0 of 2" in proc.stdout and "launched rank 1 of 2" in proc.stdout


def test_ddp_demo_prints_the_one_process_losses():
    demo = str(HERE.parents[1] / "demo_notebooks" / "ddp_demo.py")
    one, _ = _run(demo, launcher=[sys.executable])
    two, _ = _run(demo, launcher=[MPIEXEC, "-n", "2", sys.executable])
    assert one.returncode == 0 and two.returncode == 0, one.stderr + two.stderr
    assert one.stdout.count("mean loss") == 5 and one.stdout == two.stdout, (one.stdout, two.stdout)
