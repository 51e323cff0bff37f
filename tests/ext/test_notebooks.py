"""The demo notebooks run end to end on a real Jupyter kernel and show what they promise.

Each notebook is copied to a temporary folder and executed there with nbclient (the same code as
``demo_notebooks/run_notebooks.py``, so the committed notebooks and ``demo_notebooks/runs/`` are
left alone); the tests then read the outputs and the saved widget state.
"""

import base64
import importlib.util
import re
import shutil
import struct
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.notebook

DEMO = Path(__file__).resolve().parents[2] / "demo_notebooks"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def _runner():
    pytest.importorskip(
        "nbclient", reason="executing notebooks needs nbclient (pip install nbclient)"
    )
    pytest.importorskip("ipykernel", reason="executing notebooks needs ipykernel")
    spec = importlib.util.spec_from_file_location("run_notebooks", DEMO / "run_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def execute(name: str, tmp_path_factory) -> dict:
    """Run demo notebook ``name`` in a fresh folder; return its outputs by cell and widget state."""
    folder = tmp_path_factory.mktemp(name.split("_")[0])
    path = shutil.copy(DEMO / name, folder)
    nb = _runner().execute_notebook(Path(path))
    cells = [c for c in nb.cells if c.cell_type == "code"]
    state = nb.metadata["widgets"][WIDGET_STATE]["state"]
    return {"cells": cells, "state": state, "folder": folder}


def outputs_of(run: dict, source: str) -> list:
    """The outputs of the one code cell whose source starts with ``source``."""
    (cell,) = [c for c in run["cells"] if c.source.startswith(source)]
    errors = [o for o in cell.outputs if o.output_type == "error"]
    assert not errors, errors
    return cell.outputs


def text_of(outputs) -> str:
    return "".join(o.get("text", "") for o in outputs if o.output_type == "stream")


def view_ids(outputs) -> list[str]:
    return [o.data[WIDGET_VIEW]["model_id"] for o in outputs if WIDGET_VIEW in o.get("data", {})]


def descendants(state: dict, model_id: str) -> list[dict]:
    """The widget state of ``model_id`` and of every widget below it (children, depth first)."""
    found, stack = [], [model_id]
    while stack:
        model = state[stack.pop()]
        found.append(model)
        children = model["state"].get("children", [])
        stack += [c.removeprefix("IPY_MODEL_") for c in reversed(children)]
    return found


@pytest.fixture(scope="module")
def nb1(tmp_path_factory):
    return execute("01_tensors_and_autograd.ipynb", tmp_path_factory)


@pytest.fixture(scope="module")
def nb2(tmp_path_factory):
    return execute("02_train_cnn.ipynb", tmp_path_factory)


def test_kernel_is_this_interpreter():
    km = _runner().kernel_manager()
    assert km.kernel_spec.argv[0] == sys.executable


def test_every_cell_ran_without_error(nb1, nb2):
    for run in (nb1, nb2):
        for cell in run["cells"]:
            assert cell.execution_count is not None, cell.source
            assert not [o for o in cell.outputs if o.output_type == "error"], cell.source


def test_tensor_summary_magic(nb1):
    text = text_of(outputs_of(nb1, "%tensor_summary x"))
    # x = arange(12).reshape(3, 4): min 0, max 11, mean 5.5, unbiased std 3.606, one zero
    assert text.startswith("x: tensor[3, 4] float32 cpu n=12")
    assert "x∈[0, 11]" in text and "μ=5.5" in text and "σ=3.606" in text and "zeros=1" in text
    grads = text_of(outputs_of(nb1, "%tensor_summary w"))
    assert grads.startswith("w: tensor[4, 2]") and "\n  grad: x∈[0, 3]" in grads


def test_graph_magic_renders_svg_with_grad_fn_names(nb1):
    (svg,) = [o.data["image/svg+xml"] for o in outputs_of(nb1, "%graph y") if "data" in o]
    assert "<svg" in svg
    for name in ("SumBackward0", "ReluBackward0", "AddBackward0", "MmBackward0"):
        assert name in svg, name


def test_tensor_viewer_widget_state(nb1):
    outputs = outputs_of(nb1, "from jtorch_ext.widgets import TensorViewer")
    (viewer_id,) = view_ids(outputs)
    models = descendants(nb1["state"], viewer_id)
    names = [m["model_name"] for m in models]
    assert names[0] == "VBoxModel" and names.count("IntSliderModel") == 2
    assert "ImageModel" in names and names.count("HTMLModel") == 3
    sliders = [m["state"] for m in models if m["model_name"] == "IntSliderModel"]
    # the next cell moved the batch slider to 3: the saved state is the final one
    assert sorted((s["description"], s["max"], s["value"]) for s in sliders) == [
        ("dim 0", 3, 3),
        ("dim 1", 1, 0),
    ]
    (image,) = [m for m in models if m["model_name"] == "ImageModel"]
    (buffer,) = image["buffers"] if "buffers" in image else [image["state"]["value"]]
    png = base64.b64decode(buffer["data"] if isinstance(buffer, dict) else buffer)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (256, 256)
    html = " ".join(m["state"]["value"] for m in models if m["model_name"] == "HTMLModel")
    assert "images: tensor[4, 2, 32, 32]" in html and "<svg" in html
    assert "<td>slice</td><td>[3, 0, :, :]</td>" in html
    assert text_of(outputs_of(nb1, "# the sliders are ordinary")) == "index (3, 0) redrawn True\n"


def test_inspect_grad_widget_state(nb1):
    (grads_id,) = view_ids(outputs_of(nb1, "from jtorch_ext.widgets import inspect_grad"))
    html = [
        m["state"]["value"] for m in descendants(nb1["state"], grads_id) if "value" in m["state"]
    ]
    assert len(html) == 1 and "<td>h</td><td>(5, 3)</td>" in html[0]


def test_training_loss_decreases(nb2):
    text = text_of(outputs_of(nb2, "optimizer = torch.optim.Adam"))
    first, last, accuracy = map(float, re.findall(r"[\d.]+", text.split("loss:")[1])[:3])
    assert last < first / 5 and accuracy > 0.8, text


def test_hook_inspector_widget_state(nb2):
    (inspector_id,) = view_ids(outputs_of(nb2, "inspector = HookInspector"))
    models = descendants(nb2["state"], inspector_id)
    html = [m["state"]["value"] for m in models if m["model_name"] == "HTMLModel"]
    status, table, chart, grads = html
    assert "showing step 55" in status and "detached" in status
    for layer in ("features.0", "features.4", "classifier.1"):
        assert f"<td>{layer}</td>" in table, layer
    assert "dead ReLU" in table and "<td>ReLU</td>" in table
    assert chart.startswith('<svg class="jt-flow"') and chart.count("<rect") >= 10
    assert "<td>logits</td><td>(64, 4)</td>" in grads
    rows = text_of(outputs_of(nb2, "# the inspector's table as plain data")).splitlines()
    assert [r.split()[0] for r in rows][:3] == ["SmallCNN", "features", "features.0"]
    relus = [r for r in rows if " ReLU " in r]
    assert len(relus) == 2 and all("dead=-" not in r and "grad_norm=-" not in r for r in relus)


def test_tensorboard_run_written(nb2):
    text = text_of(outputs_of(nb2, "from tensorboard.backend"))
    assert "scalars: ['train/accuracy', 'train/loss']" in text and "graph: True" in text
    assert int(re.search(r"histograms: (\d+)", text).group(1)) >= 10
    assert list((nb2["folder"] / "runs" / "cnn_demo").glob("events.out.tfevents.*"))
    # the tensorboard notebook extension loads; no server is started
    assert outputs_of(nb2, "%load_ext tensorboard") == []
