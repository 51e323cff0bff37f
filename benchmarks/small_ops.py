"""Small-op overhead: one element-wise add on 10 elements, with and without graph recording.

Each workload maps a library name to a function that builds the timed callable.
"""

from __future__ import annotations

import numpy as np

UNIT = "us"
SCALE = 1e6


def _tensors(lib, requires_grad: bool):
    data = np.arange(10, dtype=np.float32)
    a = lib.tensor(data, requires_grad=requires_grad)
    b = lib.tensor(data + 1, requires_grad=requires_grad)
    return a, b


def add_no_graph(lib_name: str, lib, size: int):
    if lib_name == "numpy":
        a, b = np.ones(10, np.float32), np.ones(10, np.float32)
        return lambda: np.add(a, b)
    a, b = _tensors(lib, requires_grad=False)
    return lambda: lib.add(a, b)


def add_recorded(lib_name: str, lib, size: int):
    if lib_name == "numpy":
        return None
    a, b = _tensors(lib, requires_grad=True)
    return lambda: a + b


WORKLOADS = {
    "add, 10 elements, no graph": add_no_graph,
    "add, 10 elements, recorded": add_recorded,
}
