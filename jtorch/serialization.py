"""save/load in PyTorch's zip checkpoint format, a weights-only safe unpickler, and safetensors.

A checkpoint is a zip archive (entries stored uncompressed, data 64-byte aligned) holding
``<archive>/data.pkl`` (a protocol-2 pickle), ``<archive>/data/<key>`` (one raw little-endian
storage per key), ``version``, ``byteorder`` and ``.data/serialization_id``. Tensors pickle as
``torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)`` with the
storage as a persistent id ``('storage', torch.FloatStorage, key, location, numel)``: torch's own
names, so files move between jtorch and torch in both directions. Views of one array share one
storage, as in torch.

Example:
    >>> import io
    >>> buf = io.BytesIO()
    >>> x = jtorch.arange(6.0)
    >>> jtorch.save({"x": x, "head": x[:2]}, buf); _ = buf.seek(0)
    >>> loaded = jtorch.load(buf)
    >>> loaded["head"][0] = 9.0; loaded["x"]
    tensor([9., 1., 2., 3., 4., 5.])
"""

from __future__ import annotations

import _codecs
import contextlib
import io
import json
import os
import pathlib
import pickle
import struct
import sys
import tempfile
import zipfile
from collections import Counter, OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

from jtorch import backend, dtypes
from jtorch._size import Size
from jtorch._tensor import Tensor

__all__ = [
    "add_safe_globals",
    "clear_safe_globals",
    "get_safe_globals",
    "load",
    "load_file",
    "safe_globals",
    "save",
    "save_file",
]

DEFAULT_PROTOCOL = 2
_ALIGNMENT = 64
_STORAGE_NAMES = {d: d._legacy.replace("Tensor", "Storage") for d in dtypes.ALL}
_STORAGE_DTYPES = {name: d for d, name in _STORAGE_NAMES.items()}


class _Global:
    """A stand-in pickled as ``GLOBAL module name`` (torch's names, without importing torch)."""

    __slots__ = ("module", "name")

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name

    def __call__(self, *args):  # pickle requires reduce callables to be callable
        raise TypeError(f"{self.module}.{self.name} is a pickling stand-in")


_REBUILD_TENSOR = _Global("torch._utils", "_rebuild_tensor_v2")
_REBUILD_PARAMETER = _Global("torch._utils", "_rebuild_parameter")


def _parameter_class():
    nn = sys.modules.get("jtorch.nn")
    return getattr(nn, "Parameter", None) if nn is not None else None


