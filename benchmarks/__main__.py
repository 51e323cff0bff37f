"""Run the benchmarks and print a table of medians and the jtorch/torch ratio.

Each (workload, library) pair runs in its own process with the same thread settings, so one
library's allocator or thread pool state cannot affect another's timing.

    python -m benchmarks                    # all workload files
    python -m benchmarks small_ops --json out.json
    python -m benchmarks --quick            # tiny sizes, few repeats (what the tests run)
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys

FILES = ("small_ops", "tiny_fwd_bwd", "mlp", "convnet", "rnn")
LIBS = ("jtorch", "torch", "numpy")
THREADS = "2"


def run_one(module: str, workload: str, lib: str, quick: bool) -> float | None:
    """Time one workload for one library in a fresh process; seconds per call or None."""
    env = dict(
        os.environ, OMP_NUM_THREADS=THREADS, OPENBLAS_NUM_THREADS=THREADS, MKL_NUM_THREADS=THREADS
    )
    cmd = [sys.executable, "-m", "benchmarks._worker", module, workload, lib] + (
        ["--quick"] if quick else []
    )
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{module}/{workload}/{lib} failed:\n{out.stderr}")
    value = json.loads(out.stdout.strip().splitlines()[-1])
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", default=list(FILES), help="workload files to run")
    parser.add_argument("--json", help="also write the results to this JSON file")
    parser.add_argument("--quick", action="store_true", help="tiny sizes and few repeats")
    args = parser.parse_args(argv)

    rows = []
    for module in args.files:
        mod = importlib.import_module(f"benchmarks.{module}")
        for workload in mod.WORKLOADS:
            times = {lib: run_one(module, workload, lib, args.quick) for lib in LIBS}
            rows.append(
                {
                    "file": module,
                    "workload": workload,
                    "unit": mod.UNIT,
                    "scale": mod.SCALE,
                    **times,
                }
            )

    header = f"{'workload':44} {'unit':>4} {'jtorch':>9} {'torch':>9} {'numpy':>9} {'jt/torch':>9}"
    print(header)
    print("-" * len(header))
    for r in rows:
        cells = [("-" if r[lib] is None else f"{r[lib] * r['scale']:.2f}") for lib in LIBS]
        ratio = f"{r['jtorch'] / r['torch']:.2f}" if r["jtorch"] and r["torch"] else "-"
        print(
            f"{r['workload']:44} {r['unit']:>4} {cells[0]:>9} {cells[1]:>9} {cells[2]:>9} {ratio:>9}"
        )
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
