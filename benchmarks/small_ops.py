"""Small-op overhead: one element-wise add on 10 elements, with and without graph recording.

Each workload maps a library name to a function that builds the timed callable (None where the
library has no such thing).
"""

from __future__ import annotations

import numpy as np

UNIT = "us"
SCALE = 1e6


def _arrays():
    data = np.arange(10, dtype=np.float32)
    return data, data + 1


def add_no_graph(lib_name: str, lib, quick: bool):
    a, b = _arrays()
    if lib_name == "numpy":
        return lambda: np.add(a, b)
    if lib_name == "autograd":  # outside grad(), autograd.numpy calls numpy directly
        return lambda: lib.numpy.add(a, b)
    if lib_name == "mygrad":
        a, b = lib.tensor(a, constant=True), lib.tensor(b, constant=True)
        return lambda: lib.add(a, b)
    a, b = lib.tensor(a), lib.tensor(b)
    return lambda: lib.add(a, b)


def add_recorded(lib_name: str, lib, quick: bool):
    if lib_name in ("numpy", "autograd"):  # no graph outside a traced function
        return None
    a, b = (
        lib.tensor(x, requires_grad=True) if lib_name != "mygrad" else lib.tensor(x)
        for x in _arrays()
    )
    return lambda: a + b


WORKLOADS = {
    "add, 10 elements, no graph": add_no_graph,
    "add, 10 elements, recorded": add_recorded,
}
