"""Notebook tooling on large inputs: ``%tensor_summary`` statistics of a 10M-element float32
tensor (a fresh one, then the same unchanged tensor again, served from the per-version cache) and
``%graph`` of a 10,000-node autograd graph rendered to SVG by Graphviz. jtorch only: the other
columns have no such tools (lovely-tensors and torchviz are the torch-side references in
PERFORMANCE.md)."""

from __future__ import annotations

import numpy as np

UNIT = "ms"
SCALE = 1e3


def _big(quick: bool) -> np.ndarray:
    n = 10_000 if quick else 10_000_000
    return np.random.default_rng(0).standard_normal(n).astype(np.float32)


def summary_fresh(lib_name: str, lib, quick: bool):
    if lib_name != "jtorch":
        return None
    from jtorch_ext.summary import summary  # noqa: PLC0415

    a = _big(quick)
    return lambda: summary(lib.from_numpy(a))  # a new tensor each time: nothing cached


def summary_cached(lib_name: str, lib, quick: bool):
    if lib_name != "jtorch":
        return None
    from jtorch_ext.summary import summary  # noqa: PLC0415

    x = lib.from_numpy(_big(quick))
    return lambda: summary(x)


def graph_svg(lib_name: str, lib, quick: bool):
    if lib_name != "jtorch":
        return None
    from jtorch_ext import make_dot  # noqa: PLC0415

    x = lib.ones(3, requires_grad=True)
    y = x
    for _ in range(100 if quick else 10_000):
        y = y * 1.0001
    return lambda: make_dot(y).pipe(format="svg")


WORKLOADS = {
    "%tensor_summary, 10M float32, fresh": summary_fresh,
    "%tensor_summary, 10M float32, unchanged": summary_cached,
    "%graph, 10,000 nodes, to SVG": graph_svg,
}
