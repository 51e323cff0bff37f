"""DataLoader throughput: one shuffled epoch over a TensorDataset of 10,000 samples of 32
features, batch 64; NumPy's column slices a permutation by hand."""

from __future__ import annotations

import numpy as np

UNIT = "ms"
SCALE = 1e3
BATCH = 64


def epoch(lib_name: str, lib, quick: bool):
    n = 640 if quick else 10_000
    r = np.random.default_rng(0)
    x, y = r.standard_normal((n, 32)).astype(np.float32), r.integers(0, 10, n)
    if lib_name == "numpy":

        def step():
            order = r.permutation(n)
            for start in range(0, n, BATCH):
                rows = order[start : start + BATCH]
                x[rows], y[rows]

        return step
    if lib_name in ("autograd", "mygrad"):
        return None
    data = lib.utils.data
    loader = data.DataLoader(
        data.TensorDataset(lib.from_numpy(x), lib.from_numpy(y)), batch_size=BATCH, shuffle=True
    )

    def step():
        for _ in loader:
            pass

    return step


WORKLOADS = {"DataLoader epoch, 10k samples, batch 64": epoch}
