"""SummaryWriter: every event type read back with TensorBoard's own EventAccumulator.

Where torch's writer exists for the same call, the event it writes (given NumPy input) is the
reference for what jtorch's writer writes (given jtorch tensors).
"""

import io
import json
import os
import wave

import numpy as np
import pytest
from PIL import Image
from tensorboard.backend.event_processing import event_accumulator as ea
from tensorboard.compat.proto.summary_pb2 import Summary
from tensorboard.plugins.hparams import plugin_data_pb2
from tensorboard.plugins.pr_curve import plugin_data_pb2 as pr_plugin_data_pb2

import jtorch
from jtorch import nn
from jtorch.utils.tensorboard import SummaryWriter
from jtorch_ext.tensorboard import watch

GUIDANCE = {k: 0 for k in (ea.SCALARS, ea.HISTOGRAMS, ea.IMAGES, ea.AUDIO, ea.TENSORS)}


def load(path) -> ea.EventAccumulator:
    acc = ea.EventAccumulator(str(path), size_guidance=GUIDANCE)
    acc.Reload()
    return acc


@pytest.fixture
def torch_writer(torch, tmp_path):
    """torch's SummaryWriter on <tmp>/torch, closed after the test."""
    from torch.utils.tensorboard import SummaryWriter as TorchWriter

    w = TorchWriter(str(tmp_path / "torch"))
    yield w
    w.close()


def pixels(encoded: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(encoded)))


# -- scalars ----------------------------------------------------------------------------------
def test_scalar_accepts_tensors_arrays_and_numbers(tmp_path):
    values = [jtorch.tensor(0.5), jtorch.tensor([1.5]), np.float32(2.5), np.array([[3.5]]), 4, 5.5]
    with SummaryWriter(tmp_path) as w:
        for step, v in enumerate(values):
            w.add_scalar("loss", v, step)
        w.add_scalar("grad", jtorch.ones(1, requires_grad=True) * 2, 7)
    acc = load(tmp_path)
    assert [(e.step, e.value) for e in acc.Scalars("loss")] == [
        (0, 0.5),
        (1, 1.5),
        (2, 2.5),
        (3, 3.5),
        (4, 4.0),
        (5, 5.5),
    ]
    assert [(e.step, e.value) for e in acc.Scalars("grad")] == [(7, 2.0)]


def test_scalar_new_style_and_double_precision(tmp_path):
    with SummaryWriter(tmp_path) as w:
        w.add_scalar("f", jtorch.tensor(0.1, dtype=jtorch.float64), 3, new_style=True)
        w.add_scalar("d", 0.1, 4, new_style=True, double_precision=True)
    acc = load(tmp_path)
    (f,) = acc.Tensors("f")
    (d,) = acc.Tensors("d")
    assert (f.step, f.tensor_proto.dtype, f.tensor_proto.float_val[0]) == (3, 1, np.float32(0.1))
    assert (d.step, d.tensor_proto.double_val[0]) == (4, 0.1)
    assert acc.SummaryMetadata("d").plugin_data.plugin_name == "scalars"


def test_add_scalars_sub_runs_as_torch(tmp_path, torch_writer):
    with SummaryWriter(tmp_path / "jt") as w:
        for step in range(3):
            w.add_scalars("a/loss", {"train": jtorch.tensor(step * 1.0), "val": step + 0.5}, step)
            torch_writer.add_scalars("a/loss", {"train": step * 1.0, "val": step + 0.5}, step)
    torch_writer.flush()
    runs = lambda d: sorted(p.name for p in d.iterdir() if p.is_dir())  # noqa: E731
    assert runs(tmp_path / "jt") == runs(tmp_path / "torch") == ["a_loss_train", "a_loss_val"]
    for run in ("a_loss_train", "a_loss_val"):
        ours, theirs = load(tmp_path / "jt" / run), load(tmp_path / "torch" / run)
        assert ours.Tags()["scalars"] == theirs.Tags()["scalars"] == ["a/loss"]
        assert [(e.step, e.value) for e in ours.Scalars("a/loss")] == [
            (e.step, e.value) for e in theirs.Scalars("a/loss")
        ]