# -- saving --------------------------------------------------------------------------------------
class _Pickler(pickle._Pickler):
    """The pure-Python pickler, so globals can be written under torch's names.

    NOTE: the C pickler verifies every global by importing it, which rules out writing
    ``torch._utils._rebuild_tensor_v2`` without torch; the pickle holds only structure (tensor
    bytes go to separate records), so the pure-Python pickler costs little.
    """

    dispatch = pickle._Pickler.dispatch.copy()

    def __init__(self, file, protocol: int) -> None:
        super().__init__(file, protocol)
        self.storages: dict[int, tuple[str, np.ndarray]] = {}
        self._keep: list = []  # roots stay alive so their ids stay unique while saving

    def _save_stub(self, obj: _Global) -> None:
        self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode())
        self.memoize(obj)

    dispatch[_Global] = _save_stub

    def save_global(self, obj, name=None):
        if isinstance(obj, dtypes.dtype):
            return self._save_stub(_Global("torch", obj.name))
        if obj is backend.device:
            return self._save_stub(_Global("torch", "device"))
        if obj is Size:
            return self._save_stub(_Global("torch", "Size"))
        return super().save_global(obj, name)

    dispatch[dtypes.dtype] = save_global

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            return self._reduce_tensor(obj)
        if type(obj) is backend.device:
            return (backend.device, (str(obj),))
        return NotImplemented

    def _reduce_tensor(self, t: Tensor):
        location = "cpu" if t.is_cpu else f"cuda:{t.device.index or 0}"
        host = backend.to_numpy(t._array)
        storage, offset, stride = self._storage_of(host, location)
        param = _parameter_class()
        if param is not None and isinstance(t, param):
            data = _Reduced(
                _REBUILD_TENSOR, (storage, offset, host.shape, stride, False, OrderedDict())
            )
            return (_REBUILD_PARAMETER, (data, t.requires_grad, OrderedDict()))
        return (
            _REBUILD_TENSOR,
            (storage, offset, host.shape, stride, t.requires_grad, OrderedDict()),
        )

    def _storage_of(self, array: np.ndarray, location: str):
        """``(storage ref, offset, stride)`` of ``array``, sharing one storage per root array."""
        root = array
        while isinstance(root.base, np.ndarray):
            root = root.base
        itemsize = array.itemsize
        shareable = (
            root.dtype == array.dtype
            and root.flags.c_contiguous
            and root.dtype.isnative
            and all(s >= 0 and s % itemsize == 0 for s in array.strides)
        )
        if not shareable:
            root = array = np.ascontiguousarray(array)
        entry = self.storages.get(id(root))
        if entry is None:
            entry = self.storages[id(root)] = (str(len(self.storages)), root)
            self._keep.append(root)
        start = array.__array_interface__["data"][0] - root.__array_interface__["data"][0]
        offset = start // itemsize if array.size else 0
        stride = tuple(s // itemsize for s in array.strides)
        storage_type = _Global("torch", _STORAGE_NAMES[dtypes.from_np(array.dtype)])
        ref = _StorageRef(("storage", storage_type, entry[0], location, root.size))
        return ref, offset, stride

    def persistent_id(self, obj):
        return obj.ref if type(obj) is _StorageRef else None


class _StorageRef:
    __slots__ = ("ref",)

    def __init__(self, ref: tuple) -> None:
        self.ref = ref


class _Reduced:
    """A nested ``_rebuild_tensor_v2(...)`` call (the data argument of ``_rebuild_parameter``)."""

    __slots__ = ("func", "args")

    def __init__(self, func, args) -> None:
        self.func, self.args = func, args

    def __reduce__(self):
        return (self.func, self.args)


def _aligned_extra(offset: int, name: str) -> bytes:
    """A zip extra field that pads a record's data to a 64-byte boundary (as torch writes)."""
    header = 30 + len(name.encode()) + 4
    pad = (-(offset + header)) % _ALIGNMENT
    return b"FB" + struct.pack("<H", pad) + b"Z" * pad


def _write_zip(f, records: list[tuple[str, bytes | memoryview]]) -> None:
    with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in records:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            info.extra = _aligned_extra(zf.fp.tell(), name)
            zf.writestr(info, bytes(data) if isinstance(data, memoryview) else data)


def _checkpoint_records(obj, pickle_protocol: int) -> list[tuple[str, bytes]]:
    buf = io.BytesIO()
    pickler = _Pickler(buf, pickle_protocol)
    pickler.dump(obj)
    prefix = "archive/"
    records = [
        (prefix + "data.pkl", buf.getvalue()),
        (prefix + ".format_version", b"1"),
        (prefix + ".storage_alignment", b"64"),
        (prefix + "byteorder", b"little"),
    ]
    for key, root in sorted(pickler.storages.values(), key=lambda e: int(e[0])):
        records.append(
            (f"{prefix}data/{key}", root.astype(root.dtype.newbyteorder("<"), copy=False).tobytes())
        )
    records.append((prefix + "version", b"3\n"))
    serial = str(int.from_bytes(os.urandom(16), "little")).zfill(40)
    records.append((prefix + ".data/serialization_id", serial.encode()))
    return records


def save(
    obj: Any,
    f,
    pickle_module: Any = pickle,
    pickle_protocol: int = DEFAULT_PROTOCOL,
    _use_new_zipfile_serialization: bool = True,
    _disable_byteorder_record: bool = False,
) -> None:
    """Save ``obj`` (tensors, state dicts, containers, modules) in PyTorch's checkpoint format.

    A path is written atomically: to a temporary file in the same directory, then renamed, so an
    error (or a crash) never leaves a truncated checkpoint. ``torch.load`` reads the result.

    Example:
        >>> import tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "w.pt")
        >>> jtorch.save({"w": jtorch.ones(2)}, path); jtorch.load(path)
        {'w': tensor([1., 1.])}
    """
    records = _checkpoint_records(obj, pickle_protocol)
    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        if not os.path.isdir(os.path.dirname(path) or "."):
            raise RuntimeError(f"Parent directory {os.path.dirname(path)} does not exist.")
        directory = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(
            dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".tmp"
        )
        try:
            with os.fdopen(fd, "wb") as out:
                _write_zip(out, records)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
    else:
        _write_zip(f, records)


# -- loading -------------------------------------------------------------------------------------
_safe_globals: list = []


def add_safe_globals(safe_globals: list) -> None:
    """Allow these globals (objects, or ``(object, "module.name")`` pairs) in weights-only loads.

    Example:
        >>> add_safe_globals([Counter]); Counter in get_safe_globals()
        True
        >>> clear_safe_globals()
    """
    _safe_globals.extend(safe_globals)


def get_safe_globals() -> list:
    """The user-added weights-only allow-list."""
    return list(_safe_globals)


def clear_safe_globals() -> None:
    """Empty the user-added weights-only allow-list."""
    _safe_globals.clear()


@contextlib.contextmanager
def safe_globals(safe_globals: list):
    """Within the block, ``safe_globals`` are allowed in weights-only loads.

    Example:
        >>> with safe_globals([Counter]):
        ...     Counter in get_safe_globals()
        True
    """
    before = list(_safe_globals)
    add_safe_globals(safe_globals)
    try:
        yield
    finally:
        _safe_globals[:] = before


def _qualname(obj) -> str:
    return f"{obj.__module__}.{obj.__qualname__}"


class _StorageType:
    """What ``torch.FloatStorage`` and friends unpickle to: just the element dtype."""

    def __init__(self, dtype: dtypes.dtype) -> None:
        self.dtype = dtype


class _Storage:
    """A loaded storage: a flat array of one dtype, on its final device."""

    __slots__ = ("array",)

    def __init__(self, array) -> None:
        self.array = array

    @property
    def device(self) -> backend.device:
        return backend.device_of(self.array)

    def cpu(self) -> _Storage:
        return _Storage(backend.to_numpy(self.array))

    def cuda(self, device=None) -> _Storage:
        return _Storage(backend.move(self.array, backend.as_device(device or "cuda")))


def _rebuild_tensor_v2(
    storage, storage_offset, size, stride, requires_grad, backward_hooks, metadata=None
):
    array = storage.array
    xp = backend.get_array_module(array)
    itemsize = array.itemsize
    if xp is np:
        out = np.ndarray(
            tuple(size), array.dtype, buffer=array, offset=storage_offset * itemsize,
            strides=tuple(s * itemsize for s in stride),
        ) if array.size else np.zeros(tuple(size), array.dtype)  # fmt: skip
    else:
        out = xp.lib.stride_tricks.as_strided(
            array[storage_offset:], tuple(size), tuple(s * itemsize for s in stride)
        )
    t = Tensor._make(out)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _rebuild_parameter(data: Tensor, requires_grad: bool, backward_hooks):
    param = _parameter_class()
    if param is None:
        return data.requires_grad_(requires_grad) if requires_grad else data
    return param(data, requires_grad)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    p = _rebuild_parameter(data, requires_grad, backward_hooks)
    if state:
        p.__dict__.update(state if isinstance(state, dict) else state[0])
    return p


def _rebuild_from_type_v2(func, new_type, args, state):
    return func(*args)


def _torch_globals() -> dict[str, Any]:
    """torch's names that weights-only loading accepts, mapped to what jtorch rebuilds."""
    names: dict[str, Any] = {
        "collections.OrderedDict": OrderedDict,
        "collections.Counter": Counter,
        "torch._utils._rebuild_tensor_v2": _rebuild_tensor_v2,
        "torch._utils._rebuild_parameter": _rebuild_parameter,
        "torch._utils._rebuild_parameter_with_state": _rebuild_parameter_with_state,
        "torch._tensor._rebuild_from_type_v2": _rebuild_from_type_v2,
        "torch.nn.parameter.Parameter": _rebuild_parameter_class,
        "torch.Tensor": Tensor,
        "torch.Size": Size,
        "torch.device": backend.device,
        "_codecs.encode": _codecs.encode,
        "builtins.bytearray": bytearray,
        "builtins.set": set,
        "builtins.complex": complex,
    }
    for d in dtypes.ALL:
        names[f"torch.{d.name}"] = d
        names[f"torch.{_STORAGE_NAMES[d]}"] = _StorageType(d)
    return names


def _rebuild_parameter_class(*args):
    param = _parameter_class()
    return param(*args) if param is not None else Tensor(*args)


def _blocked_message(module: str, name: str) -> str:
    return (
        "Weights only load failed. In PyTorch 2.6, we changed the default value of the "
        "`weights_only` argument in `torch.load` from `False` to `True`. Re-running `torch.load` "
        "with `weights_only` set to `False` will likely succeed, but it can result in arbitrary "
        "code execution. Do it only if you got the file from a trusted source.\n\n\n"
        f"Trying to load unsupported GLOBAL {module}.{name} whose module {module} is blocked.\n\n"
        "Check the documentation of torch.load to learn more about types accepted by default "
        "with weights_only https://pytorch.org/docs/stable/generated/torch.load.html."
    )


class _Unpickler(pickle.Unpickler):
    """Resolves torch's globals to jtorch's; with ``weights_only`` refuses everything else."""

    def __init__(self, file, load_storage: Callable, weights_only: bool) -> None:
        super().__init__(file, encoding="utf-8")
        self._load_storage = load_storage
        self._weights_only = weights_only
        self._torch_names = _torch_globals()

    def find_class(self, module: str, name: str):
        full = f"{module}.{name}"
        if full in self._torch_names:
            return self._torch_names[full]
        for entry in _safe_globals:
            obj, qual = entry if isinstance(entry, tuple) else (entry, _qualname(entry))
            if qual == full:
                return obj
        if self._weights_only:
            raise pickle.UnpicklingError(_blocked_message(module, name))
        if module == "torch" or module.startswith("torch."):
            module = "j" + module
        return super().find_class(module, name)

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and pid and pid[0] == "storage"):
            raise pickle.UnpicklingError(f"Unsupported persistent id: {pid!r}")
        _, storage_type, key, location, _numel = pid
        if not isinstance(storage_type, _StorageType):
            storage_type = _StorageType(getattr(storage_type, "dtype", dtypes.uint8))
        return self._load_storage(storage_type.dtype, key, location)


