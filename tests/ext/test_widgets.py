"""jtorch_ext.widgets without a frontend: the widget models hold everything a browser would show."""

import struct
import warnings
import zlib

import numpy as np
import pytest

import jtorch
from jtorch import nn
from jtorch_ext.widgets import (
    GradInspector,
    HookInspector,
    TensorViewer,
    heatmap_png,
    inspect_grad,
    png_bytes,
)


def decode_png(data: bytes) -> np.ndarray:
    """The RGB pixels of a PNG that png_bytes wrote, checking every chunk's CRC."""
    data = bytes(data)  # ipywidgets.Image holds a memoryview
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos : pos + 4])
        tag, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + n]
        (crc,) = struct.unpack(">I", data[pos + 8 + n : pos + 12 + n])
        assert crc == zlib.crc32(tag + body), tag
        chunks[tag] = body
        pos += 12 + n
    w, h, depth, colour, *_ = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert (depth, colour) == (8, 2) and b"IEND" in chunks
    raw = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), np.uint8).reshape(h, 1 + 3 * w)
    assert (raw[:, 0] == 0).all()
    return raw[:, 1:].reshape(h, w, 3)


def test_png_round_trip():
    rgb = np.random.default_rng(0).integers(0, 256, (5, 7, 3), dtype=np.uint8)
    np.testing.assert_array_equal(decode_png(png_bytes(rgb)), rgb)


def test_heatmap_colours_and_special_values():
    pixels = decode_png(heatmap_png(np.array([[0.0, 1.0], [np.nan, np.inf]]), size=2))
    assert pixels.shape == (2, 2, 3)
    assert pixels[0, 0].tolist() == [68, 1, 84]  # viridis low end
    assert pixels[0, 1].tolist() == [253, 231, 37]  # viridis high end
    assert pixels[1, 0].tolist() == [255, 0, 255] and pixels[1, 1].tolist() == [255, 255, 255]
    # small slices are scaled up in blocks, large ones are strided down
    assert decode_png(heatmap_png(np.zeros((4, 4)), size=64)).shape == (64, 64, 3)
    assert decode_png(heatmap_png(np.zeros((1, 500)), size=64)).shape == (8, 125, 3)
    assert decode_png(heatmap_png(np.zeros((1000, 10)), size=64)).shape[0] == 125
    with pytest.raises(ValueError, match="non-empty 2-D"):
        heatmap_png(np.zeros(3))


def test_tensor_viewer_sliders_change_the_view():
    x = jtorch.arange(2 * 3 * 4 * 5, dtype=jtorch.float32).reshape(2, 3, 4, 5)
    v = TensorViewer(x, name="x")
    assert [s.description for s in v.sliders] == ["dim 0", "dim 1"]
    assert [s.max for s in v.sliders] == [1, 2]
    assert v.summary.startswith("x: tensor[2, 3, 4, 5] float32")
    seen = {bytes(v.image.value)}
    stats = v.stats.value
    assert "<td>min</td><td>0</td>" in stats.replace(".0<", "<")
    v.sliders[1].value = 2
    assert v.index == (0, 2)
    np.testing.assert_array_equal(v.current(), x.numpy()[0, 2])
    assert bytes(v.image.value) not in seen and v.stats.value != stats
    seen.add(bytes(v.image.value))
    v.sliders[0].value = 1
    assert bytes(v.image.value) not in seen
    assert "<td>max</td><td>119</td>" in v.stats.value
    assert v.hist.value.startswith("<svg") and v.hist.value.count("<rect") == 32
    # global scale: the last slice holds the top of the range, so its last pixel is yellow
    assert decode_png(v.image.value)[-1, -1].tolist() == [253, 231, 37]
    v.scale.value = "slice"
    assert decode_png(v.image.value)[0, 0].tolist() == [68, 1, 84]


@pytest.mark.parametrize(
    "value, shape",
    [
        (jtorch.tensor(3.0), (1, 1)),
        (jtorch.arange(5.0), (1, 5)),
        (np.ones((2, 2), np.complex64), (2, 2)),
        (np.array([[True, False]]), (1, 2)),
        ([[1, 2], [3, 4]], (2, 2)),
    ],
)
def test_tensor_viewer_shapes_and_kinds(value, shape):
    v = TensorViewer(value)
    assert v.sliders == [] and v.current().shape == shape
    assert v.image.value[:4] == b"\x89PNG"


def test_tensor_viewer_empty_and_requires_grad():
    assert "empty tensor" in TensorViewer(jtorch.zeros(0, 3)).stats.value
    v = TensorViewer(jtorch.randn(3, 3, requires_grad=True) * 2)
    assert "grad_fn=MulBackward0" in v.summary


def test_grad_inspector_replaces_hooks_by_name():
    gi = GradInspector(interval=0.0)
    for step in range(3):
        h = jtorch.full((2,), float(step + 1), requires_grad=True)
        gi.watch(h, "h")
        (h * h).sum().backward()
    (row,) = gi.rows
    assert row["calls"] == 3 and row["shape"] == (2,)
    assert row["min"] == row["max"] == 6.0
    assert "<td>h</td><td>(2,)</td>" in gi.table.value
    gi.remove()
    assert gi._handles == {}


def make_cnn() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64, 10)
    )


def train(model, steps: int, inspector=None) -> None:
    opt = jtorch.optim.SGD(model.parameters(), lr=0.1)
    gen = jtorch.Generator().manual_seed(0)
    x, y = jtorch.randn(8, 1, 8, 8, generator=gen), jtorch.randint(0, 10, (8,), generator=gen)
    for _ in range(steps):
        opt.zero_grad()
        logits = model(x)
        if inspector is not None:
            inspector.inspect_grad(logits, "logits")
        loss = nn.functional.cross_entropy(logits, y)
        loss.backward()
        opt.step()