def test_add_scalars_same_run(tmp_path):
    with SummaryWriter(tmp_path) as w:
        w.add_scalars("loss", {"train": 1.0, "val": jtorch.tensor(2.0)}, 5, same_run=True)
    assert [p.name for p in tmp_path.iterdir() if p.is_dir()] == []
    acc = load(tmp_path)
    assert [(e.step, e.value) for e in acc.Scalars("loss/val")] == [(5, 2.0)]
    assert sorted(acc.Tags()["scalars"]) == ["loss/train", "loss/val"]


# -- histograms -------------------------------------------------------------------------------
@pytest.mark.parametrize("bins, max_bins", [("tensorflow", None), ("auto", None), (30, 8)])
def test_histogram_matches_torch(tmp_path, torch_writer, bins, max_bins):
    data = np.random.default_rng(0).normal(size=500).astype(np.float32)
    with SummaryWriter(tmp_path / "jt") as w:
        w.add_histogram("h", jtorch.tensor(data), 2, bins=bins, max_bins=max_bins)
    torch_writer.add_histogram("h", data, 2, bins=bins, max_bins=max_bins)
    torch_writer.flush()
    (ours,), (theirs,) = (
        load(tmp_path / "jt").Histograms("h"),
        load(tmp_path / "torch").Histograms("h"),
    )
    assert ours.step == 2
    assert ours.histogram_value == theirs.histogram_value


def test_histogram_raw(tmp_path):
    values = np.repeat(np.arange(5.0), [1, 2, 3, 4, 5])
    counts, limits = np.histogram(values, bins=5)
    with SummaryWriter(tmp_path) as w:
        w.add_histogram_raw(
            "raw",
            min=values.min(),
            max=jtorch.tensor(values.max()),
            num=len(values),
            sum=values.sum(),
            sum_squares=values.dot(values),
            bucket_limits=jtorch.tensor(limits[1:]),
            bucket_counts=counts.tolist(),
            global_step=9,
        )
        with pytest.raises(ValueError, match="bucket_limits"):
            w.add_histogram_raw("bad", 0, 1, 1, 1, 1, [1.0, 2.0], [1], 0)
    (h,) = load(tmp_path).Histograms("raw")
    assert (h.step, h.histogram_value.num, h.histogram_value.max) == (9, 15, 4.0)
    assert list(h.histogram_value.bucket) == counts.tolist()


# -- images, audio ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "shape, fmt",
    [
        ((3, 4, 5), "CHW"),
        ((4, 5, 3), "HWC"),
        ((4, 5), "HW"),
        ((1, 4, 5), "CHW"),
        ((4, 5, 4), "HWC"),
    ],
)
def test_image_formats_match_torch(tmp_path, torch_writer, shape, fmt):
    data = np.random.default_rng(1).uniform(-0.2, 1.2, size=shape).astype(np.float32)
    with SummaryWriter(tmp_path / "jt") as w:
        w.add_image("img", jtorch.tensor(data), 1, dataformats=fmt)
    torch_writer.add_image("img", data, 1, dataformats=fmt)
    torch_writer.flush()
    (ours,), (theirs,) = load(tmp_path / "jt").Images("img"), load(tmp_path / "torch").Images("img")
    assert (ours.step, ours.width, ours.height) == (1, theirs.width, theirs.height) == (1, 5, 4)
    np.testing.assert_array_equal(
        pixels(ours.encoded_image_string), pixels(theirs.encoded_image_string)
    )


def test_images_batch_grid_matches_torch(tmp_path, torch_writer):
    data = (np.random.default_rng(2).uniform(size=(10, 3, 4, 4)) * 255).astype(np.uint8)
    with SummaryWriter(tmp_path / "jt") as w:
        w.add_images("batch", jtorch.tensor(data), 0)
        w.add_images("nhwc", data.transpose(0, 2, 3, 1), 0, dataformats="NHWC")
    torch_writer.add_images("batch", data, 0)
    torch_writer.flush()
    ours, theirs = load(tmp_path / "jt"), load(tmp_path / "torch")
    expected = pixels(theirs.Images("batch")[0].encoded_image_string)
    assert expected.shape == (8, 32, 3)  # 8 per row, 2 rows
    np.testing.assert_array_equal(pixels(ours.Images("batch")[0].encoded_image_string), expected)
    np.testing.assert_array_equal(pixels(ours.Images("nhwc")[0].encoded_image_string), expected)


