"""Run the benchmarks and print a table of medians and the jtorch/torch ratio.

Each (workload, library) pair runs in its own process with the same thread settings, so one
library's allocator or thread pool state cannot affect another's timing. HIPS autograd and MyGrad
columns are filled when those packages are installed (``pip install -e ".[bench]"``).

    python -m benchmarks                    # all workload files
    python -m benchmarks small_ops mlp --json out.json --plot out.png
    python -m benchmarks --quick            # tiny sizes, few repeats (what the tests run)
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys

FILES = (
    "small_ops",
    "tiny_fwd_bwd",
    "elementwise",
    "matmul",
    "mlp",
    "convnet",
    "rnn",
    "chain",
    "interop",
    "dataloader",
    "notebook",
    "memory",
)
LIBS = ("jtorch", "torch", "numpy", "autograd", "mygrad")
THREADS = "2"
FAILED = "failed"


def run_one(module: str, workload: str, lib: str, quick: bool) -> float | str | None:
    """Time one workload for one library in a fresh process: seconds per call, None when the
    library has no version of it, or ``FAILED`` (its error is printed to stderr)."""
    env = dict(
        os.environ, OMP_NUM_THREADS=THREADS, OPENBLAS_NUM_THREADS=THREADS, MKL_NUM_THREADS=THREADS
    )
    cmd = [sys.executable, "-m", "benchmarks._worker", module, workload, lib]
    out = subprocess.run(cmd + ["--quick"] * quick, capture_output=True, text=True, env=env)
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"{module} / {workload} / {lib}: {last}", file=sys.stderr)
        return FAILED
    return json.loads(out.stdout.strip().splitlines()[-1])


def format_table(rows: list[dict]) -> str:
    """The results as a Markdown table: medians in each workload's unit and jtorch/torch."""
    lines = [
        "| workload | unit | " + " | ".join(LIBS) + " | jtorch/torch |",
        "|---|---|" + "---:|" * (len(LIBS) + 1),
    ]
    for r in rows:
        cells = []
        for lib in LIBS:
            value = r[lib]
            cells.append(value if value in (None, FAILED) else f"{value * r['scale']:.3g}")
        cells = ["–" if c is None else c for c in cells]
        ok = all(isinstance(r[lib], float) for lib in ("jtorch", "torch"))
        ratio = f"{r['jtorch'] / r['torch']:.2f}" if ok else "–"
        lines.append(f"| {r['workload']} | {r['unit']} | " + " | ".join(cells) + f" | {ratio} |")
    return "\n".join(lines)


def plot(rows: list[dict], path: str) -> None:
    """Bar chart of each library's time relative to torch (log scale), one group per workload."""
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    rows = [r for r in rows if isinstance(r["torch"], float)]
    others = [lib for lib in LIBS if lib != "torch"]
    fig, ax = plt.subplots(figsize=(10, 0.45 * len(rows) + 1.5))
    height = 0.8 / len(others)
    for k, lib in enumerate(others):
        ratios = [r[lib] / r["torch"] if isinstance(r[lib], float) else 0 for r in rows]
        ax.barh([i + k * height for i in range(len(rows))], ratios, height, label=lib)
    ax.set_yticks([i + 0.4 - height / 2 for i in range(len(rows))], [r["workload"] for r in rows])
    ax.axvline(1.0, color="black", linewidth=0.8)
    ax.set_xscale("log")
    ax.set_xlabel("time / torch time (lower is faster)")
    ax.invert_yaxis()
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", default=list(FILES), help="workload files to run")
    parser.add_argument("--json", help="also write the results to this JSON file")
    parser.add_argument("--plot", help="also draw the ratios to torch into this PNG (matplotlib)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes and few repeats")
    args = parser.parse_args(argv)

    rows = []
    for module in args.files:
        mod = importlib.import_module(f"benchmarks.{module}")
        for workload in mod.WORKLOADS:
            times = {lib: run_one(module, workload, lib, args.quick) for lib in LIBS}
            rows.append({"workload": workload, "unit": mod.UNIT, "scale": mod.SCALE, **times})
            print(f"done: {workload}", file=sys.stderr, flush=True)
    print(format_table(rows))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)
    if args.plot:
        plot(rows, args.plot)
    return 1 if any(r["jtorch"] == FAILED for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
