"""Every benchmark workload runs, at its tiny size, for every library that is installed, so none
rots; and the runner prints its table and writes JSON. Timing is never asserted."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.__main__ import FILES, LIBS
from benchmarks._worker import _library

ROOT = Path(__file__).resolve().parent.parent
CASES = [
    (module, workload)
    for module in FILES
    for workload in importlib.import_module(f"benchmarks.{module}").WORKLOADS
]


@pytest.mark.parametrize("lib_name", LIBS)
@pytest.mark.parametrize(("module", "workload"), CASES)
def test_workload_runs(module: str, workload: str, lib_name: str) -> None:
    try:
        lib = _library(lib_name)
    except ImportError as e:
        pytest.skip(f"{lib_name} is not installed: {e}")
    build = importlib.import_module(f"benchmarks.{module}").WORKLOADS[workload]
    step = build(lib_name, lib, True)
    if step is None:
        assert lib_name != "jtorch", f"{workload!r} has no jtorch version"
        return
    step()
    step()


def test_runner_prints_table_and_json(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    cmd = [sys.executable, "-m", "benchmarks", "interop", "--quick", "--json", str(out)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "| from_numpy, 1M elements | us |" in done.stdout
    rows = json.loads(out.read_text())
    assert [r["workload"] for r in rows] == ["from_numpy, 1M elements", ".numpy(), 1M elements"]
    assert all(isinstance(r["jtorch"], float) and r["jtorch"] > 0 for r in rows)


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="needs Linux's /proc")
def test_peak_memory_sees_a_step_that_allocates() -> None:
    # NOTE: in a fresh process: one that already freed big blocks may serve 50 MB from memory
    # it still holds, and its resident size would not rise at all.
    code = (
        "import numpy as np; from benchmarks._timing import peak_memory; "
        "print(peak_memory(lambda: np.ones(50_000_000 // 8).sum()), peak_memory(lambda: None))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    big, nothing = map(float, done.stdout.split())
    assert 45e6 <= big <= 80e6  # 50 MB, touched, then freed
    assert nothing < 5e6