def test_image_with_boxes(tmp_path):
    with SummaryWriter(tmp_path) as w:
        img = jtorch.zeros(3, 20, 20)
        w.add_image_with_boxes("boxes", img, jtorch.tensor([[2.0, 2.0, 10.0, 10.0]]), 0, labels="a")
    (e,) = load(tmp_path).Images("boxes")
    assert pixels(e.encoded_image_string)[2, 5].tolist() == [255, 0, 0]  # the red box edge


def test_audio_wav(tmp_path):
    t = np.linspace(0, 1, 800, dtype=np.float32)
    signal = np.sin(2 * np.pi * 5 * t) * 1.5  # out of range: clipped to [-1, 1]
    with SummaryWriter(tmp_path) as w:
        w.add_audio("snd", jtorch.tensor(signal)[None], 3, sample_rate=800)
    (e,) = load(tmp_path).Audio("snd")
    assert (e.step, e.sample_rate, e.length_frames, e.content_type) == (3, 800, 800, "audio/wav")
    with wave.open(io.BytesIO(e.encoded_audio_string)) as wav:
        pcm = np.frombuffer(wav.readframes(800), "<i2")
    np.testing.assert_array_equal(pcm, (signal.clip(-1, 1) * 32767).astype("<i2"))


def test_figure_and_video_need_their_packages(tmp_path):
    with SummaryWriter(tmp_path) as w:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            with pytest.raises(ModuleNotFoundError, match="matplotlib"):
                w.add_figure("fig", object())
        try:
            import moviepy  # noqa: F401
        except ImportError:
            with pytest.raises(ModuleNotFoundError, match="moviepy"):
                w.add_video("vid", jtorch.rand(1, 2, 3, 4, 4))


# -- text, pr curves, hparams, custom scalars, meshes, tensors ---------------------------------
def test_text_and_tensor(tmp_path):
    with SummaryWriter(tmp_path) as w:
        w.add_text("note", "**hello**", 4)
        w.add_tensor("t", jtorch.arange(6).reshape(2, 3), 1)
    acc = load(tmp_path)
    (e,) = acc.Tensors("note/text_summary")
    assert (e.step, e.tensor_proto.string_val) == (4, [b"**hello**"])
    (t,) = acc.Tensors("t")
    assert list(t.tensor_proto.int64_val) == list(range(6))
    assert [d.size for d in t.tensor_proto.tensor_shape.dim] == [2, 3]


def test_pr_curve_matches_torch(tmp_path, torch_writer):
    rng = np.random.default_rng(3)
    labels, predictions = rng.integers(0, 2, 100), rng.uniform(size=100)
    with SummaryWriter(tmp_path / "jt") as w:
        w.add_pr_curve(
            "pr", jtorch.tensor(labels), jtorch.tensor(predictions), 6, num_thresholds=20
        )
    torch_writer.add_pr_curve("pr", labels, predictions, 6, num_thresholds=20)
    torch_writer.flush()
    (ours,), (theirs,) = load(tmp_path / "jt").Tensors("pr"), load(tmp_path / "torch").Tensors("pr")
    assert ours.step == 6
    np.testing.assert_allclose(ours.tensor_proto.float_val, theirs.tensor_proto.float_val)
    content = load(tmp_path / "jt").SummaryMetadata("pr").plugin_data.content
    assert pr_plugin_data_pb2.PrCurvePluginData.FromString(content).num_thresholds == 20


def _hparams_content(acc: ea.EventAccumulator) -> dict:
    raw = acc.PluginTagToContent("hparams")
    return {tag: plugin_data_pb2.HParamsPluginData.FromString(c) for tag, c in raw.items()}


def test_hparams_sub_run_as_torch(tmp_path):
    with SummaryWriter(tmp_path) as w:
        w.add_hparams(
            {"lr": 0.1, "opt": "sgd", "bn": True, "bs": jtorch.tensor(32)},
            {"hp/acc": jtorch.tensor(0.9)},
            hparam_domain_discrete={"opt": ["sgd", "adam"]},
            run_name="trial1",
        )
    acc = load(tmp_path / "trial1")
    content = _hparams_content(acc)
    start = content["_hparams_/session_start_info"].session_start_info
    assert start.hparams["lr"].number_value == 0.1
    assert start.hparams["opt"].string_value == "sgd"
    assert start.hparams["bn"].bool_value is True
    assert start.hparams["bs"].number_value == 32
    exp = content["_hparams_/experiment"].experiment
    opt = next(h for h in exp.hparam_infos if h.name == "opt")
    assert [v.string_value for v in opt.domain_discrete.values] == ["sgd", "adam"]
    assert [m.name.tag for m in exp.metric_infos] == ["hp/acc"]
    assert [e.value for e in acc.Scalars("hp/acc")] == [pytest.approx(0.9)]


