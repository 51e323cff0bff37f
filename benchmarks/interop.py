"""NumPy interop: wrapping a 1M-element array as a tensor and getting the array back, both
without copies."""

from __future__ import annotations

import numpy as np

UNIT = "us"
SCALE = 1e6


def _array(quick: bool) -> np.ndarray:
    return np.ones(1_000 if quick else 1_000_000, np.float32)


def from_numpy(lib_name: str, lib, quick: bool):
    a = _array(quick)
    if lib_name == "numpy":
        return lambda: np.asarray(a)
    if lib_name == "mygrad":
        return lambda: lib.tensor(a, copy=False)
    if lib_name == "autograd":
        return None
    return lambda: lib.from_numpy(a)


def to_numpy(lib_name: str, lib, quick: bool):
    a = _array(quick)
    if lib_name == "numpy":
        return a.view
    if lib_name == "mygrad":
        t = lib.tensor(a, copy=False)
        return lambda: lib.asarray(t)
    if lib_name == "autograd":
        return None
    return lib.from_numpy(a).numpy


WORKLOADS = {
    "from_numpy, 1M elements": from_numpy,
    ".numpy(), 1M elements": to_numpy,
}
