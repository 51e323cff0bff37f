"""The real TensorBoard server shows what SummaryWriter wrote: scalars, histograms and the graph.

Starts the venv's ``tensorboard`` on 127.0.0.1 and a free port with a temporary logdir, waits
(bounded) until it has loaded the run, queries its HTTP API, and always stops it.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import numpy as np
import pytest

import jtorch
from jtorch import nn
from jtorch.utils.tensorboard import SummaryWriter

STARTUP_TIMEOUT = 60.0


def _tensorboard_binary() -> str:
    path = Path(sys.executable).parent / "tensorboard"
    found = str(path) if path.exists() else shutil.which("tensorboard")
    if found is None:
        pytest.skip("the tensorboard server is not installed (pip install tensorboard)")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3, 5)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(5, 2)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Write one run, start TensorBoard on it, yield ``get(path, **query)``; stop it after."""
    root = tmp_path_factory.mktemp("tb")
    logdir = root / "logs"
    jtorch.manual_seed(0)
    with SummaryWriter(logdir / "train") as w:
        for step in range(4):
            w.add_scalar("loss", 1.0 / (step + 1), step)
        w.add_histogram("weights", jtorch.arange(10, dtype=jtorch.float32), 3)
        w.add_graph(Net(), jtorch.rand(7, 3))
    port = _free_port()
    env = dict(os.environ, TMPDIR=str(root))  # TensorBoard's own info files stay in root
    with open(root / "server.log", "wb") as log:
        proc = subprocess.Popen(
            [
                _tensorboard_binary(),
                "--logdir",
                str(logdir),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--load_fast",
                "false",
                "--reload_interval",
                "1",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
    try:

        def get(path: str, **query) -> bytes:
            url = f"http://127.0.0.1:{port}{path}"
            if query:
                url += "?" + urllib.parse.urlencode(query)
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.read()

        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"tensorboard exited: {(root / 'server.log').read_text()[-2000:]}")
            try:
                if "train" in json.loads(get("/data/plugin/scalars/tags")):
                    break
            except (urllib.error.URLError, ConnectionError, json.JSONDecodeError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"tensorboard did not load the run in {STARTUP_TIMEOUT} s")
            time.sleep(0.2)
        yield get
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def test_scalars(server):
    data = json.loads(server("/data/plugin/scalars/scalars", run="train", tag="loss"))
    expected = [(step, float(np.float32(1.0 / (step + 1)))) for step in range(4)]  # simple_value
    assert [(step, value) for _, step, value in data] == expected


def test_histograms(server):
    ((_, step, buckets),) = json.loads(
        server("/data/plugin/histograms/histograms", run="train", tag="weights")
    )
    assert step == 3
    assert sum(count for _, _, count in buckets) == pytest.approx(10)
    assert buckets[0][0] <= 0 and buckets[-1][1] >= 9


def test_graph_has_scopes_and_shapes(server):
    info = json.loads(server("/data/plugin/graphs/info"))
    assert info["train"]["run_graph"] is True
    assert [t for t in info["train"]["tags"]] == ["step1"]
    pbtxt = server("/data/plugin/graphs/graph", run="train", conceptual="false").decode()
    for name in (
        'name: "input/x"',
        'name: "Net/Linear[fc1]/addmm"',
        'name: "Net/ReLU[act]/relu"',
        'name: "Net/Linear[fc2]/weight"',
        'name: "output/output.1"',
    ):
        assert name in pbtxt
    # the output node's _output_shapes: [7, 2]
    output = pbtxt[pbtxt.index('name: "output/output.1"') :]
    assert "size: 7" in output and "size: 2" in output


def test_run_metadata_has_compute_time(server):
    pbtxt = server("/data/plugin/graphs/run_metadata", run="train", tag="step1").decode()
    assert 'node_name: "Net/Linear[fc1]/addmm"' in pbtxt
    assert "all_end_rel_micros" in pbtxt and "total_bytes: 140" in pbtxt  # 7 x 5 float32