def test_hparams_same_run(tmp_path):
    with SummaryWriter(tmp_path) as w:
        for step in range(3):
            w.add_scalar("loss", 1.0 / (step + 1), step)
        w.add_hparams({"lr": 0.01}, {"loss": 1 / 3, "acc": 0.5}, global_step=2, same_run=True)
        with pytest.raises(TypeError, match="dictionary"):
            w.add_hparams([("lr", 1)], {})
    assert [p for p in tmp_path.iterdir() if p.is_dir()] == []
    acc = load(tmp_path)
    assert set(_hparams_content(acc)) == {
        "_hparams_/experiment",
        "_hparams_/session_start_info",
        "_hparams_/session_end_info",
    }
    assert len(acc.Scalars("loss")) == 3  # an existing series is not written twice
    assert [(e.step, e.value) for e in acc.Scalars("acc")] == [(2, 0.5)]


def test_custom_scalars_layout(tmp_path):
    from tensorboard.plugins.custom_scalar import layout_pb2

    layout = {"Losses": {"all": ["Multiline", ["loss/train", "loss/val"]]}}
    layout["Bands"] = {"acc": ["Margin", ["acc", "acc_lo", "acc_hi"]]}
    with SummaryWriter(tmp_path) as w:
        w.add_custom_scalars(layout)
        with pytest.raises(ValueError, match="layout"):
            w.add_custom_scalars({"x": {"y": ["Margin", ["only-one"]]}})
    (e,) = load(tmp_path).Tensors("custom_scalars__config__")
    parsed = layout_pb2.Layout.FromString(e.tensor_proto.string_val[0])
    assert [c.title for c in parsed.category] == ["Losses", "Bands"]
    assert list(parsed.category[0].chart[0].multiline.tag) == ["loss/train", "loss/val"]
    assert parsed.category[1].chart[0].margin.series[0].upper == "acc_hi"


def test_mesh(tmp_path):
    from tensorboard.plugins.mesh import metadata

    vertices = jtorch.tensor([[[0.0, 0, 0], [1, 0, 0], [0, 1, 0]]])
    colors = jtorch.tensor([[[255, 0, 0], [0, 255, 0], [0, 0, 255]]], dtype=jtorch.uint8)
    faces = jtorch.tensor([[[0, 1, 2]]])
    with SummaryWriter(tmp_path) as w:
        w.add_mesh("tri", vertices, colors=colors, faces=faces, global_step=1)
    acc = load(tmp_path)
    (v,) = acc.Tensors("tri_VERTEX")
    assert v.step == 1
    assert list(v.tensor_proto.float_val) == vertices.flatten().tolist()
    meta = metadata.parse_plugin_metadata(acc.SummaryMetadata("tri_COLOR").plugin_data.content)
    assert (meta.name, list(meta.shape), meta.components) == ("tri", [1, 3, 3], 14)


def test_embedding_files(tmp_path):
    from google.protobuf import text_format
    from tensorboard.plugins.projector.projector_config_pb2 import ProjectorConfig

    mat = jtorch.arange(12, dtype=jtorch.float32).reshape(4, 3)
    with SummaryWriter(tmp_path) as w:
        w.add_embedding(mat, metadata=["a", "b", "c", "d"], label_img=jtorch.rand(4, 3, 8, 8))
        w.add_embedding(mat * 2, global_step=1, tag="x/y")
    config = text_format.Parse((tmp_path / "projector_config.pbtxt").read_text(), ProjectorConfig())
    first, second = config.embeddings
    assert (first.tensor_name, first.metadata_path) == (
        "default:00000",
        "00000/default/metadata.tsv",
    )
    assert list(first.sprite.single_image_dim) == [8, 8]
    assert second.tensor_path == "00001/x%2fy/tensors.tsv"
    rows = (tmp_path / "00000/default/tensors.tsv").read_text().splitlines()
    assert rows[1].split("\t") == ["3.0", "4.0", "5.0"]
    assert (tmp_path / "00000/default/metadata.tsv").read_text().split() == ["a", "b", "c", "d"]
    assert Image.open(tmp_path / "00000/default/sprite.png").size == (16, 16)


