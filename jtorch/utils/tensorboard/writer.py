"""SummaryWriter: ``torch.utils.tensorboard.SummaryWriter`` for jtorch, written with tensorboardX.

Every ``add_*`` method takes jtorch tensors, NumPy arrays and Python numbers; values are turned
into NumPy (``_convert.make_np``) before any tensorboardX code sees them, and bad input raises a
ValueError that names the argument before anything is written.

Example:
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     with SummaryWriter(d) as w:
    ...         w.add_scalar("loss", jtorch.tensor(0.5), global_step=1)
    ...     sorted(os.listdir(d))[0].startswith("events.out.tfevents")
    True
"""

from __future__ import annotations

import io
import itertools
import json
import os
import socket
import time
import wave
from datetime import datetime

import numpy as np
from google.protobuf import struct_pb2
from tensorboardX import summary as tbx_summary
from tensorboardX.embedding import make_sprite, make_tsv
from tensorboardX.event_file_writer import EventFileWriter
from tensorboardX.proto import event_pb2
from tensorboardX.proto.api_pb2 import (
    DataType,
    Experiment,
    HParamInfo,
    MetricInfo,
    MetricName,
    Status,
)
from tensorboardX.proto.plugin_hparams_pb2 import (
    HParamsPluginData,
    SessionEndInfo,
    SessionStartInfo,
)
from tensorboardX.proto.plugin_mesh_pb2 import MeshPluginData
from tensorboardX.proto.summary_pb2 import Summary, SummaryMetadata
from tensorboardX.proto.tensor_pb2 import TensorProto
from tensorboardX.proto.tensor_shape_pb2 import TensorShapeProto

from jtorch.utils.tensorboard._convert import make_np, scalar_value

__all__ = ["SummaryWriter", "FileWriter"]


def _default_bins() -> list[float]:
    # NOTE: TensorFlow's exponential bucket limits, the "tensorflow" bins of torch's writer.
    v, buckets = 1e-12, []
    while v < 1e20:
        buckets.append(v)
        v *= 1.1
    return [-b for b in reversed(buckets)] + [0] + buckets


_DEFAULT_BINS = _default_bins()
_FILE_UID = itertools.count()


class FileWriter:
    """One event file in ``log_dir`` (tensorboardX's asynchronous ``EventFileWriter``)."""

    def __init__(self, log_dir, max_queue: int = 10, flush_secs: int = 120, filename_suffix=""):
        # NOTE: tensorboardX names files events.out.tfevents.<second>.<host><suffix> and opens
        # them with "wb": a second writer in the same directory and second would truncate the
        # first file. The pid and a process-wide counter make the name unique (torch's format).
        suffix = f".{os.getpid()}.{next(_FILE_UID)}{filename_suffix}"
        self.event_writer = EventFileWriter(str(log_dir), max_queue, flush_secs, suffix)

    def get_logdir(self) -> str:
        return self.event_writer.get_logdir()

    def add_event(self, event, step=None, walltime=None) -> None:
        event.wall_time = time.time() if walltime is None else walltime
        if step is not None:
            event.step = int(step)
        self.event_writer.add_event(event)

    def add_summary(self, summary, global_step=None, walltime=None) -> None:
        self.add_event(event_pb2.Event(summary=summary), global_step, walltime)

    def add_graph(self, graph_profile, walltime=None) -> None:
        """Write a ``(GraphDef, serialized RunMetadata)`` pair, as torch's add_graph does."""
        graph, run_metadata = graph_profile
        self.add_event(event_pb2.Event(graph_def=graph.SerializeToString()), None, walltime)
        trm = event_pb2.TaggedRunMetadata(tag="step1", run_metadata=run_metadata)
        self.add_event(event_pb2.Event(tagged_run_metadata=trm), None, walltime)

    def flush(self) -> None:
        self.event_writer.flush()

    def close(self) -> None:
        self.event_writer.close()

    def reopen(self) -> None:
        self.event_writer.reopen()


# -- validation ---------------------------------------------------------------------------------
def _check_tag(tag, name: str = "tag") -> str:
    if not isinstance(tag, str) or not tag.strip():
        raise ValueError(f"{name} must be a non-empty string, got {tag!r}")
    if any(ord(c) < 32 for c in tag):
        raise ValueError(f"{name} must not contain control characters, got {tag!r}")
    return tag


