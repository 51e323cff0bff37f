"""Time one workload for one library and print the median seconds per call as JSON.

Prints ``null`` when the library is not installed or the workload has no version for it.
"""

from __future__ import annotations

import importlib
import json
import sys

from benchmarks._timing import median_time, peak_memory


def _library(name: str):
    if name == "autograd":  # HIPS autograd: the workloads use its NumPy wrapper and grad
        import autograd  # noqa: PLC0415
        import autograd.numpy  # noqa: F401, PLC0415

        return autograd
    lib = importlib.import_module(name)
    if hasattr(lib, "set_num_threads"):
        lib.set_num_threads(2)
    return lib


def main() -> None:
    module, workload, lib_name = sys.argv[1:4]
    quick = "--quick" in sys.argv
    try:
        lib = _library(lib_name)
    except ImportError:
        print(json.dumps(None))
        return
    mod = importlib.import_module(f"benchmarks.{module}")
    fn = mod.WORKLOADS[workload](lib_name, lib, quick)
    if fn is None:
        print(json.dumps(None))
        return
    if getattr(mod, "MEASURE", "time") == "memory":
        print(json.dumps(peak_memory(fn)))
        return
    budget, repeat = (0.05, 3) if quick else (2.0, 21)
    print(json.dumps(median_time(fn, budget=budget, repeat=repeat)))


if __name__ == "__main__":
    main()