def _map_location(storage: _Storage, location: str, map_location) -> _Storage:
    if map_location is None:
        target = location
    elif callable(map_location) and not isinstance(map_location, (str, backend.device)):
        result = map_location(storage, location)
        return storage if result is None else result
    elif isinstance(map_location, dict):
        target = map_location.get(location, location)
    else:
        target = str(map_location)
    target = str(target)
    if target.startswith("cuda") and not _cuda_available():
        raise RuntimeError(
            "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is "
            "False. If you are running on a CPU-only machine, please use torch.load with "
            "map_location=torch.device('cpu') to map your storages to the CPU."
        )
    if target == "cpu":
        return storage
    return _Storage(backend.move(storage.array, backend.as_device(target)))


def _cuda_available() -> bool:
    from jtorch import cuda  # noqa: PLC0415

    return cuda.is_available()


def _record_offset(raw, info: zipfile.ZipInfo) -> int:
    """Where a stored zip record's data begins in the file (for ``mmap``)."""
    raw.seek(info.header_offset)
    header = raw.read(30)
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    return info.header_offset + 30 + name_len + extra_len


def load(
    f,
    map_location=None,
    pickle_module: Any = None,
    *,
    weights_only: bool | None = None,
    mmap: bool | None = None,
    **pickle_load_args: Any,
) -> Any:
    """Load an object saved by ``jtorch.save`` or ``torch.save`` (zip format).

    Args:
        f: a path (str or ``os.PathLike``) or a binary file-like object.
        map_location: where storages go: a device or string (``"cpu"``), a dict from saved
            locations to new ones, or ``fn(storage, location)``.
        weights_only: True (default) unpickles only tensors, containers, dtypes and the
            globals allowed with ``add_safe_globals``; anything else raises
            ``pickle.UnpicklingError``. False allows arbitrary objects (trusted files only).
        mmap: map the storages from the file instead of reading them into memory (paths only).

    Example:
        >>> import io; buf = io.BytesIO(); jtorch.save([jtorch.tensor([1, 2])], buf)
        >>> _ = buf.seek(0); jtorch.load(buf, map_location="cpu")
        [tensor([1, 2])]
    """
    if weights_only is None:
        weights_only = os.environ.get("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "0") in ("0", "")
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as fh:
            return _load_zip(fh, map_location, weights_only, os.fspath(f) if mmap else None)
    if mmap:
        raise ValueError("f must be a file path in order to use the mmap argument")
    return _load_zip(f, map_location, weights_only, None)


def _load_zip(fh, map_location, weights_only: bool, mmap_path: str | None):
    if not zipfile.is_zipfile(fh):
        raise RuntimeError(
            "jtorch.load: only PyTorch's zip checkpoint format (torch >= 1.6) is supported"
        )
    fh.seek(0)
    with zipfile.ZipFile(fh) as zf:
        names = zf.namelist()
        pkl = next(n for n in names if n.endswith("data.pkl") and n.count("/") == 1)
        prefix = pkl[: -len("data.pkl")]
        byteorder = "little"
        if prefix + "byteorder" in names:
            byteorder = zf.read(prefix + "byteorder").decode()
        loaded: dict[str, _Storage] = {}
        mapped = np.memmap(mmap_path, np.uint8, mode="c") if mmap_path else None

        def load_storage(dtype: dtypes.dtype, key: str, location: str) -> _Storage:
            if key not in loaded:
                np_dtype = np.dtype(dtypes.to_np(dtype)).newbyteorder(
                    "<" if byteorder == "little" else ">"
                )
                info = zf.getinfo(f"{prefix}data/{key}")
                if mapped is not None:
                    start = _record_offset(fh, info)
                    array = mapped[start : start + info.file_size].view(np_dtype)
                else:
                    array = np.frombuffer(bytearray(zf.read(info)), np_dtype)
                if not array.dtype.isnative:
                    array = array.astype(array.dtype.newbyteorder("="))
                loaded[key] = _map_location(_Storage(array), location, map_location)
            return loaded[key]

        unpickler = _Unpickler(io.BytesIO(zf.read(pkl)), load_storage, weights_only)
        return unpickler.load()


# -- safetensors ---------------------------------------------------------------------------------
_SAFETENSORS_DTYPES = {
    "BOOL": np.bool_,
    "U8": np.uint8,
    "I8": np.int8,
    "I16": np.int16,
    "I32": np.int32,
    "I64": np.int64,
    "F16": np.float16,
    "F32": np.float32,
    "F64": np.float64,
}
_SAFETENSORS_NAMES = {np.dtype(v): k for k, v in _SAFETENSORS_DTYPES.items()}


def save_file(tensors: dict[str, Tensor], filename, metadata: dict[str, str] | None = None) -> None:
    """Write ``tensors`` as a safetensors file (no torch or safetensors package needed).

    Example:
        >>> import tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "w.safetensors")
        >>> save_file({"w": jtorch.eye(2)}, path); load_file(path)["w"]
        tensor([[1., 0.],
                [0., 1.]])
    """
    header: dict[str, Any] = {}
    if metadata:
        header["__metadata__"] = metadata
    arrays, offset = [], 0
    for name in sorted(tensors):
        array = np.ascontiguousarray(backend.to_numpy(tensors[name]._array))
        size = array.nbytes
        header[name] = {
            "dtype": _SAFETENSORS_NAMES[array.dtype],
            "shape": list(array.shape),
            "data_offsets": [offset, offset + size],
        }
        arrays.append(array.astype(array.dtype.newbyteorder("<"), copy=False))
        offset += size
    blob = json.dumps(header, separators=(",", ":")).encode()
    blob += b" " * (-len(blob) % 8)
    path = pathlib.Path(filename)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(struct.pack("<Q", len(blob)) + blob)
            for array in arrays:
                out.write(array.tobytes())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def load_file(filename, device: str = "cpu") -> dict[str, Tensor]:
    """Read a safetensors file into a dict of tensors (on ``device``)."""
    with open(filename, "rb") as fh:
        (n,) = struct.unpack("<Q", fh.read(8))
        header = json.loads(fh.read(n))
        data = fh.read()
    header.pop("__metadata__", None)
    target = backend.as_device(device)
    out = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        np_dtype = np.dtype(_SAFETENSORS_DTYPES[info["dtype"]]).newbyteorder("<")
        array = np.frombuffer(data[begin:end], np_dtype).astype(np_dtype.newbyteorder("="))
        out[name] = Tensor._make(backend.move(array.reshape(info["shape"]), target))
    return out