# -- bad input ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "call, match",
    [
        (lambda w: w.add_scalar("s", jtorch.ones(2)), "scalar_value"),
        (lambda w: w.add_scalar("s", "1.0"), "scalar_value"),
        (lambda w: w.add_scalar("s", jtorch.tensor(1 + 2j)), "scalar_value"),
        (lambda w: w.add_scalar("", 1.0), "tag"),
        (lambda w: w.add_scalar(None, 1.0), "tag"),
        (lambda w: w.add_scalar("a\nb", 1.0), "tag"),
        (lambda w: w.add_scalars("m", {"": 1.0}), "tag_scalar_dict"),
        (lambda w: w.add_scalars("m", [1.0]), "tag_scalar_dict"),
        (lambda w: w.add_image("i", jtorch.rand(3, 4)), "img_tensor"),
        (lambda w: w.add_image("i", jtorch.rand(2, 4, 4)), "img_tensor"),
        (lambda w: w.add_image("i", np.zeros((3, 4, 4), complex)), "img_tensor"),
        (lambda w: w.add_image("i", np.zeros((3, 0, 4))), "img_tensor"),
        (lambda w: w.add_image("i", jtorch.rand(3, 4, 4), dataformats="CHX"), "dataformats"),
        (lambda w: w.add_image("i", jtorch.rand(3, 4, 4), dataformats="CCW"), "dataformats"),
        (lambda w: w.add_images("i", jtorch.rand(3, 4, 4)), "img_tensor"),
        (lambda w: w.add_histogram("h", np.array([1.0, np.nan])), "values"),
        (lambda w: w.add_histogram("h", jtorch.zeros(0)), "values"),
        (lambda w: w.add_audio("a", jtorch.zeros(2, 10)), "snd_tensor"),
        (lambda w: w.add_text("t", 3), "text_string"),
        (lambda w: w.add_pr_curve("p", [1, 0], [0.5]), "labels and predictions"),
        (lambda w: w.add_embedding(jtorch.zeros(3)), "mat"),
        (lambda w: w.add_embedding(jtorch.zeros(3, 2), metadata=["a"]), "metadata"),
        (
            lambda w: w.add_embedding(jtorch.zeros(2, 2), label_img=jtorch.zeros(2, 3, 4, 5)),
            "label_img",
        ),
        (lambda w: w.add_mesh("m", jtorch.zeros(3, 3)), "vertices"),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(tmp_path, call, match):
    with SummaryWriter(tmp_path) as w:
        w.add_scalar("before", 1.0, 0)
        with pytest.raises(ValueError, match=match):
            call(w)
        w.add_scalar("after", 2.0, 1)
    acc = load(tmp_path)  # the file is intact and holds exactly the good events
    assert [e.value for e in acc.Scalars("before") + acc.Scalars("after")] == [1.0, 2.0]
    assert acc.Tags()["images"] == acc.Tags()["histograms"] == []


# -- lifetime ---------------------------------------------------------------------------------
def test_exception_inside_with_flushes(tmp_path):
    with pytest.raises(RuntimeError, match="boom"):
        with SummaryWriter(tmp_path, flush_secs=3600, max_queue=1000) as w:
            w.add_scalar("x", 1.0, 0)
            raise RuntimeError("boom")
    assert w.all_writers is None  # closed
    assert [e.value for e in load(tmp_path).Scalars("x")] == [1.0]


def test_default_logdir_comment_suffix_and_reopen(tmp_path, monkeypatch):
    import socket

    monkeypatch.chdir(tmp_path)
    w = SummaryWriter(comment="_lr0.1", filename_suffix=".jt")
    logdir = w.get_logdir()
    parent, run = os.path.split(logdir)
    assert parent == "runs" and run.endswith("_" + socket.gethostname() + "_lr0.1")
    w.add_scalar("x", 1.0, 0)
    w.close()
    w.close()  # a second close is ignored
    w.add_scalar("x", 2.0, 1)  # reopens: a new event file
    w.flush()
    w.close()
    files = sorted(os.listdir(logdir))
    assert len(files) == 2 and all(f.endswith(".jt") for f in files)
    assert [(e.step, e.value) for e in load(logdir).Scalars("x")] == [(0, 1.0), (1, 2.0)]


def test_purge_step_hides_later_events(tmp_path):
    with SummaryWriter(tmp_path) as w:
        for step in range(5):
            w.add_scalar("x", step, step)
    with SummaryWriter(tmp_path, purge_step=3) as w:
        w.add_scalar("x", 30.0, 3)
    assert [(e.step, e.value) for e in load(tmp_path).Scalars("x")] == [
        (0, 0.0),
        (1, 1.0),
        (2, 2.0),
        (3, 30.0),
    ]


def test_logs_json_config_roundtrip(tmp_path):
    # NOTE: mesh config_dict is stored as sorted JSON, as torch does.
    with SummaryWriter(tmp_path) as w:
        w.add_mesh("m", jtorch.zeros(1, 2, 3), config_dict={"b": 1, "a": {"c": 2}})
    from tensorboard.plugins.mesh import metadata

    content = load(tmp_path).SummaryMetadata("m_VERTEX").plugin_data.content
    assert json.loads(metadata.parse_plugin_metadata(content).json_config) == {
        "a": {"c": 2},
        "b": 1,
    }


def test_summary_values_are_plain_protos(tmp_path):
    # a written Summary parses with TensorBoard's proto (no tensorboardX-only fields)
    with SummaryWriter(tmp_path) as w:
        w.add_scalar("x", 1.0, 0)
    from tensorboard.backend.event_processing.event_file_loader import EventFileLoader

    (path,) = tmp_path.iterdir()
    summaries = [e.summary for e in EventFileLoader(str(path)).Load() if e.HasField("summary")]
    assert [Summary.FromString(s.SerializeToString()).value[0].tag for s in summaries] == ["x"]


# -- jtorch_ext.tensorboard.watch --------------------------------------------------------------
def _mlp():
    jtorch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))