def module_hooks(model) -> int:
    return sum(
        len(m._forward_hooks) + len(m._backward_hooks) + len(m._forward_pre_hooks)
        for m in model.modules()
    )


def test_hook_inspector_records_every_layer():
    jtorch.manual_seed(0)
    model = make_cnn()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the first layer's "no input needs grad" note is silenced
        with HookInspector(model, every=2, interval=0.0) as hi:
            assert module_hooks(model) == 1  # only the step counter between samples
            train(model, 5, hi)
            assert hi.step == 4 and hi.sampled_step == 4
            assert module_hooks(model) > len(list(model.modules()))  # step 4 is being sampled
    assert module_hooks(model) == 0 and not hi.attached
    assert not any(p._backward_hooks for p in model.parameters() if hasattr(p, "_backward_hooks"))
    rows = {r["layer"]: r for r in hi.rows}
    assert list(rows) == ["Sequential", "0", "1", "2", "3", "4"]
    assert rows["0"]["shape"] == (8, 4, 8, 8) and rows["4"]["shape"] == (8, 10)
    assert rows["1"]["min"] == 0.0 and 0.0 <= rows["1"]["dead"] <= 1.0
    assert rows["0"]["dead"] is None
    for name in ("0", "1", "2", "3", "4", "Sequential"):
        assert rows[name]["grad_norm"] > 0, name
    assert rows["0"]["weight_grad_norm"] > 0 and rows["1"]["weight_grad_norm"] is None
    assert rows["Sequential"]["shape"] == (8, 10)
    # the widgets show it: table, gradient-flow chart, status line, tensor gradients
    assert hi.table.value.count("<tr>") == 7 and "ReLU" in hi.table.value
    assert (
        hi.chart.value.startswith("<svg") and hi.chart.value.count("<rect") == 6 + 2
    )  # every ‖∂L/∂out‖, 2 weights
    assert "showing step 4" in hi.status.value and "detached" in hi.status.value
    (g,) = hi.grads.rows
    assert g["tensor"] == "logits" and g["calls"] == 5 and g["shape"] == (8, 10)
    assert g["norm"] == pytest.approx(rows["Sequential"]["grad_norm"])


def test_hook_inspector_dead_relu_fraction():
    model = nn.Sequential(nn.Linear(2, 4), nn.ReLU())
    with jtorch.no_grad():
        model[0].weight.copy_(jtorch.tensor([[1.0, 0], [0, 1], [-1, 0], [0, -1]]))
        model[0].bias.fill_(0.0)
    hi = HookInspector(model, every=1, interval=0.0)
    model(jtorch.tensor([[1.0, 1.0], [2.0, 3.0]]))  # units 2 and 3 never fire
    hi.detach()
    assert hi.rows[2]["dead"] == 0.5


def test_hook_inspector_throttles_rendering():
    model = nn.Sequential(nn.Linear(3, 3))
    hi = HookInspector(model, every=1, interval=3600.0)
    renders = []
    hi.table.observe(lambda change: renders.append(change["new"]), names="value")
    for _ in range(20):
        model(jtorch.randn(2, 3)).sum().backward()
    assert len(renders) == 1  # the first sample, then nothing for an hour
    hi.detach()  # ...but detaching draws the final state
    assert len(renders) == 2 and "step 19" in hi.status.value


def test_hook_inspector_reattach_and_validation():
    model = nn.Linear(2, 2)
    hi = HookInspector(model, every=1)
    hi.detach()
    hi.detach()  # idempotent
    with hi:
        assert hi.attached
        model(jtorch.ones(1, 2)).sum().backward()
    assert not hi.attached and hi.rows[0]["grad_norm"] == pytest.approx(2**0.5)
    with pytest.raises(ValueError, match="every must be a positive int"):
        HookInspector(model, every=0)


def test_hook_inspectors_share_the_warning_filter():
    def silenced() -> bool:
        return any(
            f[1] is not None and "Full backward hook" in f[1].pattern for f in warnings.filters
        )

    before = silenced()
    a, b = HookInspector(nn.Linear(1, 1)), HookInspector(nn.Linear(1, 1))
    a.detach()
    assert silenced()  # b still needs it
    b.detach()
    assert silenced() == before


def test_inspect_grad_function():
    w = jtorch.tensor([3.0, 4.0], requires_grad=True)
    gi = inspect_grad(w, "w")
    (w * 1.0).sum().backward()
    assert gi.rows == [
        {
            "tensor": "w",
            "calls": 1,
            "shape": (2,),
            "norm": pytest.approx(2**0.5),
            "mean": 1.0,
            "std": 0.0,
            "min": 1.0,
            "max": 1.0,
        }
    ]


def test_hook_inspector_samples_one_step_in_every():
    """Only every ``every``-th step is hooked; the others carry one forward pre-hook on the model,
    which is what keeps the inspector cheap (its cost is measured by hand, never asserted)."""
    jtorch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    x, y = jtorch.randn(16, 4), jtorch.randint(0, 2, (16,))
    opt = jtorch.optim.SGD(model.parameters(), lr=0.01)

    def hooks() -> int:
        return sum(
            len(m._forward_hooks) + len(m._forward_pre_hooks) + len(m._backward_hooks)
            for m in model.modules()
        )

    sampled = []
    with HookInspector(model, every=5) as inspector:
        for _ in range(12):
            opt.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            opt.step()
            sampled.append(inspector.sampled_step)
            if inspector.step % 5:  # an unsampled step: only the step counter is attached
                assert hooks() == 1
    assert sampled == [0] * 5 + [5] * 5 + [10] * 2
    assert hooks() == 0