def _numeric(x, name: str) -> np.ndarray:
    try:
        array = make_np(x)
    except NotImplementedError:
        raise ValueError(f"{name} must be a tensor or array, got {type(x).__name__}") from None
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold real numbers, got dtype {array.dtype}")
    if array.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {tuple(array.shape)}")
    return array


def _to_uint8(array: np.ndarray) -> np.ndarray:
    # NOTE: torch's rule: uint8 is taken as [0, 255], every other dtype as [0, 1] and clipped.
    if array.dtype == np.uint8:
        return array
    return (array.astype(np.float32) * 255).clip(0, 255).astype(np.uint8)


def _grid(nchw: np.ndarray, ncols: int = 8) -> np.ndarray:
    """Tile N images (N, C, H, W) into one (C, rows*H, cols*W) canvas, row-major."""
    n, c, h, w = nchw.shape
    ncols = min(n, ncols)
    nrows = -(-n // ncols)
    padded = np.zeros((nrows * ncols, c, h, w), nchw.dtype)
    padded[:n] = nchw
    return padded.reshape(nrows, ncols, c, h, w).transpose(2, 0, 3, 1, 4).reshape(c, nrows * h, -1)


def _image_hwc(img, dataformats, name: str = "img_tensor") -> np.ndarray:
    """Validate an image (batch) in ``dataformats`` and return it as uint8 (H, W, 3|4)."""
    array = _numeric(img, name)
    fmt = dataformats.upper() if isinstance(dataformats, str) else dataformats
    if (
        not isinstance(fmt, str)
        or len(set(fmt)) != len(fmt)
        or not set(fmt) <= set("NCHW")
        or not {"H", "W"} <= set(fmt)
    ):
        raise ValueError(
            f"dataformats must be a permutation of HW plus optional N and C (e.g. 'CHW', "
            f"'HWC', 'HW', 'NCHW'), got {dataformats!r}"
        )
    if array.ndim != len(fmt):
        raise ValueError(
            f"{name} has shape {tuple(array.shape)} ({array.ndim}-D), which does not match "
            f"dataformats {dataformats!r} ({len(fmt)}-D)"
        )
    if "C" not in fmt:
        array, fmt = array[..., None], fmt + "C"
    if "N" not in fmt:
        array, fmt = array[None], "N" + fmt
    array = array.transpose([fmt.index(c) for c in "NCHW"])
    if array.shape[1] not in (1, 3, 4):
        raise ValueError(
            f"{name} must have 1, 3 or 4 channels (C in dataformats {dataformats!r}), "
            f"got {array.shape[1]} in shape {tuple(make_np(img).shape)}"
        )
    if array.shape[1] == 1:
        array = np.repeat(array, 3, axis=1)
    return _to_uint8(_grid(array).transpose(1, 2, 0))


def _image_summary(tag: str, hwc: np.ndarray, rois=None, labels=None) -> Summary:
    image = tbx_summary.make_image(np.ascontiguousarray(hwc), rois=rois, labels=labels)
    return Summary(value=[Summary.Value(tag=tag, image=image)])


class SummaryWriter:
    """Writes scalars, histograms, images, graphs, ... as TensorBoard event files in ``log_dir``.

    Args:
        log_dir: the run's directory; default ``runs/<Mon>DD_HH-MM-SS_<hostname><comment>``.
        comment: appended to the default ``log_dir`` (no effect when ``log_dir`` is given).
        purge_step: events with step >= ``purge_step`` written by a crashed run are hidden.
        max_queue: pending events before an ``add_*`` call forces a flush.
        flush_secs: seconds between automatic flushes.
        filename_suffix: suffix of the event file names.

    Used as a context manager it closes (and so flushes) the files on exit, also when the
    block raised.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as d, SummaryWriter(d) as w:
        ...     w.add_scalars("loss", {"train": 1.0, "val": 2.0}, 0, same_run=True)
        ...     w.get_logdir() == d
        True
    """

    def __init__(
        self,
        log_dir: str | os.PathLike | None = None,
        comment: str = "",
        purge_step: int | None = None,
        max_queue: int = 10,
        flush_secs: int = 120,
        filename_suffix: str = "",
    ) -> None:
        if not log_dir:
            current_time = datetime.now().strftime("%b%d_%H-%M-%S")
            log_dir = os.path.join("runs", current_time + "_" + socket.gethostname() + comment)
        self.log_dir = log_dir
        self.purge_step = purge_step
        self.max_queue = max_queue
        self.flush_secs = flush_secs
        self.filename_suffix = filename_suffix
        self.default_bins = _DEFAULT_BINS
        self._scalar_tags: set[str] = set()
        self._embeddings: list[str] = []
        self.file_writer = self.all_writers = None
        self._get_file_writer()

    def _get_file_writer(self) -> FileWriter:
        """The run's FileWriter, (re)created after ``close()``."""
        if self.all_writers is None or self.file_writer is None:
            self.file_writer = FileWriter(
                self.log_dir, self.max_queue, self.flush_secs, self.filename_suffix
            )
            self.all_writers = {self.file_writer.get_logdir(): self.file_writer}
            if self.purge_step is not None:
                step = self.purge_step
                self.file_writer.add_event(event_pb2.Event(step=step, file_version="brain.Event:2"))
                start = event_pb2.SessionLog(status=event_pb2.SessionLog.START)
                self.file_writer.add_event(event_pb2.Event(step=step, session_log=start))
                self.purge_step = None
        return self.file_writer

    def _write(self, summary: Summary, global_step=None, walltime=None) -> None:
        self._get_file_writer().add_summary(summary, global_step, walltime)

    def get_logdir(self) -> str:
        """The directory the run's event files are written to."""
        return self.log_dir

    # -- scalars ---------------------------------------------------------------------------------
    def add_scalar(
        self,
        tag: str,
        scalar_value,
        global_step: int | None = None,
        walltime: float | None = None,
        new_style: bool = False,
        double_precision: bool = False,
    ) -> None:
        """Log one number; ``new_style`` writes a tensor summary (``double_precision``: float64)."""
        _check_tag(tag)
        value = _scalar(scalar_value)
        if new_style:
            proto = (
                TensorProto(double_val=[value], dtype="DT_DOUBLE")
                if double_precision
                else TensorProto(float_val=[value], dtype="DT_FLOAT")
            )
            smd = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="scalars"))
            summary = Summary(value=[Summary.Value(tag=tag, tensor=proto, metadata=smd)])
        else:
            summary = Summary(value=[Summary.Value(tag=tag, simple_value=value)])
        self._scalar_tags.add(tag)
        self._write(summary, global_step, walltime)

    def add_scalars(
        self,
        main_tag: str,
        tag_scalar_dict: dict,
        global_step: int | None = None,
        walltime: float | None = None,
        same_run: bool = False,
    ) -> None:
        """Log several numbers in one chart.

        As in torch, each key goes to its own run ``<log_dir>/<main_tag>_<key>`` under tag
        ``main_tag``; with ``same_run=True`` (jtorch only) they are written to this run as tags
        ``<main_tag>/<key>`` instead, so no extra runs appear.
        """
        _check_tag(main_tag, "main_tag")
        if not isinstance(tag_scalar_dict, dict):
            raise ValueError(
                f"tag_scalar_dict must be a dict of tag -> number, got {type(tag_scalar_dict).__name__}"
            )
        values = {
            _check_tag(k, "tag_scalar_dict key"): _scalar(v) for k, v in tag_scalar_dict.items()
        }
        walltime = time.time() if walltime is None else walltime
        if same_run:
            for tag, value in values.items():
                self.add_scalar(f"{main_tag}/{tag}", value, global_step, walltime)
            return
        fw_logdir = self._get_file_writer().get_logdir()
        for tag, value in values.items():
            fw_tag = fw_logdir + "/" + main_tag.replace("/", "_") + "_" + tag
            fw = self.all_writers.get(fw_tag)
            if fw is None:
                fw = FileWriter(fw_tag, self.max_queue, self.flush_secs, self.filename_suffix)
                self.all_writers[fw_tag] = fw
            summary = Summary(value=[Summary.Value(tag=main_tag, simple_value=value)])
            fw.add_summary(summary, global_step, walltime)

    def add_tensor(self, tag: str, tensor, global_step=None, walltime=None) -> None:
        """Log a whole tensor (the "tensor" plugin's TensorProto)."""
        _check_tag(tag)
        array = make_np(tensor)
        kinds = {"f": ("DT_DOUBLE", "double_val"), "i": ("DT_INT64", "int64_val")}
        kinds |= {"u": ("DT_INT64", "int64_val"), "b": ("DT_BOOL", "bool_val")}
        if array.dtype.kind not in kinds:
            raise ValueError(f"tensor has unsupported dtype {array.dtype}")
        dtype, field = kinds[array.dtype.kind]
        if array.dtype == np.float32:
            dtype, field = "DT_FLOAT", "float_val"
        shape = TensorShapeProto(dim=[TensorShapeProto.Dim(size=s) for s in array.shape])
        proto = TensorProto(dtype=dtype, tensor_shape=shape, **{field: array.ravel().tolist()})
        smd = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="tensor"))
        self._write(
            Summary(value=[Summary.Value(tag=tag, tensor=proto, metadata=smd)]),
            global_step,
            walltime,
        )

    # -- histograms ------------------------------------------------------------------------------
    def add_histogram(
        self,
        tag: str,
        values,
        global_step: int | None = None,
        bins="tensorflow",
        walltime: float | None = None,
        max_bins: int | None = None,
    ) -> None:
        """Log a histogram of ``values``; ``bins`` as in ``numpy.histogram`` or "tensorflow"."""
        _check_tag(tag)
        array = _numeric(values, "values").astype(float)
        if not np.isfinite(array).all():
            raise ValueError(f"values for histogram {tag!r} contain NaN or Inf")
        if isinstance(bins, str) and bins == "tensorflow":
            bins = self.default_bins
        hist = tbx_summary.make_histogram(array, bins, max_bins=max_bins)
        self._write(Summary(value=[Summary.Value(tag=tag, histo=hist)]), global_step, walltime)

    def add_histogram_raw(
        self,
        tag: str,
        min,
        max,
        num,
        sum,
        sum_squares,
        bucket_limits,
        bucket_counts,
        global_step: int | None = None,
        walltime: float | None = None,
    ) -> None:
        """Log a histogram from precomputed statistics (``bucket_limits``: right edges)."""
        _check_tag(tag)
        limits = make_np(bucket_limits).ravel().tolist()
        counts = make_np(bucket_counts).ravel().tolist()
        if len(limits) != len(counts):
            raise ValueError("len(bucket_limits) != len(bucket_counts), see the document.")
        stats = [scalar_value(v, n) for v, n in zip((min, max, num, sum, sum_squares), _RAW)]
        summary = tbx_summary.histogram_raw(tag, *stats, limits, counts)
        self._write(summary, global_step, walltime)

    # -- images, figures, video, audio -------------------------------------------------------------
    def add_image(
        self, tag: str, img_tensor, global_step=None, walltime=None, dataformats: str = "CHW"
    ) -> None:
        """Log an image: uint8 in [0, 255] or floats in [0, 1], shaped as ``dataformats``."""
        _check_tag(tag)
        self._write(_image_summary(tag, _image_hwc(img_tensor, dataformats)), global_step, walltime)

    def add_images(
        self, tag: str, img_tensor, global_step=None, walltime=None, dataformats: str = "NCHW"
    ) -> None:
        """Log a batch of images as one grid (8 per row)."""
        self.add_image(tag, img_tensor, global_step, walltime, dataformats)

    def add_image_with_boxes(
        self,
        tag: str,
        img_tensor,
        box_tensor,
        global_step=None,
        walltime=None,
        rescale=1,
        dataformats: str = "CHW",
        labels=None,
    ) -> None:
        """Log an image with boxes (rows ``[xmin, ymin, xmax, ymax]``) drawn on it."""
        _check_tag(tag)
        if "N" in str(dataformats).upper():
            raise ValueError(f"dataformats must describe one image, got {dataformats!r}")
        hwc = _image_hwc(img_tensor, dataformats)
        boxes = _numeric(box_tensor, "box_tensor").reshape(-1, 4) * rescale
        if isinstance(labels, str):
            labels = [labels]
        if labels is not None and len(labels) != boxes.shape[0]:
            labels = None
        if rescale != 1:
            h, w = hwc.shape[:2]
            hwc = np.asarray(_pil(hwc).resize((int(w * rescale), int(h * rescale))))
        self._write(_image_summary(tag, hwc, rois=boxes, labels=labels), global_step, walltime)

    def add_figure(self, tag: str, figure, global_step=None, close: bool = True, walltime=None):
        """Log a matplotlib figure (or a list of them) as an image; needs matplotlib."""
        try:
            import matplotlib  # noqa: F401, PLC0415
            from tensorboardX.utils import figure_to_image  # noqa: PLC0415
        except ImportError as e:
            raise ModuleNotFoundError("add_figure needs matplotlib: pip install matplotlib") from e
        image = figure_to_image(figure, close)
        fmt = "NCHW" if isinstance(figure, list) else "CHW"
        self.add_image(tag, image, global_step, walltime, dataformats=fmt)

    def add_video(self, tag: str, vid_tensor, global_step=None, fps=4, walltime=None) -> None:
        """Log a video batch (N, T, C, H, W) as an animated GIF; needs moviepy."""
        _check_tag(tag)
        array = _numeric(vid_tensor, "vid_tensor")
        if array.ndim != 5 or array.shape[2] not in (1, 3, 4):
            raise ValueError(
                f"vid_tensor must be (N, T, C, H, W) with C in 1, 3, 4, got {tuple(array.shape)}"
            )
        try:
            import moviepy  # noqa: F401, PLC0415
        except ImportError as e:
            raise ModuleNotFoundError("add_video needs moviepy: pip install moviepy") from e
        from tensorboardX.utils import _prepare_video  # noqa: PLC0415

        video = tbx_summary.make_video(_to_uint8(_prepare_video(array)), fps)
        self._write(Summary(value=[Summary.Value(tag=tag, image=video)]), global_step, walltime)

    def add_audio(
        self, tag: str, snd_tensor, global_step=None, sample_rate: int = 44100, walltime=None
    ) -> None:
        """Log mono audio: a 1-D signal in [-1, 1] (clipped), written as 16-bit WAV."""
        _check_tag(tag)
        array = _numeric(snd_tensor, "snd_tensor").squeeze()
        if array.ndim != 1:
            raise ValueError(
                f"snd_tensor must be 1-D (one channel), got shape {tuple(make_np(snd_tensor).shape)}"
            )
        pcm = (array.clip(-1, 1) * np.iinfo(np.int16).max).astype("<i2")
        with io.BytesIO() as fio:
            with wave.open(fio, "wb") as wav:
                wav.setnchannels(1)
                wav.setsampwidth(2)
                wav.setframerate(sample_rate)
                wav.writeframes(pcm.tobytes())
            encoded = fio.getvalue()
        audio = Summary.Audio(
            sample_rate=sample_rate,
            num_channels=1,
            length_frames=pcm.shape[-1],
            encoded_audio_string=encoded,
            content_type="audio/wav",
        )
        self._write(Summary(value=[Summary.Value(tag=tag, audio=audio)]), global_step, walltime)

    # -- text, hparams, custom scalars, pr curves, meshes ----------------------------------------
    def add_text(self, tag: str, text_string: str, global_step=None, walltime=None) -> None:
        """Log a (markdown) string."""
        _check_tag(tag)
        if not isinstance(text_string, str):
            raise ValueError(f"text_string must be a str, got {type(text_string).__name__}")
        self._write(tbx_summary.text(tag, text_string), global_step, walltime)

    def add_hparams(
        self,
        hparam_dict: dict,
        metric_dict: dict,
        hparam_domain_discrete: dict | None = None,
        run_name: str | None = None,
        global_step: int | None = None,
        same_run: bool = False,
    ) -> None:
        """Log one hyperparameter set with its metrics for the HParams dashboard.

        As in torch it is written to a sub-run ``run_name`` (default: the current time); with
        ``same_run=True`` (jtorch only) it is written to this run, so the metrics can be the
        scalars already logged here: a metric whose tag was already logged with ``add_scalar``
        is not written again.
        """
        if type(hparam_dict) is not dict or type(metric_dict) is not dict:
            raise TypeError("hparam_dict and metric_dict should be dictionary.")
        exp, ssi, sei = _hparams(hparam_dict, metric_dict, hparam_domain_discrete or {})
        metrics = {_check_tag(k, "metric_dict key"): _scalar(v) for k, v in metric_dict.items()}
        if same_run:
            for summary in (exp, ssi, sei):
                self._write(summary, global_step)
            for k, v in metrics.items():
                if k not in self._scalar_tags:
                    self.add_scalar(k, v, global_step)
            return
        run_name = run_name or str(time.time())
        with SummaryWriter(
            log_dir=os.path.join(self._get_file_writer().get_logdir(), run_name)
        ) as w:
            for summary in (exp, ssi, sei):
                w._write(summary, global_step)
            for k, v in metrics.items():
                w.add_scalar(k, v, global_step)

    def add_custom_scalars(self, layout: dict) -> None:
        """Lay out charts of existing scalar tags: ``{category: {title: [kind, tags]}}``."""
        if not isinstance(layout, dict) or not all(isinstance(v, dict) for v in layout.values()):
            raise ValueError(
                "layout must be {category: {chart title: ['Multiline'|'Margin', tags]}}"
            )
        for charts in layout.values():
            for title, (kind, tags) in charts.items():
                if kind not in ("Multiline", "Margin") or (kind == "Margin" and len(tags) != 3):
                    raise ValueError(
                        f"layout chart {title!r} must be ['Multiline', tags] or ['Margin', "
                        f"[value, lower, upper]], got {[kind, tags]!r}"
                    )
        self._write(tbx_summary.custom_scalars(layout))

    def add_custom_scalars_multilinechart(self, tags, category="default", title="untitled"):
        """``add_custom_scalars`` with one multi-line chart of ``tags``."""
        self.add_custom_scalars({category: {title: ["Multiline", tags]}})

    def add_custom_scalars_marginchart(self, tags, category="default", title="untitled"):
        """``add_custom_scalars`` with one margin chart of ``[value, lower, upper]`` tags."""
        self.add_custom_scalars({category: {title: ["Margin", tags]}})

    def add_pr_curve(
        self,
        tag: str,
        labels,
        predictions,
        global_step=None,
        num_thresholds: int = 127,
        weights=None,
        walltime=None,
    ) -> None:
        """Log a precision-recall curve of binary ``labels`` against ``predictions`` in [0, 1]."""
        _check_tag(tag)
        labels = _numeric(labels, "labels")
        predictions = _numeric(predictions, "predictions")
        if labels.shape != predictions.shape:
            raise ValueError(
                f"labels and predictions must have the same shape, got {labels.shape} and "
                f"{predictions.shape}"
            )
        weights = None if weights is None else make_np(weights)
        summary = tbx_summary.pr_curve(tag, labels, predictions, num_thresholds, weights)
        self._write(summary, global_step, walltime)

    def add_pr_curve_raw(
        self,
        tag: str,
        true_positive_counts,
        false_positive_counts,
        true_negative_counts,
        false_negative_counts,
        precision,
        recall,
        global_step=None,
        num_thresholds: int = 127,
        weights=None,
        walltime=None,
    ) -> None:
        """Log a precision-recall curve from precomputed counts per threshold."""
        _check_tag(tag)
        data = [
            make_np(x)
            for x in (
                true_positive_counts,
                false_positive_counts,
                true_negative_counts,
                false_negative_counts,
                precision,
                recall,
            )
        ]
        summary = tbx_summary.pr_curve_raw(tag, *data, num_thresholds, weights)
        self._write(summary, global_step, walltime)

    def add_mesh(
        self,
        tag: str,
        vertices,
        colors=None,
        faces=None,
        config_dict=None,
        global_step=None,
        walltime=None,
    ) -> None:
        """Log a 3-D mesh or point cloud: ``vertices`` (B, N, 3), ``colors``/``faces`` (B, N, 3)."""
        _check_tag(tag)
        json_config = json.dumps(config_dict, sort_keys=True) if config_dict is not None else "{}"
        values = []
        for name, x, kind in (
            ("vertices", vertices, MeshPluginData.VERTEX),
            ("faces", faces, MeshPluginData.FACE),
            ("colors", colors, MeshPluginData.COLOR),
        ):
            if x is None:
                continue
            array = _numeric(x, name)
            if array.ndim != 3 or array.shape[2] != 3:
                raise ValueError(f"{name} must have shape (B, N, 3), got {tuple(array.shape)}")
            content = MeshPluginData(
                version=0, name=tag, content_type=kind, json_config=json_config, shape=array.shape
            ).SerializeToString()
            plugin = SummaryMetadata.PluginData(plugin_name="mesh", content=content)
            shape = TensorShapeProto(dim=[TensorShapeProto.Dim(size=s) for s in array.shape])
            proto = TensorProto(
                dtype="DT_FLOAT", float_val=array.ravel().tolist(), tensor_shape=shape
            )
            values.append(
                Summary.Value(
                    tag=f"{tag}_{MeshPluginData.ContentType.Name(kind)}",
                    tensor=proto,
                    metadata=SummaryMetadata(plugin_data=plugin),
                )
            )
        self._write(Summary(value=values), global_step, walltime)

    # -- embeddings and graphs -----------------------------------------------------------------
    def add_embedding(
        self,
        mat,
        metadata=None,
        label_img=None,
        global_step: int | None = None,
        tag: str = "default",
        metadata_header=None,
    ) -> None:
        """Write vectors (N, D) for the Projector, with optional labels and (N, C, H, W) images."""
        _check_tag(tag)
        mat = _numeric(mat, "mat")
        if mat.ndim != 2:
            raise ValueError(f"mat must be 2-D (points, features), got shape {tuple(mat.shape)}")
        if metadata is not None and len(metadata) != mat.shape[0]:
            raise ValueError(
                f"metadata must have one entry per row of mat ({mat.shape[0]}), got {len(metadata)}"
            )
        if label_img is not None:
            label_img = _numeric(label_img, "label_img")
            if label_img.ndim != 4 or label_img.shape[0] != mat.shape[0]:
                raise ValueError(
                    f"label_img must be (N, C, H, W) with N = {mat.shape[0]} rows of mat, got "
                    f"shape {tuple(label_img.shape)}"
                )
            if label_img.shape[2] != label_img.shape[3] or label_img.shape[1] not in (1, 3):
                raise ValueError(
                    f"label_img images must be square with 1 or 3 channels, got shape "
                    f"{tuple(label_img.shape)}"
                )
            if label_img.dtype == np.uint8:
                label_img = label_img / 255.0
        global_step = 0 if global_step is None else global_step
        subdir = f"{str(global_step).zfill(5)}/{_encode(tag)}"
        logdir = self._get_file_writer().get_logdir()
        save_path = os.path.join(logdir, subdir)
        if os.path.isdir(save_path):
            print("warning: Embedding dir exists, did you set global_step for add_embedding()?")
        os.makedirs(save_path, exist_ok=True)
        if metadata is not None:
            make_tsv(metadata, save_path, metadata_header=metadata_header)
        if label_img is not None:
            make_sprite(label_img, save_path)
        with open(os.path.join(save_path, "tensors.tsv"), "w") as f:
            f.writelines("\t".join(map(str, row)) + "\n" for row in mat.tolist())
        entry = [f'  tensor_name: "{tag}:{str(global_step).zfill(5)}"']
        entry.append(f'  tensor_path: "{subdir}/tensors.tsv"')
        if metadata is not None:
            entry.append(f'  metadata_path: "{subdir}/metadata.tsv"')
        if label_img is not None:
            dims = (label_img.shape[3], label_img.shape[2])
            entry += [f'  sprite {{\n    image_path: "{subdir}/sprite.png"']
            entry += [f"    single_image_dim: {d}" for d in dims] + ["  }"]
        self._embeddings.append("embeddings {\n" + "\n".join(entry) + "\n}\n")
        with open(os.path.join(logdir, "projector_config.pbtxt"), "w") as f:
            f.write("".join(self._embeddings))

    def add_graph(
        self, model, input_to_model=None, verbose: bool = False, use_strict_trace: bool = True
    ) -> None:
        """Run ``model`` on ``input_to_model`` once (no grad) and log the ops it ran as a graph.

        Ops are grouped by module scope (``Net/Linear[fc1]/addmm``), wired to the parameters,
        inputs and outputs, and carry their output shapes and dtypes; the measured time and
        output memory of every op is written as RunMetadata (TensorBoard's "Compute time" and
        "Memory" colours). No tracing compiler is involved. See ``_graph.graph``.
        """
        from jtorch.utils.tensorboard._graph import graph  # noqa: PLC0415

        self._get_file_writer().add_graph(graph(model, input_to_model, verbose, use_strict_trace))

    # -- lifetime --------------------------------------------------------------------------------
    def flush(self) -> None:
        """Write all pending events to disk."""
        if self.all_writers is None:
            return
        for writer in self.all_writers.values():
            writer.flush()

    def close(self) -> None:
        """Flush and close every event file; a later ``add_*`` call opens a new one."""
        if self.all_writers is None:
            return  # ignore double close
        for writer in self.all_writers.values():
            writer.flush()
            writer.close()
        self.file_writer = self.all_writers = None

    def __enter__(self) -> SummaryWriter:
        return self

    def __exit__(self, exc_type, exc_val, exc_tb) -> None:
        self.close()