def _train(model, steps: int) -> None:
    x = jtorch.randn(8, 3)
    for _ in range(steps):
        model.zero_grad()
        model(x).pow(2).mean().backward()


def test_watch_logs_every_log_freq_steps(tmp_path):
    model = _mlp()
    with SummaryWriter(tmp_path) as w, watch(model, w, log_freq=2, log="all"):
        _train(model, 5)
    tags = load(tmp_path).Tags()
    acc = load(tmp_path)
    assert {"parameters/0.weight", "gradients/2.bias"} <= set(tags["histograms"])
    assert {"activations/1/mean", "activations/Sequential/std"} <= set(tags["scalars"])
    assert [e.step for e in acc.Histograms("gradients/0.weight")] == [0, 2, 4]
    assert [e.step for e in acc.Histograms("parameters/2.weight")] == [0, 2, 4]
    (first,) = [e for e in acc.Histograms("parameters/2.weight") if e.step == 0]
    assert first.histogram_value.num == 4


def test_watch_gradients_only_and_remove(tmp_path):
    model = _mlp()
    hooks = lambda: [  # noqa: E731
        (len(m._forward_hooks), len(m._forward_pre_hooks)) for m in model.modules()
    ]
    before = hooks()
    with SummaryWriter(tmp_path) as w:
        handle = watch(model, w, log_freq=1)
        _train(model, 2)
        handle.remove()
        handle.remove()  # idempotent
        assert hooks() == before
        _train(model, 2)  # nothing logged any more
    tags = load(tmp_path).Tags()
    assert tags["scalars"] == []
    assert sorted(tags["histograms"]) == [
        f"gradients/{n}" for n, _ in sorted(model.named_parameters())
    ]
    assert [e.step for e in load(tmp_path).Histograms("gradients/0.bias")] == [0, 1]


def test_watch_rejects_bad_arguments(tmp_path):
    with SummaryWriter(tmp_path) as w:
        with pytest.raises(ValueError, match="log"):
            watch(_mlp(), w, log="weights")
        with pytest.raises(ValueError, match="log_freq"):
            watch(_mlp(), w, log_freq=0)
