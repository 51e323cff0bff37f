"""The main job's training script runs end to end: it learns, round-trips its checkpoint and
leaves a TensorBoard run that TensorBoard's own reader loads."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "demo_notebooks" / "train_demo.py"


def test_train_demo(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT)], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "<All keys matched successfully>" in done.stdout
    assert "predictions identical: True" in done.stdout
    accuracy = float(done.stdout.split("final training accuracy: ")[1].split()[0])
    assert accuracy >= 0.9

    event_accumulator = pytest.importorskip(
        "tensorboard.backend.event_processing.event_accumulator"
    )
    run = event_accumulator.EventAccumulator(str(tmp_path / "runs" / "spirals"))
    run.Reload()
    losses = [e.value for e in run.Scalars("loss/train")]
    assert [e.step for e in run.Scalars("loss/train")] == list(range(1, 121))
    assert losses[-1] < losses[0] / 3
    assert run.Scalars("accuracy/train")[0].value == pytest.approx(accuracy, abs=1e-3)
    assert any("Linear" in node.name for node in run.Graph().node)