_RAW = ("min", "max", "num", "sum", "sum_squares")


def _scalar(value) -> float:
    return scalar_value(value, "scalar_value")


def _encode(rawstr: str) -> str:
    return rawstr.replace("%", "%25").replace("/", "%2f").replace("\\", "%5c")


def _pil(hwc: np.ndarray):
    from PIL import Image  # noqa: PLC0415

    return Image.fromarray(hwc)


def _hparams(hparam_dict: dict, metric_dict: dict, domains: dict) -> tuple[Summary, ...]:
    """The Experiment, SessionStartInfo and SessionEndInfo summaries of the HParams plugin."""
    if not isinstance(domains, dict):
        raise TypeError("parameter: hparam_domain_discrete should be a dictionary, nothing logged.")
    for k, v in domains.items():
        if (
            k not in hparam_dict
            or not isinstance(v, list)
            or not all(isinstance(d, type(hparam_dict[k])) for d in v)
        ):
            raise TypeError(
                f"parameter: hparam_domain_discrete[{k}] should be a list of same type as hparam_dict[{k}]."
            )
    infos, ssi = [], SessionStartInfo()
    for k, v in hparam_dict.items():
        if v is None:
            continue
        # NOTE: bool before int (bool is an int), tensors and NumPy numbers are numbers.
        if isinstance(v, bool):
            kind, field = "DATA_TYPE_BOOL", "bool_value"
        elif isinstance(v, str):
            kind, field = "DATA_TYPE_STRING", "string_value"
        elif isinstance(v, (int, float)) or hasattr(v, "__array__"):
            kind, field, v = (
                "DATA_TYPE_FLOAT64",
                "number_value",
                scalar_value(v, f"hparam_dict[{k!r}]"),
            )
        else:
            raise ValueError("value should be one of int, float, str, bool, or torch.Tensor")
        setattr(ssi.hparams[k], field, v)
        domain = None
        if k in domains:
            domain = struct_pb2.ListValue(
                values=[struct_pb2.Value(**{field: d}) for d in domains[k]]
            )
        infos.append(HParamInfo(name=k, type=DataType.Value(kind), domain_discrete=domain))

    def plugin_summary(tag: str, **content) -> Summary:
        data = HParamsPluginData(version=0, **content).SerializeToString()
        smd = SummaryMetadata(
            plugin_data=SummaryMetadata.PluginData(plugin_name="hparams", content=data)
        )
        return Summary(value=[Summary.Value(tag=tag, metadata=smd)])

    metrics = [MetricInfo(name=MetricName(tag=k)) for k in metric_dict]
    return (
        plugin_summary(
            "_hparams_/experiment", experiment=Experiment(hparam_infos=infos, metric_infos=metrics)
        ),
        plugin_summary("_hparams_/session_start_info", session_start_info=ssi),
        plugin_summary(
            "_hparams_/session_end_info",
            session_end_info=SessionEndInfo(status=Status.Value("STATUS_SUCCESS")),
        ),
    )
